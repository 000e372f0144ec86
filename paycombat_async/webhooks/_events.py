"""Webhook events: one class per notification kind, and how a parsed body is typed.

PayCombat POSTs the full payin or payout row to the merchant's URL, with no event envelope
(PayCombat docs: Webhook PAYIN SUCCESS, Webhook PAYOUT SUCCESS). The kind comes from ``type``
(``PAYIN``/``PAYOUT``) and ``status``; the VA Register Callback carries a virtual account row,
recognised by its fields. Whatever the SDK does not recognise becomes an :class:`UnknownEvent`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
from cattrs.errors import BaseValidationError

from .._exceptions import WebhookPayloadError
from ..models import OpenEnum, _converter
from ..models.payin import Payin, VirtualAccount
from ..models.payout import Payout

_MAX_ID_LENGTH = 255
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


def event_from_body(body: dict[str, Any], verified: bool) -> WebhookEvent:
    """The typed event for a parsed notification body (an ``UnknownEvent`` if not recognised).

    Raises:
        WebhookPayloadError: a known kind whose fields have the wrong types.
    """
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
