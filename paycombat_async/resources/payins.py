"""Payins: money collected from customers, and the KRW virtual accounts they need."""

from __future__ import annotations

from collections.abc import Iterable

from .._core.retry import Resend
from ..models.payin import (
    CreatePayinRequest,
    CreateVirtualAccountRequest,
    Payin,
    PayinIdRequest,
    PayinStatus,
    SimulatePayinRequest,
    SimulateVirtualAccountRequest,
    VirtualAccount,
)
from ..webhooks._waiting import PAYIN
from ._base import AsyncMode, M, Resource
from ._declare import endpoint
from ._dual import dual_method

__all__ = ["Payins"]


class Payins(Resource[M]):
    """``client.payins``: Create Payin, Simulate Payin, Retrieve Payin, Retrieve Payin Memo (PDF),
    Create Virtual Account (KRW), Simulate Create VA.

    Payin rows carry the ISO currency in ``amount_type`` and ``"FIAT"`` in ``currency``; read
    ``payin.iso_currency``.
    """

    client_attribute = "payins"

    create = endpoint(
        doc="""Create Payin: start collecting ``amount`` from a customer over ``payin_method_name``.

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
        """,
        method="POST",
        path="/api/v1/payin/create",
        request=CreatePayinRequest,
        returns=Payin,
    )

    simulate = endpoint(
        doc="""Simulate Payin: in the sandbox, settle a ``PENDING`` payin as if the customer acted.

        Args:
            payin_id: the payin's PayCombat id (or its ``payin_id_finmo``).
            status: the final status: ``SUCCESS`` (default), ``FAILED`` or ``EXPIRED``.

        Returns:
            The payin in its new status.

        Raises:
            ValidationError: ``status`` is not one of the three; nothing was sent.
            UnprocessableEntityError: the payin is no longer ``PENDING``.
            NotFoundError: no such payin.
        """,
        method="PATCH",
        path="/api/v1/payin/simulate",
        request=SimulatePayinRequest,
        returns=Payin,
        resend=Resend.IDEMPOTENT,
        documented=False,
    )

    retrieve = endpoint(
        doc="Retrieve Payin: one payin by its PayCombat id (or its ``payin_id_finmo``).",
        method="GET",
        path="/api/v1/payin/retrieve-payin/{payin_id}",
        request=PayinIdRequest,
        returns=Payin,
    )

    @dual_method()
    @PAYIN.documented
    async def wait_for(
        self: Payins[AsyncMode],
        payin_id: str,
        statuses: Iterable[PayinStatus | str] | None = None,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
    ) -> Payin:
        return await PAYIN.wait_for(
            self.retrieve, payin_id, statuses, timeout=timeout, poll_interval=poll_interval
        )

    retrieve_memo = endpoint(
        doc="Retrieve Payin Memo (PDF): the payin's memo as the bytes of a PDF file.",
        method="GET",
        path="/api/v1/payin/memo/{payin_id}",
        request=PayinIdRequest,
        returns=bytes,
        documented=False,
    )

    create_virtual_account = endpoint(
        doc="""Create Virtual Account (KRW): register the account a Korean customer will pay into.

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
        """,
        method="POST",
        path="/api/v1/payin/create-va",
        request=CreateVirtualAccountRequest,
        returns=VirtualAccount,
    )

    simulate_virtual_account = endpoint(
        doc="""Simulate Create VA: in the sandbox, approve (default) or fail a ``PENDING`` KRW
        virtual account registration.

        Raises:
            ValidationError: ``status`` is neither ``APPROVED`` nor ``FAILED``; nothing was sent.
            UnprocessableEntityError: the registration is no longer ``PENDING``.
            NotFoundError: no such virtual account.
        """,
        method="POST",
        path="/api/v1/payin/simulate-create-va",
        request=SimulateVirtualAccountRequest,
        returns=VirtualAccount,
        resend=Resend.IDEMPOTENT,
        documented=False,
    )
