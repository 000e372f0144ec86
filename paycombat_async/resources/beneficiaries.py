"""Saved payout beneficiaries and their validation (confirmation of payee)."""

from __future__ import annotations

from .._core.retry import Resend
from ..models.beneficiary import (
    BeneficiaryIdRequest,
    BeneficiaryValidation,
    CreatePayoutBeneficiaryRequest,
    ListBeneficiariesRequest,
    PayoutBeneficiary,
    UpdatePayoutBeneficiaryRequest,
    ValidateBeneficiaryByIdRequest,
    ValidateBeneficiaryRequest,
)
from ._base import M, Resource, paged
from ._declare import endpoint

__all__ = ["Beneficiaries"]


class Beneficiaries(Resource[M]):
    """``client.beneficiaries``: saved payout beneficiaries and their validation."""

    client_attribute = "beneficiaries"

    create = endpoint(
        doc="""Create Payout Beneficiary: save a recipient to validate and pay later.

        Creates an object, so it is never resent once it may have reached PayCombat: a timeout
        raises ``OutcomeUnknownError``. Pass ``organization_reference_id`` to find it again.
        Pay it with ``payouts.create(payout_beneficiary_id=...)``.

        Args:
            type: ``"individual"`` or ``"company"`` (``BeneficiaryType``).
            beneficiary_name: the account holder's name, as the bank knows it.
            currency: ISO 4217 code the beneficiary is paid in.
            account_number: the bank account (with ``bsb`` for AUD); one of ``account_number``,
                ``iban``, ``pay_id`` or ``proxy_value`` is required.
            bsb: the 6-digit Australian bank-state-branch code.
            iban: the IBAN (EUR and other SEPA accounts).
            pay_id: an Australian PayID, with ``pay_id_type``.
            proxy_value: another proxy (e.g. a phone number), with ``proxy_type``.
            individual: the person (``type="individual"`` only).
            company: the company (``type="company"`` only).
            organization_reference_id: your own reference for the beneficiary.
            extra: body fields this SDK does not model, sent as they are.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            OutcomeUnknownError: the beneficiary may or may not exist.
        """,
        method="POST",
        path="/api/v1/payout-beneficiary/create",
        request=CreatePayoutBeneficiaryRequest,
        returns=PayoutBeneficiary,
        documented=False,
    )

    update = endpoint(
        doc="""Update Payout Beneficiary: change only the fields given; the others stay as they are.

        A beneficiary's ``type`` cannot change; create a new beneficiary instead.

        Args:
            payout_beneficiary_id: the beneficiary to change (sent in the body).

        Returns:
            The beneficiary as it is after the change.

        Raises:
            ValidationError: no field to change, or an invalid one; nothing was sent.
            NotFoundError: no such beneficiary.
        """,
        method="PATCH",
        path="/api/v1/payout-beneficiary/update",
        request=UpdatePayoutBeneficiaryRequest,
        returns=PayoutBeneficiary,
        resend=Resend.IDEMPOTENT,
        documented=False,
    )

    list = endpoint(
        doc="""Get All Payout Beneficiary: every saved beneficiary, page by page.

        Args:
            page: the first page to fetch (1-based).
            limit: beneficiaries per page.
            type: only ``"individual"`` or only ``"company"`` beneficiaries.
            created_at: only beneficiaries created on this (UTC) day.
        """,
        method="GET",
        path="/api/v1/payout-beneficiary",
        request=ListBeneficiariesRequest,
        returns=paged(PayoutBeneficiary),
        documented=False,
    )

    retrieve = endpoint(
        doc="""Get Payout Beneficiary by Id: one saved beneficiary.

        Raises:
            ValidationError: ``payout_beneficiary_id`` is blank; nothing was sent.
            NotFoundError: no such beneficiary.
        """,
        method="GET",
        path="/api/v1/payout-beneficiary/{payout_beneficiary_id}",
        request=BeneficiaryIdRequest,
        returns=PayoutBeneficiary,
        documented=False,
    )

    validate_by_id = endpoint(
        doc="""Validation by Id: check a saved beneficiary against ``payout_method_name``.

        Runs confirmation of payee: the beneficiary's name is compared with the name the bank
        holds for the account. Check ``result.is_match`` before paying.

        Raises:
            ValidationError: an argument is blank; nothing was sent.
            NotFoundError: no such beneficiary.
            UnprocessableEntityError: the beneficiary cannot be paid with that method.
        """,
        method="POST",
        path="/api/v1/payout-beneficiary/validate/{payout_beneficiary_id}",
        request=ValidateBeneficiaryByIdRequest,
        returns=BeneficiaryValidation,
        resend=Resend.SAFE,
        documented=False,
    )

    validate = endpoint(
        doc="""Validation by Body: check beneficiary details before saving or paying them.

        ``payout_beneficiary_param`` takes the same shape as Create Payout's. The name checked
        is ``individual`` first and last name, or ``company["name"]``.

        Raises:
            ValidationError: an argument is missing; nothing was sent.
            BadRequestError: the details lack a field ``payout_method_name`` needs.
        """,
        method="POST",
        path="/api/v1/payout-beneficiary/validate",
        request=ValidateBeneficiaryRequest,
        returns=BeneficiaryValidation,
        resend=Resend.SAFE,
        documented=False,
    )
