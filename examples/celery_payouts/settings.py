"""What the workers and the producer read from their environment, in one place.

Workers need ``PAYCOMBAT_TOKEN``, ``PAYCOMBAT_SIGNATURE_KEY`` (and ``PAYCOMBAT_BASE_URL`` for a
sandbox), read by the client itself, and:

- ``CELERY_BROKER_URL`` (``redis://127.0.0.1:6379/0``) and ``CELERY_RESULT_BACKEND`` (the broker);
- ``PAYOUTS_JOURNAL``: the batch journal, shared by every worker: a SQLite path (every worker on
  one machine) or a ``postgresql://`` URL (workers on several machines; leave its password to
  ``PGPASSWORD`` or ``~/.pgpass``). ``{batch}`` in it is replaced by the batch's name, e.g.
  ``/srv/payouts/{batch}.sqlite``: one journal per batch, which ``paycombat payouts report`` reads;
- ``PAYOUTS_JOURNAL_LEASE`` (30): seconds a worker's claim on an item lasts unless renewed: a
  killed worker's items are taken over that long after it died;
- ``PAYOUTS_CONCURRENCY`` (16): payouts in flight at once within one chunk;
- ``PAYOUTS_TIMEOUT`` (60): each call's deadline; a payout taken over from a dead worker is
  looked up this long (plus the settle period) after it was sent;
- ``PAYOUTS_RATE_LIMIT`` / ``PAYOUTS_RATE_WINDOW`` (none / 1): the merchant account's limit,
  ``PAYOUTS_RATE_LIMIT`` requests per ``PAYOUTS_RATE_WINDOW`` seconds, and
  ``PAYOUTS_SENDING_PROCESSES``: how many processes may send at once (every worker's
  ``--concurrency``, summed over machines): each process gets its share (``per_process_rate``);
- ``PAYOUTS_VISIBILITY_TIMEOUT`` (7200): seconds before Redis hands a chunk that was never
  acknowledged (its worker machine was lost) to another worker. Longer than any chunk takes.
"""

from __future__ import annotations

import math
import os
import re

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", BROKER_URL)
JOURNAL = os.environ.get("PAYOUTS_JOURNAL", "payouts-{batch}.sqlite")
JOURNAL_LEASE = float(os.environ.get("PAYOUTS_JOURNAL_LEASE", "30"))
CONCURRENCY = int(os.environ.get("PAYOUTS_CONCURRENCY", "16"))
TIMEOUT = float(os.environ.get("PAYOUTS_TIMEOUT", "60"))
RATE_LIMIT = (
    float(os.environ["PAYOUTS_RATE_LIMIT"]) if os.environ.get("PAYOUTS_RATE_LIMIT") else None
)
RATE_WINDOW = float(os.environ.get("PAYOUTS_RATE_WINDOW", "1"))
SENDING_PROCESSES = int(os.environ.get("PAYOUTS_SENDING_PROCESSES", "1"))
VISIBILITY_TIMEOUT = float(os.environ.get("PAYOUTS_VISIBILITY_TIMEOUT", "7200"))

BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def journal_for(batch: str) -> str:
    """The journal of ``batch``: ``PAYOUTS_JOURNAL`` with ``{batch}`` replaced."""
    if not BATCH_NAME.fullmatch(batch):
        raise ValueError(f"a batch name is letters, digits, '_', '.' and '-' (not {batch!r})")
    return JOURNAL.replace("{batch}", batch)


def per_process_rate(limit: float, window: float, processes: int) -> float:
    """Requests per second for each of ``processes`` clients so that together they never send
    more than ``limit`` requests in any ``window`` seconds.

    A client's ``rate_limit=r`` is a bucket of one second's worth: it may send ``max(r, 1)`` at
    once, then ``r`` a second, so at most ``max(r, 1) + r * window`` in any window; the largest
    ``r`` whose sum over every process stays within ``limit`` is returned. For a per-minute limit
    that is nearly ``limit / window / processes``; for a per-second one, half of it.
    """
    if not (limit > 0 and window > 0 and processes >= 1):
        raise ValueError("limit and window must be positive, processes at least 1")
    share = limit / processes  # requests each process may send in any window
    if share < 1:
        raise ValueError(
            f"{processes} processes cannot share {limit:g} requests per {window:g} s: each may "
            "send one at once; run fewer sending processes"
        )
    rate = share / (1 + window)  # max(r, 1) + r * window <= share, when r >= 1
    if rate < 1:
        rate = (share - 1) / window  # 1 + r * window <= share
    # (a little under, never over: floating point must not round the sum past the limit)
    return math.nextafter(rate, 0.0)
