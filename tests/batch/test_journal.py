"""The journal: durable when put() returns, group-committed, and a protocol others can back."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import anyio
import attrs
import pytest

from paycombat_async import Journal, JournalEntry, JournalError, PayCombat, SQLiteJournal
from paycombat_async._batch.journal import Claim, JournalState, decide_claim
from paycombat_async.sandbox import LocalSandbox
from tests.batch.helpers import assert_exactly_once, items


def entry(i: int, state: JournalState = "sending") -> JournalEntry:
    return JournalEntry(key=f"k-{i}", order_id=f"o-{i}", fingerprint="f", state=state)


async def test_every_put_is_readable_from_another_connection_once_it_returns(
    tmp_path: Path,
) -> None:
    journal = SQLiteJournal(tmp_path / "j.sqlite")
    durable: list[int] = []

    async def put(i: int) -> None:
        await journal.put(entry(i))
        await journal.put(entry(i, "created"))
        durable.append(i)

    async with anyio.create_task_group() as tg:
        for i in range(200):
            tg.start_soon(put, i)
    other = SQLiteJournal(tmp_path / "j.sqlite")
    states = {e.key: e.state for e in other.entries()}
    assert states == {f"k-{i}": "created" for i in durable}
    assert len(durable) == 200
    assert await other.get("k-7") == entry(7, "created")
    assert await other.get("missing") is None
    await journal.aclose()
    await other.aclose()


class MemoryJournal:
    """What a shared store would implement (here a dict), for a batch spread over workers: the
    claim rule is ``decide_claim``, applied atomically (one event loop: no await inside)."""

    lease = 30.0

    def __init__(self) -> None:
        self.entries: dict[str, JournalEntry] = {}

    async def open(self) -> None:
        pass

    async def get(self, key: str) -> JournalEntry | None:
        return self.entries.get(key)

    async def claim(self, entry: JournalEntry) -> Claim:
        claim, write = decide_claim(
            self.entries.get(entry.key), entry, now=time.time(), lease=self.lease
        )
        if write is not None:
            self.entries[entry.key] = write
        return claim

    async def renew(self, keys: Sequence[str], owner: str) -> None:
        for key in keys:
            if (held := self.entries.get(key)) is not None and held.owner == owner:
                self.entries[key] = attrs.evolve(held, lease_until=time.time() + self.lease)

    async def release(self, owner: str) -> None:
        for key, held in self.entries.items():
            if held.owner == owner:
                self.entries[key] = attrs.evolve(held, lease_until=None)

    async def put(self, entry: JournalEntry) -> None:
        self.entries[entry.key] = entry

    async def aclose(self) -> None:
        pass


async def test_any_object_with_the_protocol_can_be_the_journal(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    journal = MemoryJournal()
    assert isinstance(journal, Journal)
    results = await client.payouts.create_many(items(10), journal=journal, settle=0)
    assert {e.state for e in journal.entries.values()} == {"created"}
    again = await client.payouts.create_many(items(10), journal=journal, settle=0)
    assert [r.payout for r in again] == [r.payout for r in results]
    assert len(sandbox.requests_for("Create Payout")) == 10
    assert_exactly_once(sandbox, again, 10)


def locked_new_file(path: Path) -> sqlite3.Connection:
    """Another process's write transaction on a new file: switching it to WAL fails at once
    with "database is locked" (SQLite's busy handler does not wait for that lock)."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_a_new_journal_another_process_holds_is_opened_once_it_lets_go(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    holder = locked_new_file(path)
    journal = SQLiteJournal(path, busy_timeout=10)
    held_for = 0.3  # how long the other process's transaction lasts

    async def let_go() -> None:
        await anyio.sleep(held_for)
        holder.execute("COMMIT")
        holder.close()

    started = time.monotonic()
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(let_go)
            await journal.open()  # retried while the lock is held, not failed at once
        assert time.monotonic() - started >= held_for
        await journal.put(entry(1))
    finally:
        await journal.aclose()
    assert [e.key for e in SQLiteJournal(path).entries()] == ["k-1"]


async def test_a_new_journal_held_past_the_busy_timeout_fails_with_its_path(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    holder = locked_new_file(path)
    journal = SQLiteJournal(path, busy_timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(JournalError, match="database is locked") as caught:
            await journal.open()
    finally:
        holder.close()
        await journal.aclose()
    assert 0.3 <= time.monotonic() - started < 5  # the busy timeout, then no more
    assert caught.value.path == str(path)
