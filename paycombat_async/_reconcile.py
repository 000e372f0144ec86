"""Exactly once, as far as the PayCombat API allows: settle, look up by order_id, maybe resend.

PayCombat has no idempotency key (PayCombat docs: Create Payout), so the only way to know whether
a payout whose answer was lost exists is to look it up by its ``order_id`` (Get All Payout). A
lookup made while the server is still processing the create finds nothing, so an item whose
outcome is unknown waits a *settle period* first, then is looked up with its own retries:

- found: ``created``;
- absent: ``unknown``, or resent when the caller passed ``resend_after_settle=True``; a 409 or a
  "duplicate order" answer to that resend means the payout exists, so it is looked up again.

``Engine`` does this for one item (and journals each step); the batch runs many of them
(``_batch``), and ``payouts.create_reconciled`` runs one (``create_reconciled`` here).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import TYPE_CHECKING, Any, Literal

import anyio
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
from ._journal import Journal, JournalEntry
from ._ratelimit import Limiter
from ._signing import js_dumps
from .models.payout import CreatePayoutRequest, Payout

if TYPE_CHECKING:
    from .resources._base import AsyncMode
    from .resources.payouts import Payouts

__all__ = [
    "DEFAULT_SETTLE",
    "BatchResult",
    "BatchStatus",
    "Engine",
    "Item",
    "create_reconciled",
    "fingerprint",
]

logger = logging.getLogger("paycombat")

_REQUEST_FIELDS = attrs.fields(CreatePayoutRequest)

BatchStatus = Literal["created", "rejected", "unknown"]

DEFAULT_SETTLE = 60.0
"""Seconds to wait after an outcome became unknown before looking the payout up: longer than
PayCombat may still be processing a request whose answer was lost."""
LOOKUP_ATTEMPTS = 4
"""Lookups of one item (each itself retried by the pipeline) before it is left ``unknown``."""
RESENDS = 2
"""Most resends of one item with ``resend_after_settle=True``."""
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


def fingerprint(request: CreatePayoutRequest) -> str:
    """A digest of the payout an item asks for (its order_id aside), kept by the journal."""
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


class Item:
    """One item in flight: what the journal needs to know about it."""

    __slots__ = ("fingerprint", "index", "key", "order_id", "request")

    def __init__(self, index: int, request: CreatePayoutRequest, key: str, order_id: str) -> None:
        self.index = index
        self.request = request
        self.key = key
        self.order_id = order_id
        self.fingerprint = ""


class Engine:
    """The sends, lookups and journal writes of one item; shared by batches and single calls."""

    def __init__(
        self,
        payouts: Payouts[AsyncMode],
        *,
        settle: float,
        resend_after_settle: bool,
        journal: Journal | None,
        pace: Limiter | None,
    ) -> None:
        if settle < 0:
            raise ValidationError("must be >= 0 seconds", field="settle")
        self.payouts = payouts
        self.config = payouts._transport.pipeline.config  # type: ignore[attr-defined]
        self.settle = settle
        self.resend_after_settle = resend_after_settle
        self.journal = journal
        self.pace = pace

    async def _record(self, item: Item, state: Any, **fields: Any) -> None:
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

    async def send(self, item: Item) -> Payout:
        """One Create Payout, recorded as ``sending`` (durably) before it leaves."""
        if self.pace is not None:
            await self.pace.pace()
        await self._record(item, "sending", sent_at=time.time())
        arguments = {field.name: getattr(item.request, field.name) for field in _REQUEST_FIELDS}
        arguments["order_id"] = item.order_id
        payout: Payout = await self.payouts.create(**arguments)
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
                await anyio.sleep(
                    self.config.retry.backoff(attempt, getattr(exc, "retry_after", None))
                )
                continue
            # Only an exact match counts, in case the filter is ignored (it is inferred).
            found = [p for p in page.items if p.order_id == order_id]
            if len(found) > 1:
                logger.warning("%d payouts carry order_id %s", len(found), order_id)
            return found[0] if found else None
        assert last is not None
        raise last

    async def finish(self, item: Item, status: BatchStatus, **fields: Any) -> BatchResult:
        result = BatchResult(index=item.index, order_id=item.order_id, status=status, **fields)
        if self.journal is None:
            return result
        if status == "created":
            assert result.payout is not None
            await self._record(item, "created", payout=_converter.unstructure(result.payout))
        elif result.error is not None:
            await self._record(item, status, error=_error_record(result.error))
        return result

    async def run(self, item: Item) -> BatchResult | tuple[Item, PayCombatError, float]:
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

    async def reconcile(self, item: Item, error: PayCombatError, since: float) -> BatchResult:
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

    async def resume(self, item: Item, entry: JournalEntry) -> BatchResult | None:
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
            timeout = self.config.timeout or 0.0
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


async def create_reconciled(
    payouts: Payouts[AsyncMode], request: CreatePayoutRequest, *, settle: float
) -> Payout:
    """One Create Payout that settles and looks itself up when its outcome is unknown.

    Returns the payout (created now, or found by ``order_id``); raises the API's error if it was
    refused, and ``OutcomeUnknownError`` if it is still absent after the settle period (it was
    not resent).
    """
    if not request.order_id:
        raise ValidationError("is required to reconcile a payout", field="order_id")
    engine = Engine(payouts, settle=settle, resend_after_settle=False, journal=None, pace=None)
    item = Item(0, request, request.order_id, request.order_id)
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
