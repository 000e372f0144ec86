"""``pay_chunk``: one chunk of a batch, run by ``payouts.create_many`` on the batch's journal.

Any number of deliveries of any chunks of one batch may run at once, on any workers: the
journal claims each item (by its ``order_id``) before its request leaves, so an item is sent by
one run only, a run waits for an item another live run holds, and a run takes over the items of
a run that died (once their lease expires: settle, look the payout up, never resend blind).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from celery.utils.log import get_task_logger

from paycombat_sync import BatchAbortedError, Journal, JournalError, PayCombat, SQLiteJournal

from . import settings
from .app import app

logger: logging.Logger = get_task_logger(__name__)

AMOUNTS = ("sender_amount", "beneficiary_amount")

# One client and one journal object per worker process, created on its first task (after the
# pool forked it) and kept for its life: its rate limiter's state must outlive a chunk (a new
# client per chunk would start each chunk with a full burst), and its connections are reused.
_client: PayCombat | None = None
_journals: dict[str, Journal] = {}


def client() -> PayCombat:
    global _client
    if _client is None:
        rate = None
        if settings.RATE_LIMIT is not None:
            rate = settings.per_process_rate(
                settings.RATE_LIMIT, settings.RATE_WINDOW, settings.SENDING_PROCESSES
            )
        # PAYCOMBAT_TOKEN, PAYCOMBAT_SIGNATURE_KEY, PAYCOMBAT_BASE_URL from the environment
        _client = PayCombat(rate_limit=rate, timeout=settings.TIMEOUT)
    return _client


def journal(batch: str) -> Journal:
    where = settings.journal_for(batch)
    if where not in _journals:
        if where.startswith(("postgresql://", "postgres://")):
            from paycombat_sync import PostgresJournal  # the postgres extra

            _journals[where] = PostgresJournal(where, lease=settings.JOURNAL_LEASE)
        else:
            _journals[where] = SQLiteJournal(where, lease=settings.JOURNAL_LEASE)
    return _journals[where]


def as_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of the message (JSON: amounts as strings, exact) as ``payouts.create``'s arguments."""
    item = dict(row)
    for name in AMOUNTS:
        if isinstance(item.get(name), (str, int)):
            item[name] = Decimal(item[name])
    return item


@app.task(
    name="payouts.pay_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The journal could not be opened, read or written (its database restarting): nothing
    # unrecorded was sent; run the chunk again a little later. (Countdowns stay below the
    # visibility timeout.)
    autoretry_for=(BatchAbortedError, JournalError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=10,
)
def pay_chunk(
    self: Any,
    batch: str,
    rows: list[dict[str, Any]],
    settle: float = 60.0,
    resend_after_settle: bool = False,
) -> dict[str, Any]:
    """Create the chunk's payouts, each exactly once; returns the count of each status and the
    order_ids not created (``unknown``: run the batch again; ``conflict``: a person looks)."""
    results = client().payouts.create_many(
        [as_item(row) for row in rows],
        journal=journal(batch),
        concurrency=settings.CONCURRENCY,
        settle=settle,
        resend_after_settle=resend_after_settle,
    )
    counts = Counter(result.status for result in results)
    logger.info("batch %s chunk of %d: %s", batch, len(rows), dict(counts))
    return {
        "counts": dict(counts),
        "not_created": {r.order_id: r.status for r in results if r.status != "created"},
    }
