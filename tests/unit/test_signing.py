"""The bytes we sign are the bytes JSON.stringify produces for the same object."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import pickle
import platform
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paycombat_async._codec import signing as _signing
from paycombat_async._codec.signing import (
    Signer,
    _NeedsWriter,
    _plain,
    _write,
    js_dumps,
    js_number,
    sign,
    signature_matches,
)
from tests.budget import examples

# Text with everything JSON.stringify treats specially: quotes, backslashes, controls, non-ASCII,
# U+2028/2029, slashes, and lone surrogates (which it escapes).
text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(['"', "\\", "/", "\x00", "\x1f", "\x7f", "\u2028", "\ud800", "\udfff"]),
    )
)
keys = st.one_of(text, st.integers(0, 2**33).map(str), st.sampled_from(["01", "-1", "1.5"]))
# Integers and decimals a double carries exactly: the only ones js_dumps accepts.
exact_integers = st.one_of(
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e30, max_value=1e30)
    .filter(float.is_integer)
    .map(lambda f: int(Decimal(repr(f)))),
)
numbers = st.one_of(
    exact_integers,
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12
    ),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20,
)


def parse_like_javascript(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8", "surrogatepass"), parse_int=float)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"sender_amount": Decimal("100.00")}, b'{"sender_amount":100}'),
        ({"a": Decimal("12.50"), "b": 0.1}, b'{"a":12.5,"b":0.1}'),
        ({"name": "José / Ünïcødé"}, '{"name":"José / Ünïcødé"}'.encode()),
        ({"q": 'say "hi"\\\n\t\x01'}, b'{"q":"say \\"hi\\"\\\\\\n\\t\\u0001"}'),
        ({"b": 1, "2": 2, "a": 3, "1": 4}, b'{"1":4,"2":2,"b":1,"a":3}'),
        ([1e21, 1e-7, 123456789012345680000, -0.0], b"[1e+21,1e-7,123456789012345680000,0]"),
        ({"emoji": "\ud83d\ude00", "lone": "\ud800"}, '{"emoji":"😀","lone":"\\ud800"}'.encode()),
        ({}, b"{}"),
        # Where JavaScript switches between plain and exponent form (checked against Node).
        (
            [1e-6, 1.5e-7, -1e-7, 1.2345e-5, 1e20, 1.5e21, -1.5e21, 5e-324, 1e300],
            b"[0.000001,1.5e-7,-1e-7,0.000012345,100000000000000000000,1.5e+21,-1.5e+21,"
            b"5e-324,1e+300]",
        ),
        ({"fee": 0.00005}, b'{"fee":0.00005}'),
        ({"fee": Decimal("-0.00005"), "n": (1, "a")}, b'{"fee":-0.00005,"n":[1,"a"]}'),
        ([2**53, -(2**53)], b"[9007199254740992,-9007199254740992]"),
        # The largest array index moves first; one more is an ordinary key (checked against Node).
        (
            {"b": 1, "4294967295": 2, "4294967294": 3, "01": 4, "0": 5, "\u0663": 6, "9": 8},
            '{"0":5,"9":8,"4294967294":3,"b":1,"4294967295":2,"01":4,"\u0663":6}'.encode(),
        ),
    ],
)
def test_known_javascript_outputs(value: Any, expected: bytes) -> None:
    assert js_dumps(value) == expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN"), 10**400])
def test_numbers_javascript_cannot_send_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="JSON"):
        js_dumps({"amount": bad})


@pytest.mark.parametrize(
    ("bad", "carried_as"),
    [
        (Decimal("90071992547409.93"), "90071992547409.94"),
        (2**53 + 1, "9007199254740992"),
        (Decimal("0.30000000000000001"), "0.3"),
        (Decimal("100.0000000000000001"), "100"),
        (-(2**53) - 1, "-9007199254740992"),
    ],
)
def test_numbers_a_double_cannot_carry_exactly_are_refused(bad: Any, carried_as: str) -> None:
    # The server signs JSON.stringify(JSON.parse(body)): a changed number breaks the signature,
    # or worse, moves a different amount.
    with pytest.raises(ValueError, match=f"carries it as {carried_as}"):
        js_dumps({"amount": bad})


def test_large_exact_numbers_in_exponent_form_are_sent_as_javascript_prints_them() -> None:
    assert (
        js_dumps({"a": Decimal("1E+26"), "b": 10**21, "c": False})
        == b'{"a":1e+26,"b":1e+21,"c":false}'
    )


def test_a_string_enum_is_sent_as_its_text() -> None:
    class Currency(enum.StrEnum):
        EUR = "EUR"

    assert (
        js_dumps({"currency": Currency.EUR, "amount": 12.5}) == b'{"currency":"EUR","amount":12.5}'
    )


@pytest.mark.parametrize("bad", [{1: "x"}, {"when": object()}, {"s": {1, 2}}])
def test_non_json_values_are_refused(bad: Any) -> None:
    with pytest.raises(TypeError):
        js_dumps(bad)


@settings(max_examples=examples(300))
@given(json_values)
def test_bytes_are_a_fixed_point_of_parse_then_stringify(value: Any) -> None:
    """A server that re-serializes the parsed body gets the bytes we signed."""
    raw = js_dumps(value)
    assert js_dumps(parse_like_javascript(raw)) == raw
    assert signature_matches(js_dumps(parse_like_javascript(raw)), "k", sign(raw, "k"))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_round_trip_exactly(number: float) -> None:
    assert float(js_number(number)) == number


def test_signature_is_lowercase_hex_hmac_sha256() -> None:
    # Computed with Node: crypto.createHmac('sha256', 'key')
    #   .update(JSON.stringify({amount: 12.5, name: 'José'})).digest('hex')
    body = js_dumps({"amount": Decimal("12.50"), "name": "José"})
    assert sign(body, "key") == "28e1df28c3800d3c6f30ed0376005de5fbd3eb00a171ed9f85b81c282587ffe4"
    digest = sign(b'{"a":1}', "snd_key")
    assert len(digest) == 64
    assert digest == digest.lower()
    assert signature_matches(b'{"a":1}', "snd_key", digest.upper())
    assert not signature_matches(b'{"a":2}', "snd_key", digest)


NODE_SCRIPT = r"""
const crypto = require('crypto');
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [key, b64] = line.split(' ');
  const data = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  const text = JSON.stringify(data);
  const sig = crypto.createHmac('sha256', key).update(text).digest('hex');
  process.stdout.write(Buffer.from(text, 'utf8').toString('base64') + ' ' + sig + '\n');
});
"""


@pytest.fixture(scope="module")
def node() -> Iterator[subprocess.Popen[str]]:
    executable = shutil.which("node")
    if executable is None:
        pytest.skip("node is not installed")
    proc = subprocess.Popen(  # noqa: S603 - a fixed script run by the local node
        [executable, "-e", NODE_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    yield proc
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)
    assert proc.stdout is not None
    proc.stdout.close()


@settings(max_examples=examples(300), deadline=None)
@given(value=json_values)
def test_node_produces_the_same_bytes_and_signature(
    node: subprocess.Popen[str], value: Any
) -> None:
    assert node.stdin is not None
    assert node.stdout is not None
    raw = js_dumps(value)
    node.stdin.write(f"snd_key {base64.b64encode(raw).decode()}\n")
    node.stdin.flush()
    node_b64, node_signature = node.stdout.readline().split()
    assert base64.b64decode(node_b64) == raw
    assert node_signature == sign(raw, "snd_key")


@pytest.mark.parametrize("header", ["é" * 64, "", "  ", "zz", "\u0661" * 64])
def test_a_malformed_signature_header_is_a_mismatch_not_a_crash(header: str) -> None:
    assert signature_matches(b"{}", "key", header) is False


# -- the fast path: what a create body costs ---------------------------------------------------
#
# js_dumps normalises a body's numbers (``_plain``) and hands it to the C JSON encoder; only what
# that path cannot vouch for goes to the pure-Python writer, which is several times slower. Every
# body a payment sends daily must stay on the fast path (the benchmarks price it): these pin the
# boundary, value by value, and that both paths print the same bytes across it.

_FAST = [
    ({"a": "x", "b": True, "c": None, "d": False}, {"a": "x", "b": True, "c": None, "d": False}),
    (
        {"nested": {"list": ["x", 1, [2]], "t": ("y",)}},
        {"nested": {"list": ["x", 1, [2]], "t": ["y"]}},
    ),
    ({"amount": Decimal("25.00"), "fee": Decimal("0.50")}, {"amount": 25, "fee": 0.5}),
    ({"n": 2**53, "m": -(2**53), "z": Decimal("-0")}, {"n": 2**53, "m": -(2**53), "z": 0}),
    (
        {"f": 0.0001, "g": -0.0001, "h": 1.5, "i": 100.0},
        {"f": 0.0001, "g": -0.0001, "h": 1.5, "i": 100},
    ),
    ({"k1": 1, "a1": 1, "": 1, "-1": 1}, {"k1": 1, "a1": 1, "": 1, "-1": 1}),
    # 15 digits are always the double's own shortest digits; a longer amount is compared
    (
        [Decimal("1234567890.12345"), Decimal("-123456789.12345"), Decimal("1.00000000000000")],
        [1234567890.12345, -123456789.12345, 1],
    ),
    (
        [Decimal("0.30000000000000004"), Decimal("4503599627370495.5")],
        [0.30000000000000004, 4503599627370495.5],
    ),
    (["a", 1, Decimal("1.10")], ["a", 1, 1.1]),
    ("just text", "just text"),
]

_WRITER_ONLY = [
    {"1": "an index-like key moves first in JavaScript"},
    {"0x": "a key starting with a digit"},
    2**53 + 1,
    -(2**53) - 1,
    Decimal("1E+16"),
    2.0**53,
    0.00009,
    -0.00009,
    Decimal("0.00001"),
    Decimal("0.1000000000000000055511151231257827"),  # carried as 0.1
    Decimal("123456789.0123456789"),  # carried as 123456789.01234568
    Decimal("8.000000000000001"),  # 16 digits, carried as 8.000000000000002
    Decimal("sNaN"),
    Decimal("NaN"),
    {(1,): "a key that is not a string"},
    {"set": {1, 2}},
]


@pytest.mark.parametrize(("value", "plain"), _FAST)
def test_common_bodies_take_the_c_encoder(value: Any, plain: Any) -> None:
    normalised = _plain(value)
    assert normalised == plain
    assert [type(v) for v in _leaves(normalised)] == [type(v) for v in _leaves(plain)]
    assert js_dumps(value) == _written(value)


@pytest.mark.parametrize("value", _WRITER_ONLY)
def test_what_the_fast_path_cannot_vouch_for_goes_to_the_full_writer(value: Any) -> None:
    with pytest.raises(_NeedsWriter):
        _plain(value)


def test_a_body_with_amounts_is_normalised_on_a_copy_never_in_place() -> None:
    body = {"amount": Decimal("1.50"), "party": {"name": "A", "fee": Decimal("2")}}
    assert _plain(body) == {"amount": 1.5, "party": {"name": "A", "fee": 2}}
    assert body == {"amount": Decimal("1.50"), "party": {"name": "A", "fee": Decimal("2")}}
    assert type(body["amount"]) is Decimal
    assert type(body["party"]["fee"]) is Decimal


@settings(max_examples=examples(500))
@given(
    st.one_of(
        st.integers(0, 22).flatmap(
            lambda places: st.decimals(
                min_value=-(10**16), max_value=10**16, places=places, allow_nan=False
            )
        ),
        st.decimals(allow_nan=False, allow_infinity=False),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(),
    )
)
def test_a_number_the_fast_path_takes_is_printed_as_the_full_writer_prints_it(
    number: Any,
) -> None:
    try:
        plain = _plain(number)
    except _NeedsWriter:
        return
    assert json.dumps(plain).encode() == _written(number)  # the writer refuses what is inexact


# -- the C encoder built once: the public encoder's bytes, or the public encoder itself ----------

# What ``_plain`` hands the encoder: str keys, str, bool, None, safe ints, finite floats, lists.
plain_json = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        text,
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=20,
)


def test_cpython_builds_its_c_encoder_once() -> None:
    if platform.python_implementation() == "CPython":
        assert _signing._encode_fast is not _signing._encode_public  # the 0.9 us a body saves


@settings(max_examples=examples(300))
@given(plain_json)
def test_the_c_encoder_built_once_writes_what_the_public_encoder_writes(value: Any) -> None:
    encode = _signing._c_encoder() or _signing._encode_public
    assert encode(value) == _signing._encode_public(value)


def _make_encoder_taking(*arguments: str) -> Any:
    """A ``c_make_encoder`` of another signature: it takes ``arguments`` only."""

    def make(*given: Any) -> Any:
        if len(given) != len(arguments):
            raise TypeError(f"make_encoder() takes {len(arguments)} arguments")
        raise AssertionError("unreachable in these tests")

    return make


def _make_encoder_swapping_separators() -> Any:
    """A ``c_make_encoder`` that takes the same nine arguments, in another order."""
    real = json.encoder.c_make_encoder  # type: ignore[attr-defined]

    def make(
        markers: Any, default: Any, encoder: Any, indent: Any, key: Any, item: Any, *rest: Any
    ) -> Any:
        return real(markers, default, encoder, indent, item, key, *rest)

    return make


@pytest.mark.parametrize(
    "make_encoder",
    [None, _make_encoder_taking(*"abcdefghij"), _make_encoder_swapping_separators()],
    ids=["missing", "ten arguments", "arguments reordered"],
)
def test_a_c_encoder_that_is_missing_or_changed_leaves_the_public_one(
    monkeypatch: pytest.MonkeyPatch, make_encoder: Any
) -> None:
    if make_encoder is None:
        monkeypatch.delattr(json.encoder, "c_make_encoder", raising=False)
    else:
        monkeypatch.setattr(json.encoder, "c_make_encoder", make_encoder, raising=False)
    assert _signing._c_encoder() is None


@pytest.mark.parametrize(("value", "plain"), _FAST)
def test_bodies_written_by_the_public_encoder_are_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch, value: Any, plain: Any
) -> None:
    fast = js_dumps(value)
    monkeypatch.setattr(_signing, "_encode_fast", _signing._encode_public)
    assert js_dumps(value) == fast == _written(value)


def _written(value: Any) -> bytes:
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode()


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@settings(max_examples=examples(300))
@given(key=st.text(max_size=100), body=st.binary(max_size=300))
def test_a_signer_is_hmac_sha256_for_keys_of_every_length(key: str, body: bytes) -> None:
    # keys shorter than, equal to and longer than SHA-256's 64-byte block (hashed first)
    assert Signer(key)(body) == hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("length", [0, 1, 63, 64, 65, 200])
def test_a_signer_at_the_block_boundary(length: int) -> None:
    key = "k" * length
    assert Signer(key)(b"{}") == hmac.new(key.encode(), b"{}", hashlib.sha256).hexdigest()


@pytest.mark.parametrize("body", [b"", b'{"a":1}', '{"name":"José"}'.encode(), b"x" * 5000])
def test_a_signer_signs_as_sign_does_and_keeps_its_key_to_itself(body: bytes) -> None:
    key = "snd_prepared_signature_key"
    signer = Signer(key)
    assert signer(body) == sign(body, key)
    assert signer(body) == sign(body, key)  # the prepared key state is copied, never used up
    assert key not in repr(signer)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(signer)
