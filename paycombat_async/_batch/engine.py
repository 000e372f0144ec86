"""Batch payouts: the engine behind ``payouts.create_many`` and ``payouts.stream_many``.

Their keyword arguments arrive as one ``BatchOptions``, checked when it is built; the payouts
resource arrives as a ``PayoutsAPI`` and its client's settings as ``ClientSettings``
(``protocol``: this package never imports ``resources``).

The batch pulls items lazily (bounded memory for any number) and runs ``concurrency`` workers
that each send one item at a time (the batch's gate sits outside the call, so waiting never
burns a call's deadline). An item whose outcome is unknown is handed to a reconciler of its own
(``reconcile``), so settling never holds back new sends.

With a journal, the journal owns each item's fate (``journal``): a worker claims the item
before its request leaves, renews its claims while it works, takes a dead worker's claim over
through settle-then-lookup, and waits (without holding a worker) for an item a live worker of
another run holds. Two runs of one batch on one journal therefore share the work and never send
one item twice.

If the item source or a progress callback raises, sending stops, the items in flight finish or
are recorded, and ``BatchAbortedError`` carries every result; leaving ``stream_many`` early
stops sending at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from typing import Any

import anyio
import anyio.abc
import attrs

from .._core.ratelimit import Limiter
from .._exceptions import (
    BatchAbortedError,
    JournalError,
    OutcomeUnknownError,
    PayCombatError,
    PayoutConflictError,
    ValidationError,
)
from ..models import _converter
from ..models.payout import CreatePayoutRequest, Payout
from .journal import Claim, Journal
from .opening import open_journal
from .protocol import ClientSettings, PayoutsAPI
from .reconcile import (
    DEFAULT_SETTLE,
    BatchResult,
    Engine,
    Item,
    check_settle,
    error_from_record,
    fingerprint,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_SETTLE",
    "BatchCounts",
    "BatchItem",
    "BatchOptions",
    "BatchResult",
    "collect",
    "stream_many",
]

logger = logging.getLogger("paycombat")

BatchItem = CreatePayoutRequest | Mapping[str, Any]
JournalArg = str | os.PathLike[str] | Journal | None
ProgressCallback = Callable[[BatchResult], object]

DEFAULT_CONCURRENCY = 32
_END = object()
_FIELDS = frozenset(a.name for a in attrs.fields(CreatePayoutRequest))


@attrs.frozen(kw_only=True)
class BatchCounts:
    """Where a batch stands: passed to ``on_counts`` whenever it changes.

    Attributes:
        sent: Create Payout requests sent (resends included).
        settling: items whose outcome is unknown, waiting out their settle period or being
            looked up.
        waiting: items another run holds, waited for.
        created, rejected, unknown, conflict: items decided, by status.
    """

    sent: int = 0
    settling: int = 0
    waiting: int = 0
    created: int = 0
    rejected: int = 0
    unknown: int = 0
    conflict: int = 0

    @property
    def decided(self) -> int:
        """Items with a result."""
        return self.created + self.rejected + self.unknown + self.conflict


def _check_concurrency(_: Any, __: Any, concurrency: Any) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValidationError("must be a whole number of at least 1", field="concurrency")


def _check_journal(_: Any, __: Any, journal: Any) -> None:
    if journal is not None and not isinstance(journal, (str, os.PathLike, Journal)):
        raise ValidationError(
            "must be a path, a postgresql:// URL or a Journal (lease, open, get, claim, "
            "renew, release, put, aclose)",
            field="journal",
        )


def _check_settle(_: Any, __: Any, settle: float) -> None:
    check_settle(settle)


@attrs.frozen(kw_only=True)
class BatchOptions:
    """How one batch runs: the keyword arguments of ``payouts.create_many`` and ``stream_many``
    (documented there), checked once, here: ``ValidationError`` before anything is sent.

    ``rate_limit`` is checked by the batch's ``Limiter`` (``ConfigurationError``), as the
    client's own ``rate_limit`` is.
    """

    concurrency: int = attrs.field(default=DEFAULT_CONCURRENCY, validator=_check_concurrency)
    rate_limit: float | None = None
    journal: JournalArg = attrs.field(default=None, validator=_check_journal)
    on_progress: ProgressCallback | None = None
    on_counts: Callable[[BatchCounts], object] | None = None
    settle: float = attrs.field(default=DEFAULT_SETTLE, validator=_check_settle)
    resend_after_settle: bool = False


def _as_request(item: Any) -> CreatePayoutRequest:
    """An item as a validated Create Payout body; ``ValidationError`` if it is not one."""
    if isinstance(item, CreatePayoutRequest):
        return item
    if not isinstance(item, Mapping):
        raise ValidationError(
            f"a batch item must be a CreatePayoutRequest or a mapping, not {type(item).__name__}"
        )
    unknown = sorted(str(k) for k in item if k not in _FIELDS)
    if unknown:
        raise ValidationError(f"payouts.create takes no argument {', '.join(unknown)}")
    try:
        return CreatePayoutRequest(**item)
    except TypeError as exc:  # a required argument is missing
        raise ValidationError(str(exc).replace("__init__()", "payouts.create")) from None


def _order_id_of(raw: Any) -> str:
    order_id = raw.get("order_id") if isinstance(raw, Mapping) else getattr(raw, "order_id", "")
    return order_id if isinstance(order_id, str) else ""


class _Batch:
    """One run of ``stream_many``: workers, reconcilers and waiters, and a bounded result queue."""

    def __init__(
        self,
        payouts: PayoutsAPI,
        items: Iterable[BatchItem] | AsyncIterable[BatchItem],
        options: BatchOptions,
        client: ClientSettings,
    ) -> None:
        journal = options.journal
        self._own_journal = isinstance(journal, (str, os.PathLike))
        opened = open_journal(journal) if isinstance(journal, (str, os.PathLike)) else journal
        self.journal = opened
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        rate_limit = options.rate_limit
        self.engine = Engine(
            payouts,
            settle=options.settle,
            resend_after_settle=options.resend_after_settle,
            journal=opened,
            pace=Limiter(rate_limit) if rate_limit is not None else None,
            client=client,
            owner=self.owner,
        )
        self.engine.on_send = self._sent
        self.engine.on_settling = self._settling
        self.engine.on_journal_error = self.abort
        self.concurrency = options.concurrency
        self.on_progress = options.on_progress
        self.on_counts = options.on_counts
        self.counts = BatchCounts()
        self.observer = client.observer  # the batch.items metric, with OpenTelemetry
        # Results wait here for the consumer; ``room`` bounds them (not the queue itself, so the
        # end-of-batch marker can always be queued, whatever happened).
        self.results: asyncio.Queue[BatchResult | None] = asyncio.Queue()
        self.room = asyncio.Semaphore(self.concurrency * 2)
        if isinstance(items, AsyncIterable):
            self._aiter: AsyncIterator[BatchItem] | None = aiter(items)
            self._iter: Iterator[BatchItem] | None = None
        else:
            self._aiter, self._iter = None, iter(items)
        self._pulled = 0
        # The one thing kept per item: two items with one order_id would be one payout to the
        # lookups, so a repeated order_id is refused.
        self._order_ids: set[str] = set()
        self._pull_lock = anyio.Lock()
        self._exhausted = False
        self.failure: BaseException | None = None
        # Items this run holds a claim on (renewed together) and items possibly sent whose
        # result is not out yet (named in a warning if the batch is cancelled).
        self.held: dict[str, Item] = {}
        self.in_flight: dict[str, Item] = {}
        self._work: anyio.abc.TaskGroup | None = None

    # -- progress --------------------------------------------------------------------------

    def _count(self, **changes: int) -> None:
        self.counts = attrs.evolve(
            self.counts, **{k: getattr(self.counts, k) + v for k, v in changes.items()}
        )
        if self.on_counts is not None:
            try:
                self.on_counts(self.counts)
            except Exception as exc:  # noqa: BLE001 (the caller's callback: stop, keep results)
                self.abort(exc)

    def _sent(self) -> None:
        self._count(sent=1)

    def _settling(self, change: int) -> None:
        self._count(settling=change)

    async def _emit(self, result: BatchResult) -> None:
        for tracked in (self.in_flight, self.held):
            item = tracked.get(result.order_id)
            if item is not None and item.index == result.index:
                del tracked[result.order_id]
        self._count(**{result.status: 1})
        if self.observer is not None:
            self.observer.batch_item(result.status)
        if self.on_progress is not None:
            try:
                self.on_progress(result)
            except Exception as exc:  # noqa: BLE001 (the caller's callback: stop, keep results)
                self.abort(exc)
        await self.room.acquire()
        self.results.put_nowait(result)

    def abort(self, exc: BaseException) -> None:
        """Stop sending: no new item is pulled; items settling are reported unknown."""
        if self.failure is None:
            self.failure = exc
        self._exhausted = True
        self.engine.aborted.set()

    # -- pulling items ---------------------------------------------------------------------

    async def _next(self) -> tuple[int, Any] | None:
        if self._exhausted:
            return None
        try:
            if self._aiter is None:  # a plain iterator: next() cannot be interleaved, no lock
                assert self._iter is not None
                item = next(self._iter, _END)
            else:
                async with self._pull_lock:  # one __anext__ at a time
                    if self._exhausted:
                        return None
                    item = await anext(self._aiter, _END)
        except Exception as exc:  # noqa: BLE001 (the item source broke: a CSV reader, a cursor)
            self.abort(exc)
            return None
        if item is _END or self._exhausted:
            self._exhausted = True
            return None
        index, self._pulled = self._pulled, self._pulled + 1
        return index, item

    def _prepare(self, index: int, raw: Any) -> Item | BatchResult:
        try:
            request = _as_request(raw)
            if request.order_id is None and self.journal is not None:
                raise ValidationError(
                    "is required in a batch with a journal: it is the item's identity, in the "
                    "journal and at PayCombat (this item was not sent)",
                    field="order_id",
                )
            if request.order_id is not None and request.order_id in self._order_ids:
                raise ValidationError(
                    "repeats the order_id of an earlier item of this batch; each payout needs "
                    "its own (this one was not sent)",
                    field="order_id",
                )
        except ValidationError as exc:
            return BatchResult(
                index=index, order_id=_order_id_of(raw), status="rejected", error=exc
            )
        order_id = request.order_id or f"pc-{uuid.uuid4().hex}"
        self._order_ids.add(order_id)
        item = Item(index, request, order_id)
        if self.journal is not None:
            item.fingerprint = fingerprint(request)
        return item

    # -- one item --------------------------------------------------------------------------

    async def _worker(self) -> None:
        while (pulled := await self._next()) is not None:
            prepared = self._prepare(*pulled)
            if isinstance(prepared, BatchResult):
                await self._emit(prepared)
            elif self.journal is None:
                await self._send(prepared, claimed=False)
            else:
                if self.engine.pace is not None:
                    await self.engine.pace.pace()  # before the claim: sent_at is when it left
                try:
                    claim = await self._claim(prepared)
                except JournalError as exc:  # not claimed, so not sent; nothing more will be
                    self.abort(exc)
                    await self._emit(
                        BatchResult(
                            index=prepared.index,
                            order_id=prepared.order_id,
                            status="rejected",
                            error=exc,
                        )
                    )
                    continue
                await self._claimed(prepared, claim)

    async def _claim(self, item: Item) -> Claim:
        assert self.journal is not None
        item.sent_at = time.time()
        entry = self.engine.entry(item, "sending")
        asked = time.monotonic()  # the lease starts in the claim's transaction: after this
        claim = await self.journal.claim(entry)
        if claim.action in ("send", "reconcile"):
            item.claimed_until = asked + self.journal.lease
            self.held[item.key] = item
        return claim

    async def _claimed(self, item: Item, claim: Claim) -> None:
        """Act on a claim: send, reconcile, report, or wait for the run that holds the item."""
        previous = claim.previous
        if claim.action == "send":
            await self._send(item, claimed=True)
        elif claim.action == "reconcile":
            assert previous is not None
            self.in_flight[item.order_id] = item
            error = (
                error_from_record(previous.error)
                if previous.error
                else OutcomeUnknownError(
                    f"an earlier run claimed this payout ({previous.state!r}) and did not "
                    "record its outcome",
                    order_id=item.order_id,
                )
            )
            # Settle from when it was last sent (plus that call's whole deadline).
            item.sent_at = previous.sent_at
            elapsed = time.time() - (previous.sent_at or 0.0) - self.engine.timeout
            self._spawn(self._reconcile, item, error, time.monotonic() - max(0.0, elapsed))
        elif claim.action == "wait":
            self._spawn(self._wait_for_other_run, item)
        else:
            await self._emit(self._from_journal(item, claim))

    def _from_journal(self, item: Item, claim: Claim) -> BatchResult:
        """The result an earlier run recorded (``decided``), or the conflict a different payout
        under the same order_id is (``mismatch``)."""
        assert claim.previous is not None
        found = _structured(claim.previous.payout)
        if claim.action == "decided" and claim.previous.state == "created" and found is not None:
            return BatchResult(
                index=item.index, order_id=item.order_id, status="created", payout=found
            )
        why = (
            "the journal recorded a conflict for this order_id"
            if claim.previous.state == "conflict"
            else "the journal holds a different payout under this order_id (another amount, "
            "currency, payee or method)"
        )
        error = PayoutConflictError(
            f"Create Payout {item.order_id!r}: {why}; it was not sent. Check it, then use a "
            "fresh order_id for a new payout",
            order_id=item.order_id,
            found=(found,) if found is not None else (),
        )
        return BatchResult(
            index=item.index,
            order_id=item.order_id,
            status="conflict",
            error=error,
            found=error.found,
        )

    async def _send(self, item: Item, *, claimed: bool) -> None:
        self.in_flight[item.order_id] = item
        outcome = await self.engine.run(item, claimed=claimed)
        if isinstance(outcome, BatchResult):
            await self._emit(outcome)
        else:
            self._spawn(self._reconcile, *outcome)

    def _spawn(self, task: Callable[..., Any], *args: Any) -> None:
        assert self._work is not None
        self._work.start_soon(task, *args)

    async def _reconcile(self, item: Item, error: PayCombatError, since: float) -> None:
        await self._emit(await self.engine.reconcile(item, error, since))

    async def _wait_for_other_run(self, item: Item) -> None:
        """Ask again, at a fraction of the lease, until the run holding ``item`` has decided it
        or died (then this run takes it over)."""
        assert self.journal is not None
        poll = min(self.journal.lease / 4, 1.0)
        self._count(waiting=1)
        try:
            claim: Claim | None = None
            while claim is None or claim.action == "wait":
                with anyio.move_on_after(poll):
                    await self.engine.aborted.wait()
                if self.engine.aborted.is_set():
                    break
                claim = await self._claim(item)
        finally:
            self._count(waiting=-1)
        if claim is not None and claim.action != "wait":
            await self._claimed(item, claim)
            return
        error = OutcomeUnknownError(
            f"Create Payout {item.order_id!r}: another run of this batch holds it and had not "
            "decided it when this run stopped; run the batch again with the same journal",
            order_id=item.order_id,
        )
        await self._emit(
            BatchResult(index=item.index, order_id=item.order_id, status="unknown", error=error)
        )

    async def _renew_claims(self) -> None:
        """Renew this run's claims at a third of the lease, all in one journal write."""
        assert self.journal is not None
        interval = self.journal.lease / 3
        while True:
            await anyio.sleep(interval)
            started = time.monotonic()
            try:
                await self.journal.renew(list(self.held), self.owner)
            except JournalError as exc:  # its items stop being sent once their claims lapse
                logger.warning("the journal could not renew this batch's claims: %s", exc)
                continue
            self.engine.renewed_until = started + self.journal.lease

    # -- the run ---------------------------------------------------------------------------

    async def main(self) -> None:
        try:
            if self.journal is not None:
                await self.journal.open()  # a JournalError here: nothing was sent
            try:
                async with anyio.create_task_group() as outer:
                    if self.journal is not None:
                        outer.start_soon(self._renew_claims)
                    async with anyio.create_task_group() as work:
                        self._work = work
                        for _ in range(self.concurrency):
                            work.start_soon(self._worker)
                    outer.cancel_scope.cancel()  # every item decided: stop renewing
            except BaseException:
                self._warn_unrecorded()
                raise
        except BaseExceptionGroup as group:
            inner = group.exceptions
            if len(inner) == 1 and isinstance(inner[0], Exception):
                raise inner[0] from None  # what stopped the batch, not the task group's wrapper
            raise
        finally:
            if self.journal is not None:
                with anyio.CancelScope(shield=True):
                    await self._release_claims(self.journal)
                    if self._own_journal:
                        await self.journal.aclose()
        if self.failure is not None:
            raise BatchAbortedError(
                f"the batch stopped early: {type(self.failure).__name__}: {self.failure}; "
                "the items in flight were finished or recorded, and every result decided is "
                "in `results` (create_many) or was yielded (stream_many); run the same batch "
                "again"
                + (" with the same journal" if self.journal is not None else "")
                + " to finish it",
            ) from self.failure

    async def _release_claims(self, journal: Journal) -> None:
        """A run that stops early ends its leases (one statement; none are left when it
        finished), so a re-run takes its items over (through a lookup) at once rather than
        after the lease; a run that dies leaves them to expire."""
        try:
            await journal.release(self.owner)
        except JournalError as exc:
            logger.warning("the journal could not release this batch's claims: %s", exc)

    def _warn_unrecorded(self) -> None:
        """Name every item that may have reached PayCombat and whose outcome no one will see."""
        for order_id in self.in_flight:
            if self.journal is None:
                logger.warning(
                    "order_id %s may have reached PayCombat: the batch stopped before its "
                    "outcome was known; look it up with payouts.list(order_id=...)",
                    order_id,
                )
            else:
                logger.info("order_id %s is left to the journal (in flight)", order_id)


def _structured(payout: Any) -> Payout | None:
    if not isinstance(payout, dict):
        return None
    try:
        return _converter.structure(payout, Payout)
    except Exception:  # noqa: BLE001 (a hand-edited journal: as if not recorded)
        return None


def _warn_unseen(journal: Journal | None, results: asyncio.Queue[BatchResult | None]) -> None:
    """Results decided but never handed to the consumer (it left early): without a journal,
    a log line is the only record of a payout that exists or may exist."""
    while not results.empty():
        result = results.get_nowait()
        if result is None or result.status == "rejected" or journal is not None:
            continue
        logger.warning(
            "order_id %s ended %s but the stream was closed before its result was read%s",
            result.order_id,
            result.status,
            f" (payout {result.payout.id})" if result.payout is not None else "",
        )


async def stream_many(
    payouts: PayoutsAPI,
    items: Iterable[BatchItem] | AsyncIterable[BatchItem],
    options: BatchOptions,
    client: ClientSettings,
) -> AsyncGenerator[BatchResult, None]:
    """The engine behind ``payouts.stream_many``: each result as it is decided."""
    batch = _Batch(payouts, items, options, client)
    task = asyncio.create_task(batch.main())
    task.add_done_callback(lambda _: batch.results.put_nowait(None))
    try:
        while (result := await batch.results.get()) is not None:
            batch.room.release()
            yield result
        await task  # raises what stopped the batch, if anything did
    finally:
        if not task.done():
            # Left early or cancelled: stop sending at once, and wait until the items in
            # flight have stopped, so that every item's state is settled (and journaled).
            batch.abort(asyncio.CancelledError("the stream was closed"))
            task.cancel()
            with anyio.CancelScope(shield=True), contextlib.suppress(BaseException):
                await task
        _warn_unseen(batch.journal, batch.results)


async def collect(stream: AsyncIterator[BatchResult]) -> list[BatchResult]:
    """``payouts.create_many`` from ``stream_many``: every result, in input order.

    The loop only appends, so ``stream`` always runs to its end or to its own exception (a
    cancellation lands inside it too): it needs no closing here.
    """
    results: list[BatchResult] = []
    try:
        async for result in stream:
            results.append(result)
    except BatchAbortedError as exc:
        exc.results = sorted(results, key=lambda result: result.index)
        exc.may_have_taken_effect = any(r.status != "rejected" for r in results)
        raise
    results.sort(key=lambda result: result.index)
    return results
