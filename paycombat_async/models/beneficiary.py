"""Payout beneficiary models: saved recipients, and confirmation-of-payee checks on them.

None of these shapes is documented by PayCombat. The fields follow Finmo's payout beneficiary
(PayCombat forwards Finmo objects; Finmo docs: Payout Beneficiary); the validation result's field
names are the SDK's own guess. Whatever else PayCombat sends is kept in ``extra``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from .._exceptions import ValidationError
from . import _validation as _v
from ._base import PATH, Model, OpenEnum, PageRequest, Request
from .party import Company, Person, party
from .payout import PayoutBeneficiaryParam

__all__ = [
    "BeneficiaryCompany",
    "BeneficiaryCompanyParam",
    "BeneficiaryIdRequest",
    "BeneficiaryIndividual",
    "BeneficiaryIndividualParam",
    "BeneficiaryType",
    "BeneficiaryTypeName",
    "BeneficiaryValidation",
    "CreatePayoutBeneficiaryRequest",
    "ListBeneficiariesRequest",
    "PayeeMatch",
    "PayoutBeneficiary",
    "UpdatePayoutBeneficiaryRequest",
    "ValidateBeneficiaryByIdRequest",
    "ValidateBeneficiaryRequest",
]

# The fields that say where the money goes; a beneficiary needs at least one of them.
ACCOUNT_FIELDS = ("account_number", "iban", "pay_id", "proxy_value")
_BSB = re.compile(r"\d{6}")


class BeneficiaryType(OpenEnum):
    """Whether a beneficiary is a natural person or a company."""

    INDIVIDUAL = "individual"
    COMPANY = "company"


class PayeeMatch(OpenEnum):
    """A confirmation-of-payee outcome: how the name checked compares with the bank's record.

    ``MATCH`` and ``CLOSE_MATCH`` let a payout through; ``NO_MATCH`` needs review;
    ``UNABLE_TO_VERIFY`` means the bank could not check; ``ACCOUNT_CLOSED`` is a hard stop.
    """

    MATCH = "Match"
    CLOSE_MATCH = "Close Match"
    NO_MATCH = "No Match"
    UNABLE_TO_VERIFY = "Unable to Verify"
    ACCOUNT_CLOSED = "Account Closed"


def _beneficiary_type(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or value not in {t.value for t in BeneficiaryType}:
        raise ValidationError(
            f"must be 'individual' or 'company' (BeneficiaryType), got {value!r}",
            field=attribute.name,
        )


def _optional_text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError(
            f"must be a non-empty string when given, got {value!r}", field=attribute.name
        )


def _bsb(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not _BSB.fullmatch(value)):
        raise ValidationError(
            f"must be the 6-digit BSB as a string (e.g. '123456'), got {value!r}",
            field=attribute.name,
        )


BeneficiaryIndividual = BeneficiaryIndividualParam = Person
"""Former names of ``Person`` (kept so existing code runs)."""
BeneficiaryCompany = BeneficiaryCompanyParam = Company
"""Former names of ``Company`` (kept so existing code runs)."""


@attrs.frozen(kw_only=True)
class PayoutBeneficiary(Model):
    """A saved payout beneficiary (Create/Update/Get Payout Beneficiary)."""

    payout_beneficiary_id: str
    org_id: str | None = None
    type: BeneficiaryType | str | None = None
    beneficiary_name: str | None = None
    """The account holder's name, the one confirmation of payee checks."""
    nickname: str | None = None
    description: str | None = None
    currency: str | None = None
    bank_country: str | None = None
    bank_name: str | None = None
    bank_city: str | None = None
    bank_state: str | None = None
    bank_code: str | None = None
    branch_code: str | None = None
    account_number: str | None = None
    account_type: str | None = None
    bsb: str | None = None
    iban: str | None = None
    bic_swift: str | None = None
    intermediary_bic_swift: str | None = None
    aba: str | None = None
    sort_code: str | None = None
    ifsc: str | None = None
    pay_id: str | None = None
    pay_id_type: str | None = None
    proxy_type: str | None = None
    proxy_value: str | None = None
    upi_id: str | None = None
    interac_email: str | None = None
    biller_code: str | None = None
    customer_reference_number: str | None = None
    duitnow_proxy_type: str | None = None
    duitnow_proxy_value: str | None = None
    fps_proxy_type: str | None = None
    fps_proxy_value: str | None = None
    individual: Person | None = None
    company: Company | None = None
    is_active: bool | None = None
    organization_reference_id: str | None = None
    """Your own reference for this beneficiary."""
    metadata: dict[str, Any] | None = None
    additional_data: dict[str, Any] | None = None
    payout_beneficiary_controls: dict[str, Any] | None = None
    created_by: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


BeneficiaryTypeName = Literal["individual", "company"]
"""A beneficiary type as an argument takes it (a ``BeneficiaryType`` member works too)."""


@attrs.frozen(kw_only=True)
class _BeneficiaryDetails(Request):
    """The fields Create and Update Payout Beneficiary share, all optional here."""

    beneficiary_name: str | None = attrs.field(default=None, validator=_optional_text)
    currency: str | None = attrs.field(default=None, validator=_v.currency_code)
    individual: Person | Mapping[str, Any] | None = attrs.field(
        default=None, validator=party(Person)
    )
    company: Company | Mapping[str, Any] | None = attrs.field(
        default=None, validator=party(Company)
    )
    nickname: str | None = None
    description: str | None = None
    bank_country: str | None = attrs.field(default=None, validator=_v.country_code)
    bank_name: str | None = None
    account_number: str | None = attrs.field(default=None, validator=_optional_text)
    bsb: str | None = attrs.field(default=None, validator=_bsb)
    iban: str | None = attrs.field(default=None, validator=_optional_text)
    bic_swift: str | None = None
    intermediary_bic_swift: str | None = None
    aba: str | None = None
    sort_code: str | None = None
    ifsc: str | None = None
    branch_code: str | None = None
    bank_code: str | None = None
    pay_id: str | None = attrs.field(default=None, validator=_optional_text)
    pay_id_type: str | None = None
    proxy_type: str | None = None
    proxy_value: str | None = attrs.field(default=None, validator=_optional_text)
    organization_reference_id: str | None = None
    metadata: dict[str, Any] | None = None
    payout_beneficiary_controls: dict[str, Any] | None = None
    extra: Mapping[str, Any] | None = None
    """Body fields the SDK does not model, sent as they are (never overriding the above)."""


@attrs.frozen(kw_only=True)
class CreatePayoutBeneficiaryRequest(_BeneficiaryDetails):
    """The body of Create Payout Beneficiary, validated on construction."""

    type: BeneficiaryTypeName | BeneficiaryType = attrs.field(validator=_beneficiary_type)
    beneficiary_name: str = attrs.field(validator=_v.non_empty)
    currency: str = attrs.field(validator=[_v.non_empty, _v.currency_code])

    def __attrs_post_init__(self) -> None:
        if not any(getattr(self, name) for name in ACCOUNT_FIELDS):
            raise ValidationError(
                f"is required: give one of {', '.join(ACCOUNT_FIELDS)} (with bsb for AUD bank "
                "accounts)",
                field="account_number",
            )
        if self.type == BeneficiaryType.INDIVIDUAL and self.company is not None:
            raise ValidationError(
                "must not be given for an individual beneficiary", field="company"
            )
        if self.type == BeneficiaryType.COMPANY and self.individual is not None:
            raise ValidationError("must not be given for a company beneficiary", field="individual")


@attrs.frozen
class UpdatePayoutBeneficiaryRequest(_BeneficiaryDetails):
    """The body of Update Payout Beneficiary: the id and only the fields that change."""

    payout_beneficiary_id: str = attrs.field(validator=_v.non_empty)
    """The beneficiary to change (sent in the body)."""

    def __attrs_post_init__(self) -> None:
        changes = [
            a.name
            for a in attrs.fields(type(self))
            if a.name not in ("payout_beneficiary_id", "extra")
            and getattr(self, a.name) is not None
        ]
        if not changes and not self.extra:
            raise ValidationError(
                "nothing to update: pass at least one field to change",
                field="payout_beneficiary_id",
            )


# -- confirmation of payee ------------------------------------------------------------------


@attrs.frozen
class BeneficiaryIdRequest(Request):
    """One saved beneficiary, by its id (in the path)."""

    payout_beneficiary_id: str = attrs.field(validator=_v.path_id, metadata=PATH)


@attrs.frozen
class ValidateBeneficiaryByIdRequest(BeneficiaryIdRequest):
    """Validation by Id: the beneficiary id travels in the path, the method in the body."""

    payout_method_name: str = attrs.field(kw_only=True, validator=_v.non_empty)


@attrs.frozen(kw_only=True)
class ListBeneficiariesRequest(PageRequest):
    """The filters of Get All Payout Beneficiary (after ``page`` and ``limit``)."""

    type: BeneficiaryTypeName | BeneficiaryType | None = attrs.field(
        default=None, validator=_beneficiary_type
    )
    created_at: dt.date | None = None
    """Only beneficiaries created on this (UTC) day."""


@attrs.frozen(kw_only=True)
class ValidateBeneficiaryRequest(Request):
    """The body of Validation by Body: beneficiary details as Create Payout would send them."""

    payout_method_name: str = attrs.field(validator=_v.non_empty)
    payout_beneficiary_param: PayoutBeneficiaryParam | Mapping[str, Any] = attrs.field()

    @payout_beneficiary_param.validator
    def _check_beneficiary(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, (PayoutBeneficiaryParam, Mapping)) or not value:
            raise ValidationError(
                "is required: a PayoutBeneficiaryParam or a dict of the method's required fields",
                field=attribute.name,
            )
        _v.check_request_params(PayoutBeneficiaryParam, self, attribute, value)


@attrs.frozen(kw_only=True)
class BeneficiaryValidation(Model):
    """The outcome of Validation by Id / Validation by Body (confirmation of payee).

    The bank's own account name is revealed only for ``MATCH`` and ``CLOSE_MATCH``.
    """

    result: PayeeMatch | str | None = None
    payout_beneficiary_id: str | None = None
    """The beneficiary checked (Validation by Id only)."""
    payout_method_name: str | None = None
    beneficiary_name: str | None = None
    """The name that was checked."""
    account_name: str | None = None
    """The name the bank holds for the account (``MATCH`` / ``CLOSE_MATCH`` only)."""
    account_number: str | None = None
    bsb: str | None = None
    iban: str | None = None
    message: str | None = None
    validated_at: dt.datetime | None = None

    @property
    def is_match(self) -> bool:
        """Whether a payout to these details would go ahead (``MATCH`` or ``CLOSE_MATCH``)."""
        return self.result in (PayeeMatch.MATCH, PayeeMatch.CLOSE_MATCH)
