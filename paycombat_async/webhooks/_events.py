"""Webhook events: verify a notification's ``X-Signature``, parse its body, type it by kind.

PayCombat POSTs the full payin or payout row to the merchant's URL, with no event envelope
(PayCombat docs: Webhook PAYIN SUCCESS, Webhook PAYOUT SUCCESS). The kind comes from ``type``
(``PAYIN``/``PAYOUT``) and ``status``; the VA Register Callback carries a virtual account row,
recognised by its fields. Whatever the SDK does not recognise becomes an :class:`UnknownEvent`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs
from cattrs.errors import BaseValidationError

from .. import _converter
from .._exceptions import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from .._signing import js_dumps, signature_matches
from ..models._base import OpenEnum
from ..models.payin import Payin, VirtualAccount
from ..models.payout import Payout

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "EventKind",
    "PayinEvent",
    "PayinExpired",
    "PayinFailed",
    "PayinSucceeded",
    "PayoutEvent",
    "PayoutFailed",
    "PayoutReturned",
    "PayoutSucceeded",
    "UnknownEvent",
    "VirtualAccountRegistration",
    "WebhookEvent",
    "parse_event",
    "signature_header",
]

MAX_BODY_BYTES = 1 << 20
"""Bodies larger than this (1 MiB) are refused: a payin or payout row is about 2 KB."""
MAX_DEPTH = 32
"""Deeper nesting is refused: PayCombat's rows are flat but for a few small objects."""
SIGNATURE_HEADER = "X-Signature"
_MAX_ID_LENGTH = 255
_UNPARSED = object()
# cattrs groups what the hooks raise (TypeError, ValueError, decimal and datetime errors).
_STRUCTURE_ERRORS = (
    BaseValidationError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    ArithmeticError,
    OSError,
)


class EventKind(OpenEnum):
    """What a notification reports. The value is stable: use it in logs and dedup keys."""

    PAYIN_SUCCEEDED = "payin.succeeded"
    PAYIN_FAILED = "payin.failed"
    PAYIN_EXPIRED = "payin.expired"
    PAYOUT_SUCCEEDED = "payout.succeeded"
    PAYOUT_FAILED = "payout.failed"
    PAYOUT_RETURNED = "payout.returned"
    VIRTUAL_ACCOUNT_REGISTRATION = "virtual_account.registration"
    UNKNOWN = "unknown"


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """Base of every event :func:`parse_event` returns.

    Attributes:
        object_id: the payin, payout or virtual account id (``""`` if an unknown body has none).
        status: the object's status as sent (``"SUCCESS"``, ``"RETURNED"``...).
        order_id: your reference where the object carries one: a payout's ``order_id``, a
            payin's ``order_reference`` (else its ``transaction``).
        updated_at: when PayCombat last changed the object; orders redeliveries.
        verified: whether the ``X-Signature`` was checked and matched. ``False`` only when
            unsigned notifications were explicitly allowed: confirm those with a Retrieve call.
        payload: the body exactly as parsed (amounts as ``Decimal``).
    """

    kind: ClassVar[EventKind] = EventKind.UNKNOWN
    object_type: ClassVar[str] = ""
    """``"PAYIN"``, ``"PAYOUT"`` or ``"VIRTUAL_ACCOUNT"``: what ``object_id`` names (``""`` for
    an :class:`UnknownEvent`, whose ``type`` field says what it can)."""

    object_id: str
    status: str | None
    order_id: str | None = None
    updated_at: dt.datetime | None = None
    verified: bool
    payload: dict[str, Any] = attrs.field(repr=False, eq=False)


@attrs.frozen(kw_only=True)
class PayinEvent(WebhookEvent):
    """A payin notification; ``payin`` is the full row as a :class:`~paycombat_async.Payin`."""

    object_type: ClassVar[str] = "PAYIN"
    payin: Payin = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class PayinSucceeded(PayinEvent):
    """Webhook PAYIN SUCCESS: the customer paid."""

    kind: ClassVar[EventKind] = EventKind.PAYIN_SUCCEEDED


@attrs.frozen(kw_only=True)
class PayinFailed(PayinEvent):
    """Webhook PAYIN FAILED: the payment did not go through."""

    kind: ClassVar[EventKind] = EventKind.PAYIN_FAILED


@attrs.frozen(kw_only=True)
class PayinExpired(PayinEvent):
    """Webhook PAYIN EXPIRED: the payin (or its checkout) expired before the customer paid."""

    kind: ClassVar[EventKind] = EventKind.PAYIN_EXPIRED


@attrs.frozen(kw_only=True)
class PayoutEvent(WebhookEvent):
    """A payout notification; ``payout`` is the full row as a :class:`~paycombat_async.Payout`."""

    object_type: ClassVar[str] = "PAYOUT"
    payout: Payout = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class PayoutSucceeded(PayoutEvent):
    """Webhook PAYOUT SUCCESS: the beneficiary was paid."""

    kind: ClassVar[EventKind] = EventKind.PAYOUT_SUCCEEDED


@attrs.frozen(kw_only=True)
class PayoutFailed(PayoutEvent):
    """Webhook PAYOUT FAILED: the payout failed; its amount is back in the payout balance."""

    kind: ClassVar[EventKind] = EventKind.PAYOUT_FAILED


@attrs.frozen(kw_only=True)
class PayoutReturned(PayoutEvent):
    """Webhook PAYOUT RETURNED: a paid payout came back; its amount is back in the balance."""

    kind: ClassVar[EventKind] = EventKind.PAYOUT_RETURNED


@attrs.frozen(kw_only=True)
class VirtualAccountRegistration(WebhookEvent):
    """VA Register Callback: a KRW virtual account is ``APPROVED`` (its ``account_*`` fields say
    where the customer pays) or ``FAILED``."""

    kind: ClassVar[EventKind] = EventKind.VIRTUAL_ACCOUNT_REGISTRATION
    object_type: ClassVar[str] = "VIRTUAL_ACCOUNT"
    virtual_account: VirtualAccount = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class UnknownEvent(WebhookEvent):
    """A notification this SDK version does not recognise (a new kind, a status such as
    ``PENDING``). Nothing is lost: ``payload`` holds the body, ``type`` its ``type`` field."""

    type: str | None = None
    """The body's ``type`` field, if it has one."""


_PAYIN_KINDS: dict[str, type[PayinEvent]] = {
    "SUCCESS": PayinSucceeded,
    "FAILED": PayinFailed,
    "EXPIRED": PayinExpired,
}
_PAYOUT_KINDS: dict[str, type[PayoutEvent]] = {
    "SUCCESS": PayoutSucceeded,
    "FAILED": PayoutFailed,
    "RETURNED": PayoutReturned,
}
_VA_STATUSES = ("APPROVED", "FAILED")
_KINDS: dict[str, Mapping[str, type[WebhookEvent]]] = {
    "PAYIN": _PAYIN_KINDS,
    "PAYOUT": _PAYOUT_KINDS,
    "VIRTUAL_ACCOUNT": dict.fromkeys(_VA_STATUSES, VirtualAccountRegistration),
}
# The VA Register Callback's field names are not published; these come from the virtual account
# row (PayCombat docs: VA Register Callback, Payin KRW server to server).
_VA_FIELDS = ("account_bankname", "account_number", "account_holder", "user_name")


def signature_header(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[str]:
    """Every ``X-Signature`` value in ``headers``, matched case-insensitively.

    Takes a dict, aiohttp's ``CIMultiDict``, Werkzeug's ``Headers``, Django's ``request.headers``
    or a WSGI ``environ`` (``HTTP_X_SIGNATURE``).
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = ("x-signature", "http_x_signature")
    return [str(v) for k, v in items if isinstance(k, str) and k.lower() in wanted]


def _parse(raw: bytes) -> Any:
    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        # Amounts as Decimal: exact in the models, and js_dumps still prints them as JS would.
        return json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=no_constants)
    except RecursionError:
        raise WebhookPayloadError("Webhook body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f"Webhook body is not JSON: {type(exc).__name__}") from None


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise WebhookPayloadError(f"Webhook body is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _stringified(parsed: Any) -> bytes | None:
    """``JSON.stringify(JSON.parse(raw))``, or ``None`` if JavaScript would print it otherwise."""
    try:
        return js_dumps(parsed)
    except (TypeError, ValueError):
        return None


def _verify(raw: bytes, parsed: Any, key: str, signatures: list[str]) -> bool:
    # hmac.compare_digest refuses non-ASCII str: such a header is simply not a hex digest.
    candidates = [s for s in signatures if s.isascii()]
    if any(signature_matches(raw, key, s) for s in candidates):
        return True
    stringified = None if parsed is _UNPARSED else _stringified(parsed)
    return stringified is not None and any(
        signature_matches(stringified, key, s) for s in candidates
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _object_type(body: dict[str, Any]) -> str:
    declared = body.get("type")
    if isinstance(declared, str):
        upper = declared.upper()
        return "VIRTUAL_ACCOUNT" if upper in ("VA", "VIRTUAL_ACCOUNT") else upper
    if (
        declared is None
        and body.get("status") in (*_VA_STATUSES, "PENDING")
        and any(name in body for name in _VA_FIELDS)
    ):
        return "VIRTUAL_ACCOUNT"
    return ""


def _structure(body: dict[str, Any], cls: type[Any]) -> Any:
    try:
        return _converter.structure(body, cls)
    except _STRUCTURE_ERRORS as exc:
        raise WebhookPayloadError(
            f"Webhook body is not a valid {cls.__name__}: {type(exc).__name__}"
        ) from None


def _updated_at(body: dict[str, Any]) -> dt.datetime | None:
    """An unknown body's ``updated_at`` if it reads as a timestamp (it orders redeliveries)."""
    try:
        return _converter.structure(body.get("updated_at"), dt.datetime | None)  # type: ignore[arg-type]
    except _STRUCTURE_ERRORS:
        return None


def _object_id(body: dict[str, Any]) -> str:
    value = body.get("id")
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_ID_LENGTH:
        raise WebhookPayloadError("Webhook body has no valid string id")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise WebhookPayloadError("Webhook body has no valid string id") from None
    return value


def _event(body: dict[str, Any], verified: bool) -> WebhookEvent:
    object_type = _object_type(body)
    status = body.get("status")
    known = _KINDS.get(object_type, {})
    cls = known.get(status) if isinstance(status, str) else None
    if cls is None:
        raw_id = body.get("id")
        return UnknownEvent(
            object_id=raw_id if isinstance(raw_id, str) else "",
            status=_text(status),
            updated_at=_updated_at(body),
            verified=verified,
            payload=body,
            type=_text(body.get("type")),
        )
    object_id = _object_id(body)
    common: dict[str, Any] = {
        "object_id": object_id,
        "status": status,
        "verified": verified,
        "payload": body,
    }
    if issubclass(cls, PayinEvent):
        payin: Payin = _structure(body, Payin)
        return cls(
            **common,
            order_id=payin.order_reference or payin.transaction,
            updated_at=payin.updated_at,
            payin=payin,
        )
    if issubclass(cls, PayoutEvent):
        payout: Payout = _structure(body, Payout)
        return cls(**common, order_id=payout.order_id, updated_at=payout.updated_at, payout=payout)
    account: VirtualAccount = _structure(body, VirtualAccount)
    return VirtualAccountRegistration(
        **common, updated_at=account.updated_at, virtual_account=account
    )


def parse_event(
    raw_body: bytes,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    signature_key: str | None,
    allow_unsigned: bool = False,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> WebhookEvent:
    """Verify and parse one PayCombat notification into a typed event.

    Pass the body exactly as received (``await request.read()``, Flask's
    ``request.get_data()``, Django's ``request.body``), never a body your framework parsed and
    re-encoded. The ``X-Signature`` header (HMAC-SHA256 hex under your signature key) is checked
    in constant time against those bytes and, failing that, against their ``JSON.stringify``
    form, which is what PayCombat's docs sign.

    Unsigned notifications: PayCombat documents ``X-Signature`` as optional. With
    ``allow_unsigned=True`` a notification *without* the header is accepted with
    ``verified=False`` (a header that is present must still match when a key is given); with
    ``signature_key=None`` as well nothing is checked. Anyone can send such a request: before
    acting on an unverified event, confirm it with ``client.payins.retrieve(event.object_id)``
    or ``client.payouts.retrieve(event.object_id)``.

    Args:
        raw_body: the request body, as bytes.
        headers: the request headers (any mapping, or ``(name, value)`` pairs).
        signature_key: your signature key; ``None`` only together with ``allow_unsigned=True``.
        allow_unsigned: accept notifications that carry no ``X-Signature`` (see above).
        max_body_bytes: refuse larger bodies.

    Returns:
        A :class:`PayinSucceeded`, :class:`PayinFailed`, :class:`PayinExpired`,
        :class:`PayoutSucceeded`, :class:`PayoutFailed`, :class:`PayoutReturned`,
        :class:`VirtualAccountRegistration`, or :class:`UnknownEvent` for anything else.

    Raises:
        WebhookSignatureError: a key was given and the signature is missing or wrong.
        WebhookPayloadError: the body is too large, not JSON, too deep, not an object, or a
            known kind whose fields have the wrong types.
        ConfigurationError: ``signature_key=None`` without ``allow_unsigned=True``.
    """
    if signature_key is None and not allow_unsigned:
        raise ConfigurationError(
            "parse_event needs signature_key; pass allow_unsigned=True to accept unsigned "
            "notifications (and confirm each with a Retrieve call)"
        )
    if isinstance(raw_body, (bytearray, memoryview)):
        raw_body = bytes(raw_body)
    if not isinstance(raw_body, bytes):
        raise WebhookPayloadError(
            f"Pass the raw body as bytes, not {type(raw_body).__name__} (a re-encoded body "
            "cannot be verified)"
        )
    if len(raw_body) > max_body_bytes:
        raise WebhookPayloadError(f"Webhook body is larger than {max_body_bytes} bytes")
    signatures = signature_header(headers)
    try:
        body: Any = _parse(raw_body)
        _check_depth(body)
        problem = None
    except WebhookPayloadError as exc:
        body, problem = _UNPARSED, exc
    verified = False
    if signature_key is not None and (signatures or not allow_unsigned):
        if not signatures:
            raise WebhookSignatureError(f"Webhook has no {SIGNATURE_HEADER} header")
        if not _verify(raw_body, body, signature_key, signatures):
            raise WebhookSignatureError(f"Webhook {SIGNATURE_HEADER} does not match its body")
        verified = True
    if problem is not None:
        raise problem
    if not isinstance(body, dict):
        raise WebhookPayloadError(f"Webhook body must be a JSON object, not {type(body).__name__}")
    return _event(body, verified)
