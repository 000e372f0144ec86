"""Payins: money collected from customers, and the KRW virtual accounts they need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .._validation import check_path_id
from .._waiting import wait_for_payin
from ..models.payin import (
    CreatePayinRequest,
    CreateVirtualAccountRequest,
    Payin,
    PayinStatus,
    SimulatePayinRequest,
    SimulateVirtualAccountRequest,
    VirtualAccount,
    VirtualAccountStatus,
)
from ._base import Resource

__all__ = ["Payins"]


class Payins(Resource):
    """``client.payins``: Create Payin, Simulate Payin, Retrieve Payin, Retrieve Payin Memo (PDF),
    Create Virtual Account (KRW), Simulate Create VA.

    Payin rows carry the ISO currency in ``amount_type`` and ``"FIAT"`` in ``currency``; read
    ``payin.iso_currency``.
    """

    async def create(
        self,
        *,
        amount: Decimal | int,
        currency: str,
        payin_method_name: str,
        payin_method_param: Mapping[str, Any] | None = None,
        country: str | None = None,
        payer_id: str | None = None,
        transaction: str | None = None,
        order_reference: str | None = None,
        customer_id: str | None = None,
        customer_full_name: str | None = None,
        customer_email: str | None = None,
        customer_phone: str | None = None,
        description: str | None = None,
        webhook_url: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Payin:
        """Create Payin: start collecting ``amount`` from a customer over ``payin_method_name``.

        The payin starts ``PENDING``; its outcome arrives on the PAYIN webhooks (or poll
        ``retrieve``). In the sandbox, ``simulate`` settles it. Creates an object, so it is never
        resent once it may have reached PayCombat: always pass your own ``transaction`` or
        ``order_reference`` so an ``OutcomeUnknownError`` can be reconciled.

        Args:
            amount: the amount to collect, in major units (``Decimal("100.00")``).
            currency: ISO 4217 code, e.g. ``"AUD"``. (The payin returned holds it in
                ``amount_type``.)
            payin_method_name: the rail, e.g. ``"au_bank_npp"``; for KRW, a Korean bank name.
            payin_method_param: the method's fields, as listed by
                ``payin_methods.required_fields(payin_method_name)``.
            country: ISO 3166-1 alpha-2 code of the payer's country.
            payer_id: KRW only (required there): the id of an APPROVED virtual account from
                ``create_virtual_account``.
            transaction: your reference for this payin.
            order_reference: your order number.
            customer_id: collect into this customer's wallet.
            customer_full_name: the payer's name.
            customer_email: the payer's e-mail address.
            customer_phone: the payer's phone number (E.164).
            description: free text shown with the payin.
            webhook_url: where PayCombat should send this payin's webhooks.
            extra: body fields this SDK does not model, sent as they are (they never override
                the arguments above).

        Raises:
            ValidationError: an argument is invalid (a float amount, a KRW payin without
                ``payer_id``...); nothing was sent.
            OutcomeUnknownError: the payin may or may not exist; reconcile by your reference.
        """
        body = CreatePayinRequest(
            amount=amount,
            currency=currency,
            payin_method_name=payin_method_name,
            payin_method_param=dict(payin_method_param) if payin_method_param else None,
            country=country,
            payer_id=payer_id,
            transaction=transaction,
            order_reference=order_reference,
            customer_id=customer_id,
            customer_full_name=customer_full_name,
            customer_email=customer_email,
            customer_phone=customer_phone,
            description=description,
            webhook_url=webhook_url,
            extra=dict(extra or {}),
        )
        return await self._call("Create Payin", body=body, cast=Payin)

    async def simulate(
        self, payin_id: str, *, status: PayinStatus | str = PayinStatus.SUCCESS
    ) -> Payin:
        """Simulate Payin: in the sandbox, settle a ``PENDING`` payin as if the customer acted.

        Args:
            payin_id: the payin's PayCombat id (or its ``payin_id_finmo``).
            status: the final status: ``SUCCESS`` (default), ``FAILED`` or ``EXPIRED``.

        Returns:
            The payin in its new status.

        Raises:
            ValidationError: ``status`` is not one of the three; nothing was sent.
            UnprocessableEntityError: the payin is no longer ``PENDING``.
            NotFoundError: no such payin.
        """
        body = SimulatePayinRequest(payin_id=check_path_id("payin_id", payin_id), status=status)
        return await self._call("Simulate Payin", body=body, cast=Payin)

    async def retrieve(self, id: str) -> Payin:
        """Retrieve Payin: one payin by its PayCombat id (or its ``payin_id_finmo``)."""
        return await self._call(
            "Retrieve Payin", path_params={"id": check_path_id("id", id)}, cast=Payin
        )

    async def wait_for(
        self,
        id: str,
        statuses: Iterable[PayinStatus | str] | None = None,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
    ) -> Payin:
        """Wait until a payin reaches one of ``statuses`` (default: any final status).

        Returns as soon as a webhook receiver in this process (``paycombat_async.webhooks`` or
        ``paycombat_sync.webhooks``) gets a verified notification for it; otherwise polls
        Retrieve Payin every ``poll_interval`` seconds, backing off, never past ``timeout``.

        Raises:
            APITimeoutError: the payin did not reach ``statuses`` within ``timeout`` seconds.
            NotFoundError: no such payin.
        """
        return await wait_for_payin(
            self.retrieve, id, statuses, timeout=timeout, poll_interval=poll_interval
        )

    async def retrieve_memo(self, id: str) -> bytes:
        """Retrieve Payin Memo (PDF): the payin's memo as the bytes of a PDF file."""
        return await self._call_bytes(
            "Retrieve Payin Memo (PDF)", path_params={"id": check_path_id("id", id)}
        )

    async def create_virtual_account(
        self,
        *,
        payin_method_name: str,
        amount: Decimal | int,
        user_name: str,
        currency: str = "KRW",
        country: str = "KR",
        user_yymmdd: str | None = None,
        account_bankname: str | None = None,
        account_number: str | None = None,
        account_holder: str | None = None,
        customer_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> VirtualAccount:
        """Create Virtual Account (KRW): register the account a Korean customer will pay into.

        Mandatory before a KRW payin. The account starts ``PENDING``; PayCombat reports
        ``APPROVED`` or ``FAILED`` on your VA registration callback (in the sandbox, call
        ``simulate_virtual_account``). Then pass its ``id`` as ``payer_id`` to ``create``.

        Args:
            payin_method_name: the Korean bank, e.g. ``"KDB산업은행"``.
            amount: the amount the customer will pay, in won.
            user_name: the customer's name.
            currency: ``"KRW"``.
            country: ``"KR"``.
            user_yymmdd: the customer's birth date as ``YYMMDD``.
            account_bankname: account information: the bank's name.
            account_number: account information: the account number.
            account_holder: account information: the holder's name.
            customer_id: the PayCombat customer this account belongs to.
            extra: body fields this SDK does not model, sent as they are.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            OutcomeUnknownError: the account may or may not exist.
        """
        body = CreateVirtualAccountRequest(
            payin_method_name=payin_method_name,
            amount=amount,
            user_name=user_name,
            currency=currency,
            country=country,
            user_yymmdd=user_yymmdd,
            account_bankname=account_bankname,
            account_number=account_number,
            account_holder=account_holder,
            customer_id=customer_id,
            extra=dict(extra or {}),
        )
        return await self._call("Create Virtual Account (KRW)", body=body, cast=VirtualAccount)

    async def simulate_virtual_account(
        self,
        virtual_account_id: str,
        *,
        status: VirtualAccountStatus | str = VirtualAccountStatus.APPROVED,
    ) -> VirtualAccount:
        """Simulate Create VA: in the sandbox, approve (default) or fail a ``PENDING`` KRW
        virtual account registration.

        Raises:
            ValidationError: ``status`` is neither ``APPROVED`` nor ``FAILED``; nothing was sent.
            UnprocessableEntityError: the registration is no longer ``PENDING``.
            NotFoundError: no such virtual account.
        """
        body = SimulateVirtualAccountRequest(
            virtual_account_id=check_path_id("virtual_account_id", virtual_account_id),
            status=status,
        )
        return await self._call("Simulate Create VA", body=body, cast=VirtualAccount)
