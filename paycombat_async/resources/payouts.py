"""Payouts: send money from the merchant payout balance to a beneficiary."""

from __future__ import annotations

from collections.abc import Iterable

from .._retry import Resend
from .._waiting import PAYOUT
from ..models.payout import (
    CreatePayoutRequest,
    ListPayoutsRequest,
    Payout,
    PayoutIdRequest,
    PayoutStatus,
    SimulatePayoutRequest,
)
from ._base import AsyncMode, M, Resource, paged
from ._declare import endpoint
from ._dual import dual_method

__all__ = ["Payouts"]


class Payouts(Resource[M]):
    """``client.payouts``: create, simulate (sandbox), retrieve, list, and download memos."""

    client_attribute = "payouts"

    create = endpoint(
        doc="""Create Payout: send ``sender_amount`` to a beneficiary over ``payout_method_name``.

        Moves money, so it is never resent once it may have reached PayCombat: a timeout, a
        dropped connection or a 5xx raises ``OutcomeUnknownError``. Always pass your own
        ``order_id`` so such a payout can be found again.

        Args:
            payout_beneficiary_param: who receives the money; the fields the method needs come
                from ``payout_methods.required_fields(payout_method_name)``.
            payout_beneficiary_id: instead of ``payout_beneficiary_param``, a saved beneficiary
                (``beneficiaries.create``); pass exactly one of the two.
            sender_amount: the amount debited, in major units (``Decimal("12.50")``).
            sender_currency: ISO 4217 code of ``sender_amount``.
            sender_country: ISO 3166-1 alpha-2 code of the sending country.
            payout_method_name: the rail, e.g. ``"au_bank_acct"``.
            beneficiary_amount: the amount the beneficiary receives, if it differs.
            beneficiary_currency: ISO 4217 code of ``beneficiary_amount``.
            purpose_code: why the money moves, e.g. ``"SELF"``.
            order_id: your reference for this payout, echoed on the payout and its webhooks.
            extra: body fields this SDK does not model, sent as they are.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            OutcomeUnknownError: the payout may or may not exist; reconcile by ``order_id``.
        """,
        method="POST",
        path="/api/v1/payout/create-payout",
        request=CreatePayoutRequest,
        returns=Payout,
    )

    retrieve = endpoint(
        doc="""Retrieve Payout: one payout by its PayCombat id.

        Raises:
            NotFoundError: no such payout.
        """,
        method="GET",
        # The internal mirror serves this under payout-method/, not payout/ (Finmo docs:
        # Retrieve Payout).
        path="/api/v1/payout-method/retrieve-payout/{payout_id}",
        request=PayoutIdRequest,
        returns=Payout,
        documented=False,
    )

    @dual_method()
    @PAYOUT.documented
    async def wait_for(
        self: Payouts[AsyncMode],
        payout_id: str,
        statuses: Iterable[PayoutStatus | str] | None = None,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
    ) -> Payout:
        return await PAYOUT.wait_for(
            self.retrieve, payout_id, statuses, timeout=timeout, poll_interval=poll_interval
        )

    simulate = endpoint(
        doc="""Simulate Payout: drive a sandbox payout to a final status (sandbox only).

        ``PENDING`` moves to ``SUCCESS`` or ``FAILED``; ``SUCCESS`` moves to ``RETURNED``. A
        ``FAILED`` or ``RETURNED`` payout's amount goes back to the payout balance.

        Args:
            payout_id: the payout's PayCombat id (its Finmo ``payout_<hex>`` id works too).
            status: ``"SUCCESS"``, ``"FAILED"`` or ``"RETURNED"``.

        Returns:
            The payout in its new status.

        Raises:
            ValidationError: ``status`` is not a target status; nothing was sent.
            NotFoundError: no such payout.
            UnprocessableEntityError: the payout cannot move from its status to ``status``.
        """,
        method="PATCH",
        path="/api/v1/payout/simulate",
        request=SimulatePayoutRequest,
        returns=Payout,
        resend=Resend.IDEMPOTENT,
        documented=False,
    )

    retrieve_memo = endpoint(
        doc="""Retrieve Payout Memo (PDF): the payout's memo as PDF bytes.

        Raises:
            NotFoundError: no such payout.
        """,
        method="GET",
        path="/api/v1/payout/memo/{payout_id}",
        request=PayoutIdRequest,
        returns=bytes,
        documented=False,
    )

    list = endpoint(
        doc="""Get All Payout: the merchant's payouts, page by page (the sandbox: oldest first).

        ``async for payout in client.payouts.list(status="PENDING")``, ``await`` it for a list,
        or ``.pages()`` for pages.

        Args:
            page: the first page to fetch (1-based).
            limit: payouts per page.
            status: only payouts in this status.
            payout_method_name: only payouts over this method, e.g. ``"au_bank_acct"``.
            order_id: only the payouts carrying your ``order_id`` (to reconcile after an
                ``OutcomeUnknownError``; this filter is inferred, not documented).

        Raises:
            ValidationError: a filter, ``page`` or ``limit`` is invalid; raised here, before
                anything is fetched.
        """,
        method="GET",
        path="/api/v1/payout",
        request=ListPayoutsRequest,
        returns=paged(Payout),
        documented=False,
    )
