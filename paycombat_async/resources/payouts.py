"""Payouts: send money from the merchant payout balance to a beneficiary."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .._pagination import DEFAULT_LIMIT, AsyncPaginator
from .._validation import check_path_id
from .._waiting import wait_for_payout
from ..models.payout import (
    CreatePayoutRequest,
    Payout,
    PayoutBeneficiaryParam,
    PayoutStatus,
    SimulatePayoutRequest,
)
from ._base import Resource

__all__ = ["Payouts"]


class Payouts(Resource):
    """``client.payouts``: create, simulate (sandbox), retrieve, list, and download memos."""

    async def create(
        self,
        *,
        payout_beneficiary_param: PayoutBeneficiaryParam | dict[str, Any],
        sender_amount: Decimal | int,
        sender_currency: str,
        sender_country: str,
        payout_method_name: str,
        beneficiary_amount: Decimal | int | None = None,
        beneficiary_currency: str | None = None,
        purpose_code: str | None = None,
        order_id: str | None = None,
    ) -> Payout:
        """Create Payout: send ``sender_amount`` to a beneficiary over ``payout_method_name``.

        Moves money, so it is never resent once it may have reached PayCombat: a timeout, a
        dropped connection or a 5xx raises ``OutcomeUnknownError``. Always pass your own
        ``order_id`` so such a payout can be found again.

        Args:
            payout_beneficiary_param: who receives the money; the fields the method needs come
                from ``payout_methods.required_fields(payout_method_name)``.
            sender_amount: the amount debited, in major units (``Decimal("12.50")``).
            sender_currency: ISO 4217 code of ``sender_amount``.
            sender_country: ISO 3166-1 alpha-2 code of the sending country.
            payout_method_name: the rail, e.g. ``"au_bank_acct"``.
            beneficiary_amount: the amount the beneficiary receives, if it differs.
            beneficiary_currency: ISO 4217 code of ``beneficiary_amount``.
            purpose_code: why the money moves, e.g. ``"SELF"``.
            order_id: your reference for this payout, echoed on the payout and its webhooks.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            OutcomeUnknownError: the payout may or may not exist; reconcile by ``order_id``.
        """
        body = CreatePayoutRequest(
            payout_beneficiary_param=payout_beneficiary_param,
            sender_amount=sender_amount,
            sender_currency=sender_currency,
            sender_country=sender_country,
            payout_method_name=payout_method_name,
            beneficiary_amount=beneficiary_amount,
            beneficiary_currency=beneficiary_currency,
            purpose_code=purpose_code,
            order_id=order_id,
        )
        return await self._call("Create Payout", body=body, cast=Payout)

    async def retrieve(self, id: str) -> Payout:
        """Retrieve Payout: one payout by its PayCombat id."""
        return await self._call(
            "Retrieve Payout", path_params={"id": check_path_id("id", id)}, cast=Payout
        )

    async def simulate(self, payout_id: str, *, status: PayoutStatus | str) -> Payout:
        """Simulate Payout: drive a sandbox payout to a final status (sandbox only).

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
        """
        body = SimulatePayoutRequest(payout_id=payout_id, status=status)
        return await self._call("Simulate Payout", body=body, cast=Payout)

    async def retrieve_memo(self, id: str) -> bytes:
        """Retrieve Payout Memo (PDF): the payout's memo as PDF bytes.

        Raises:
            NotFoundError: no such payout.
        """
        return await self._call_bytes(
            "Retrieve Payout Memo (PDF)", path_params={"id": check_path_id("id", id)}
        )

    async def wait_for(
        self,
        id: str,
        statuses: Iterable[PayoutStatus | str] | None = None,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
    ) -> Payout:
        """Wait until a payout reaches one of ``statuses`` (default: SUCCESS, FAILED, RETURNED).

        Returns as soon as a webhook receiver in this process (``paycombat_async.webhooks`` or
        ``paycombat_sync.webhooks``) gets a verified notification for it; otherwise polls
        Retrieve Payout every ``poll_interval`` seconds, backing off, never past ``timeout``.

        Raises:
            APITimeoutError: the payout did not reach ``statuses`` within ``timeout`` seconds.
            NotFoundError: no such payout.
        """
        return await wait_for_payout(
            self.retrieve, id, statuses, timeout=timeout, poll_interval=poll_interval
        )

    def list(
        self,
        *,
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
        status: PayoutStatus | str | None = None,
        payout_method_name: str | None = None,
        order_id: str | None = None,
    ) -> AsyncPaginator[Payout]:
        """Get All Payout: the merchant's payouts, page by page (the sandbox lists oldest first).

        ``async for payout in client.payouts.list(status="PENDING")``; ``.pages()`` for pages.

        Args:
            page: the first page to fetch (1-based).
            limit: payouts per page.
            status: only payouts in this status.
            payout_method_name: only payouts over this method, e.g. ``"au_bank_acct"``.
            order_id: only the payouts carrying your ``order_id`` (to reconcile after an
                ``OutcomeUnknownError``; this filter is inferred, not documented).
        """
        return self._paginate(
            "Get All Payout",
            item=Payout,
            filters={
                "status": status,
                "payout_method_name": payout_method_name,
                "order_id": order_id,
            },
            page=page,
            limit=limit,
        )
