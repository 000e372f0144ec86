"""Payouts: send money from the merchant payout balance to a beneficiary."""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from decimal import Decimal
from typing import Any

from .. import _batch
from .._batch import DEFAULT_CONCURRENCY, DEFAULT_SETTLE, BatchItem, BatchResult
from .._journal import Journal
from .._pagination import DEFAULT_LIMIT, AsyncPaginator
from .._reconcile import create_reconciled
from .._validation import check_path_id
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
        reconcile: bool = False,
        settle: float = DEFAULT_SETTLE,
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
            reconcile: when the outcome is unknown, wait ``settle`` seconds, then look the
                payout up by ``order_id`` (required then) and return it if found. It is never
                resent: still absent, ``OutcomeUnknownError`` is raised.
            settle: with ``reconcile``, seconds to wait before the lookup: longer than PayCombat
                may still be processing a request whose answer was lost.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            OutcomeUnknownError: the payout may or may not exist. Wait a settle period, then
                look it up by ``order_id`` before sending it again (``reconcile=True`` does so).
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
        if reconcile:
            return await create_reconciled(self, body, settle=settle)
        return await self._call("Create Payout", body=body, cast=Payout)

    async def create_many(
        self,
        items: Iterable[BatchItem] | AsyncIterable[BatchItem],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate_limit: float | None = None,
        journal: str | os.PathLike[str] | Journal | None = None,
        on_progress: Callable[[BatchResult], object] | None = None,
        settle: float = DEFAULT_SETTLE,
        resend_after_settle: bool = False,
    ) -> list[BatchResult]:
        """Create many payouts concurrently, each exactly once as far as the API allows.

        Returns one ``BatchResult`` per item, in input order: ``created`` (with ``payout``),
        ``rejected`` (not created; ``error`` says why; not retried) or ``unknown`` (it may exist;
        reconcile by ``order_id``). One failing item never stops the others.

        An item whose outcome is unknown (timeout, reset, 5xx after sending) is looked up by
        ``order_id`` after ``settle`` seconds, while the other items keep flowing: found, it is
        ``created``; absent, it is resent only with ``resend_after_settle=True``.

        Args:
            items: ``CreatePayoutRequest`` objects or mappings of ``create``'s keyword
                arguments, from any iterable or async iterable, pulled lazily. An item without
                an ``order_id`` gets a generated one (in its result).
            concurrency: items in flight at once (waiting for a slot does not burn an item's
                deadline; the client's connection pool also bounds requests in flight).
            rate_limit: requests per second for this batch, on top of the client's limiter.
            journal: a path (SQLite) or a ``Journal``: each item's state is written before and
                after its send, so re-running the batch after a crash skips created items and
                looks up the ones in flight instead of resending them.
            on_progress: called with each ``BatchResult`` as it completes.
            settle: seconds to wait after an unknown outcome before looking the payout up.
            resend_after_settle: resend an item still absent after the settle period.

        Raises:
            ValidationError: an option is invalid; nothing was sent.
        """
        return await _batch.create_many(
            self,
            items,
            concurrency=concurrency,
            rate_limit=rate_limit,
            journal=journal,
            on_progress=on_progress,
            settle=settle,
            resend_after_settle=resend_after_settle,
        )

    def stream_many(
        self,
        items: Iterable[BatchItem] | AsyncIterable[BatchItem],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate_limit: float | None = None,
        journal: str | os.PathLike[str] | Journal | None = None,
        on_progress: Callable[[BatchResult], object] | None = None,
        settle: float = DEFAULT_SETTLE,
        resend_after_settle: bool = False,
    ) -> AsyncIterator[BatchResult]:
        """Like ``create_many``, yielding each ``BatchResult`` as it completes (any order).

        ``async for result in client.payouts.stream_many(items): ...`` runs in bounded memory
        for any number of items. Leaving the loop early cancels the items in flight; with a
        journal, a re-run picks them up safely.
        """
        return _batch.stream_many(
            self,
            items,
            concurrency=concurrency,
            rate_limit=rate_limit,
            journal=journal,
            on_progress=on_progress,
            settle=settle,
            resend_after_settle=resend_after_settle,
        )

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
