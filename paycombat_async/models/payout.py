"""Payout models: a transfer from the merchant payout balance to a beneficiary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from .._exceptions import ValidationError
from . import _validation as _v
from ._base import PATH, Model, OpenEnum, PageRequest, Params, Request
from .party import Company, Person

__all__ = [
    "CreatePayoutRequest",
    "Individual",
    "ListPayoutsRequest",
    "Payout",
    "PayoutApproval",
    "PayoutBeneficiaryParam",
    "PayoutIdRequest",
    "PayoutStatus",
    "SimulatePayoutRequest",
]


class PayoutStatus(OpenEnum):
    """Where a payout is in its life: ``PENDING`` until the rail settles it."""

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    RETURNED = "RETURNED"


PayoutStatusName = Literal["PENDING", "SUCCESS", "FAILED", "RETURNED"]
"""A payout status as an argument takes it (a ``PayoutStatus`` member works too)."""


class PayoutApproval(OpenEnum):
    """The merchant-side approval of a payout."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    FAILED = "FAILED"


Individual = Person
"""Former name of ``Person`` as a payout beneficiary (kept so existing code runs)."""


@attrs.frozen(kw_only=True)
class PayoutBeneficiaryParam(Params):
    """Who receives a payout. The fields a payout method needs come from
    ``payout_methods.required_fields(...)``; the ones not modelled here go in ``extra``."""

    individual: Person | dict[str, Any] | None = None
    company: Company | dict[str, Any] | None = None
    account_number: str | None = None
    bsb: str | None = None
    iban: str | None = None


@attrs.frozen(kw_only=True)
class Payout(Model):
    """A payout as PayCombat returns it (Create Payout, Retrieve Payout, webhooks)."""

    id: str
    payout_id_finmo: str | None = None
    merchant_id: str | None = None
    reply_code_id_pg: str | None = None
    status: PayoutStatus | str | None = None
    wire_id: str | None = None
    order_id: str | None = None
    due_date: dt.datetime | None = None
    last_action: str | None = None
    wire_amount: Decimal | None = None
    fee_taken: Decimal | None = None
    fee_expected: Decimal | None = None
    payee_name: str | None = None
    currency: str | None = None
    beneficiary: str | None = None
    beneficiary_bank: str | None = None
    beneficiary_account_number: str | None = None
    beneficiary_account_iban: str | None = None
    wire_origin: str | None = None
    conversion: Any = None
    process: Any = None
    approval: PayoutApproval | str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    denied_at: dt.datetime | None = None
    pending_at: dt.datetime | None = None
    original_amount: Decimal | None = None
    """The amount as the payout webhooks carry it (a string there, e.g. ``"50"``)."""
    reason_for_failure: str | None = None
    """Why a ``FAILED`` payout failed, where PayCombat says (a DB column; not in the examples)."""
    type: str | None = None
    """``"PAYOUT"`` in webhook payloads."""


@attrs.frozen(kw_only=True)
class CreatePayoutRequest(Request):
    """The body of Create Payout, validated on construction.

    The beneficiary is either ``payout_beneficiary_param`` (the account fields, given in full) or
    ``payout_beneficiary_id`` (a saved beneficiary; Finmo's Create Payout takes it the same way):
    exactly one of them.
    """

    payout_beneficiary_param: PayoutBeneficiaryParam | Mapping[str, Any] | None = attrs.field(
        default=None
    )
    payout_beneficiary_id: str | None = attrs.field(default=None, validator=_v.optional_text)
    sender_amount: Decimal | int = attrs.field(validator=_v.amount)
    sender_currency: str = attrs.field(validator=_v.currency_code)
    sender_country: str = attrs.field(validator=_v.country_code)
    payout_method_name: str = attrs.field(validator=_v.non_empty)
    beneficiary_amount: Decimal | int | None = attrs.field(default=None, validator=_v.amount)
    beneficiary_currency: str | None = attrs.field(default=None, validator=_v.currency_code)
    purpose_code: str | None = None
    order_id: str | None = attrs.field(default=None, validator=_v.order_id_text)
    """Your reference for this payout: a non-empty string (lookups compare it as one)."""
    extra: Mapping[str, Any] | None = None
    """Body fields the SDK does not model, sent as they are (never overriding the above)."""

    @payout_beneficiary_param.validator
    def _check_beneficiary(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            if self.payout_beneficiary_id is None:
                raise ValidationError(
                    "is required, unless you pass payout_beneficiary_id (a saved beneficiary)",
                    field=attribute.name,
                )
            return
        if self.payout_beneficiary_id is not None:
            raise ValidationError(
                "and payout_beneficiary_id were both given: pass exactly one of them",
                field=attribute.name,
            )
        # (a dict first: checking against the Mapping ABC is the slow part of this validator)
        if (
            not (type(value) is dict or isinstance(value, (PayoutBeneficiaryParam, Mapping)))
            or not value
        ):
            raise ValidationError(
                "must be a PayoutBeneficiaryParam or a dict of the method's required fields",
                field=attribute.name,
            )
        _v.check_request_params(PayoutBeneficiaryParam, self, attribute, value)


# Simulate Payout's allowed moves (Finmo docs: Simulate Payout): PENDING settles either way, a
# settled payout can still be returned.
SIMULATE_TARGETS = (PayoutStatus.SUCCESS, PayoutStatus.FAILED, PayoutStatus.RETURNED)


def _simulate_target(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or str(value) not in {t.value for t in SIMULATE_TARGETS}:
        raise ValidationError(
            f"must be one of {[t.value for t in SIMULATE_TARGETS]}, got {value!r}",
            field=attribute.name,
        )


@attrs.frozen
class PayoutIdRequest(Request):
    """One payout, by its id (in the path)."""

    payout_id: str = attrs.field(validator=_v.path_id, metadata=PATH)
    """The payout's PayCombat id."""


@attrs.frozen(kw_only=True)
class ListPayoutsRequest(PageRequest):
    """The filters of Get All Payout (after ``page`` and ``limit``)."""

    status: PayoutStatusName | PayoutStatus | None = attrs.field(
        default=None, validator=_v.one_of(PayoutStatus)
    )
    payout_method_name: str | None = None
    order_id: str | None = attrs.field(default=None, validator=_v.order_id)
    """Only the payouts carrying your ``order_id`` (inferred, not documented): a string."""


@attrs.frozen
class SimulatePayoutRequest(Request):
    """The body of Simulate Payout (sandbox only).

    The body is undocumented; the field names follow Finmo's simulate calls
    (``{"payin_id": ..., "status": ...}`` for payins; Finmo docs: Simulate Payin).
    """

    payout_id: str = attrs.field(validator=_v.non_empty)
    """The payout's PayCombat id (or its Finmo ``payout_<hex>`` id)."""
    status: Literal["SUCCESS", "FAILED", "RETURNED"] | PayoutStatus = attrs.field(
        kw_only=True, validator=_simulate_target
    )
    """``SUCCESS`` or ``FAILED`` (from ``PENDING``), or ``RETURNED`` (from ``SUCCESS``)."""
