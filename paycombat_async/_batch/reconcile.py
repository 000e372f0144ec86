"""Exactly once, as far as the PayCombat API allows: settle, look up by order_id, maybe resend.

PayCombat has no idempotency key (PayCombat docs: Create Payout), so the only way to know whether
a payout whose answer was lost exists is to look it up by its ``order_id`` (Get All Payout). A
lookup made while the server is still processing the create finds nothing, so an item whose
outcome is unknown waits a *settle period* first. The lookup is evidence, not truth:

- it reads every page for the ``order_id`` (up to ``LOOKUP_PAGES``); if the server evidently
  ignores the filter (other orders come back) or the pages repeat or run past the bound, an
  absence proves nothing, and the item ends ``unknown``: never resent on that evidence;
- a payout found must be this item's: same ``order_id``, amount, currency and payee as far as
  the payout carries them; one that is not, or two payouts under one ``order_id``, is a
  ``conflict``, never ``created``;
- an absence the lookup can vouch for ends ``unknown``, or is resent when the caller passed
  ``resend_after_settle=True``; a "duplicate order_id" answer to that resend means the payout
  exists, so it is looked up again.

``Engine`` does this for one item (and journals each step); the batch runs many of them
(``engine``), and ``payouts.create_reconciled`` runs one (``create_reconciled`` here). Neither
knows the resource: both take a ``PayoutsAPI`` and the client's ``ClientSettings`` (``protocol``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal

import anyio
import attrs

from .._codec.signing import js_dumps
from .._core.ratelimit import Limiter
from .._exceptions import (
    APIError,
    ClientStateError,
    JournalError,
    OutcomeUnknownError,
    PayCombatError,
    PayoutConflictError,
    ValidationError,
)
from ..models import _converter
from ..models.payout import CreatePayoutRequest, Payout
from .journal import Journal, JournalEntry
from .protocol import ClientSettings, PayoutsAPI

__all__ = [
    "DEFAULT_SETTLE",
    "BatchResult",
    "BatchStatus",
    "Engine",
    "Evidence",
    "Item",
    "check_settle",
    "create_reconciled",
    "fingerprint",
    "matches",
]

logger = logging.getLogger("paycombat")

_REQUEST_FIELDS = attrs.fields(CreatePayoutRequest)

BatchStatus = Literal["created", "rejected", "unknown", "conflict"]

DEFAULT_SETTLE = 60.0
"""Seconds to wait after an outcome became unknown before looking the payout up: longer than
PayCombat may still be processing a request whose answer was lost."""
LOOKUP_ATTEMPTS = 4
"""Tries of each page of a lookup (each itself retried by the pipeline) before giving up."""
LOOKUP_PAGES = 50
"""Pages (of 100) a lookup reads at most: a filter that is honoured needs one."""
LOOKUP_LIMIT = 100
RESENDS = 2
"""Most resends of one item with ``resend_after_settle=True``."""
# Only an answer that says the order_id is taken means "this order exists" (a 422 "Beneficiary
# account already exists" is a refusal like any other).
_ORDER = re.compile(r"order[\s_-]?(id|ref|reference|number|no)?\b", re.IGNORECASE)
_TAKEN = re.compile(r"duplicat|already (exist|used|taken|been used)|in use|taken", re.IGNORECASE)
_MASK = re.compile(r"[*•#]+|[xX]{2,}")


@attrs.frozen(kw_only=True)
class BatchResult:
    """The outcome of one item of a batch.

    Attributes:
        index: the item's position in the input (0-based).
        order_id: the ``order_id`` the payout carries (generated when the item had none and the
            batch has no journal).
        status: ``"created"`` (``payout`` is set), ``"rejected"`` (not created: the API refused
            it, or it provably never reached the API; ``error`` says why), ``"unknown"`` (it may
            exist: not found after the settle period and not resent, or the lookup could not
            be trusted; ``error`` says what was tried and what to do) or ``"conflict"`` (a
            payout under this ``order_id`` is not this item's, or several are: ``found`` holds
            them; nothing was resent; resolve by hand).
        payout: the payout, when created.
        error: the typed error, when not created.
        found: the payouts found under the ``order_id``, when ``conflict``.
    """

    index: int
    order_id: str
    status: BatchStatus
    payout: Payout | None = None
    error: PayCombatError | None = None
    found: tuple[Payout, ...] = ()


def check_settle(settle: float) -> None:
    """``ValidationError`` unless ``settle`` is a number of seconds (>= 0)."""
    if settle < 0:
        raise ValidationError("must be >= 0 seconds", field="settle")


def fingerprint(request: CreatePayoutRequest) -> str:
    """A digest of the payout an item asks for (its order_id aside), kept by the journal."""
    body = js_dumps(_converter.unstructure(attrs.evolve(request, order_id=None)))
    return hashlib.sha256(body).hexdigest()[:32]


def error_record(error: PayCombatError) -> dict[str, Any]:
    """An error as the journal keeps it."""
    return {"type": type(error).__name__, "message": error.message, "status": error.status}


def error_from_record(record: dict[str, Any] | None) -> PayCombatError:
    """The error a journal row recorded (a ``PayCombatError`` if its type is not one)."""
    from .. import _exceptions

    record = record or {}
    cls = getattr(_exceptions, str(record.get("type")), None)
    if not (isinstance(cls, type) and issubclass(cls, PayCombatError)):
        cls = PayCombatError
    message = f"{record.get('message') or 'failed'} (recorded by the journal)"
    status = record.get("status")
    error: PayCombatError = cls(message, status=status if isinstance(status, int) else None)
    return error


def is_duplicate_order(error: PayCombatError) -> bool:
    """Whether PayCombat refused the create because its ``order_id`` is taken."""
    return (
        isinstance(error, APIError)
        and error.status is not None
        and 400 <= error.status < 500
        and error.status != 429  # too many requests: refused, whatever its message
        and bool(_ORDER.search(error.message))
        and bool(_TAKEN.search(error.message))
    )


def _same_account(sent: str, seen: str) -> bool:
    """Account numbers alike, allowing a masked one from the server (``****5678``)."""
    sent, seen = (re.sub(r"[\s-]", "", s).upper() for s in (sent, seen))
    *_, visible = _MASK.split(seen)
    if visible != seen:  # masked: the digits it shows must end the number sent
        return bool(visible) and sent.endswith(visible)
    return sent == seen


def matches(request: CreatePayoutRequest, order_id: str, payout: Payout) -> list[str]:
    """How ``payout`` differs from what ``request`` asked for, as far as the payout carries it
    (empty: it is this item's payout)."""
    differences = []
    if payout.order_id != order_id:
        differences.append(f"order_id {payout.order_id!r}")
    amount = payout.wire_amount if payout.wire_amount is not None else payout.original_amount
    if amount is not None and amount != request.sender_amount:  # (Decimal == int is exact)
        differences.append(f"amount {amount}")
    if payout.currency and payout.currency.upper() != request.sender_currency.upper():
        differences.append(f"currency {payout.currency}")
    beneficiary = request.payout_beneficiary_param
    if beneficiary is not None:
        for field, seen in (
            ("account_number", payout.beneficiary_account_number),
            ("iban", payout.beneficiary_account_iban),
        ):
            sent = (
                beneficiary.get(field)
                if isinstance(beneficiary, Mapping)
                else getattr(beneficiary, field, None)
            )
            if seen and sent and not _same_account(str(sent), seen):
                differences.append(f"{field} {seen}")
    elif (
        request.payout_beneficiary_id
        and payout.beneficiary
        and payout.beneficiary != request.payout_beneficiary_id
    ):
        differences.append(f"beneficiary {payout.beneficiary}")
    return differences


@attrs.frozen
class Evidence:
    """What a lookup by ``order_id`` showed.

    ``verdict`` is ``"found"`` (``payouts`` holds this item's payout), ``"absent"`` (every page
    read, the filter honoured: it does not exist now), ``"conflict"`` (a payout that is not
    this item's, or several) or ``"untrusted"`` (no payout matched, but an absence proves
    nothing: ``reason`` says why).
    """

    verdict: Literal["found", "absent", "conflict", "untrusted"]
    payouts: tuple[Payout, ...] = ()
    reason: str = ""


class Item:
    """One item in flight: what the journal needs to know about it."""

    __slots__ = ("claimed_until", "fingerprint", "index", "key", "order_id", "request", "sent_at")

    def __init__(self, index: int, request: CreatePayoutRequest, order_id: str) -> None:
        self.index = index
        self.request = request
        self.key = order_id
        self.order_id = order_id
        self.fingerprint = ""
        self.claimed_until = 0.0  # monotonic time until which this run's claim holds
        self.sent_at: float | None = None  # wall-clock time of its last send (or claim)


class Engine:
    """The sends, lookups and journal writes of one item; shared by batches and single calls."""

    def __init__(
        self,
        payouts: PayoutsAPI,
        *,
        settle: float,
        resend_after_settle: bool,
        journal: Journal | None,
        pace: Limiter | None,
        client: ClientSettings,
        owner: str | None = None,
    ) -> None:
        self.payouts = payouts
        self.timeout = client.timeout
        self.backoff = client.backoff
        self.settle = settle
        self.resend_after_settle = resend_after_settle
        self.journal = journal
        self.pace = pace
        self.owner = owner
        self.renewed_until = 0.0  # monotonic: every claim held at the last renewal holds until
        self.aborted = anyio.Event()
        self.on_send: Callable[[], object] | None = None
        self.on_settling: Callable[[int], object] | None = None
        self.on_journal_error: Callable[[JournalError], object] | None = None

    def entry(self, item: Item, state: str, **fields: Any) -> JournalEntry:
        fields.setdefault("sent_at", item.sent_at)
        return JournalEntry(
            key=item.key,
            order_id=item.order_id,
            fingerprint=item.fingerprint,
            state=state,
            owner=self.owner,
            **fields,
        )

    async def _record(self, item: Item, state: str, **fields: Any) -> None:
        if self.journal is None:
            return
        try:
            await self.journal.put(self.entry(item, state, **fields))
        except JournalError as exc:
            if state == "sending" or self.on_journal_error is None:
                raise  # not recorded, so not sent
            # An outcome the journal could not keep is still reported; the batch stops.
            logger.warning(
                "order_id %s ended %s; the journal could not record it: %s",
                item.order_id,
                state,
                exc,
            )
            self.on_journal_error(exc)

    def holds(self, item: Item) -> bool:
        """Whether this run's claim on ``item`` surely still holds (a margin of a third of the
        lease for clock drift and the send's own start)."""
        assert self.journal is not None
        margin = self.journal.lease / 3
        return time.monotonic() + margin < max(item.claimed_until, self.renewed_until)

    async def send(self, item: Item, *, claimed: bool = False) -> Payout:
        """One Create Payout; with a journal, claimed (``sending``, durably) before it leaves."""
        if self.pace is not None and not claimed:
            await self.pace.pace()
        if self.journal is not None:
            if not claimed:  # a resend: the claim is this run's already, renew its record
                item.sent_at = time.time()
                await self._record(item, "sending")
            if not self.holds(item):
                raise OutcomeUnknownError(
                    f"Create Payout {item.order_id!r} was not sent: this run's claim on it "
                    "lapsed (the journal could not renew it); run the batch again with the "
                    "same journal",
                    order_id=item.order_id,
                    may_have_taken_effect=False,
                )
        if self.on_send is not None:
            self.on_send()
        arguments = {field.name: getattr(item.request, field.name) for field in _REQUEST_FIELDS}
        arguments["order_id"] = item.order_id
        payout: Payout = await self.payouts.create(**arguments)
        return payout

    async def _page(self, order_id: str, number: int) -> list[Payout]:
        last: PayCombatError | None = None
        for attempt in range(1, LOOKUP_ATTEMPTS + 1):
            if self.pace is not None:
                await self.pace.pace()
            try:
                page = await self.payouts.list(order_id=order_id, limit=LOOKUP_LIMIT).fetch_page(
                    number
                )
            except ClientStateError:
                raise
            except PayCombatError as exc:
                last = exc
                await anyio.sleep(self.backoff(attempt, getattr(exc, "retry_after", None)))
                continue
            return page.items
        assert last is not None
        raise last

    async def lookup(self, item: Item) -> Evidence:
        """Every payout carrying the item's ``order_id``, judged; raises if a page could not be
        fetched at all."""
        found: dict[str, Payout] = {}
        filter_ignored = False
        previous: list[str] | None = None
        for number in range(1, LOOKUP_PAGES + 1):
            payouts = await self._page(item.order_id, number)
            ids = [p.id for p in payouts]
            if previous is not None and ids and ids == previous:
                return self._judge(item, found, f"page {number} repeated page {number - 1}")
            for payout in payouts:
                if payout.order_id == item.order_id:
                    found[payout.id] = payout
                else:
                    filter_ignored = True
            if len(payouts) < LOOKUP_LIMIT:
                reason = "the server ignored the order_id filter" if filter_ignored else ""
                return self._judge(item, found, reason)
            previous = ids
        return self._judge(item, found, f"more than {LOOKUP_PAGES} pages")

    def _judge(self, item: Item, found: dict[str, Payout], doubt: str) -> Evidence:
        payouts = tuple(found.values())
        if len(payouts) > 1:
            return Evidence("conflict", payouts, f"{len(payouts)} payouts carry it")
        if payouts:
            differences = matches(item.request, item.order_id, payouts[0])
            if differences:
                why = f"payout {payouts[0].id} has {', '.join(differences)}"
                return Evidence("conflict", payouts, why)
            return Evidence("found", payouts)
        if doubt:
            return Evidence("untrusted", (), doubt)
        return Evidence("absent")

    async def finish(self, item: Item, status: BatchStatus, **fields: Any) -> BatchResult:
        result = BatchResult(index=item.index, order_id=item.order_id, status=status, **fields)
        if self.journal is None:
            return result
        if status == "created":
            assert result.payout is not None
            await self._record(item, "created", payout=_converter.unstructure(result.payout))
        else:
            assert result.error is not None
            payout = _converter.unstructure(result.found[0]) if result.found else None
            await self._record(item, status, error=error_record(result.error), payout=payout)
        return result

    async def run(
        self, item: Item, *, claimed: bool = False
    ) -> BatchResult | tuple[Item, PayCombatError, float]:
        """Send an item. An unknown outcome comes back as (item, error, when) to settle."""
        try:
            payout = await self.send(item, claimed=claimed)
        except ClientStateError:
            raise
        except PayCombatError as exc:
            if is_duplicate_order(exc):
                return (item, exc, 0.0)  # the order exists already: look it up, no settling
            if exc.may_have_taken_effect:
                return (item, exc, time.monotonic())
            return await self.finish(item, "rejected", error=exc)
        return await self.finish(item, "created", payout=payout)

    async def _settle_until(self, deadline: float) -> bool:
        """Wait until ``deadline`` (monotonic); False if the batch was aborted meanwhile."""
        with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
            await self.aborted.wait()
        return not self.aborted.is_set()

    async def reconcile(self, item: Item, error: PayCombatError, since: float) -> BatchResult:
        """Settle, look up, and (only if asked) resend, until the item's outcome is known."""
        if self.on_settling is not None:
            self.on_settling(1)
        try:
            return await self._reconcile(item, error, since)
        finally:
            if self.on_settling is not None:
                self.on_settling(-1)

    async def _reconcile(self, item: Item, error: PayCombatError, since: float) -> BatchResult:
        if item.sent_at is None:  # (a claim taken over: when the earlier run sent it is unknown)
            item.sent_at = time.time()
        await self._record(item, "settling", error=error_record(error))
        tried: list[str] = []
        resent = 0
        waited_for_duplicate = False
        while True:
            if not await self._settle_until(since + self.settle):
                tried.append("the batch stopped before its lookup")
                return await self._unknown(item, error, tried)
            try:
                evidence = await self.lookup(item)
            except ClientStateError:
                raise
            except PayCombatError as exc:
                logger.warning("order_id %s could not be looked up: %s", item.order_id, exc)
                tried.append(f"looking it up by order_id failed ({exc.message})")
                return await self._unknown(item, error, tried)
            if evidence.verdict == "found":
                return await self.finish(item, "created", payout=evidence.payouts[0])
            if evidence.verdict == "conflict":
                return await self._conflict(item, evidence)
            if evidence.verdict == "untrusted":
                tried.append(
                    f"looked it up by order_id after settling {self.settle:g}s and found no "
                    f"payout, but that proves nothing: {evidence.reason}"
                )
                return await self._unknown(item, error, tried)
            tried.append(f"not found by order_id after settling {self.settle:g}s")
            if is_duplicate_order(error) and not waited_for_duplicate:
                # Refused as a duplicate yet not listed: it exists and is still being processed.
                waited_for_duplicate, since = True, time.monotonic()
                continue
            if is_duplicate_order(error) or not self.resend_after_settle or resent == RESENDS:
                return await self._unknown(item, error, tried)
            logger.info("order_id %s absent after settling: resending", item.order_id)
            resent += 1
            tried.append("resent")
            outcome = await self.run(item)
            if isinstance(outcome, BatchResult):
                return outcome
            _, error, since = outcome

    async def _unknown(self, item: Item, error: PayCombatError, tried: list[str]) -> BatchResult:
        advice = (
            "run the batch again with the same journal to look it up again"
            if self.journal is not None
            else f"look it up later with payouts.list(order_id={item.order_id!r})"
        )
        if not self.resend_after_settle:
            advice += ", or pass resend_after_settle=True to send it if it is still absent"
        unknown = OutcomeUnknownError(
            f"Create Payout {item.order_id!r}: its outcome is unknown ({error.message}); "
            f"{'; '.join(tried) or 'not looked up'}; it was not resent: {advice}",
            order_id=item.order_id,
            status=error.status,
            method=error.method,
            path=error.path,
        )
        unknown.__cause__ = error
        return await self.finish(item, "unknown", error=unknown)

    async def _conflict(self, item: Item, evidence: Evidence) -> BatchResult:
        conflict = PayoutConflictError(
            f"Create Payout {item.order_id!r}: {evidence.reason}, not the payout this item "
            "asks for; nothing was resent. Check the payouts in `found`, then use a fresh "
            "order_id for a new payout",
            order_id=item.order_id,
            found=evidence.payouts,
        )
        return await self.finish(item, "conflict", error=conflict, found=evidence.payouts)


async def create_reconciled(
    payouts: PayoutsAPI,
    request: CreatePayoutRequest,
    *,
    settle: float,
    client: ClientSettings,
) -> Payout:
    """One Create Payout that settles and looks itself up when its outcome is unknown.

    Returns the payout (created now, or found by ``order_id`` and matching the request); raises
    the API's error if it was refused, ``PayoutConflictError`` if the payout found is not this
    one (or several carry the ``order_id``), and ``OutcomeUnknownError`` if it could not be
    found (it was not resent).
    """
    if not request.order_id:
        raise ValidationError("is required to reconcile a payout", field="order_id")
    check_settle(settle)
    engine = Engine(
        payouts, settle=settle, resend_after_settle=False, journal=None, pace=None, client=client
    )
    item = Item(0, request, request.order_id)
    outcome = await engine.run(item)
    if not isinstance(outcome, BatchResult):
        outcome = await engine.reconcile(*outcome)
    if outcome.payout is not None:
        return outcome.payout
    assert outcome.error is not None
    raise outcome.error
