"""Where a receiver remembers what it processed: deduplication and ordering of notifications.

A notification is identified by ``(kind, object id, status)``: a redelivery or a replay of one
already processed is acknowledged and not dispatched again. Per object, the store also keeps the
position (``updated_at``, then the status's place in the lifecycle) of the newest notification
processed, so an older one that arrives late is acknowledged but never moves the object back.

Stores are synchronous and thread-safe; a store whose ``blocking`` is true (it does I/O) is
called on a worker thread by the async receiver, never on the event loop.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Protocol

__all__ = [
    "EventKey",
    "MemoryStore",
    "ObjectKey",
    "Position",
    "SQLiteStore",
    "Verdict",
    "WebhookStore",
    "is_older",
]

EventKey = tuple[str, str, str]
"""``(kind, object id, status)``: one notification, whichever delivery carries it."""
ObjectKey = tuple[str, str]
"""``(object type, object id)``: one payin, payout or virtual account."""
Position = tuple[float | None, int]
"""``(updated_at as epoch seconds or None, lifecycle rank of the status)``."""

DEFAULT_LEASE = 300.0


class Verdict(StrEnum):
    """What the store says about a notification it is asked to claim."""

    NEW = "new"
    """Not seen before: the caller now holds the claim and must ``complete`` or ``release``."""
    DUPLICATE = "duplicate"
    """Already processed: acknowledge, do not dispatch."""
    STALE = "stale"
    """Older than what was processed for the same object: acknowledge, do not dispatch."""
    BUSY = "busy"
    """Being processed by another delivery right now: answer non-2xx so it is redelivered."""


def is_older(position: Position, latest: Position) -> bool:
    """Whether ``position`` is behind ``latest``: by ``updated_at`` when both have one, then by
    lifecycle rank (a ``SUCCESS`` after a ``RETURNED`` stamped the same millisecond is old)."""
    (when, rank), (latest_when, latest_rank) = position, latest
    if when is not None and latest_when is not None and when != latest_when:
        return when < latest_when
    return rank < latest_rank


class WebhookStore(Protocol):
    """What a receiver needs from a store. Implement it to keep state in Redis, Postgres..."""

    @property
    def blocking(self) -> bool:
        """True if calls do I/O (the async receiver then runs them on a worker thread)."""
        ...

    def claim(self, key: EventKey, obj: ObjectKey, position: Position) -> Verdict:
        """Atomically decide about one notification; on ``NEW`` mark it in progress."""
        ...

    def complete(self, key: EventKey, obj: ObjectKey, position: Position) -> None:
        """The notification was processed: remember it and advance the object's position."""
        ...

    def release(self, key: EventKey) -> None:
        """Processing failed: drop the claim so a redelivery is processed again."""
        ...


class MemoryStore:
    """The default store: in this process's memory, so lost on restart and not shared between
    worker processes. Keeps the newest ``max_entries`` notifications and objects.

    Args:
        max_entries: how many notifications (and objects) to remember.
        lease: seconds after which a claim whose processing never finished may be taken again.
    """

    blocking = False

    def __init__(self, *, max_entries: int = 100_000, lease: float = DEFAULT_LEASE) -> None:
        self._lock = threading.Lock()
        self._done: OrderedDict[EventKey, None] = OrderedDict()
        self._claims: dict[EventKey, float] = {}
        self._latest: OrderedDict[ObjectKey, Position] = OrderedDict()
        self._max = max_entries
        self._lease = lease

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self._done)} processed>"

    def claim(self, key: EventKey, obj: ObjectKey, position: Position) -> Verdict:
        """See :meth:`WebhookStore.claim`."""
        now = time.monotonic()
        with self._lock:
            if key in self._done:
                return Verdict.DUPLICATE
            latest = self._latest.get(obj)
            if latest is not None and is_older(position, latest):
                return Verdict.STALE
            claimed = self._claims.get(key)
            if claimed is not None and now - claimed < self._lease:
                return Verdict.BUSY
            self._claims[key] = now
            return Verdict.NEW

    def complete(self, key: EventKey, obj: ObjectKey, position: Position) -> None:
        """See :meth:`WebhookStore.complete`."""
        with self._lock:
            self._claims.pop(key, None)
            self._done[key] = None
            latest = self._latest.get(obj)
            if latest is None or is_older(latest, position):
                self._latest[obj] = position
            self._latest.move_to_end(obj)
            while len(self._done) > self._max:
                self._done.popitem(last=False)
            while len(self._latest) > self._max:
                self._latest.popitem(last=False)

    def release(self, key: EventKey) -> None:
        """See :meth:`WebhookStore.release`."""
        with self._lock:
            self._claims.pop(key, None)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS paycombat_webhook_events (
    kind TEXT NOT NULL, object_id TEXT NOT NULL, status TEXT NOT NULL,
    state TEXT NOT NULL, claimed_at REAL NOT NULL,
    PRIMARY KEY (kind, object_id, status)
);
CREATE TABLE IF NOT EXISTS paycombat_webhook_objects (
    object_type TEXT NOT NULL, object_id TEXT NOT NULL, updated_at REAL, rank INTEGER NOT NULL,
    PRIMARY KEY (object_type, object_id)
);
"""


class SQLiteStore:
    """A store in an SQLite file (stdlib ``sqlite3``): survives restarts and is shared by the
    worker processes of one host (claims are taken in ``BEGIN IMMEDIATE`` transactions).

    The async receiver calls it on a worker thread. Close it when done (or use ``with``).

    Args:
        path: the database file (created if missing), or ``":memory:"``.
        lease: seconds after which a claim whose processing never finished (a crashed worker)
            may be taken again.
    """

    blocking = True

    def __init__(self, path: str | Path, *, lease: float = DEFAULT_LEASE) -> None:
        self._lock = threading.Lock()
        self._lease = lease
        self._db = sqlite3.connect(
            str(path), timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return "<SQLiteStore>"

    def claim(self, key: EventKey, obj: ObjectKey, position: Position) -> Verdict:
        """See :meth:`WebhookStore.claim`."""
        now = time.time()
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT state, claimed_at FROM paycombat_webhook_events "
                    "WHERE kind = ? AND object_id = ? AND status = ?",
                    key,
                ).fetchone()
                verdict = self._decide(row, obj, position, now)
                if verdict is Verdict.NEW:
                    db.execute(
                        "INSERT OR REPLACE INTO paycombat_webhook_events "
                        "VALUES (?, ?, ?, 'processing', ?)",
                        (*key, now),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return verdict

    def _decide(
        self, row: tuple[str, float] | None, obj: ObjectKey, position: Position, now: float
    ) -> Verdict:
        if row is not None and row[0] == "done":
            return Verdict.DUPLICATE
        latest = self._db.execute(
            "SELECT updated_at, rank FROM paycombat_webhook_objects "
            "WHERE object_type = ? AND object_id = ?",
            obj,
        ).fetchone()
        if latest is not None and is_older(position, (latest[0], latest[1])):
            return Verdict.STALE
        if row is not None and now - row[1] < self._lease:
            return Verdict.BUSY
        return Verdict.NEW

    def complete(self, key: EventKey, obj: ObjectKey, position: Position) -> None:
        """See :meth:`WebhookStore.complete`."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT OR REPLACE INTO paycombat_webhook_events VALUES (?, ?, ?, 'done', ?)",
                    (*key, time.time()),
                )
                latest = db.execute(
                    "SELECT updated_at, rank FROM paycombat_webhook_objects "
                    "WHERE object_type = ? AND object_id = ?",
                    obj,
                ).fetchone()
                if latest is None or is_older((latest[0], latest[1]), position):
                    db.execute(
                        "INSERT OR REPLACE INTO paycombat_webhook_objects VALUES (?, ?, ?, ?)",
                        (*obj, *position),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def release(self, key: EventKey) -> None:
        """See :meth:`WebhookStore.release`."""
        with self._lock:
            self._db.execute(
                "DELETE FROM paycombat_webhook_events "
                "WHERE kind = ? AND object_id = ? AND status = ? AND state = 'processing'",
                key,
            )

    def close(self) -> None:
        """Close the database connection. Idempotent."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
