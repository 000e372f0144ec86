"""The batch journal: the single owner of each payout item's fate.

PayCombat has no idempotency key, so the journal is what turns at-least-once runs (a re-run
after a crash, two operators, a cron job overlapping itself) into one payout per ``order_id``:

- an item is **claimed** atomically before its request leaves: the claim writes ``sending``
  with the claimant's ``owner`` and a **lease**, durably (fsync), in one transaction, and only
  one claimant can win it;
- the owner renews the lease while it works; a claim whose lease expired while ``sending`` or
  ``settling`` (its worker died) is **taken over** through settle-then-lookup, never resent
  blind; a claim held by a live owner is waited for;
- the outcome (``created``, ``rejected``, ``unknown``, ``conflict``) is written after.

States are a closed set (``STATES``). A row in any other state, or ``created`` without its payout
(a hand-repaired or foreign journal), is in doubt: it is looked up before anything is sent.

``decide_claim`` is the one rule every implementation applies inside its transaction, so a
shared database (``postgres.PostgresJournal``) follows the same contract as the local
``SQLiteJournal``. ``opening.open_journal`` picks one for a batch's ``journal=``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, get_args, runtime_checkable

import anyio
import attrs

from .._exceptions import JournalError

__all__ = [
    "DEFAULT_LEASE",
    "STATES",
    "Claim",
    "ClaimAction",
    "Journal",
    "JournalEntry",
    "JournalState",
    "SQLiteJournal",
    "decide_claim",
    "masked",
]

JournalState = Literal["sending", "settling", "created", "rejected", "unknown", "conflict"]
STATES: frozenset[str] = frozenset(get_args(JournalState))
"""Every state a journal row may hold; anything else is in doubt."""
HELD = frozenset({"sending", "settling"})
"""States in which an owner is working on the item (its lease counts)."""

DEFAULT_LEASE = 30.0
"""Seconds a claim lasts unless its owner renews it: a dead worker's items are taken over
within this (plus the settle period before their lookup)."""

ClaimAction = Literal["send", "reconcile", "wait", "decided", "mismatch"]


@attrs.frozen(kw_only=True)
class JournalEntry:
    """One item of a batch as the journal knows it.

    Args:
        key: the item's identity: its ``order_id``.
        order_id: the ``order_id`` sent with the payout.
        fingerprint: a digest of the request (amount, currency, payee, method, ...), to notice a
            different payout under the same ``order_id``.
        state: one of ``STATES``: ``sending`` (claimed; the request may have left),
            ``settling`` (its outcome is unknown and it waits for its lookup), ``created``,
            ``rejected`` (not created), ``unknown`` (may exist) or ``conflict`` (a payout was
            found under the ``order_id`` that is not this item's).
        payout: the created payout as PayCombat sent it (JSON), when ``created``.
        error: ``{"type", "message", "status"}`` of the error, when not created.
        sent_at: wall-clock time (``time.time()``) of the last send, for the settle period.
        owner: the batch run holding the item (while ``sending`` or ``settling``).
        lease_until: wall-clock time until which ``owner``'s claim holds.
    """

    key: str
    order_id: str
    fingerprint: str
    state: str
    payout: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    sent_at: float | None = None
    owner: str | None = None
    lease_until: float | None = None


@attrs.frozen
class Claim:
    """What a claim found, and what its claimant must do.

    ``action`` is ``"send"`` (never sent, or refused earlier: send it now), ``"reconcile"``
    (it may exist: settle, then look it up before anything is sent), ``"wait"`` (a live owner
    holds it: ask again later), ``"decided"`` (``previous`` holds its outcome) or
    ``"mismatch"`` (``previous`` is a different payout under the same ``order_id``). With
    ``send`` and ``reconcile`` the claimant now holds the item.
    """

    action: ClaimAction
    previous: JournalEntry | None = None


def decide_claim(
    row: JournalEntry | None, entry: JournalEntry, *, now: float, lease: float
) -> tuple[Claim, JournalEntry | None]:
    """The claim rule: given the current row, what ``entry``'s claimant must do, and the row
    to write in the same transaction (``None``: write nothing). ``entry.owner`` is the claimant.
    """
    claimed = attrs.evolve(entry, lease_until=now + lease)
    if row is None:
        return Claim("send"), claimed
    held_by_other = row.owner != entry.owner and (row.lease_until or 0.0) > now
    if row.state in HELD and held_by_other:
        return Claim("wait", row), None
    if row.fingerprint != entry.fingerprint and row.state != "rejected":
        return Claim("mismatch", row), None
    recorded = isinstance(row.payout, dict) and isinstance(row.payout.get("id"), str)
    if (row.state == "created" and recorded) or row.state == "conflict":
        return Claim("decided", row), None
    if row.state == "rejected":
        return Claim("send", row), claimed  # nothing was created: it may be sent again
    # sending/settling whose owner died, unknown, or a state this SDK does not know: in doubt.
    return Claim("reconcile", row), attrs.evolve(row, owner=entry.owner, lease_until=now + lease)


@runtime_checkable
class Journal(Protocol):
    """Where a batch keeps each item's state; every method is durable when it returns.

    Implementations run ``decide_claim`` atomically (one transaction that no other claimant
    can interleave) and take the clock from one place (the database's, for a shared one).
    """

    lease: float
    """Seconds a claim holds unless renewed."""

    async def open(self) -> None:
        """Connect and check the journal is usable; raises ``JournalError`` otherwise."""
        ...

    async def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, or ``None`` if the item was never started."""
        ...

    async def claim(self, entry: JournalEntry) -> Claim:
        """Claim ``entry.key`` for ``entry.owner`` (see ``decide_claim``)."""
        ...

    async def renew(self, keys: Sequence[str], owner: str) -> None:
        """Extend ``owner``'s leases on ``keys`` (the ones it still holds)."""
        ...

    async def release(self, owner: str) -> None:
        """End every lease ``owner`` holds (a run that stops early), so that the next run
        takes its items over (through a lookup) without waiting for the leases to expire."""
        ...

    async def put(self, entry: JournalEntry) -> None:
        """Record ``entry`` (replacing the one with the same key)."""
        ...

    async def aclose(self) -> None:
        """Release the journal's resources."""
        ...


_COLUMNS = ("key", "order_id", "fingerprint", "state", "payout", "error", "sent_at")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    payout TEXT,
    error TEXT,
    sent_at REAL,
    updated_at REAL NOT NULL,
    owner TEXT,
    lease_until REAL
)
"""
_SELECT = (
    "SELECT key, order_id, fingerprint, state, payout, error, sent_at, owner, lease_until "
    "FROM items"
)
_UPSERT = (
    "INSERT OR REPLACE INTO items (key, order_id, fingerprint, state, payout, error, sent_at, "
    "updated_at, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _as_dict(value: Any) -> dict[str, Any] | None:
    """A JSON column as a dict (text, or already decoded by the driver); anything else is
    ``None`` (the row is then in doubt)."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def entry_from_row(row: Sequence[Any]) -> JournalEntry:
    """A journal row (``key, order_id, fingerprint, state, payout, error, sent_at, owner,
    lease_until``, from either database) as an entry; values of the wrong type read as None."""
    return JournalEntry(
        key=str(row[0]),
        order_id=str(row[1]),
        fingerprint=str(row[2]),
        state=str(row[3]),
        payout=_as_dict(row[4]),
        error=_as_dict(row[5]),
        sent_at=_number(row[6]),
        owner=row[7],
        lease_until=_number(row[8]),
    )


def _row(entry: JournalEntry, now: float) -> tuple[Any, ...]:
    return (
        entry.key,
        entry.order_id,
        entry.fingerprint,
        entry.state,
        # Amounts are Decimal: kept exact as strings, which the models read back.
        json.dumps(entry.payout, default=str) if entry.payout is not None else None,
        json.dumps(entry.error, default=str) if entry.error is not None else None,
        entry.sent_at,
        now,
        entry.owner,
        entry.lease_until if entry.state in HELD else None,
    )


def is_database_url(where: object) -> bool:
    """Whether ``journal=`` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(where, str) and where.startswith(_DATABASE_SCHEMES)


_DATABASE_SCHEMES = ("postgresql://", "postgres://")
_PASSWORD_PARAM = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)", re.IGNORECASE)


def masked(where: str | os.PathLike[str]) -> str:
    """A journal's name fit to print: a database URL (or ``key=value`` DSN) with its password
    replaced by ``***``; a path as it is."""
    text = os.fspath(where)
    if not isinstance(text, str):
        return repr(text)
    if is_database_url(text):
        parts = urllib.parse.urlsplit(text)
        userinfo, at, host = parts.netloc.rpartition("@")
        if at and ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}" if at else host
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=_hide(parts.query)))
    return _hide(text) if "=" in text else text


def _hide(text: str) -> str:
    return _PASSWORD_PARAM.sub(r"\1***", text)


class Op:
    """One queued journal operation and, once its transaction committed, its result."""

    __slots__ = ("args", "kind", "result")

    def __init__(self, kind: str, *args: Any) -> None:
        self.kind = kind
        self.args = args
        self.result: Any = None


class GroupCommit:
    """Group commit, shared by the journals: operations that arrive while a transaction runs are
    queued, and committed together in the next one (``_transact``, one at a time)."""

    def __init__(self) -> None:
        self._pending: list[Op] = []
        self._flushing: anyio.Event | None = None
        self._generation = 0  # transactions committed so far
        self._queued_generation = 1  # the transaction that operations queued now will join

    async def _transact(self, ops: list[Op]) -> None:
        """Run ``ops`` in one transaction, setting each one's ``result``: all of them are
        durable when it returns, or it raises."""
        raise NotImplementedError

    async def _submit(self, op: Op) -> Any:
        """Queue ``op``; return its result once the transaction holding it has committed.

        Whoever finds no commit running commits everything queued (group commit); the others
        wait for the commit that holds their operation. A commit already started finishes.
        """
        self._pending.append(op)
        mine = self._queued_generation
        while self._generation < mine:
            if self._flushing is not None:
                await self._flushing.wait()
                continue
            batch, self._pending = self._pending, []
            self._queued_generation += 1
            done = self._flushing = anyio.Event()
            try:
                # Not cancellable: once a transaction starts, its callers learn how it ended.
                with anyio.CancelScope(shield=True):
                    await self._transact(batch)
                self._generation += 1
            except BaseException:
                # Nothing of this transaction is durable: queue it again for the next one, but
                # for this caller's operation, which it learns failed (so it is never applied
                # later behind its back: a claim reported failed must not be recorded).
                self._pending[:0] = [queued for queued in batch if queued is not op]
                self._queued_generation -= 1
                raise
            finally:
                self._flushing = None
                done.set()
        return op.result

    async def claim(self, entry: JournalEntry) -> Claim:
        """Claim ``entry.key`` for ``entry.owner``, atomically and durably (``decide_claim``)."""
        claim: Claim = await self._submit(Op("claim", entry))
        return claim

    async def renew(self, keys: Sequence[str], owner: str) -> None:
        """Extend ``owner``'s leases on those of ``keys`` it still holds."""
        if keys:
            await self._submit(Op("renew", list(keys), owner))

    async def put(self, entry: JournalEntry) -> None:
        """Record ``entry``, durably, group-committed with whatever else is queued."""
        await self._submit(Op("put", entry))


class SQLiteJournal(GroupCommit):
    """A ``Journal`` in one SQLite file (created if missing), shared safely by processes on one
    machine.

    Claims and writes that arrive together are committed together, in one ``BEGIN IMMEDIATE``
    transaction (SQLite's single writer makes each claim atomic against every other process)
    with ``synchronous=FULL``: a claim is fsynced before its request leaves, so neither
    ``kill -9`` nor a power loss can forget it. Runs off the event loop, on worker threads.

    Args:
        path: the journal file.
        lease: seconds a claim holds unless its owner renews it (see ``DEFAULT_LEASE``).
        busy_timeout: seconds to wait for another process's transaction before failing.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lease: float = DEFAULT_LEASE,
        busy_timeout: float = 30.0,
    ) -> None:
        if not lease > 0:
            raise ValueError("lease must be a positive number of seconds")
        self.path = Path(path)
        self.lease = float(lease)
        self._busy_timeout = busy_timeout
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        super().__init__()

    def __repr__(self) -> str:
        return f"<SQLiteJournal {str(self.path)!r}>"

    def _error(self, exc: BaseException, doing: str) -> JournalError:
        return JournalError(
            f"the journal {str(self.path)!r} could not be {doing}: {exc}; nothing was sent "
            "for the items it could not record",
            path=str(self.path),
        )

    def _open_connection(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=self._busy_timeout, check_same_thread=False, isolation_level=None
        )
        try:
            # Switching a new file to WAL takes a lock SQLite's busy handler does not wait for:
            # processes opening one new journal at once retry it (within the busy timeout).
            deadline = time.monotonic() + self._busy_timeout
            while True:
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)
            db.execute("PRAGMA synchronous=FULL")
            db.execute(_SCHEMA)
            have = {row[1] for row in db.execute("PRAGMA table_info(items)")}
            for column, kind in (("owner", "TEXT"), ("lease_until", "REAL")):
                if column not in have:  # a journal written by an earlier version
                    db.execute(f"ALTER TABLE items ADD COLUMN {column} {kind}")
        except BaseException:
            db.close()
            raise
        return db

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open_connection()
        return self._db

    def _open(self) -> None:
        try:
            with self._lock:
                self._connect().execute("SELECT count(*) FROM items").fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc, "opened") from exc

    def _read(self, key: str) -> JournalEntry | None:
        try:
            with self._lock:
                row = self._connect().execute(f"{_SELECT} WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc
        return None if row is None else entry_from_row(row)

    def _commit(self, ops: list[Op]) -> None:
        """Run ``ops`` in one immediate transaction: all of them are durable, or none."""
        try:
            with self._lock:
                db = self._connect()
                db.execute("BEGIN IMMEDIATE")
                try:
                    now = time.time()
                    for op in ops:
                        self._apply(db, op, now)
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc, "written") from exc

    def _apply(self, db: sqlite3.Connection, op: Op, now: float) -> None:
        entry: JournalEntry
        if op.kind == "put":
            entry = op.args[0]
            if entry.state in HELD and entry.lease_until is None:
                # The owner records its own progress (``settling``, ``sending`` again): it is
                # alive, so its lease is renewed with it rather than dropped.
                entry = attrs.evolve(entry, lease_until=now + self.lease)
            db.execute(_UPSERT, _row(entry, now))
        elif op.kind == "claim":
            entry = op.args[0]
            found = db.execute(f"{_SELECT} WHERE key = ?", (entry.key,)).fetchone()
            claim, write = decide_claim(
                None if found is None else entry_from_row(found), entry, now=now, lease=self.lease
            )
            if write is not None:
                db.execute(_UPSERT, _row(write, now))
            op.result = claim
        elif op.kind == "release":
            db.execute(
                "UPDATE items SET lease_until = NULL WHERE owner = ? AND state IN "
                "('sending', 'settling')",
                op.args,
            )
        elif op.kind == "renew":
            keys, owner = op.args
            until = now + self.lease
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                db.execute(
                    f"UPDATE items SET lease_until = ? WHERE owner = ? AND state IN "  # noqa: S608
                    f"('sending', 'settling') AND key IN ({marks})",
                    (until, owner, *chunk),
                )
        else:
            raise AssertionError(f"no journal operation {op.kind!r}")

    async def _transact(self, ops: list[Op]) -> None:
        await anyio.to_thread.run_sync(self._commit, ops)

    async def open(self) -> None:
        """Open (creating it if missing) and read the journal; ``JournalError`` if it cannot."""
        await anyio.to_thread.run_sync(self._open)

    async def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key``, read on a worker thread."""
        return await anyio.to_thread.run_sync(self._read, key)

    async def release(self, owner: str) -> None:
        """End every lease ``owner`` holds now: the next run takes its items over at once."""
        await self._submit(Op("release", owner))

    def entries(self) -> list[JournalEntry]:
        """Every entry (blocking, on a connection of its own; for inspection and tests)."""
        try:
            with contextlib.closing(self._open_connection()) as db:
                return [entry_from_row(row) for row in db.execute(_SELECT)]
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc

    async def aclose(self) -> None:
        """Commit what cancelled writers left queued, and close the connection. Idempotent."""
        pending, self._pending = self._pending, []
        if pending and self._db is not None:
            await anyio.to_thread.run_sync(self._commit, pending)
        db, self._db = self._db, None
        if db is not None:
            with self._lock:
                db.close()
