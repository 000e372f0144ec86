"""Request signing: the exact bytes JavaScript's ``JSON.stringify`` would produce, and their HMAC.

PayCombat documents the signature as ``HMAC-SHA256(signature_key, JSON.stringify(body))``. A server
may hash the raw bytes it received, or parse them and re-serialize with ``JSON.stringify`` before
hashing. We make both agree by sending bytes that are a fixed point of parse-then-stringify:

- compact separators, non-ASCII literal, ``/`` not escaped (``JSON.stringify``'s string rules);
- numbers printed the way JavaScript prints the IEEE-754 double they parse to
  (``Decimal("100.00")`` -> ``100``, ``Decimal("12.50")`` -> ``12.5``, ``1e21`` -> ``1e+21``);
- object keys that look like array indices first, in ascending order (JavaScript's own property
  order), then the rest in insertion order.

This module is sans-IO: no aiohttp, no event loop. The sandbox uses it to verify signatures.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["Signer", "js_dumps", "js_dumps_fields", "js_number", "sign", "signature_matches"]

# json's C encoder with ensure_ascii=False escapes exactly what JSON.stringify escapes:
# '"', '\\', \b \f \n \r \t and the other C0 controls as lower-case \u00XX.
_encode_str = json.encoder.encode_basestring
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_ARRAY_INDEX = 2**32 - 2
_MAX_SAFE_INTEGER = 2**53


def _js_string(value: str) -> str:
    encoded: str = _encode_str(value)
    if _LONE_SURROGATE.search(encoded) is None:
        return encoded
    # A surrogate pair in a Python str is one character in JavaScript (UTF-16); a lone surrogate is
    # escaped by the well-formed JSON.stringify of ES2019.
    joined = encoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", joined)


def js_number(value: int | float | Decimal) -> str:
    """Format a number as JavaScript's ``Number.prototype.toString`` formats its double.

    Raises ``ValueError`` for a number JSON cannot carry (NaN, infinity) and for an ``int`` or
    ``Decimal`` that no double carries exactly: the server verifies the signature over
    ``JSON.stringify`` of the body it parsed, so such an amount would arrive changed.
    """
    try:
        number = float(value)  # JSON.parse yields a double; so does a JS server re-serializing it
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{value!r} has no JSON representation (JSON.stringify would send null)")
    if not isinstance(value, float) and not _exact(value, number):
        raise ValueError(
            f"{value} cannot be sent exactly: a JavaScript number (an IEEE-754 double) carries "
            f"it as {repr(number).removesuffix('.0')}"
        )
    if number == 0:
        return "0"  # JavaScript prints -0 as 0
    sign = "-" if number < 0 else ""
    # repr() gives the shortest digits that round-trip, the same digits JavaScript chooses.
    parts = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, parts.digits))
    point = len(digits) + int(parts.exponent)  # where the decimal point sits after digit `point`
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        exp_sign = "+" if exponent >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{head}e{exp_sign}{abs(exponent)}"
    return sign + text


def _exact(value: int | Decimal, number: float) -> bool:
    """Whether the double ``number`` prints back as ``value`` (JavaScript prints the shortest
    digits that round-trip, the same digits as Python's ``repr``)."""
    if isinstance(value, int) and -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        return True
    return Decimal(repr(number)) == value


def _is_array_index(key: str) -> bool:
    return (
        key.isdigit()
        and key.isascii()
        and (key == "0" or key[0] != "0")
        and (int(key) <= _MAX_ARRAY_INDEX)
    )


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_js_string(value))
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, (int, float, Decimal)):
        out.append(js_number(value))
    elif isinstance(value, Mapping):
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be str, not {type(key).__name__}")
        indices = sorted((k for k in keys if _is_array_index(k)), key=int)
        ordered = indices + [k for k in keys if not _is_array_index(k)] if indices else keys
        out.append("{")
        for position, key in enumerate(ordered):
            if position:
                out.append(",")
            out.append(_js_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")


class _NeedsWriter(Exception):
    """The fast path cannot vouch for this value: let ``_write`` produce it."""


_FAST_FLOAT_MIN = 1e-4  # below it Python's repr uses an exponent and JavaScript does not (>= 1e-6)
_FAST_FLOAT_MAX = float(_MAX_SAFE_INTEGER)


def _not_plain(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_encode_public: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_not_plain
).encode
"""What ``_encode_fast`` writes, through the public API (which builds a C encoder per call)."""

_PROBE: Any = {
    "s": 'a"b\\c/\u00e9\u20ac\U0001f600\u2028\n\t\x00\x1f\x7f',
    "n": [0, -1, 2**53, 12.5, -0.25, 0.0001, True, False, None],
    "o": {"": [], "k": {}, "l": [[1], {"x": "y"}]},
}
"""A body with every kind of value ``_plain`` hands the encoder, for ``_write`` to check it."""


def _c_encoder() -> Callable[[Any], str] | None:
    """The C encoder ``_encode_public`` builds anew per call, built once (0.9 us less per body),
    without cycle markers (``_plain`` has walked the value already); None, and the public
    encoder is used, if this CPython's ``json.encoder.c_make_encoder`` is missing, takes other
    arguments, or writes a probe otherwise than ``_write`` (the whole algorithm) does."""
    make = getattr(json.encoder, "c_make_encoder", None)  # CPython's C accelerator
    if make is None:
        return None
    try:
        # (markers, default, encoder, indent, key_separator, item_separator, sort_keys,
        # skipkeys, allow_nan): the arguments json.encoder.JSONEncoder.iterencode passes.
        c_encode = make(None, _not_plain, _encode_str, None, ":", ",", False, False, False)

        def encode(value: Any) -> str:
            return "".join(c_encode(value, 0))

        expected: list[str] = []
        _write(_PROBE, expected)
        if encode(_PROBE) != "".join(expected):
            return None
    except Exception:  # noqa: BLE001 - any failure: the public encoder writes the same bytes
        return None
    return encode


_encode_fast: Callable[[Any], str] = _c_encoder() or _encode_public


def _plain(value: Any) -> Any:
    """``value`` with every number replaced by an ``int`` or ``float`` whose Python ``repr`` is
    exactly what JavaScript prints for it, so that the C encoder can write it; raises
    ``_NeedsWriter`` for whatever only ``_write`` handles (rare keys, numbers, types). A dict
    that holds no number comes back as it is, not copied."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is dict:
        plain = None
        for key in value:  # (not .items(): its view is one more object for the collector)
            # An index-like key moves first in JavaScript's property order.
            if type(key) is not str or key[:1].isdigit():
                raise _NeedsWriter
            item = value[key]
            if type(item) is str:  # the common case
                continue
            converted = _plain(item)
            if converted is not item:
                if plain is None:
                    plain = dict(value)
                plain[key] = converted
        return value if plain is None else plain
    if kind is list or kind is tuple:
        return [item if type(item) is str else _plain(item) for item in value]
    if kind is int or kind is float or kind is Decimal:
        return _number(value, kind)
    raise _NeedsWriter


def _number(value: int | float | Decimal, kind: type[Any]) -> int | float:
    """``_plain`` of a number (``kind`` is its exact type: int, float or Decimal)."""
    if isinstance(value, int):  # (kind is int: a bool never gets here)
        if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
            return value
        raise _NeedsWriter
    text = str(value) if kind is Decimal else ""
    try:
        number = float(text) if text else float(value)
    except ValueError:  # a signalling NaN: _write says why it cannot be sent
        raise _NeedsWriter from None
    magnitude = abs(number)
    if not magnitude < _FAST_FLOAT_MAX:  # NaN too
        raise _NeedsWriter
    whole = number.is_integer()
    if not whole and magnitude < _FAST_FLOAT_MIN:
        raise _NeedsWriter
    # A Decimal of at most 15 digits (16 characters with its point or sign; in this range str()
    # uses no exponent for a fraction) is the double's shortest repr, so JavaScript prints it
    # back as it is (DBL_DIG); a longer one is compared with what the double prints.
    if len(text) > 16 and Decimal(repr(number)) != value:
        raise _NeedsWriter  # not carried exactly: _write says why
    return int(number) if whole else number  # JavaScript prints 100.0 as 100 (and -0 as 0)


def js_dumps(value: Any) -> bytes:
    """Serialize ``value`` to the UTF-8 bytes ``JSON.stringify`` produces for the same object.

    Common bodies go through the C JSON encoder once their numbers are normalised by ``_plain``;
    anything it cannot vouch for (index-like keys, lone surrogates, exponent-form numbers, inexact
    amounts, other types) is written by ``_write``, which implements the whole algorithm.
    """
    try:
        return _encode_fast(_plain(value)).encode("utf-8")
    except (_NeedsWriter, UnicodeEncodeError, RecursionError):
        pass
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode("utf-8")


_PLAIN_KINDS = frozenset({dict, list, tuple, int, float, Decimal, bool})
"""Values ``_plain`` takes as they are; any other kind is prepared (unstructured) first."""


def js_dumps_fields(
    obj: Any, fields: Sequence[tuple[str, str]], prepare: Callable[[Any], Any]
) -> bytes | None:
    """``js_dumps`` of an object made of ``obj``'s attributes that are not None, written without
    building that object; None if only ``js_dumps`` itself can write them.

    ``fields`` pairs each attribute's name with its key as written (``'"name":'``): names that
    are identifiers, which ``JSON.stringify`` keeps in the given order. ``prepare`` turns a value
    that is not plain JSON (a model, an enum, a timestamp) into JSON-ready data. The common
    request (strings, amounts, a beneficiary given as a dict) costs a third less than building
    the object and writing it (``benchmarks/HISTORY.md``); whatever the fast path cannot vouch
    for (an index-like key, a lone surrogate, a number JavaScript would print otherwise) gives
    None, and the caller writes the object with ``js_dumps``, which explains any refusal.
    """
    parts = []
    try:
        for name, key in fields:
            value = getattr(obj, name)
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                parts.append(key + _encode_str(value))
            elif kind is Decimal or kind is int or kind is float:
                # repr() of the int or float is what the C encoder writes for it
                parts.append(key + repr(_number(value, kind)))
            else:
                plain = _plain(value if kind in _PLAIN_KINDS else prepare(value))
                parts.append(key + _encode_fast(plain))
        return ("{" + ",".join(parts) + "}").encode("utf-8")
    except (_NeedsWriter, UnicodeEncodeError, RecursionError):
        return None


def sign(body: bytes, signature_key: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``body`` under ``signature_key``: the ``signature`` header."""
    return hmac.digest(signature_key.encode("utf-8"), body, "sha256").hex()


class Signer:
    """``sign`` for one signature key, prepared once: ``signer(body)`` is ``sign(body, key)``.

    HMAC (RFC 2104) is ``H((K ^ opad) + H((K ^ ipad) + body))``. The two keyed SHA-256 states
    are computed once and copied for each body, as the standard library's own pure-Python
    ``hmac.HMAC`` does; that costs half what OpenSSL's HMAC object and its copy do
    (``benchmarks/HISTORY.md``), and the tests hold it to ``hmac.digest`` for keys of every
    length. The key lives only inside the hash states: no repr shows it, and a ``Signer``
    refuses to be pickled.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, signature_key: str) -> None:
        key = signature_key.encode("utf-8")
        block = hashlib.sha256().block_size
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))

    def __call__(self, body: bytes) -> str:
        inner = self._inner.copy()
        inner.update(body)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def __repr__(self) -> str:
        return "<Signer>"

    def __reduce__(self) -> Any:
        raise TypeError("a Signer holds a signature key and cannot be pickled")


def signature_matches(body: bytes, signature_key: str, signature: str) -> bool:
    """Constant-time check of a ``signature`` (or webhook ``X-Signature``) over ``body``."""
    candidate = signature.strip().lower()
    if not candidate.isascii():
        return False  # compare_digest refuses non-ASCII str; no hex digest contains any
    return hmac.compare_digest(sign(body, signature_key), candidate)
