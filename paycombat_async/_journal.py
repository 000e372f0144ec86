"""The batch journal: each item's state, written before and after its send, so a batch resumes.

A batch writes ``sending`` (durably) before an item's request leaves, and ``created``,
``rejected`` or ``unknown`` after. Re-running the batch with the same journal skips created items
and reconciles (looks up by ``order_id``) every item recorded as ``sending`` or ``unknown``: an
item that may have reached PayCombat is never sent again without a lookup.

``Journal`` is a small protocol, so a shared database can back one batch spread over several
workers (each running a shard); ``SQLiteJournal`` is the local implementation, on the standard
library's ``sqlite3`` in WAL mode, run off the event loop. Writes that arrive together are
committed together (one transaction, one fsync-free WAL append), which keeps a 64-wide batch fast.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import anyio
import attrs

__all__ = ["Journal", "JournalEntry", "JournalState", "SQLiteJournal"]

JournalState = Literal["sending", "created", "rejected", "unknown"]


@attrs.frozen(kw_only=True)
class JournalEntry:
    """One item of a batch as the journal knows it.

    Args:
        key: the item's identity in the batch: its ``order_id``, or ``#<index>`` when the caller
            gave none (the generated ``order_id`` is then kept here, so a re-run reuses it).
        order_id: the ``order_id`` sent with the payout.
        fingerprint: a digest of the request, to notice a different item under the same key.
        state: ``sending`` (the request may have left), ``created``, ``rejected`` or ``unknown``.
        payout: the created payout as PayCombat sent it (JSON), when ``created``.
        error: ``{"type", "message", "status"}`` of the error, when ``rejected`` or ``unknown``.
        sent_at: wall-clock time (``time.time()``) of the last send, for the settle period.
    """

    key: str
    order_id: str
    fingerprint: str
    state: JournalState
    payout: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    sent_at: float | None = None


@runtime_checkable
class Journal(Protocol):
    """Where a batch keeps each item's state. ``put`` must be durable when it returns."""

    async def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, or ``None`` if the item was never started."""
        ...

    async def put(self, entry: JournalEntry) -> None:
        """Record ``entry`` (replacing the one with the same key), durably."""
        ...

    async def aclose(self) -> None:
        """Release the journal's resources."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    payout TEXT,
    error TEXT,
    sent_at REAL,
    updated_at REAL NOT NULL
)
"""


class SQLiteJournal:
    """A ``Journal`` in one SQLite file (created if missing), safe against ``kill -9``.

    WAL mode with ``synchronous=NORMAL``: a committed write survives the process being killed at
    any point (it is in the WAL file before ``put`` returns); only a power loss can roll back the
    last commits. Use one journal per batch run; it is not shared between processes at once.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._pending: list[JournalEntry] = []
        self._flushing: anyio.Event | None = None
        self._generation = 0  # batches of writes committed so far
        self._queued_generation = 1  # the batch that writes queued now will belong to

    def __repr__(self) -> str:
        return f"<SQLiteJournal {str(self.path)!r}>"

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            self._db = db
        return self._db

    def _read(self, key: str) -> JournalEntry | None:
        with self._lock:
            row = (
                self._connect()
                .execute(
                    "SELECT key, order_id, fingerprint, state, payout, error, sent_at "
                    "FROM items WHERE key = ?",
                    (key,),
                )
                .fetchone()
            )
        if row is None:
            return None
        return JournalEntry(
            key=row[0],
            order_id=row[1],
            fingerprint=row[2],
            state=row[3],
            payout=json.loads(row[4]) if row[4] else None,
            error=json.loads(row[5]) if row[5] else None,
            sent_at=row[6],
        )

    def _write(self, entries: list[JournalEntry]) -> None:
        now = time.time()
        rows = [
            (
                e.key,
                e.order_id,
                e.fingerprint,
                e.state,
                # Amounts are Decimal: kept exact as strings, which the models read back.
                json.dumps(e.payout, default=str) if e.payout is not None else None,
                json.dumps(e.error) if e.error is not None else None,
                e.sent_at,
                now,
            )
            for e in entries
        ]
        with self._lock:
            db = self._connect()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    async def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, read on a worker thread."""
        return await anyio.to_thread.run_sync(self._read, key)

    async def put(self, entry: JournalEntry) -> None:
        """Queue ``entry`` and return once the transaction holding it has committed.

        Whoever finds no commit running commits everything queued (group commit); the others
        wait for the commit that holds their entry. A commit already started always finishes.
        """
        self._pending.append(entry)
        mine = self._queued_generation
        while self._generation < mine:
            if self._flushing is not None:
                await self._flushing.wait()
                continue
            batch, self._pending = self._pending, []
            self._queued_generation += 1
            done = self._flushing = anyio.Event()
            try:
                # Not cancellable: once a transaction starts, its writers learn how it ended.
                await anyio.to_thread.run_sync(self._write, batch)
                self._generation += 1
            except BaseException:
                # Nothing of this batch is durable: put its entries back for the next commit.
                self._pending[:0] = batch
                self._queued_generation -= 1
                raise
            finally:
                self._flushing = None
                done.set()

    def entries(self) -> list[JournalEntry]:
        """Every entry (blocking; for inspection and tests, not for the event loop)."""
        with self._lock:
            keys = [row[0] for row in self._connect().execute("SELECT key FROM items")]
        return [entry for key in keys if (entry := self._read(key)) is not None]

    async def aclose(self) -> None:
        """Commit what cancelled writers left queued, and close the connection. Idempotent."""
        pending, self._pending = self._pending, []
        if pending and self._db is not None:
            await anyio.to_thread.run_sync(self._write, pending)
        db, self._db = self._db, None
        if db is not None:
            with self._lock:
                db.close()
