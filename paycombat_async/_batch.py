"""Batch payouts, exactly once as far as the API allows: ``payouts.create_many``/``stream_many``.

PayCombat has no idempotency key (PayCombat docs: Create Payout), so the only way to know whether
a payout whose answer was lost exists is to look it up by its ``order_id`` (Get All Payout). A
lookup made while the server is still processing the create finds nothing, so an item whose
outcome is unknown waits a *settle period* first, then is looked up with its own retries:

- found: ``created``;
- absent: ``unknown``, or resent when the caller passed ``resend_after_settle=True``; a 409 or a
  "duplicate order" answer to that resend means the payout exists, so it is looked up again.

The engine pulls items lazily (bounded memory for any number), runs ``concurrency`` workers that
each send one item at a time (the batch's gate sits outside the call, so waiting never burns a
call's deadline), hands unknown outcomes to reconcilers so other items keep flowing, and writes
each item's state to the journal before and after its send, so a re-run resumes safely.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import time
import uuid
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Mapping,
)
from typing import TYPE_CHECKING, Any, Literal

import anyio
import anyio.abc
import attrs

from . import _converter
from ._exceptions import (
    APIError,
    ClientStateError,
    ConflictError,
    OutcomeUnknownError,
    PayCombatError,
    ValidationError,
)
from ._journal import Journal, JournalEntry, SQLiteJournal
from ._ratelimit import Limiter
from ._routes import OPERATIONS
from ._signing import js_dumps
from .models.payout import CreatePayoutRequest, Payout

if TYPE_CHECKING:
    from .resources.payouts import Payouts

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_SETTLE",
    "BatchItem",
    "BatchResult",
    "BatchStatus",
    "create_reconciled",
    "stream_many",
]

logger = logging.getLogger("paycombat")

BatchStatus = Literal["created", "rejected", "unknown"]
BatchItem = CreatePayoutRequest | Mapping[str, Any]
JournalArg = str | os.PathLike[str] | Journal | None
ProgressCallback = Callable[["BatchResult"], object]

DEFAULT_CONCURRENCY = 32
DEFAULT_SETTLE = 60.0
"""Seconds to wait after an outcome became unknown before looking the payout up: longer than
PayCombat may still be processing a request whose answer was lost."""
LOOKUP_ATTEMPTS = 4
"""Lookups of one item (each itself retried by the pipeline) before it is left ``unknown``."""
RESENDS = 2
"""Most resends of one item with ``resend_after_settle=True``."""
_END = object()
_FIELDS = frozenset(a.name for a in attrs.fields(CreatePayoutRequest)) - {"extra"}
_DUPLICATE = re.compile(r"duplicate|already (exists|used|taken)", re.IGNORECASE)


@attrs.frozen(kw_only=True)
class BatchResult:
    """The outcome of one item of a batch.

    Attributes:
        index: the item's position in the input (0-based).
        order_id: the ``order_id`` the payout carries (generated when the item had none).
        status: ``"created"`` (``payout`` is set), ``"rejected"`` (not created: the API refused
            it, or it provably never reached the API; ``error`` says why; not retried), or
            ``"unknown"`` (it may exist: still absent after the settle period and not resent,
            or the lookups failed; ``error`` says why; reconcile by ``order_id``).
        payout: the payout, when created.
        error: the typed error, when rejected or unknown.
    """

    index: int
    order_id: str
    status: BatchStatus
    payout: Payout | None = None
    error: PayCombatError | None = None


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


def _fingerprint(request: CreatePayoutRequest) -> str:
    body = js_dumps(_converter.unstructure(attrs.evolve(request, order_id=None)))
    return hashlib.sha256(body).hexdigest()[:32]


def _error_record(error: PayCombatError) -> dict[str, Any]:
    return {"type": type(error).__name__, "message": error.message, "status": error.status}


def _error_from_record(record: dict[str, Any] | None) -> PayCombatError:
    from . import _exceptions

    record = record or {}
    cls = getattr(_exceptions, str(record.get("type")), None)
    if not (isinstance(cls, type) and issubclass(cls, PayCombatError)):
        cls = PayCombatError
    message = f"{record.get('message') or 'failed'} (recorded by the journal)"
    return cls(message, status=record.get("status"))


def _is_duplicate(error: PayCombatError) -> bool:
    return isinstance(error, ConflictError) or (
        isinstance(error, APIError) and bool(_DUPLICATE.search(error.message))
    )


class _Item:
    """One item in flight: what the journal needs to know about it."""

    __slots__ = ("fingerprint", "index", "key", "order_id", "request")

    def __init__(self, index: int, request: CreatePayoutRequest, key: str, order_id: str) -> None:
        self.index = index
        self.request = request
        self.key = key
        self.order_id = order_id
        self.fingerprint = ""


class _Engine:
    """The sends, lookups and journal writes of one item; shared by batches and single calls."""

    def __init__(
        self,
        payouts: Payouts,
        *,
        settle: float,
        resend_after_settle: bool,
        journal: Journal | None,
        pace: Limiter | None,
    ) -> None:
        if settle < 0:
            raise ValidationError("must be >= 0 seconds", field="settle")
        self.payouts = payouts
        self.pipeline = payouts._pipeline
        self.settle = settle
        self.resend_after_settle = resend_after_settle
        self.journal = journal
        self.pace = pace

    async def _record(self, item: _Item, state: Any, **fields: Any) -> None:
        if self.journal is not None:
            await self.journal.put(
                JournalEntry(
                    key=item.key,
                    order_id=item.order_id,
                    fingerprint=item.fingerprint,
                    state=state,
                    **fields,
                )
            )

    async def send(self, item: _Item) -> Payout:
        """One Create Payout, recorded as ``sending`` (durably) before it leaves."""
        if self.pace is not None:
            await self.pace.pace()
        await self._record(item, "sending", sent_at=time.time())
        request = item.request
        if request.order_id != item.order_id:
            request = attrs.evolve(request, order_id=item.order_id)
        payout: Payout = await self.pipeline.call(
            OPERATIONS["Create Payout"], body=request, cast=Payout
        )
        return payout

    async def lookup(self, order_id: str) -> Payout | None:
        """The payout carrying ``order_id``, ``None`` if absent; raises if every try failed."""
        last: PayCombatError | None = None
        for attempt in range(1, LOOKUP_ATTEMPTS + 1):
            if self.pace is not None:
                await self.pace.pace()
            try:
                page = await self.payouts.list(order_id=order_id, limit=100).fetch_page(1)
            except ClientStateError:
                raise
            except PayCombatError as exc:
                last = exc
                await anyio.sleep(self.pipeline.config.retry.backoff(attempt, exc))
                continue
            # Only an exact match counts, in case the filter is ignored (it is inferred).
            found = [p for p in page.items if p.order_id == order_id]
            if len(found) > 1:
                logger.warning("%d payouts carry order_id %s", len(found), order_id)
            return found[0] if found else None
        assert last is not None
        raise last

    async def finish(self, item: _Item, status: BatchStatus, **fields: Any) -> BatchResult:
        result = BatchResult(index=item.index, order_id=item.order_id, status=status, **fields)
        if self.journal is None:
            return result
        if status == "created":
            assert result.payout is not None
            await self._record(item, "created", payout=_converter.unstructure(result.payout))
        elif result.error is not None:
            await self._record(item, status, error=_error_record(result.error))
        return result

    async def run(self, item: _Item) -> BatchResult | tuple[_Item, PayCombatError, float]:
        """Send a fresh item. An unknown outcome comes back as (item, error, when) to settle."""
        try:
            payout = await self.send(item)
        except ClientStateError:
            raise
        except PayCombatError as exc:
            if _is_duplicate(exc):
                return (item, exc, 0.0)  # the order exists already: look it up, no settling
            if exc.may_have_taken_effect:
                return (item, exc, time.monotonic())
            return await self.finish(item, "rejected", error=exc)
        return await self.finish(item, "created", payout=payout)

    async def reconcile(self, item: _Item, error: PayCombatError, since: float) -> BatchResult:
        """Settle, look up, and (only if asked) resend, until the item's outcome is known."""
        await self._record(item, "unknown", error=_error_record(error), sent_at=time.time())
        resent = 0
        waited_for_duplicate = False
        while True:
            await anyio.sleep(max(0.0, since + self.settle - time.monotonic()))
            try:
                found = await self.lookup(item.order_id)
            except ClientStateError:
                raise
            except PayCombatError as exc:
                logger.warning("order_id %s could not be looked up: %s", item.order_id, exc)
                return await self.finish(item, "unknown", error=error)
            if found is not None:
                return await self.finish(item, "created", payout=found)
            if _is_duplicate(error) and not waited_for_duplicate:
                # Refused as a duplicate yet not listed: it exists and is still being processed.
                waited_for_duplicate, since = True, time.monotonic()
                continue
            if _is_duplicate(error) or not self.resend_after_settle or resent == RESENDS:
                return await self.finish(item, "unknown", error=error)
            logger.info("order_id %s absent after settling: resending", item.order_id)
            resent += 1
            outcome = await self.run(item)
            if isinstance(outcome, BatchResult):
                return outcome
            _, error, since = outcome

    async def resume(self, item: _Item, entry: JournalEntry) -> BatchResult | None:
        """What the journal says about an item from an earlier run (``None``: send it)."""
        if entry.fingerprint != item.fingerprint and entry.state != "rejected":
            mismatch = ValidationError(
                f"the journal holds a different payout under {item.key!r}; use a new journal "
                "for a new batch",
                field="journal",
            )
            return BatchResult(
                index=item.index, order_id=entry.order_id, status="rejected", error=mismatch
            )
        if entry.state == "created" and entry.payout is not None:
            payout = _converter.structure(entry.payout, Payout)
            return BatchResult(
                index=item.index, order_id=item.order_id, status="created", payout=payout
            )
        if entry.state in ("sending", "unknown"):
            # Sent by an earlier run that may have died mid-call: never resend without a lookup.
            timeout = self.pipeline.config.timeout or 0.0
            elapsed = time.time() - (entry.sent_at or 0.0)
            since = time.monotonic() - max(0.0, elapsed - timeout)
            error: PayCombatError = (
                _error_from_record(entry.error)
                if entry.error
                else OutcomeUnknownError(
                    "An earlier run sent this payout and did not record its outcome."
                )
            )
            return await self.reconcile(item, error, since)
        return None  # rejected earlier: nothing was created, so it may be sent again


class _Batch:
    """One run of ``stream_many``: workers pulling items, reconcilers, a bounded result queue."""

    def __init__(
        self,
        payouts: Payouts,
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
        self.engine = _Engine(
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

    async def _prepare(self, index: int, raw: Any) -> _Item | BatchResult:
        try:
            request = _as_request(raw)
        except ValidationError as exc:
            order_id = raw.get("order_id") if isinstance(raw, Mapping) else None
            return BatchResult(
                index=index, order_id=str(order_id or ""), status="rejected", error=exc
            )
        key = request.order_id or f"#{index}"
        item = _Item(index, request, key, request.order_id or f"pc-{uuid.uuid4().hex}")
        journal = self.engine.journal
        if journal is None:
            return item
        item.fingerprint = _fingerprint(request)
        entry = await journal.get(key)
        if entry is None:
            return item
        item.order_id = entry.order_id  # a generated order_id is reused on a re-run
        return await self.engine.resume(item, entry) or item

    async def _reconcile(self, item: _Item, error: PayCombatError, since: float) -> None:
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
    payouts: Payouts,
    items: Iterable[BatchItem] | AsyncIterable[BatchItem],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate_limit: float | None = None,
    journal: JournalArg = None,
    on_progress: ProgressCallback | None = None,
    settle: float = DEFAULT_SETTLE,
    resend_after_settle: bool = False,
) -> AsyncGenerator[BatchResult, None]:
    """The engine behind ``payouts.stream_many``; see its docstring."""
    batch = _Batch(
        payouts,
        items,
        concurrency=concurrency,
        rate_limit=rate_limit,
        journal=journal,
        on_progress=on_progress,
        settle=settle,
        resend_after_settle=resend_after_settle,
    )
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
    payouts: Payouts,
    items: Iterable[BatchItem] | AsyncIterable[BatchItem],
    **options: Any,
) -> list[BatchResult]:
    """The engine behind ``payouts.create_many``: every result, in input order."""
    async with contextlib.aclosing(stream_many(payouts, items, **options)) as stream:
        results = [result async for result in stream]
    results.sort(key=lambda result: result.index)
    return results


async def create_reconciled(
    payouts: Payouts, request: CreatePayoutRequest, *, settle: float
) -> Payout:
    """One Create Payout that settles and looks itself up when its outcome is unknown.

    Returns the payout (created now, or found by ``order_id``); raises the API's error if it was
    refused, and ``OutcomeUnknownError`` if it is still absent after the settle period (it was
    not resent).
    """
    if not request.order_id:
        raise ValidationError("is required with reconcile=True", field="order_id")
    engine = _Engine(payouts, settle=settle, resend_after_settle=False, journal=None, pace=None)
    item = _Item(0, request, request.order_id, request.order_id)
    outcome = await engine.run(item)
    if not isinstance(outcome, BatchResult):
        outcome = await engine.reconcile(*outcome)
    if outcome.payout is not None:
        return outcome.payout
    assert outcome.error is not None
    if outcome.status == "unknown":
        raise OutcomeUnknownError(
            f"Create Payout {request.order_id!r}: its outcome was unknown and it was not found "
            f"by order_id after settling for {settle:g}s; it was not resent "
            f"({outcome.error.message})"
        ) from outcome.error
    raise outcome.error
