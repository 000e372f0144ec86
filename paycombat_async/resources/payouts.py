"""Payouts: send money from the merchant payout balance to a beneficiary."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable

from .._batch import engine
from .._batch.engine import DEFAULT_CONCURRENCY, BatchCounts, BatchItem, BatchOptions
from .._batch.journal import Journal
from .._batch.protocol import ClientSettings
from .._batch.reconcile import DEFAULT_SETTLE, BatchResult, create_reconciled
from .._core.retry import Resend
from ..models.payout import (
    CreatePayoutRequest,
    ListPayoutsRequest,
    Payout,
    PayoutIdRequest,
    PayoutStatus,
    SimulatePayoutRequest,
)
from ..webhooks._waiting import PAYOUT
from ._base import AsyncMode, M, Resource, paged
from ._declare import endpoint
from ._dual import dual_iterator, dual_method

__all__ = ["Payouts"]


class Payouts(Resource[M]):
    """``client.payouts``: create, simulate (sandbox), retrieve, list, and download memos."""

    client_attribute = "payouts"

    def _batch_settings(self: Payouts[AsyncMode]) -> ClientSettings:
        config = self.client_config
        assert config is not None  # hand-written methods run on the async client's resources
        return ClientSettings.of(config)

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

    @dual_method("payouts.create")
    async def create_reconciled(
        self: Payouts[AsyncMode],
        request: CreatePayoutRequest,
        *,
        settle: float = DEFAULT_SETTLE,
    ) -> Payout:
        """Create Payout, reconciled: when its outcome is unknown, settle, then look it up.

        For a web app that must not send a payout twice: if the create times out, is reset or
        answered 5xx after it may have arrived, this waits ``settle`` seconds (longer than
        PayCombat may still be processing it), then looks the payout up by ``order_id`` (with
        its own retries) and returns it if found. It is never resent.

        Args:
            request: the payout (``CreatePayoutRequest(...)``, validated when built); its
                ``order_id`` is required.
            settle: seconds to wait before the lookup.

        Raises:
            ValidationError: no ``order_id``; nothing was sent.
            OutcomeUnknownError: still absent after the settle period (it was not resent).
            APIError: PayCombat refused the payout (nothing was created).
        """
        client = self._batch_settings()
        return await create_reconciled(self, request, settle=settle, client=client)

    @dual_iterator
    async def stream_many(
        self: Payouts[AsyncMode],
        items: Iterable[BatchItem] | AsyncIterable[BatchItem],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate_limit: float | None = None,
        journal: str | os.PathLike[str] | Journal | None = None,
        on_progress: Callable[[BatchResult], object] | None = None,
        on_counts: Callable[[BatchCounts], object] | None = None,
        settle: float = DEFAULT_SETTLE,
        resend_after_settle: bool = False,
    ) -> AsyncIterator[BatchResult]:
        """Like ``create_many``, yielding each ``BatchResult`` as it completes (any order).

        ``async for result in client.payouts.stream_many(items): ...`` runs in bounded memory
        for any number of items. Closing the stream early (``aclose()``, or leaving its
        ``async with contextlib.aclosing(...)`` block) stops sending at once and cancels the
        items in flight: with a journal, a re-run picks them up safely; without one, every
        item that may have reached PayCombat is named in a WARNING log. If the item source or
        a callback raises, the results decided so far are yielded, then ``BatchAbortedError``
        is raised.
        """
        options = BatchOptions(
            concurrency=concurrency,
            rate_limit=rate_limit,
            journal=journal,
            on_progress=on_progress,
            on_counts=on_counts,
            settle=settle,
            resend_after_settle=resend_after_settle,
        )
        results = engine.stream_many(self, items, options, self._batch_settings())
        async with contextlib.aclosing(results):
            async for result in results:
                yield result

    # stream_many gathered: one signature for both (help(), inspect.signature, mypy).
    create_many = stream_many.collected(
        engine.collect,
        returns="builtins.list[BatchResult]",
        moves_money_as="payouts.create",
        doc="""Create many payouts concurrently, each exactly once as far as the API allows.

        Returns one ``BatchResult`` per item, in input order: ``created`` (with ``payout``),
        ``rejected`` (not created; ``error`` says why), ``unknown`` (it may exist; ``error``
        says what was tried and what to run next) or ``conflict`` (a payout under its
        ``order_id`` is not this item's: ``found`` holds it; nothing was resent). One failing
        item never stops the others.

        An item whose outcome is unknown (timeout, reset, 5xx after sending) is looked up by
        ``order_id`` after ``settle`` seconds, while the other items keep flowing. Found and
        matching (amount, currency, payee), it is ``created``; absent, it is resent only with
        ``resend_after_settle=True``, and only when the lookup can vouch for the absence (every
        page read, the filter honoured by the server).

        Args:
            items: ``CreatePayoutRequest`` objects or mappings of ``create``'s keyword
                arguments, from any iterable or async iterable, pulled lazily. Without a
                journal an item without an ``order_id`` gets a generated one (in its result);
                with a journal every item needs its own ``order_id`` (a string).
            concurrency: items in flight at once (waiting for a slot does not burn an item's
                deadline; the client's connection pool also bounds requests in flight).
            rate_limit: requests per second for this batch, on top of the client's limiter.
            journal: a path (SQLite), a ``postgresql://`` URL (``PostgresJournal``, with the
                ``postgres`` extra) or a ``Journal``: each item is claimed in it before its
                request leaves and its outcome recorded after, so a re-run after a crash skips
                decided items and looks up the ones in flight instead of resending them, and
                several runs of one batch on one journal share the work, never sending an item
                twice.
            on_progress: called with each ``BatchResult`` as it completes.
            on_counts: called with a ``BatchCounts`` (sent, settling, created, ...) whenever
                they change.
            settle: seconds to wait after an unknown outcome before looking the payout up.
            resend_after_settle: resend an item provably absent after the settle period.

        Raises:
            ValidationError: an option is invalid; nothing was sent.
            ConfigurationError: ``rate_limit`` is not a positive number; nothing was sent.
            JournalError: the journal cannot be opened or read; nothing was sent.
            BatchAbortedError: the item source or a callback raised: sending stopped, the
                items in flight were finished or recorded, and ``results`` holds every result.
        """,
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
