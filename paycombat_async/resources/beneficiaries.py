"""Saved payout beneficiaries and their validation (confirmation of payee)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .._pagination import DEFAULT_LIMIT, AsyncPaginator
from .._validation import check_path_id
from ..models.beneficiary import (
    BeneficiaryCompanyParam,
    BeneficiaryIndividualParam,
    BeneficiaryType,
    BeneficiaryValidation,
    CreatePayoutBeneficiaryRequest,
    PayoutBeneficiary,
    UpdatePayoutBeneficiaryRequest,
    ValidateBeneficiaryByIdRequest,
    ValidateBeneficiaryRequest,
)
from ..models.payout import PayoutBeneficiaryParam
from ._base import Resource

__all__ = ["Beneficiaries"]


class Beneficiaries(Resource):
    """``client.beneficiaries``: saved payout beneficiaries and their validation."""

    async def create(
        self,
        *,
        type: BeneficiaryType | str,
        beneficiary_name: str,
        currency: str,
        account_number: str | None = None,
        bsb: str | None = None,
        iban: str | None = None,
        pay_id: str | None = None,
        pay_id_type: str | None = None,
        proxy_type: str | None = None,
        proxy_value: str | None = None,
        individual: BeneficiaryIndividualParam | dict[str, Any] | None = None,
        company: BeneficiaryCompanyParam | dict[str, Any] | None = None,
        nickname: str | None = None,
        description: str | None = None,
        bank_country: str | None = None,
        bank_name: str | None = None,
        bic_swift: str | None = None,
        intermediary_bic_swift: str | None = None,
        aba: str | None = None,
        sort_code: str | None = None,
        ifsc: str | None = None,
        branch_code: str | None = None,
        bank_code: str | None = None,
        organization_reference_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        payout_beneficiary_controls: dict[str, Any] | None = None,
    ) -> PayoutBeneficiary:
        """Create Payout Beneficiary: save a recipient to validate and pay later.

        Creates an object, so it is never resent once it may have reached PayCombat: a timeout
        raises ``OutcomeUnknownError``. Pass ``organization_reference_id`` to find it again.

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

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            OutcomeUnknownError: the beneficiary may or may not exist.
        """
        body = CreatePayoutBeneficiaryRequest(
            type=type,
            beneficiary_name=beneficiary_name,
            currency=currency,
            account_number=account_number,
            bsb=bsb,
            iban=iban,
            pay_id=pay_id,
            pay_id_type=pay_id_type,
            proxy_type=proxy_type,
            proxy_value=proxy_value,
            individual=individual,
            company=company,
            nickname=nickname,
            description=description,
            bank_country=bank_country,
            bank_name=bank_name,
            bic_swift=bic_swift,
            intermediary_bic_swift=intermediary_bic_swift,
            aba=aba,
            sort_code=sort_code,
            ifsc=ifsc,
            branch_code=branch_code,
            bank_code=bank_code,
            organization_reference_id=organization_reference_id,
            metadata=metadata,
            payout_beneficiary_controls=payout_beneficiary_controls,
        )
        return await self._call("Create Payout Beneficiary", body=body, cast=PayoutBeneficiary)

    async def update(
        self,
        payout_beneficiary_id: str,
        *,
        beneficiary_name: str | None = None,
        currency: str | None = None,
        account_number: str | None = None,
        bsb: str | None = None,
        iban: str | None = None,
        pay_id: str | None = None,
        pay_id_type: str | None = None,
        proxy_type: str | None = None,
        proxy_value: str | None = None,
        individual: BeneficiaryIndividualParam | dict[str, Any] | None = None,
        company: BeneficiaryCompanyParam | dict[str, Any] | None = None,
        nickname: str | None = None,
        description: str | None = None,
        bank_country: str | None = None,
        bank_name: str | None = None,
        bic_swift: str | None = None,
        intermediary_bic_swift: str | None = None,
        aba: str | None = None,
        sort_code: str | None = None,
        ifsc: str | None = None,
        branch_code: str | None = None,
        bank_code: str | None = None,
        organization_reference_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        payout_beneficiary_controls: dict[str, Any] | None = None,
    ) -> PayoutBeneficiary:
        """Update Payout Beneficiary: change only the fields given; the others stay as they are.

        A beneficiary's ``type`` cannot change; create a new beneficiary instead.

        Args:
            payout_beneficiary_id: the beneficiary to change (sent in the body).

        Returns:
            The beneficiary as it is after the change.

        Raises:
            ValidationError: no field to change, or an invalid one; nothing was sent.
            NotFoundError: no such beneficiary.
        """
        body = UpdatePayoutBeneficiaryRequest(
            payout_beneficiary_id=payout_beneficiary_id,
            beneficiary_name=beneficiary_name,
            currency=currency,
            account_number=account_number,
            bsb=bsb,
            iban=iban,
            pay_id=pay_id,
            pay_id_type=pay_id_type,
            proxy_type=proxy_type,
            proxy_value=proxy_value,
            individual=individual,
            company=company,
            nickname=nickname,
            description=description,
            bank_country=bank_country,
            bank_name=bank_name,
            bic_swift=bic_swift,
            intermediary_bic_swift=intermediary_bic_swift,
            aba=aba,
            sort_code=sort_code,
            ifsc=ifsc,
            branch_code=branch_code,
            bank_code=bank_code,
            organization_reference_id=organization_reference_id,
            metadata=metadata,
            payout_beneficiary_controls=payout_beneficiary_controls,
        )
        return await self._call("Update Payout Beneficiary", body=body, cast=PayoutBeneficiary)

    def list(
        self,
        *,
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
        type: BeneficiaryType | str | None = None,
        created_at: dt.date | None = None,
    ) -> AsyncPaginator[PayoutBeneficiary]:
        """Get All Payout Beneficiary: every saved beneficiary, page by page.

        Args:
            page: the first page to fetch (1-based).
            limit: beneficiaries per page.
            type: only ``"individual"`` or only ``"company"`` beneficiaries.
            created_at: only beneficiaries created on this (UTC) day.
        """
        return self._paginate(
            "Get All Payout Beneficiary",
            item=PayoutBeneficiary,
            filters={"type": type, "created_at": created_at},
            page=page,
            limit=limit,
        )

    async def retrieve(self, id: str) -> PayoutBeneficiary:
        """Get Payout Beneficiary by Id: one saved beneficiary.

        Raises:
            ValidationError: ``id`` is blank; nothing was sent.
            NotFoundError: no such beneficiary.
        """
        return await self._call(
            "Get Payout Beneficiary by Id",
            path_params={"id": check_path_id("id", id)},
            cast=PayoutBeneficiary,
        )

    async def validate_by_id(self, id: str, *, payout_method_name: str) -> BeneficiaryValidation:
        """Validation by Id: check a saved beneficiary against ``payout_method_name``.

        Runs confirmation of payee: the beneficiary's name is compared with the name the bank
        holds for the account. Check ``result.is_match`` before paying.

        Raises:
            ValidationError: ``id`` or ``payout_method_name`` is blank; nothing was sent.
            NotFoundError: no such beneficiary.
            UnprocessableEntityError: the beneficiary cannot be paid with that method.
        """
        body = ValidateBeneficiaryByIdRequest(payout_method_name=payout_method_name)
        return await self._call(
            "Validation by Id",
            path_params={"id": check_path_id("id", id)},
            body=body,
            cast=BeneficiaryValidation,
        )

    async def validate(
        self,
        *,
        payout_method_name: str,
        payout_beneficiary_param: PayoutBeneficiaryParam | dict[str, Any],
    ) -> BeneficiaryValidation:
        """Validation by Body: check beneficiary details before saving or paying them.

        ``payout_beneficiary_param`` takes the same shape as Create Payout's. The name checked
        is ``individual`` first and last name, or ``company["name"]``.

        Raises:
            ValidationError: an argument is missing; nothing was sent.
            BadRequestError: the details lack a field ``payout_method_name`` needs.
        """
        body = ValidateBeneficiaryRequest(
            payout_method_name=payout_method_name,
            payout_beneficiary_param=payout_beneficiary_param,
        )
        return await self._call("Validation by Body", body=body, cast=BeneficiaryValidation)
