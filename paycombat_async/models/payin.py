"""Payin models: money collected from a customer, and the KRW virtual accounts payins need.

Beware of one quirk of PayCombat's payin rows (PayCombat docs: Retrieve Payin, the PAYIN
webhooks): the ISO currency is in ``amount_type`` and ``currency`` holds the class ``"FIAT"``.
Both raw fields are kept as sent; read :attr:`Payin.iso_currency` when you want the ISO code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from .._exceptions import ValidationError
from . import _validation as _v
from ._base import PATH, Model, OpenEnum, Request

__all__ = [
    "CreatePayinRequest",
    "CreateVirtualAccountRequest",
    "Payin",
    "PayinIdRequest",
    "PayinStatus",
    "SimulatePayinRequest",
    "SimulateVirtualAccountRequest",
    "VirtualAccount",
    "VirtualAccountStatus",
]

_ISO_CURRENCY = re.compile(r"[A-Z]{3}")
_YYMMDD = re.compile(r"\d{6}")


class PayinStatus(OpenEnum):
    """Where a payin is in its life: ``PENDING`` until the customer pays or the window closes.

    ``SUCCESS``, ``FAILED`` and ``EXPIRED`` are final and each has a webhook. ``CANCELLED`` is what
    a pending payin of a cancelled checkout becomes (Finmo's semantics; not seen in PayCombat's
    docs).
    """

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class VirtualAccountStatus(OpenEnum):
    """The registration state of a KRW virtual account: a payin needs an ``APPROVED`` one."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    FAILED = "FAILED"


@attrs.frozen(kw_only=True)
class Payin(Model):
    """A payin as PayCombat returns it (Retrieve Payin, Create Payin, the PAYIN webhooks).

    Currency: PayCombat puts the ISO 4217 code in ``amount_type`` (``"AUD"``) and the class
    ``"FIAT"`` in ``currency``. Both are kept exactly as sent; use :attr:`iso_currency` to get the
    ISO code whichever field holds it. ``payment_method`` is the payin method name
    (``"au_bank_npp"``); for KRW, ``payer_id`` is the virtual account's id.
    """

    id: str
    payin_id_finmo: str | None = None
    merchant_id: str | None = None
    status: PayinStatus | str | None = None
    amount: Decimal | None = None
    original_amount: Decimal | None = None
    amount_type: str | None = None
    """The ISO 4217 currency code of ``amount`` (despite its name). See :attr:`iso_currency`."""
    transaction: str | None = None
    transaction_date: dt.datetime | None = None
    payment_method: str | None = None
    order_reference: str | None = None
    customer_full_name: str | None = None
    reply_code: str | None = None
    brand: str | None = None
    currency: str | None = None
    """The currency *class*, ``"FIAT"``, not an ISO code. See :attr:`iso_currency`."""
    credit_type: str | None = None
    payer_id: str | None = None
    recon_id: str | None = None
    order_reference_1: str | None = None
    order_reference_2: str | None = None
    platform_identifier: str | None = None
    trx_type: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    customer_personal_number: str | None = None
    fee_taken: Decimal | None = None
    fee_expected: Decimal | None = None
    charge_back: Decimal | None = None
    rolling_serve: Decimal | None = None
    retrieval: Decimal | None = None
    is_black_list: int | None = None
    ip_address: str | None = None
    billing_address_country: str | None = None
    billing_address_city: str | None = None
    billing_address_zip_code: str | None = None
    billing_address: str | None = None
    bin: str | None = None
    is_3ds: str | None = None
    bank_psp: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    payment_date: dt.datetime | None = None
    type: str | None = None
    """``"PAYIN"`` on webhook payloads."""

    @property
    def iso_currency(self) -> str | None:
        """The ISO 4217 code of ``amount`` (``"AUD"``), whichever raw field holds it.

        PayCombat documents it in ``amount_type`` with ``"FIAT"`` in ``currency``; should the two
        ever be swapped back, ``currency`` is used when it is the one holding an ISO code.
        ``None`` when neither field holds a three-letter code.
        """
        for candidate in (self.amount_type, self.currency):
            if isinstance(candidate, str) and _ISO_CURRENCY.fullmatch(candidate):
                return candidate
        return None


@attrs.frozen(kw_only=True)
class VirtualAccount(Model):
    """A KRW virtual account (Create Virtual Account (KRW), Simulate Create VA).

    It starts ``PENDING``; the outcome (``APPROVED`` or ``FAILED``) arrives on the merchant's VA
    registration callback. Once approved, pass its ``id`` as ``payer_id`` to Create Payin; the
    ``account_*`` fields then describe the account the customer pays into.
    """

    id: str
    merchant_id: str | None = None
    status: VirtualAccountStatus | str | None = None
    payin_method_name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    country: str | None = None
    user_name: str | None = None
    user_yymmdd: str | None = None
    account_bankname: str | None = None
    account_number: str | None = None
    account_holder: str | None = None
    customer_id: str | None = None
    additional_info: dict[str, Any] | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class CreatePayinRequest(Request):
    """The body of Create Payin, validated on construction.

    PayCombat's own field list is not published; these are the fields its payin rows and Finmo's
    Create Payin agree on. Fields the SDK does not model go in ``extra``.
    """

    amount: Decimal | int = attrs.field(validator=_v.amount)
    currency: str = attrs.field(validator=_v.currency_code)
    payin_method_name: str = attrs.field(validator=_v.non_empty)
    payin_method_param: Mapping[str, Any] | None = None
    country: str | None = attrs.field(default=None, validator=_v.country_code)
    payer_id: str | None = attrs.field(default=None)
    transaction: str | None = None
    order_reference: str | None = None
    customer_id: str | None = None
    customer_full_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    description: str | None = None
    webhook_url: str | None = None
    extra: Mapping[str, Any] | None = None
    """Body fields the SDK does not model, sent as they are (never overriding the above)."""

    @payer_id.validator
    def _check_payer(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if self.currency == "KRW" and (not isinstance(value, str) or not value.strip()):
            raise ValidationError(
                "is required for a KRW payin: pass the id of an APPROVED virtual account "
                "(payins.create_virtual_account)",
                field=attribute.name,
            )


_PAYIN_TARGETS = (PayinStatus.SUCCESS, PayinStatus.FAILED, PayinStatus.EXPIRED)
_VA_TARGETS = (VirtualAccountStatus.APPROVED, VirtualAccountStatus.FAILED)


def _one_of(allowed: tuple[OpenEnum, ...]) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in allowed:
            names = ", ".join(str(a) for a in allowed)
            raise ValidationError(f"must be one of {names}, got {value!r}", field=attribute.name)

    return check


@attrs.frozen
class SimulatePayinRequest(Request):
    """The body of Simulate Payin (sandbox): move a ``PENDING`` payin to a final status."""

    payin_id: str = attrs.field(validator=_v.path_id)
    """The payin's PayCombat id (or its ``payin_id_finmo``)."""
    status: Literal["SUCCESS", "FAILED", "EXPIRED"] | PayinStatus = attrs.field(
        default=PayinStatus.SUCCESS, kw_only=True, validator=_one_of(_PAYIN_TARGETS)
    )


@attrs.frozen(kw_only=True)
class CreateVirtualAccountRequest(Request):
    """The body of Create Virtual Account (KRW), validated on construction.

    The docs name the contents (customer information, payin method, account information,
    currency, amount, country) but not the keys; these follow PayCombat's ``virtual_account``
    table. Fields the SDK does not model go in ``extra``.
    """

    payin_method_name: str = attrs.field(validator=_v.non_empty)
    amount: Decimal | int = attrs.field(validator=_v.amount)
    user_name: str = attrs.field(validator=_v.non_empty)
    currency: str = attrs.field(default="KRW", validator=_v.currency_code)
    country: str = attrs.field(default="KR", validator=_v.country_code)
    user_yymmdd: str | None = attrs.field(default=None)
    account_bankname: str | None = None
    account_number: str | None = None
    account_holder: str | None = None
    customer_id: str | None = None
    extra: Mapping[str, Any] | None = None
    """Body fields the SDK does not model, sent as they are (never overriding the above)."""

    @user_yymmdd.validator
    def _check_birth_date(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and (not isinstance(value, str) or not _YYMMDD.fullmatch(value)):
            raise ValidationError(
                f"must be a birth date as six digits YYMMDD, e.g. '900131', got {value!r}",
                field=attribute.name,
            )


@attrs.frozen
class SimulateVirtualAccountRequest(Request):
    """The body of Simulate Create VA (sandbox): approve or fail a ``PENDING`` registration."""

    virtual_account_id: str = attrs.field(validator=_v.path_id)
    status: Literal["APPROVED", "FAILED"] | VirtualAccountStatus = attrs.field(
        default=VirtualAccountStatus.APPROVED, kw_only=True, validator=_one_of(_VA_TARGETS)
    )


@attrs.frozen
class PayinIdRequest(Request):
    """One payin, by its PayCombat id or its ``payin_id_finmo`` (in the path)."""

    payin_id: str = attrs.field(validator=_v.path_id, metadata=PATH)
