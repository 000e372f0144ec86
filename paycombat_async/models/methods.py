"""Payin, payout and payment method models: the rails PayCombat offers and what each needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import attrs

from . import _validation as _v
from ._base import PATH, Model, Request

__all__ = [
    "CurrencyRequest",
    "MethodField",
    "MethodFilters",
    "PayinMethod",
    "PayinMethodNameRequest",
    "PaymentMethod",
    "PayoutBeneficiaryFields",
    "PayoutMethod",
    "PayoutMethodNameRequest",
]


@attrs.frozen(kw_only=True)
class MethodField(Model):
    """One input a method needs: its key, how to render it, and the regex a value must match.

    PayCombat leaves out keys that do not apply (``label`` on payout fields, ``regex_description``
    on some), so unset keys stay absent when the model is unstructured.
    """

    omit_unset: ClassVar[bool] = True

    name: str | None = None
    """The key to send, e.g. ``account_number``."""
    type: str | None = None
    """Input type, e.g. ``text``."""
    label: str | None = None
    regex: str | None = None
    """A JavaScript-style regular expression the value must match."""
    mandatory: bool | None = None
    field_description: str | None = None
    regex_description: str | None = None


@attrs.frozen(kw_only=True)
class PayinMethod(Model):
    """A payin method (Get All Payin Method, Get Required Fields by Payin method).

    ``payin_method_param`` lists the extra fields Create Payin needs for this method.
    """

    payin_method_id: str
    payin_method_name: str | None = None
    """The name other calls take, e.g. ``au_bank_npp``."""
    payin_method_description: str | None = None
    payin_method_logo: str | None = None
    payin_method_instruction: list[str] | None = None
    """Instructions to show the paying customer, in order."""
    payin_method_category: str | None = None
    payin_method_class: str | None = None
    payin_method_group: str | None = None
    country: str | None = None
    currency: str | None = None
    payin_method_param: list[MethodField] | None = None
    min_amount: Decimal | None = None
    is_sender_validation_enabled: bool | None = None
    max_amount: Decimal | None = None
    is_payin_method_available_24_7: bool | None = None
    is_cancellable: bool | None = None
    is_refundable: bool | None = None
    is_multiple_refund_allowed: bool | None = None
    is_partially_refundable: bool | None = None
    is_over_refundable: bool | None = None
    is_va_allowed: bool | None = None
    is_payin_allowed: bool | None = None
    max_expiration_time_in_seconds: str | None = None
    """Seconds, as the numeric string PayCombat sends (e.g. ``"34560000"``)."""
    default_expiry_time_seconds: str | None = None
    """Seconds, as the numeric string PayCombat sends (e.g. ``"172800"``)."""


@attrs.frozen(kw_only=True)
class PayoutBeneficiaryFields(Model):
    """What ``payout_beneficiary_param`` must hold for a payout method.

    ``base_param`` fields go at the top level of ``payout_beneficiary_param``; ``individual`` and
    ``company`` fields go in the nested object for that kind of beneficiary.
    """

    company: list[MethodField] | None = None
    base_param: list[MethodField] | None = None
    individual: list[MethodField] | None = None


@attrs.frozen(kw_only=True)
class PayoutMethod(Model):
    """A payout method (Get All Payout Method, Get Required Fields by Payout method)."""

    payout_method_id: str
    payout_method_name: str | None = None
    """The name Create Payout takes as ``payout_method_name``, e.g. ``au_bank_acct``."""
    payout_method_description: str | None = None
    payout_method_logo: str | None = None
    currency: str | None = None
    sender_country: str | None = None
    sender_currency: str | None = None
    beneficiary_country: str | None = None
    beneficiary_currency: str | None = None
    payout_method_category: str | None = None
    payout_method_class: str | None = None
    payout_method_group: str | None = None
    payout_method_param: dict[str, Any] | None = None
    payout_beneficiary_param: PayoutBeneficiaryFields | None = None


@attrs.frozen(kw_only=True)
class PaymentMethod(Model):
    """A payment method offered for a currency (Get List Payment Method by Currency).

    The response is not documented; the fields are inferred from PayCombat's
    ``digital_payments`` table. ``payment_code`` is what checkout calls take as
    ``payin_method_name``. Anything else PayCombat sends is kept in ``extra``.
    """

    payment_code: str | None = None
    payment_name: str | None = None
    category: str | None = None
    country_code: str | None = None
    country_name: str | None = None
    currency: str | None = None
    image_path: str | None = None
    is_active: bool | None = None
    is_payin_allowed: bool | None = None
    is_va_allowed: bool | None = None


@attrs.frozen(kw_only=True)
class MethodFilters(Request):
    """The query of Get All Payin Method and Get All Payout Method, validated on construction."""

    currency: str | None = attrs.field(default=None, validator=_v.currency_code)
    country: str | None = attrs.field(default=None, validator=_v.country_code)


@attrs.frozen
class PayinMethodNameRequest(Request):
    """One payin method, by its name (in the path), e.g. ``"au_bank_npp"``."""

    payin_method_name: str = attrs.field(validator=_v.path_id, metadata=PATH)


@attrs.frozen
class PayoutMethodNameRequest(Request):
    """One payout method, by its name (in the path), e.g. ``"au_bank_acct"``."""

    payout_method_name: str = attrs.field(validator=_v.path_id, metadata=PATH)


@attrs.frozen
class CurrencyRequest(Request):
    """One ISO 4217 currency (in the path), e.g. ``"AUD"``."""

    currency: str = attrs.field(validator=[_v.non_empty, _v.currency_code], metadata=PATH)
