"""Batch payouts: ``payouts.create_many`` and ``payouts.stream_many``.

The batch pulls items lazily (bounded memory for any number), runs ``concurrency`` workers that
each send one item at a time (the batch's gate sits outside the call, so waiting never burns a
call's deadline), hands unknown outcomes to reconcilers so other items keep flowing (see
``_reconcile`` for how an unknown outcome is settled), and writes each item's state to the
journal before and after its send, so a re-run resumes safely.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Mapping,
)
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc
import attrs

from ._exceptions import PayCombatError, ValidationError
from ._journal import Journal, SQLiteJournal
from ._ratelimit import Limiter
from ._reconcile import DEFAULT_SETTLE, BatchResult, Engine, Item, fingerprint
from .models.payout import CreatePayoutRequest

if TYPE_CHECKING:
    from .resources._base import AsyncMode
    from .resources.payouts import Payouts

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_SETTLE",
    "BatchItem",
    "BatchResult",
    "create_many",
    "stream_many",
]

BatchItem = CreatePayoutRequest | Mapping[str, Any]
JournalArg = str | os.PathLike[str] | Journal | None
ProgressCallback = Callable[[BatchResult], object]

DEFAULT_CONCURRENCY = 32
_END = object()
_FIELDS = frozenset(a.name for a in attrs.fields(CreatePayoutRequest))


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


class _Batch:
    """One run of ``stream_many``: workers pulling items, reconcilers, a bounded result queue."""

    def __init__(
        self,
        payouts: Payouts[AsyncMode],
        items: Iterable[BatchItem] | AsyncIterable[BatchItem],
        *,
        concurrency: int,
        rate_limit: float | None,
        journal: JournalArg,
        on_progress: ProgressCallback | None,
        settle: float,
        resend_after_settle: bool,
    ) -> None:
        if concurrency < 1:
            raise ValidationError("must be at least 1", field="concurrency")
        self._own_journal = isinstance(journal, (str, os.PathLike))
        opened: Journal | None = (
            SQLiteJournal(journal) if isinstance(journal, (str, os.PathLike)) else journal
        )
        self.engine = Engine(
            payouts,
            settle=settle,
            resend_after_settle=resend_after_settle,
            journal=opened,
            pace=Limiter(rate_limit) if rate_limit is not None else None,
        )
        self.concurrency = concurrency
        self.on_progress = on_progress
        # Results wait here for the consumer; ``room`` bounds them (not the queue itself, so the
        # end-of-batch marker can always be queued, whatever happened).
        self.results: asyncio.Queue[BatchResult | None] = asyncio.Queue()
        self.room = asyncio.Semaphore(concurrency * 2)
        if isinstance(items, AsyncIterable):
            self._aiter: AsyncIterator[BatchItem] | None = aiter(items)
            self._iter: Iterable[BatchItem] | None = None
        else:
            self._aiter, self._iter = None, iter(items)
        self._pulled = 0
        # The one thing kept per item: two items with one order_id would be one payout to the
        # lookups, so a repeated order_id is refused.
        self._order_ids: set[str] = set()
        self._pull_lock = anyio.Lock()
        self._exhausted = False
        # Reconcilers wait out their settle period without a worker; this bounds how many.
        self._reconcilers = anyio.Semaphore(max(concurrency * 4, 64))
        self._task_group: anyio.abc.TaskGroup | None = None

    async def _next(self) -> tuple[int, Any] | None:
        if self._aiter is None:  # a plain iterator: next() cannot be interleaved, no lock
            return self._take(next, self._iter)
        async with self._pull_lock:  # one __anext__ at a time
            try:
                return self._take(None, await self._aiter.__anext__())
            except StopAsyncIteration:
                return self._take(None, _END)

    def _take(self, pull: Any, source: Any) -> tuple[int, Any] | None:
        if self._exhausted:
            return None
        item = pull(source, _END) if pull is not None else source
        if item is _END:
            self._exhausted = True
            return None
        index, self._pulled = self._pulled, self._pulled + 1
        return index, item

    async def _emit(self, result: BatchResult) -> None:
        if self.on_progress is not None:
            self.on_progress(result)
        await self.room.acquire()
        self.results.put_nowait(result)

    async def _prepare(self, index: int, raw: Any) -> Item | BatchResult:
        try:
            request = _as_request(raw)
        except ValidationError as exc:
            order_id = raw.get("order_id") if isinstance(raw, Mapping) else None
            return BatchResult(
                index=index, order_id=str(order_id or ""), status="rejected", error=exc
            )
        if request.order_id is not None:
            if request.order_id in self._order_ids:
                error = ValidationError(
                    "repeats the order_id of an earlier item of this batch; each payout needs "
                    "its own (this one was not sent)",
                    field="order_id",
                )
                return BatchResult(
                    index=index, order_id=request.order_id, status="rejected", error=error
                )
            self._order_ids.add(request.order_id)
        key = request.order_id or f"#{index}"
        item = Item(index, request, key, request.order_id or f"pc-{uuid.uuid4().hex}")
        journal = self.engine.journal
        if journal is None:
            return item
        item.fingerprint = fingerprint(request)
        entry = await journal.get(key)
        if entry is None:
            return item
        item.order_id = entry.order_id  # a generated order_id is reused on a re-run
        return await self.engine.resume(item, entry) or item

    async def _reconcile(self, item: Item, error: PayCombatError, since: float) -> None:
        try:
            await self._emit(await self.engine.reconcile(item, error, since))
        finally:
            self._reconcilers.release()

    async def _worker(self) -> None:
        while (pulled := await self._next()) is not None:
            prepared = await self._prepare(*pulled)
            if isinstance(prepared, BatchResult):
                await self._emit(prepared)
                continue
            outcome = await self.engine.run(prepared)
            if isinstance(outcome, BatchResult):
                await self._emit(outcome)
                continue
            await self._reconcilers.acquire()
            assert self._task_group is not None
            self._task_group.start_soon(self._reconcile, *outcome)

    async def main(self) -> None:
        try:
            async with anyio.create_task_group() as tg:
                self._task_group = tg
                for _ in range(self.concurrency):
                    tg.start_soon(self._worker)
        except Exception as exc:
            inner: tuple[BaseException, ...] = getattr(exc, "exceptions", ())
            if len(inner) == 1 and isinstance(inner[0], Exception):
                raise inner[0] from None  # what stopped the batch, not the task group's wrapper
            raise
        finally:
            if self._own_journal and self.engine.journal is not None:
                with anyio.CancelScope(shield=True):
                    await self.engine.journal.aclose()


async def stream_many(
    payouts: Payouts[AsyncMode],
    items: Iterable[BatchItem] | AsyncIterable[BatchItem],
    **options: Any,
) -> AsyncGenerator[BatchResult, None]:
    """The engine behind ``payouts.stream_many``; ``options`` are its keyword arguments."""
    batch = _Batch(payouts, items, **options)
    task = asyncio.create_task(batch.main())
    task.add_done_callback(lambda _: batch.results.put_nowait(None))
    try:
        while (result := await batch.results.get()) is not None:
            batch.room.release()
            yield result
        await task  # raises what stopped the batch, if anything did
    finally:
        if not task.done():
            # Left early or cancelled: stop the items in flight and wait until they have
            # stopped, so that every item's state is settled (and journaled) when this returns.
            task.cancel()
            with anyio.CancelScope(shield=True), contextlib.suppress(asyncio.CancelledError):
                await task


async def create_many(
    payouts: Payouts[AsyncMode],
    items: Iterable[BatchItem] | AsyncIterable[BatchItem],
    **options: Any,
) -> list[BatchResult]:
    """The engine behind ``payouts.create_many``: every result, in input order."""
    async with contextlib.aclosing(stream_many(payouts, items, **options)) as stream:
        results = [result async for result in stream]
    results.sort(key=lambda result: result.index)
    return results
