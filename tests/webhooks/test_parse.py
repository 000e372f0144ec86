"""parse_event: signatures over the bytes received or their JSON.stringify form, typed events,
lenient models, and hostile bodies that only ever raise typed errors."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paycombat_async import (
    ConfigurationError,
    PayCombatError,
    PayoutStatus,
    WebhookPayloadError,
    WebhookSignatureError,
)
from paycombat_async._codec.signing import js_dumps, sign
from paycombat_async.webhooks import (
    EventKind,
    PayinExpired,
    PayinFailed,
    PayinSucceeded,
    PayoutFailed,
    PayoutReturned,
    PayoutSucceeded,
    UnknownEvent,
    VirtualAccountRegistration,
    WebhookEvent,
    parse_event,
)
from tests.budget import examples
from tests.webhooks.helpers import KEY, PAYIN_SUCCESS, PAYOUT_SUCCESS, VA_APPROVED, payload


def signed(body: Any, key: str = KEY) -> tuple[bytes, dict[str, str]]:
    raw = js_dumps(body)
    return raw, {"X-Signature": sign(raw, key), "Content-Type": "application/json"}


def parse(raw: bytes, headers: dict[str, str], **kwargs: Any) -> WebhookEvent:
    kwargs.setdefault("signature_key", KEY)
    return parse_event(raw, headers, **kwargs)


@pytest.mark.parametrize(
    ("body", "cls", "kind"),
    [
        (PAYIN_SUCCESS, PayinSucceeded, EventKind.PAYIN_SUCCEEDED),
        (payload(PAYIN_SUCCESS, status="FAILED"), PayinFailed, EventKind.PAYIN_FAILED),
        (payload(PAYIN_SUCCESS, status="EXPIRED"), PayinExpired, EventKind.PAYIN_EXPIRED),
        (PAYOUT_SUCCESS, PayoutSucceeded, EventKind.PAYOUT_SUCCEEDED),
        (payload(PAYOUT_SUCCESS, status="FAILED"), PayoutFailed, EventKind.PAYOUT_FAILED),
        (payload(PAYOUT_SUCCESS, status="RETURNED"), PayoutReturned, EventKind.PAYOUT_RETURNED),
        (VA_APPROVED, VirtualAccountRegistration, EventKind.VIRTUAL_ACCOUNT_REGISTRATION),
        (payload(VA_APPROVED, status="FAILED"), VirtualAccountRegistration, None),
    ],
)
def test_every_documented_kind_parses_into_its_class(
    body: dict[str, Any], cls: type[WebhookEvent], kind: EventKind | None
) -> None:
    event = parse(*signed(body))
    assert type(event) is cls
    assert event.kind == (kind or EventKind.VIRTUAL_ACCOUNT_REGISTRATION)
    assert event.object_id == body["id"]
    assert event.status == body["status"]
    assert event.verified is True
    assert event.payload == json.loads(js_dumps(body), parse_float=Decimal)


def test_a_payout_event_carries_the_payout_model() -> None:
    event = parse(*signed(PAYOUT_SUCCESS))
    assert isinstance(event, PayoutSucceeded)
    assert event.payout.id == PAYOUT_SUCCESS["id"]
    assert event.payout.status is PayoutStatus.SUCCESS
    assert event.payout.original_amount == Decimal("50")
    assert event.order_id == "27862467"
    assert event.updated_at == dt.datetime(2025, 6, 10, 1, 9, 45, tzinfo=dt.UTC)
    assert event.object_type == "PAYOUT"


def test_a_payin_event_carries_the_payin_and_its_reference() -> None:
    event = parse(*signed(PAYIN_SUCCESS))
    assert isinstance(event, PayinSucceeded)
    assert event.payin.iso_currency == "AUD"
    assert event.payin.amount == Decimal("100")
    assert event.order_id == "invoice_19032025_14414443"


def test_the_payin_failed_page_example_is_dispatched_on_its_type_not_the_page_name() -> None:
    # PayCombat docs: the Webhook PAYIN FAILED page prints a payout object (type PAYOUT).
    body = payload(PAYOUT_SUCCESS, status="FAILED", approval="FAILED", order_id=None)
    event = parse(*signed(body))
    assert isinstance(event, PayoutFailed)
    assert event.order_id is None


def test_unknown_fields_and_statuses_are_kept() -> None:
    body = payload(PAYOUT_SUCCESS, approval="ESCALATED", brand_new_field={"a": [1, 2.5]})
    event = parse(*signed(body))
    assert isinstance(event, PayoutSucceeded)
    assert event.payout.approval == "ESCALATED"
    assert event.payout.extra["brand_new_field"] == {"a": [1, Decimal("2.5")]}


@pytest.mark.parametrize(
    "body",
    [
        payload(PAYOUT_SUCCESS, status="PENDING"),
        payload(PAYOUT_SUCCESS, status="ON_HOLD"),
        payload(PAYOUT_SUCCESS, type="REFUND"),
        {"event": "wallet.credited", "data": {"amount": 5}},
        payload(PAYIN_SUCCESS, status=None),
    ],
)
def test_a_notification_the_sdk_does_not_know_becomes_an_unknown_event(
    body: dict[str, Any],
) -> None:
    event = parse(*signed(body))
    assert isinstance(event, UnknownEvent)
    assert event.kind is EventKind.UNKNOWN
    assert event.verified
    assert event.payload == json.loads(js_dumps(body), parse_float=Decimal)
    assert event.object_id == (body.get("id") or "")


def test_the_signature_header_is_found_whatever_its_case() -> None:
    raw, headers = signed(PAYOUT_SUCCESS)
    assert parse(raw, {"x-signature": headers["X-Signature"]}).verified
    assert parse(raw, [("X-SIGNATURE", headers["X-Signature"].upper())]).verified
    assert parse(raw, {"HTTP_X_SIGNATURE": headers["X-Signature"]}).verified  # WSGI environ


def test_a_body_signed_by_json_stringify_but_sent_with_other_whitespace_is_accepted() -> None:
    _, headers = signed(PAYOUT_SUCCESS)
    pretty = json.dumps(PAYOUT_SUCCESS, indent=2).encode()
    assert parse(pretty, headers).verified


def test_a_body_whose_non_ascii_was_escaped_in_transit_is_accepted() -> None:
    _, headers = signed(VA_APPROVED)  # signed with the Korean text literal, as JS prints it
    escaped = json.dumps(VA_APPROVED).encode()  # ensure_ascii: \ud64d\uae38\ub3d9
    assert b"\\u" in escaped
    assert parse(escaped, headers).verified


def test_a_body_whose_keys_were_reordered_does_not_verify() -> None:
    _, headers = signed(PAYOUT_SUCCESS)
    reordered = json.dumps(dict(sorted(PAYOUT_SUCCESS.items()))).encode()
    with pytest.raises(WebhookSignatureError):
        parse(reordered, headers)


def test_a_forged_signature_is_refused() -> None:
    raw, _ = signed(PAYOUT_SUCCESS, key="someone else's key")
    _, headers = signed(PAYOUT_SUCCESS, key="someone else's key")
    with pytest.raises(WebhookSignatureError) as caught:
        parse(raw, headers)
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)


def test_a_tampered_amount_is_refused() -> None:
    raw, headers = signed(PAYOUT_SUCCESS)
    with pytest.raises(WebhookSignatureError):
        parse(raw.replace(b'"50"', b'"5000"'), headers)


def test_a_truncated_body_is_refused() -> None:
    raw, headers = signed(PAYOUT_SUCCESS)
    with pytest.raises(WebhookSignatureError):
        parse(raw[:-10], headers)
    with pytest.raises(WebhookPayloadError):
        parse(raw[:-10], {}, signature_key=None, allow_unsigned=True)


@pytest.mark.parametrize("header", ["", "   ", "é" * 64, "0" * 64, "zz", "a" * 10000])
def test_malformed_signature_headers_are_refused_with_a_typed_error(header: str) -> None:
    raw, _ = signed(PAYOUT_SUCCESS)
    with pytest.raises(WebhookSignatureError):
        parse(raw, {"X-Signature": header})


def test_a_missing_signature_is_refused_when_a_key_is_given() -> None:
    raw, _ = signed(PAYOUT_SUCCESS)
    with pytest.raises(WebhookSignatureError, match="no X-Signature"):
        parse(raw, {})


def test_unsigned_notifications_need_an_explicit_opt_out() -> None:
    raw, headers = signed(PAYOUT_SUCCESS)
    with pytest.raises(ConfigurationError):
        parse_event(raw, {}, signature_key=None)
    event = parse_event(raw, {}, signature_key=None, allow_unsigned=True)
    assert isinstance(event, PayoutSucceeded)
    assert event.verified is False
    # With a key, allow_unsigned accepts a missing header, never a wrong one.
    assert parse(raw, {}, allow_unsigned=True).verified is False
    assert parse(raw, headers, allow_unsigned=True).verified is True
    with pytest.raises(WebhookSignatureError):
        parse(raw, {"X-Signature": "0" * 64}, allow_unsigned=True)


def unsigned(raw: bytes, **kwargs: Any) -> WebhookEvent:
    return parse_event(raw, {}, signature_key=None, allow_unsigned=True, **kwargs)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "not JSON"),
        (b"not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b'{"id": NaN}', "not JSON"),
        (b'{"amount": Infinity}', "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"PAYOUT"', "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested"),
        (b'{"id": 1' + b"0" * 5000 + b"}", "not JSON"),
    ],
)
def test_hostile_bodies_raise_payload_errors(raw: bytes, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match=message):
        unsigned(raw)


def test_a_huge_body_is_refused_before_parsing() -> None:
    raw = js_dumps(payload(PAYOUT_SUCCESS, padding="x" * 2_000_000))
    with pytest.raises(WebhookPayloadError, match="larger than"):
        unsigned(raw)
    with pytest.raises(WebhookPayloadError, match="larger than"):
        parse(*signed(PAYOUT_SUCCESS), max_body_bytes=100)


def test_a_body_that_is_not_bytes_is_refused() -> None:
    with pytest.raises(WebhookPayloadError, match="raw body as bytes"):
        unsigned(json.dumps(PAYOUT_SUCCESS))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"id": 42},
        {"id": ""},
        {"id": None},
        {"id": "x" * 1000},
        {"id": "\ud800"},
        {"original_amount": "fifty"},
        {"original_amount": [50]},
        {"updated_at": "yesterday"},
        {"updated_at": {"$date": 1}},
        {"updated_at": 10**30},
    ],
)
def test_a_known_kind_with_wrong_types_raises_a_payload_error(changes: dict[str, Any]) -> None:
    with pytest.raises(WebhookPayloadError):
        unsigned(js_dumps(payload(PAYOUT_SUCCESS, **changes)))


# -- fuzzing: whatever arrives, only typed errors come out ------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)  # what a JavaScript sender can carry
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
fields = sorted(set(PAYOUT_SUCCESS) | set(PAYIN_SUCCESS) | set(VA_APPROVED))


def _outcome(raw: bytes, headers: Any, **kwargs: Any) -> None:
    try:
        event = parse_event(raw, headers, **kwargs)
    except (WebhookPayloadError, WebhookSignatureError):
        return
    assert isinstance(event, WebhookEvent)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=600), signature=st.text(max_size=70))
def test_fuzz_arbitrary_bytes_and_headers(raw: bytes, signature: str) -> None:
    _outcome(raw, {"X-Signature": signature}, signature_key=KEY)
    _outcome(raw, {}, signature_key=None, allow_unsigned=True)


@settings(max_examples=examples(300), deadline=None)
@given(value=json_values)
def test_fuzz_arbitrary_json(value: Any) -> None:
    raw, headers = signed(value)
    _outcome(raw, headers, signature_key=KEY)


@settings(max_examples=examples(250), deadline=None)
@given(
    base=st.sampled_from([PAYOUT_SUCCESS, PAYIN_SUCCESS, VA_APPROVED]),
    changes=st.dictionaries(st.sampled_from(fields), json_values, max_size=4),
    status=st.sampled_from(["SUCCESS", "FAILED", "EXPIRED", "RETURNED", "APPROVED", "X"]),
)
def test_fuzz_documented_payloads_with_wrong_values(
    base: dict[str, Any], changes: dict[str, Any], status: str
) -> None:
    body = payload(base, **{"status": status, **changes})
    raw, headers = signed(body)
    _outcome(raw, headers, signature_key=KEY)
    # Re-encoded in transit (Python's default separators, ASCII escapes): still verifies.
    _outcome(json.dumps(body).encode(), headers, signature_key=KEY)


@settings(max_examples=examples(200), deadline=None)
@given(raw=st.binary(min_size=1, max_size=300), cut=st.integers(min_value=0, max_value=299))
def test_fuzz_truncations_of_a_signed_body(raw: bytes, cut: int) -> None:
    body, headers = signed(PAYOUT_SUCCESS)
    truncated = body[: cut % len(body)]
    with pytest.raises(PayCombatError):
        parse_event(truncated, headers, signature_key=KEY)


def test_an_unknown_event_keeps_a_readable_updated_at_for_ordering() -> None:
    pending = parse(*signed(payload(PAYOUT_SUCCESS, status="PENDING")))
    assert isinstance(pending, UnknownEvent)
    assert pending.updated_at == dt.datetime(2025, 6, 10, 1, 9, 45, tzinfo=dt.UTC)
    garbled = parse(*signed(payload(PAYOUT_SUCCESS, status="PENDING", updated_at=[1])))
    assert garbled.updated_at is None
