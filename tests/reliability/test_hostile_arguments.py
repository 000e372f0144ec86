"""Hostile arguments are refused before anything is sent; what is sent is exactly what was meant.

The raw server records every byte that arrives, so "nothing was sent" is checked, not assumed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from decimal import Decimal
from typing import Any

import pytest

from paycombat_async import ConfigurationError, PayCombat, ValidationError
from paycombat_async._codec.signing import js_dumps, sign
from tests.helpers import SIGNATURE_KEY, client_for, payout_args
from tests.rawserver import RawServer, envelope, respond

KEY = SIGNATURE_KEY  # what client_for signs with, for a server that checks none


# -- path ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".", ".."])
@pytest.mark.parametrize(
    "call",
    [
        lambda c, v: c.checkouts.cancel(v),
        lambda c, v: c.checkouts.retrieve(v),
        lambda c, v: c.payouts.retrieve(v),
        lambda c, v: c.customers.delete(v),
        lambda c, v: c.customers.enable(v),
        lambda c, v: c.customers.disable(v),
    ],
    ids=["cancel", "checkout", "payout", "delete", "enable", "disable"],
)
async def test_a_dot_segment_id_is_refused_before_sending(
    server: RawServer, value: str, call: Any
) -> None:
    async with client_for(server, timeout=2) as c:
        with pytest.raises(ValidationError) as caught:
            await call(c, value)
    assert caught.value.field in ("checkout_id", "payout_id", "customer_id")
    assert "dot segment" in caught.value.message
    assert server.requests == []


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("a/../b", "a%2F..%2Fb"),
        ("%2e%2e", "%252e%252e"),
        ("...", "..."),
        ("a b?c#d", "a%20b%3Fc%23d"),
    ],
)
async def test_an_id_arrives_as_one_percent_encoded_segment(
    server: RawServer, value: str, segment: str
) -> None:
    server.default = respond(200, envelope({"id": value}))
    async with client_for(server, timeout=2) as c:
        assert (await c.payouts.retrieve(value)).id == value
    assert server.requests[0].target == f"/api/v1/payout-method/retrieve-payout/{segment}"


# -- secrets and timeouts at construction ------------------------------------------------------

CONTROL = ["\x00", "\r", "\n", "\r\n", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", CONTROL, ids=[repr(c) for c in CONTROL])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("name", ["token", "signature_key"])
def test_a_secret_with_a_control_character_is_refused_at_construction(
    char: str, where: str, name: str
) -> None:
    secret = {"start": char + "snd_abcdef", "middle": "snd_abc" + char + "def"}.get(
        where, "snd_abcdef" + char
    )
    kwargs: dict[str, Any] = {"token": "snd_token_ok", "signature_key": "key_ok", name: secret}
    with pytest.raises(ConfigurationError) as caught:
        PayCombat(**kwargs)
    assert "snd_abc" not in str(caught.value)  # the message never repeats the secret


@pytest.mark.parametrize("secret", [" snd_x", "snd_x ", "\u00a0snd_x", "snd_x\u3000", "   "])
@pytest.mark.parametrize("name", ["token", "signature_key"])
def test_a_secret_with_surrounding_whitespace_is_refused(secret: str, name: str) -> None:
    kwargs: dict[str, Any] = {"token": "snd_token_ok", "signature_key": "key_ok", name: secret}
    with pytest.raises(ConfigurationError):
        PayCombat(**kwargs)


def test_a_secret_with_inner_spaces_and_non_ascii_is_accepted() -> None:
    config = PayCombat(token="snd_tok en", signature_key='k"e/y\\é').config
    assert config.signature_key == 'k"e/y\\é'


@pytest.mark.parametrize(
    "timeout", [float("nan"), float("inf"), float("-inf"), 0, 0.0, -1, "5", True, [5]]
)
def test_a_timeout_that_is_not_a_positive_finite_number_is_refused(timeout: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        PayCombat(token="snd_x", timeout=timeout)


@pytest.mark.parametrize("timeout", [None, 0.001, 5, 2.5, 10**6])
def test_a_positive_finite_timeout_or_none_is_accepted(timeout: float | None) -> None:
    assert PayCombat(token="snd_x", timeout=timeout).config.timeout == timeout


# -- plain http ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://api.example.com",
        "http://10.0.0.5:8080",
        "http://api.paycombat.com/",
        "http://[2001:db8::1]",
    ],
)
def test_plain_http_to_another_host_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        PayCombat(token="snd_x", base_url=url)
    allowed = PayCombat(token="snd_x", base_url=url, allow_insecure_http=True)
    assert allowed.config.base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.0.0.2",
        "http://localhost",
        "http://LOCALHOST:9000",
        "http://sandbox.localhost:1",
        "http://[::1]:8080",
        "https://api.example.com",
    ],
)
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    assert PayCombat(token="snd_x", base_url=url).config.base_url == url


# -- amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("90071992547409.93"),  # a double carries it as ...94
        2**53 + 1,
        -(2**53) - 3,
        Decimal(2**53 + 1),
        Decimal("12.345"),
        Decimal("1.255"),  # would round to a valid 1.26
        Decimal("0.001"),
        Decimal("1E-30"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("0"),
        Decimal("-1.00"),
        0,
        1.5,
        True,
        "12.50",
    ],
    ids=str,
)
@pytest.mark.parametrize("field", ["sender_amount", "beneficiary_amount"])
async def test_an_amount_that_cannot_be_sent_exactly_is_refused_naming_the_field(
    server: RawServer, amount: Any, field: str
) -> None:
    async with client_for(server, timeout=2) as c:
        with pytest.raises(ValidationError) as caught:
            await c.payouts.create(**payout_args(**{field: amount}))
    assert caught.value.field == field
    assert server.requests == []


async def test_a_huge_amount_in_exponent_form_is_refused_or_sent_as_javascript_would(
    server: RawServer,
) -> None:
    server.default = respond(201, envelope({"id": "p-1"}))
    refused: ValidationError | None = None
    async with client_for(server, timeout=2) as c:
        try:
            await c.payouts.create(**payout_args(sender_amount=Decimal("1E+26")))
        except ValidationError as exc:  # never decimal.InvalidOperation
            refused = exc
    if refused is not None:
        assert refused.field == "sender_amount"
        assert server.requests == []
    else:
        assert b'"sender_amount":1e+26,' in server.requests[0].body


async def test_the_callers_decimal_traps_do_not_change_what_an_amount_check_decides(
    server: RawServer,
) -> None:
    server.default = respond(201, envelope({"id": "p-1"}))
    every_signal = [decimal.Inexact, decimal.Rounded, decimal.InvalidOperation, decimal.Overflow]
    async with client_for(server, timeout=2) as c:
        with decimal.localcontext(prec=3, traps=every_signal):
            await c.payouts.create(**payout_args(sender_amount=Decimal("12345.67")))
            with pytest.raises(ValidationError) as caught:
                await c.payouts.create(**payout_args(sender_amount=Decimal("12345.678")))
    assert "2 decimal places" in caught.value.message
    assert b'"sender_amount":12345.67,' in server.requests[0].body
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("amount", "sent"),
    [
        (Decimal("12.50"), b"12.5"),
        (Decimal("100.00"), b"100"),
        (Decimal("1E+2"), b"100"),
        (Decimal("12.340"), b"12.34"),
        (Decimal("90071992547409.92"), b"90071992547409.92"),
        (2**53, b"9007199254740992"),
        (Decimal("0.01"), b"0.01"),
    ],
)
async def test_an_exact_amount_is_sent_as_javascript_prints_it(
    server: RawServer, amount: Any, sent: bytes
) -> None:
    server.default = respond(201, envelope({"id": "p-1"}))
    async with client_for(server, timeout=2) as c:
        await c.payouts.create(**payout_args(sender_amount=amount))
    assert b'"sender_amount":' + sent + b"," in server.requests[0].body


# -- what arrives on the wire ------------------------------------------------------------------


async def test_false_and_exponent_numbers_arrive_in_a_signed_body_that_verifies(
    server: RawServer,
) -> None:
    document = {
        "flag": False,
        "on": True,
        "nothing": None,
        "big": Decimal("1E+21"),
        "float_big": 1e21,
        "small": Decimal("1E-7"),
        "tiny": 1.5e-10,
        "plain": Decimal("123456789012345680000"),
        "negative_zero": -0.0,
        "text": "é/\u2028",
    }
    async with client_for(server, timeout=2) as c:
        await c.request("POST", "/api/v1/echo", json=document)
    arrived = server.requests[0]
    assert arrived.body == (
        b'{"flag":false,"on":true,"nothing":null,"big":1e+21,"float_big":1e+21,"small":1e-7,'
        b'"tiny":1.5e-10,"plain":123456789012345680000,"negative_zero":0,'
        b'"text":"\xc3\xa9/\xe2\x80\xa8"}'
    )
    assert arrived.headers["signature"] == sign(arrived.body, KEY)
    assert arrived.headers["content-type"] == "application/json"
    # A server that parses and re-serializes with JSON.stringify hashes the same bytes.
    assert js_dumps(json.loads(arrived.body)) == arrived.body


@pytest.mark.parametrize(
    "number", [2**53 + 1, -(2**53) - 1, 10**30 + 1, Decimal("0.1000000000000000055")]
)
async def test_a_number_a_double_cannot_carry_is_refused_in_any_signed_body(
    server: RawServer, number: object
) -> None:
    async with client_for(server, timeout=2) as c:
        with pytest.raises(ValidationError, match="cannot be sent exactly"):
            await c.request("POST", "/api/v1/echo", json={"n": number})
    assert server.requests == []


@pytest.mark.parametrize(
    ("number", "sent"),
    [(2**53, b"9007199254740992"), (-(2**53), b"-9007199254740992"), (10**21, b"1e+21")],
)
async def test_a_large_integer_a_double_carries_is_sent(
    server: RawServer, number: int, sent: bytes
) -> None:
    async with client_for(server, timeout=2) as c:
        await c.request("POST", "/api/v1/echo", json={"n": number})
    assert server.requests[0].body == b'{"n":' + sent + b"}"


async def test_a_signed_create_verifies_over_the_exact_bytes(server: RawServer) -> None:
    server.default = respond(201, envelope({"id": "p-1"}))
    async with client_for(server, timeout=2) as c:
        await c.payouts.create(**payout_args(sender_amount=Decimal("1E+3"), order_id="sig"))
    arrived = server.requests[0]
    assert arrived.headers["signature"] == sign(arrived.body, KEY)
    assert json.loads(arrived.body)["sender_amount"] == 1000
    assert arrived.headers["x-token"] == "snd_test_token_value"


async def test_boolean_and_date_query_parameters_arrive_as_the_server_expects(
    server: RawServer,
) -> None:
    params = {
        "include_deleted": True,
        "archived": False,
        "created_at": dt.date(2025, 1, 2),
        "after": dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "skipped": None,
        "status": ["PENDING", "FAILED"],
        "page": 2,
    }
    async with client_for(server, timeout=2) as c:
        await c.request("GET", "/api/v1/customer", params=params)
    assert server.requests[0].query == [
        ("include_deleted", "true"),
        ("archived", "false"),
        ("created_at", "2025-01-02"),
        ("after", "2025-01-02T03:04:05+00:00"),
        ("status", "PENDING"),
        ("status", "FAILED"),
        ("page", "2"),
    ]
    assert server.requests[0].body == b""
    assert "signature" not in server.requests[0].headers


@pytest.mark.parametrize(
    "stamp",
    [
        "2025-01-02T03:04:05.678Z",
        "2025-01-02T03:04:05.678z",
        "2025-01-02T03:04:05.678+00:00",
        "2025-01-02 03:04:05.678",
        "2025-01-02T05:04:05.678+02:00",
        1735787045678,
        1735787045.678,
    ],
)
async def test_timestamps_structure_to_aware_utc_datetimes(server: RawServer, stamp: Any) -> None:
    server.default = respond(200, envelope({"id": "p-1", "created_at": stamp}))
    async with client_for(server, timeout=2) as c:
        payout = await c.payouts.retrieve("p-1")
    assert payout.created_at == dt.datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    assert payout.created_at is not None
    if stamp != "2025-01-02T05:04:05.678+02:00":  # an explicit offset is kept; the rest are UTC
        assert payout.created_at.utcoffset() == dt.timedelta(0)


async def test_a_body_that_contains_itself_is_refused_before_sending(server: RawServer) -> None:
    looped: dict[str, Any] = {"note": "x"}
    looped["self"] = looped
    async with client_for(server, timeout=2) as c:
        with pytest.raises(ValidationError, match="contains itself"):
            await c.payouts.create(**payout_args(extra={"meta": looped}))
        with pytest.raises(ValidationError, match="contains itself"):
            await c.request("POST", "/api/v1/payout/create-payout", json={"meta": looped})
    assert server.requests == []
