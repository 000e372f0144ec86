"""Hosted checkout models: a payment request, its hosted page, and the payin bound to it.

Security: ``Checkout.checkout_url`` embeds the merchant's ``X-token`` (``identifier=...``), so the
URL is a credential. It is left out of ``repr()``; never log it or share it beyond the customer
it is meant for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from .._exceptions import ValidationError
from . import _validation as _v
from ._base import PATH, Model, OpenEnum, PageRequest, Params, Request

__all__ = [
    "AdvancedRedirectUrl",
    "Checkout",
    "CheckoutIdRequest",
    "CheckoutStatus",
    "CheckoutStatusName",
    "CreateCheckoutRequest",
    "CreateCheckoutVirtualAccountRequest",
    "CreatePaymentRequestRequest",
    "ListCheckoutsRequest",
    "VaBanksRequest",
]


class CheckoutStatus(OpenEnum):
    """Where a checkout is: ``PENDING`` until its payin succeeds, it is cancelled, or it expires.

    PayCombat's docs do not list ``status`` on checkout responses (its database has the column,
    default ``PENDING``); the other values follow Finmo's checkout events.
    """

    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    FAILED = "FAILED"


@attrs.frozen(kw_only=True)
class AdvancedRedirectUrl(Params):
    """Where the hosted page sends the customer for each outcome (instead of one redirect_url)."""

    completed_url: str | None = None
    failed_url: str | None = None
    expired_url: str | None = None
    cancelled_url: str | None = None


@attrs.frozen(kw_only=True)
class Checkout(Model):
    """A checkout (PayCombat's "payment request") as Create Payment Request, Get Detail Checkout,
    Create New Checkout, Create Virtual Account [KRW] and Cancel Checkout return it.

    Warning:
        ``checkout_url`` contains the merchant's ``X-token`` as its ``identifier`` parameter:
        anyone holding the URL holds your API token. Do not log it, store it in analytics, or
        send it anywhere but to the paying customer. It is deliberately absent from ``repr()``.

    Unlike a :class:`Payin`, ``currency`` here is the ISO 4217 code (``iso_currency`` returns it,
    so code handling both kinds can use one name). ``country_code`` is the region of the method
    and can be ``"EU"``, which is not an ISO 3166 country. Once a payin method is bound,
    ``additional_info`` carries the payin's details; :attr:`payin_id` reads its id.
    """

    id: str
    checkout_token: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    """ISO 4217 code (unlike ``Payin.currency``, which holds ``"FIAT"``)."""
    country_code: str | None = None
    country_name: str | None = None
    payin_method_name: str | None = None
    payin_type: str | None = None
    customer_id: str | None = None
    checkout_url: str | None = attrs.field(default=None, repr=False)
    """The hosted page. SECRET: it embeds the merchant's X-token; never log or share it."""
    advanced_redirect_url: AdvancedRedirectUrl | None = None
    expire_at: dt.datetime | None = None
    additional_info: dict[str, Any] | None = None
    order_summary: Any = None
    description: str | None = None
    merchant_id: str | None = None
    redirect_url: str | None = None
    webhook_url: str | None = None
    status: CheckoutStatus | str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None

    @property
    def iso_currency(self) -> str | None:
        """The ISO 4217 code of ``amount``: ``currency`` itself (named as on :class:`Payin`)."""
        return self.currency

    @property
    def payin_id(self) -> str | None:
        """The id of the payin bound to this checkout (``additional_info["payin_id"]``), if any."""
        info = self.additional_info or {}
        value = info.get("payin_id")
        return value if isinstance(value, str) else None

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        """Whether ``expire_at`` has passed (at ``now``, default the current UTC time)."""
        if self.expire_at is None:
            return False
        return self.expire_at <= (now or dt.datetime.now(dt.UTC))


def _aware(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError(
            "must be a timezone-aware datetime (e.g. datetime.now(timezone.utc) + "
            f"timedelta(hours=48)), got {value!r}",
            field=attribute.name,
        )


@attrs.frozen(kw_only=True)
class CreatePaymentRequestRequest(Request):
    """The body of Create Payment Request, validated on construction.

    PayCombat does not publish this body; the fields follow what Get Detail Checkout returns.
    ``order_summary`` is free-form (PayCombat's tables suggest ``{"items": [{"product_name",
    "quantity", "unit_price", "total_price"}], "fees": [{"fee_name", "fee_amount"}]}``). Fields the
    SDK does not model go in ``extra``.
    """

    amount: Decimal | int = attrs.field(validator=_v.amount)
    currency: str = attrs.field(validator=_v.currency_code)
    country_code: str = attrs.field(validator=_v.region_code)
    description: str | None = None
    payin_method_name: str | None = None
    customer_id: str | None = None
    redirect_url: str | None = None
    advanced_redirect_url: AdvancedRedirectUrl | Mapping[str, Any] | None = attrs.field(
        default=None, validator=_v.params(AdvancedRedirectUrl)
    )
    webhook_url: str | None = None
    expire_at: dt.datetime | None = attrs.field(default=None, validator=_aware)
    order_summary: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] | None = None
    """Body fields the SDK does not model, sent as they are (never overriding the above)."""


@attrs.frozen(kw_only=True)
class CreateCheckoutRequest(Request):
    """The body of Create New Checkout: bind a payin method to a checkout by its token."""

    checkout_token: str = attrs.field(validator=_v.non_empty)
    payin_method_name: str = attrs.field(validator=_v.non_empty)


@attrs.frozen(kw_only=True)
class CreateCheckoutVirtualAccountRequest(CreateCheckoutRequest):
    """The body of Create Virtual Account [KRW]: ``payin_method_name`` is a Korean bank name."""


CheckoutStatusName = Literal["PENDING", "COMPLETED", "CANCELLED", "EXPIRED", "FAILED"]
"""A checkout status as an argument takes it (a ``CheckoutStatus`` member works too)."""


@attrs.frozen(kw_only=True)
class ListCheckoutsRequest(PageRequest):
    """The filters of Get All Checkout (after ``page`` and ``limit``)."""

    status: CheckoutStatusName | CheckoutStatus | None = attrs.field(
        default=None, validator=_v.one_of(CheckoutStatus)
    )


@attrs.frozen
class CheckoutIdRequest(Request):
    """One checkout, by its id (in the path)."""

    checkout_id: str = attrs.field(validator=_v.path_id, metadata=PATH)


@attrs.frozen(kw_only=True)
class VaBanksRequest(Request):
    """The query of Get VA Bank Information [KRW]."""

    checkout_token: str | None = attrs.field(default=None, validator=_v.optional_text)
    """The checkout the banks are for (optional)."""
