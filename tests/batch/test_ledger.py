"""The ledger against a gateway that misbehaves as real ones do: a lookup proves or it does not
conclude, a payout found must be this item's, and no order_id is ever paid twice."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import attrs
import pytest

from paycombat_async import (
    APITimeoutError,
    BatchAbortedError,
    BatchResult,
    CreatePayoutRequest,
    JournalError,
    OutcomeUnknownError,
    PayoutConflictError,
    SQLiteJournal,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async._batch.engine import BatchCounts
from paycombat_async._batch.journal import JournalEntry
from paycombat_async._batch.reconcile import fingerprint
from paycombat_async.sandbox import LocalSandbox
from tests.batch.gateway import CREATE_PATH, LIST_PATH, Gateway, client_for_gateway, run_gateway
from tests.batch.helpers import items
from tests.helpers import payout_args

UNAVAILABLE = (503, "Service temporarily unavailable")  # refused before commit: absent


def creates(gateway: Gateway) -> int:
    return sum(1 for method, path, *_ in gateway.requests if path == CREATE_PATH)


def lists(gateway: Gateway) -> int:
    return sum(1 for method, path, *_ in gateway.requests if path == LIST_PATH)


def seed_others(gateway: Gateway, n: int) -> None:
    for i in range(n):
        gateway.seed_payout(order_id=f"other-{i}", amount=7)


async def run(gateway: Gateway, batch: list[Any], **options: Any) -> list[BatchResult]:
    options.setdefault("settle", 0)
    async with run_gateway(gateway) as url, client_for_gateway(url) as client:
        return await client.payouts.create_many(batch, **options)


# -- a lookup proves or it does not conclude ------------------------------------------------


async def test_an_ignored_filter_still_finds_a_payout_on_a_later_page() -> None:
    gateway = Gateway(ignore_order_id_filter=True, commit_then_fail={"b-1"})
    seed_others(gateway, 250)  # b-1 is committed after them: on page 3 of an unfiltered list
    [*_, result] = await run(gateway, items(2), resend_after_settle=True)
    assert result.status == "created"
    assert result.payout is not None
    assert result.payout.order_id == "b-1"
    assert gateway.count_by_order_id()["b-1"] == 1
    assert creates(gateway) == 2


async def test_an_ignored_filter_never_proves_absence_so_nothing_is_resent() -> None:
    gateway = Gateway(
        ignore_order_id_filter=True, reject_with=dict.fromkeys(["b-0", "b-2"], UNAVAILABLE)
    )
    seed_others(gateway, 150)
    results = await run(gateway, items(3), resend_after_settle=True)
    assert [r.status for r in results] == ["unknown", "created", "unknown"]
    for result in (results[0], results[2]):
        assert isinstance(result.error, OutcomeUnknownError)
        assert "ignored the order_id filter" in str(result.error)
        assert "proves nothing" in str(result.error)
    assert creates(gateway) == 3  # once each: the unknown ones were never resent


async def test_a_server_that_ignores_page_is_not_walked_forever() -> None:
    gateway = Gateway(
        ignore_order_id_filter=True, ignore_page=True, reject_with={"b-0": UNAVAILABLE}
    )
    seed_others(gateway, 100)  # a full first page, repeated for every page number
    [result] = await run(gateway, items(1), resend_after_settle=True)
    assert result.status == "unknown"
    assert "page 2 repeated page 1" in str(result.error)
    assert lists(gateway) == 2
    assert creates(gateway) == 1


async def test_a_payout_on_a_page_the_server_repeats_is_still_found() -> None:
    gateway = Gateway(ignore_order_id_filter=True, ignore_page=True, commit_then_fail={"b-0"})
    seed_others(gateway, 99)  # b-0 is committed after them: the last of a full page 1
    [result] = await run(gateway, items(1))
    assert result.status == "created"
    assert result.payout is not None
    assert result.payout.order_id == "b-0"
    assert lists(gateway) == 2  # page 2 repeated page 1: the lookup stops, with what it found
    assert creates(gateway) == 1


async def test_a_payout_found_before_the_page_bound_is_found() -> None:
    from paycombat_async._batch.reconcile import LOOKUP_LIMIT, LOOKUP_PAGES

    gateway = Gateway(ignore_order_id_filter=True, reject_with={"b-0": UNAVAILABLE})
    # This item's payout (made by an earlier run) first, then more pages than a lookup reads.
    gateway.seed_payout(order_id="b-0", amount=25, account_number="12345678")
    seed_others(gateway, LOOKUP_PAGES * LOOKUP_LIMIT)
    [result] = await run(gateway, items(1))
    assert result.status == "created"
    assert result.payout is not None
    assert result.payout.order_id == "b-0"
    assert lists(gateway) == LOOKUP_PAGES


async def test_an_honoured_filter_proves_absence_and_allows_the_resend() -> None:
    gateway = Gateway(reject_with={"b-0": UNAVAILABLE})
    async with run_gateway(gateway) as url, client_for_gateway(url) as client:
        # The first send is refused before commit; the lookup proves it absent; the resend
        # (the gateway now healthy) creates it.
        [result] = await client.payouts.create_many(
            items(1),
            settle=0,
            resend_after_settle=True,
            on_counts=lambda counts: counts.sent == 1 and gateway.reject_with.clear(),
        )
    assert result.status == "created"
    assert gateway.count_by_order_id()["b-0"] == 1


# -- a found payout must be this item's -----------------------------------------------------


async def test_an_old_payout_under_a_reused_order_id_is_a_conflict_not_created() -> None:
    gateway = Gateway(reject_with={"b-0": UNAVAILABLE})
    old = gateway.seed_payout(order_id="b-0", amount=5000, account_number="87654321")
    [result] = await run(gateway, items(1), resend_after_settle=True)
    assert result.status == "conflict"
    assert result.payout is None
    assert [p.id for p in result.found] == [old["id"]]
    assert isinstance(result.error, PayoutConflictError)
    assert "amount 5000" in str(result.error)
    assert "account_number 87654321" in str(result.error)
    assert gateway.count_by_order_id()["b-0"] == 1  # never resent


async def test_a_duplicate_refusal_finding_someone_elses_payout_is_a_conflict() -> None:
    gateway = Gateway(refuse_duplicate_order_id=True)
    gateway.seed_payout(order_id="b-0", amount=5000)
    [result] = await run(gateway, items(1))
    assert result.status == "conflict"
    assert creates(gateway) == 1


async def test_two_payouts_under_one_order_id_are_a_conflict() -> None:
    gateway = Gateway(reject_with={"b-0": UNAVAILABLE})
    for _ in range(2):
        gateway.seed_payout(order_id="b-0", amount=Decimal("25.00"), account_number="12345678")
    [result] = await run(gateway, items(1))
    assert result.status == "conflict"
    assert len(result.found) == 2
    assert "2 payouts carry it" in str(result.error)


async def test_a_matching_payout_is_created_even_when_masked() -> None:
    gateway = Gateway(refuse_duplicate_order_id=True)
    gateway.seed_payout(order_id="b-0", amount=25, account_number="****5678")
    [result] = await run(gateway, items(1))
    assert result.status == "created"
    assert creates(gateway) == 1


async def test_create_reconciled_raises_a_conflict_for_someone_elses_payout() -> None:
    gateway = Gateway(reject_with={"web-1": UNAVAILABLE})
    gateway.seed_payout(order_id="web-1", amount=5000)
    request = CreatePayoutRequest(**payout_args(order_id="web-1"))
    async with run_gateway(gateway) as url, client_for_gateway(url) as client:
        with pytest.raises(PayoutConflictError) as caught:
            await client.payouts.create_reconciled(request, settle=0)
    assert caught.value.order_id == "web-1"
    assert len(caught.value.found) == 1


async def test_create_reconciled_says_what_it_tried_when_it_cannot_conclude() -> None:
    gateway = Gateway(ignore_order_id_filter=True, reject_with={"web-1": UNAVAILABLE})
    seed_others(gateway, 3)
    request = CreatePayoutRequest(**payout_args(order_id="web-1"))
    async with run_gateway(gateway) as url, client_for_gateway(url) as client:
        with pytest.raises(OutcomeUnknownError, match="proves nothing") as caught:
            await client.payouts.create_reconciled(request, settle=0)
    assert "payouts.list(order_id='web-1')" in str(caught.value)


# -- "duplicate order" means this order -----------------------------------------------------


async def test_a_422_about_something_else_is_a_rejection_not_a_duplicate() -> None:
    gateway = Gateway(reject_with={"b-0": (422, "Beneficiary account already exists")})
    [result] = await run(gateway, items(1), settle=30)  # a duplicate would wait 30 s
    assert result.status == "rejected"
    assert isinstance(result.error, UnprocessableEntityError)
    assert lists(gateway) == 0


async def test_a_duplicate_order_id_answer_finds_this_items_payout() -> None:
    gateway = Gateway(refuse_duplicate_order_id=True)
    existing = gateway.seed_payout(order_id="b-0", amount=25, account_number="12345678")
    [result] = await run(gateway, items(1))
    assert result.status == "created"
    assert result.payout is not None
    assert result.payout.id == existing["id"]


# -- identity is the order_id, a string ------------------------------------------------------


async def test_a_journaled_batch_refuses_items_without_a_string_order_id(tmp_path: Path) -> None:
    batch: list[Any] = items(3)
    del batch[0]["order_id"]
    batch[1]["order_id"] = 123
    gateway = Gateway()
    results = await run(gateway, batch, journal=tmp_path / "j.sqlite")
    assert [r.status for r in results] == ["rejected", "rejected", "created"]
    assert all(isinstance(r.error, ValidationError) for r in results[:2])
    assert "order_id" in str(results[0].error)
    assert creates(gateway) == 1


async def test_a_non_string_order_id_is_refused_before_sending_without_a_journal() -> None:
    gateway = Gateway()
    [result] = await run(gateway, [payout_args(order_id=123)])
    assert result.status == "rejected"
    assert isinstance(result.error, ValidationError)
    assert creates(gateway) == 0


# -- the journal owns each item's fate -------------------------------------------------------


def journal_with(path: Path, rows: list[JournalEntry]) -> None:
    journal = SQLiteJournal(path)
    anyio_run_put(journal, rows)


def anyio_run_put(journal: SQLiteJournal, rows: list[JournalEntry]) -> None:
    async def put_all() -> None:
        for row in rows:
            await journal.put(row)
        await journal.aclose()

    anyio.run(put_all)


def row(order_id: str, state: str, **fields: Any) -> JournalEntry:
    """A row an earlier run left; by default that run is dead (its lease is over)."""
    request = CreatePayoutRequest(**payout_args(order_id=order_id))
    fields.setdefault("owner", "dead-run")
    fields.setdefault("lease_until", time.time() - 1)
    return JournalEntry(
        key=order_id,
        order_id=order_id,
        fingerprint=fingerprint(request),
        state=state,
        sent_at=time.time() - 3600,
        **fields,
    )


@pytest.mark.parametrize("state", ["CREATED", "done", "created", "sending", "settling"])
async def test_a_row_in_doubt_is_looked_up_never_sent_again(tmp_path: Path, state: str) -> None:
    path = tmp_path / "j.sqlite"
    await anyio.to_thread.run_sync(journal_with, path, [row("b-0", state), row("b-1", state)])
    gateway = Gateway()
    gateway.seed_payout(order_id="b-1", amount=25, account_number="12345678")
    results = await run(gateway, items(2), journal=path, resend_after_settle=False)
    assert [r.status for r in results] == ["unknown", "created"]
    assert creates(gateway) == 0  # neither was sent again: b-0 stays in doubt, b-1 was found
    states = {e.order_id: e.state for e in SQLiteJournal(path).entries()}
    assert states == {"b-0": "unknown", "b-1": "created"}


async def test_a_claim_held_by_a_live_run_is_waited_for_then_read(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    other = row("b-0", "sending", owner="other-run", lease_until=time.time() + 60)
    await anyio.to_thread.run_sync(journal_with, path, [other])
    gateway = Gateway()
    payout = gateway.seed_payout(order_id="b-0", amount=25, account_number="12345678")
    waiting = anyio.Event()

    def counts(now: BatchCounts) -> None:
        if now.waiting:
            waiting.set()

    async def other_run_finishes() -> None:
        await waiting.wait()
        journal = SQLiteJournal(path)
        await journal.put(row("b-0", "created", payout=payout))
        await journal.aclose()

    async with anyio.create_task_group() as tg:
        tg.start_soon(other_run_finishes)
        results = await run(gateway, items(2), journal=path, on_counts=counts)
    assert [r.status for r in results] == ["created", "created"]
    assert results[0].payout is not None
    assert results[0].payout.id == payout["id"]
    assert creates(gateway) == 1  # only b-1: b-0 belonged to the other run


async def test_a_dead_runs_claim_is_taken_over_through_a_lookup(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    dead = row("b-0", "sending", owner="dead-run", lease_until=time.time() - 1)
    await anyio.to_thread.run_sync(journal_with, path, [dead])
    gateway = Gateway()  # the dead run never got its request out: absent, provably
    results = await run(gateway, items(1), journal=path, resend_after_settle=True)
    assert [r.status for r in results] == ["created"]
    assert gateway.count_by_order_id()["b-0"] == 1


async def test_a_journal_that_cannot_be_opened_raises_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"this is not a database" * 100)
    gateway = Gateway()
    for path in (corrupt, tmp_path):  # a corrupt file; a folder
        with pytest.raises(JournalError) as caught:
            await run(gateway, items(3), journal=path)
        assert str(path) in str(caught.value)
        assert caught.value.path == str(path)
    assert gateway.requests == []


def test_claims_reach_the_disk_before_the_request_leaves(tmp_path: Path) -> None:
    journal = SQLiteJournal(tmp_path / "j.sqlite")
    anyio.run(journal.open)
    try:
        assert journal._db is not None
        # 2 = FULL: every commit (so every claim) is fsynced, not only at checkpoints.
        assert journal._db.execute("PRAGMA synchronous").fetchone() == (2,)
    finally:
        anyio.run(journal.aclose)


async def test_an_old_journal_without_claims_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE items (key TEXT PRIMARY KEY, order_id TEXT NOT NULL, fingerprint TEXT "
            "NOT NULL, state TEXT NOT NULL, payout TEXT, error TEXT, sent_at REAL, updated_at "
            "REAL NOT NULL)"
        )
    db.close()
    results = await run(Gateway(), items(2), journal=path)
    assert [r.status for r in results] == ["created", "created"]


# -- no result is ever lost ------------------------------------------------------------------


async def test_a_breaking_item_source_raises_with_every_result() -> None:
    def source() -> Any:
        yield from items(40)
        raise OSError("the CSV reader broke")

    gateway = Gateway(latency=0.01)
    with pytest.raises(BatchAbortedError) as caught:
        await run(gateway, source(), concurrency=8)
    assert isinstance(caught.value.__cause__, OSError)
    results = caught.value.results
    assert [r.index for r in results] == list(range(40))
    assert {r.status for r in results} == {"created"}
    assert sum(gateway.count_by_order_id().values()) == 40


async def test_a_raising_progress_callback_stops_sending_and_keeps_results() -> None:
    def explode(result: BatchResult) -> None:
        if result.index == 5:
            raise RuntimeError("dashboard down")

    gateway = Gateway(latency=0.005)
    with pytest.raises(BatchAbortedError) as caught:
        await run(gateway, items(500), concurrency=4, on_progress=explode)
    results = caught.value.results
    on_server = gateway.count_by_order_id()
    assert len(results) < 500
    assert sorted(r.order_id for r in results) == sorted(on_server)  # every payout reported
    assert caught.value.may_have_taken_effect


async def test_closing_a_stream_early_stops_sending_and_leaves_no_task(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = Gateway(latency=0.01)
    async with run_gateway(gateway) as url, client_for_gateway(url) as client:
        before = asyncio.all_tasks()
        stream = client.payouts.stream_many(items(1000), concurrency=8)
        seen = [await anext(stream) for _ in range(16)]  # type: ignore[call-overload]
        await stream.aclose()  # type: ignore[attr-defined]
        sent = creates(gateway)
        # The gateway's own handlers may still be finishing the cancelled requests' answers.
        left = [t for t in asyncio.all_tasks() - before if "RequestHandler" not in repr(t)]
        assert left == []
        await client.payouts.list().fetch_page(1)  # the server answers: nothing else pending
        assert creates(gateway) == sent
    assert len(seen) == 16
    # Every payout the stream did not report is named in a warning (no journal here).
    warned = {r.args[0] for r in caplog.records if r.levelname == "WARNING" and r.args}
    reported = {r.order_id for r in seen}
    assert set(gateway.count_by_order_id()) <= reported | warned
    assert sent < 16 + 8 * 3 + 8  # the consumer's window, not the whole input


# -- settling overlaps sending ---------------------------------------------------------------


async def test_items_settling_never_hold_back_new_sends() -> None:
    n = 200
    gateway = Gateway(commit_then_fail=lambda order_id: True)  # every outcome unknown
    seen: list[BatchCounts] = []
    results = await run(gateway, items(n), concurrency=4, settle=1.0, on_counts=seen.append)
    assert [r.status for r in results] == ["created"] * n
    # Every item was sent while earlier ones were still settling: no cap turned waiting into
    # a stall (the old cap was 64 settling items).
    assert max(c.settling for c in seen) > 64
    assert seen[-1] == BatchCounts(sent=n, created=n)


# -- what each result carries ------------------------------------------------------------------


async def test_a_rejected_item_keeps_its_order_id_whatever_was_wrong_with_it() -> None:
    duplicate = CreatePayoutRequest(**payout_args(order_id="b-0"))
    batch: list[Any] = [
        *items(1),
        {"order_id": "bad-args", "colour": "blue"},
        {"order_id": 7, **{k: v for k, v in payout_args().items() if k != "order_id"}},
        "not an item",
        duplicate,
    ]
    gateway = Gateway()
    results = await run(gateway, batch)
    assert [(r.status, r.order_id) for r in results] == [
        ("created", "b-0"),
        ("rejected", "bad-args"),
        ("rejected", ""),  # not a string: there is nothing to join it back by
        ("rejected", ""),
        ("rejected", "b-0"),
    ]
    assert creates(gateway) == 1


async def test_an_unknown_result_carries_what_happened_and_its_cause() -> None:
    gateway = Gateway(reject_with={"b-0": UNAVAILABLE}, ignore_order_id_filter=True)
    seed_others(gateway, 1)
    [result] = await run(gateway, items(1))
    error = result.error
    assert isinstance(error, OutcomeUnknownError)
    assert (error.order_id, error.status, error.method) == ("b-0", 503, "POST")
    assert error.path == CREATE_PATH
    assert error.may_have_taken_effect
    assert isinstance(error.__cause__, OutcomeUnknownError)  # the send's own error
    assert "Service temporarily unavailable" in error.message
    assert "resend_after_settle=True" in error.message  # what to run next


async def test_a_conflict_carries_the_payouts_found() -> None:
    gateway = Gateway(reject_with={"b-0": UNAVAILABLE})
    old = gateway.seed_payout(order_id="b-0", amount=5000)
    [result] = await run(gateway, items(1))
    error = result.error
    assert isinstance(error, PayoutConflictError)
    assert error.order_id == "b-0"
    assert [p.id for p in error.found] == [old["id"]] == [p.id for p in result.found]
    assert error.may_have_taken_effect
    assert f"payout {old['id']} has amount 5000" in error.message


async def test_an_item_held_by_another_run_is_reported_unknown_if_this_run_stops(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    other = row("b-0", "sending", owner="other-run", lease_until=time.time() + 60)
    await anyio.to_thread.run_sync(journal_with, path, [other])
    seen: list[BatchCounts] = []
    waiting = anyio.Event()

    async def source() -> Any:
        yield items(1)[0]
        seen.append(BatchCounts())  # marks the point where b-0 has been pulled
        await waiting.wait()
        raise OSError("the source broke")

    def counts(now: BatchCounts) -> None:
        seen.append(now)
        if now.waiting:
            waiting.set()

    gateway = Gateway()
    with pytest.raises(BatchAbortedError) as caught:
        await run(gateway, source(), journal=path, on_counts=counts)
    [result] = caught.value.results
    assert (result.index, result.order_id, result.status) == (0, "b-0", "unknown")
    assert isinstance(result.error, OutcomeUnknownError)
    assert result.error.order_id == "b-0"
    assert "another run of this batch holds it and had not decided it when this run stopped; " in (
        str(result.error)
    )
    assert "run the batch again with the same journal" in str(result.error)
    assert seen[-1].waiting == 0
    assert max(c.waiting for c in seen) == 1
    assert creates(gateway) == 0


async def test_reading_a_corrupt_journal_is_a_journal_error(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = SQLiteJournal(path)
    await journal.put(row("b-0", "created", payout={"id": "p"}))
    await journal.aclose()
    path.write_bytes(b"garbage" * 1000)  # (aclose left no WAL file: it was checkpointed)
    broken = SQLiteJournal(path)
    with pytest.raises(JournalError, match="could not be read: file is not a database"):
        await broken.get("b-0")
    with pytest.raises(JournalError, match="could not be read: file is not a database"):
        broken.entries()
    await broken.aclose()


async def test_each_journal_row_records_what_happened(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    gateway = Gateway(reject_with={"b-1": (422, "Insufficient balance"), "b-2": UNAVAILABLE})
    gateway.seed_payout(order_id="b-2", amount=5000)
    started = time.time()
    results = await run(gateway, items(3), journal=path)
    assert [r.status for r in results] == ["created", "rejected", "conflict"]
    rows = {e.order_id: e for e in SQLiteJournal(path).entries()}
    created, rejected, conflict = rows["b-0"], rows["b-1"], rows["b-2"]
    assert results[0].payout is not None
    assert created.payout is not None
    assert created.payout["id"] == results[0].payout.id
    assert created.payout["wire_amount"] == "25"  # amounts kept exact, as strings
    assert created.error is None
    assert rejected.error == {
        "type": "UnprocessableEntityError",
        "message": "Insufficient balance",
        "status": 422,
    }
    assert conflict.error is not None
    assert conflict.error["type"] == "PayoutConflictError"
    assert conflict.payout is not None
    assert conflict.payout["id"] == results[2].found[0].id
    owners = {row.owner for row in rows.values()}
    assert len(owners) == 1
    assert None not in owners
    for row in rows.values():
        assert row.sent_at is not None
        assert started <= row.sent_at <= time.time()
        assert row.lease_until is None  # decided: no lease
        assert row.fingerprint == fingerprint(CreatePayoutRequest(**payout_args(order_id="x")))


async def test_a_journaled_conflict_or_mismatch_is_reported_again_never_sent(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    old = {"id": "p-old", "order_id": "b-0", "wire_amount": "5000", "currency": "AUD"}
    changed = attrs.evolve(row("b-1", "created", payout={"id": "p-1"}), fingerprint="other")
    bare = row("b-2", "conflict")  # a conflict recorded without the payout found
    await anyio.to_thread.run_sync(
        journal_with, path, [row("b-0", "conflict", payout=old), changed, bare]
    )
    gateway = Gateway()
    results = await run(gateway, items(3), journal=path)
    assert [r.status for r in results] == ["conflict", "conflict", "conflict"]
    first, second, third = results
    assert [p.id for p in first.found] == ["p-old"]
    assert isinstance(first.error, PayoutConflictError)
    assert first.error.order_id == "b-0"
    assert [p.id for p in first.error.found] == ["p-old"]
    assert "the journal recorded a conflict" in str(first.error)
    assert isinstance(second.error, PayoutConflictError)
    assert "the journal holds a different payout" in str(second.error)
    assert [p.id for p in second.found] == ["p-1"]
    assert (second.index, second.order_id, second.error.order_id) == (1, "b-1", "b-1")
    assert "it was not sent. Check it, then use a fresh order_id" in str(second.error)
    assert third.found == ()
    assert isinstance(third.error, PayoutConflictError)
    assert third.error.found == ()
    assert creates(gateway) == 0


async def test_a_taken_over_claim_says_what_the_earlier_run_left(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    recorded = {"type": "APITimeoutError", "message": "No answer within 5s", "status": None}
    await anyio.to_thread.run_sync(
        journal_with, path, [row("b-0", "settling", error=recorded), row("b-1", "sending")]
    )
    results = await run(Gateway(), items(2), journal=path)
    first, second = (r.error for r in results)
    assert first is not None
    assert second is not None
    assert "No answer within 5s (recorded by the journal)" in str(first)
    assert isinstance(first.__cause__, APITimeoutError)
    assert "an earlier run claimed this payout ('sending')" in str(second)


async def test_a_claim_is_renewed_while_its_item_settles_so_another_run_waits(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    gateway = Gateway(commit_then_fail={"b-0"})
    settling = anyio.Event()
    batch: list[Any] = [*items(1), payout_args(order_id="b-0")]  # a duplicate, rejected

    def counts(now: BatchCounts) -> None:
        if now.settling:
            settling.set()

    journals = [SQLiteJournal(path, lease=0.6) for _ in range(2)]
    async with run_gateway(gateway) as url, client_for_gateway(url) as client:

        async def first_run() -> list[BatchResult]:
            return await client.payouts.create_many(
                batch, journal=journals[0], settle=2.0, on_counts=counts
            )

        async with anyio.create_task_group() as tg:
            first: list[BatchResult] = []
            tg.start_soon(lambda: _collect(first_run(), first))
            await settling.wait()
            # The first run holds b-0 (settling 2 s, lease 0.6 s, renewed every 0.2 s): the
            # second run waits for it rather than taking it over, and reads its outcome.
            second = await client.payouts.create_many(items(1), journal=journals[1], settle=0)
    for journal in journals:
        await journal.aclose()
    assert [r.status for r in first] == ["created", "rejected"]
    assert [r.status for r in second] == ["created"]
    assert second[0].payout == first[0].payout
    assert lists(gateway) == 1  # one lookup: the second run never took b-0 over
    assert creates(gateway) == 1


async def _collect(results: Any, into: list[BatchResult]) -> None:
    into.extend(await results)


def test_the_fingerprint_of_a_request_never_changes() -> None:
    # Journals keep it: a new digest would turn every journaled item into a conflict.
    request = CreatePayoutRequest(**payout_args(order_id="anything"))
    assert fingerprint(request) == fingerprint(attrs.evolve(request, order_id="else"))
    assert fingerprint(request) == "df866383e297a1b28d762e81278907de"


async def test_a_lookup_that_runs_past_its_page_bound_proves_nothing() -> None:
    from paycombat_async._batch.reconcile import LOOKUP_LIMIT, LOOKUP_PAGES

    gateway = Gateway(ignore_order_id_filter=True, reject_with={"b-0": UNAVAILABLE})
    seed_others(gateway, LOOKUP_PAGES * LOOKUP_LIMIT + 1)
    [result] = await run(gateway, items(1), resend_after_settle=True)
    assert result.status == "unknown"
    assert f"more than {LOOKUP_PAGES} pages" in str(result.error)
    assert lists(gateway) == LOOKUP_PAGES  # bounded: never the page after the bound
    assert creates(gateway) == 1


async def test_a_lookup_retries_a_failing_page_then_gives_up_unknown(
    sandbox: LocalSandbox,
) -> None:
    from tests.batch.helpers import batch_client

    async with batch_client(sandbox) as client:
        # Each page fetch is itself tried 3 times by the client (NO_WAIT: 2 retries): 6 503s
        # fail the lookup's first two tries of page 1; its third try finds the payout.
        sandbox.inject("Create Payout", reset="after")
        sandbox.inject("Get All Payout", status=503, times=6)
        [found] = await client.payouts.create_many(items(1, "r"), settle=0)
        sandbox.inject("Create Payout", reset="after")
        sandbox.inject("Get All Payout", status=503, times=1000)
        [lost] = await client.payouts.create_many(items(1, "s"), settle=0)
    assert found.status == "created"
    assert lost.status == "unknown"
    assert "looking it up by order_id failed" in str(lost.error)
    assert len(sandbox.requests_for("Get All Payout")) == 6 + 1 + 4 * 3


async def test_a_lookup_waits_as_long_as_retry_after_says(sandbox: LocalSandbox) -> None:
    from paycombat_async import RetryPolicy
    from tests.batch.helpers import batch_client

    # Backoffs of up to 1000 s unless the server says how long: a lookup that did not take
    # Retry-After (0 s here) would still be waiting when the test gives up.
    policy = RetryPolicy(max_retries=0, initial_backoff=1000, max_backoff=1000)
    async with batch_client(sandbox, retry=policy) as client:
        sandbox.inject("Create Payout", reset="after")
        sandbox.inject("Get All Payout", status=429, retry_after=0, times=2)
        with anyio.fail_after(10):
            [result] = await client.payouts.create_many(items(1), settle=0)
    assert result.status == "created"
    assert len(sandbox.requests_for("Get All Payout")) == 3


async def test_a_batch_that_stops_reports_its_settling_items_unknown_at_once() -> None:
    settling = anyio.Event()

    def counts(now: BatchCounts) -> None:
        if now.settling:
            settling.set()

    async def source() -> Any:
        yield items(1)[0]
        await settling.wait()
        raise OSError("the source broke")

    gateway = Gateway(commit_then_fail={"b-0"})
    with anyio.fail_after(10):  # not the 60 s settle: the batch stops waiting at once
        with pytest.raises(BatchAbortedError) as caught:
            await run(gateway, source(), settle=60, on_counts=counts)
    [result] = caught.value.results
    assert result.status == "unknown"
    assert "the batch stopped before its lookup" in str(result.error)
    assert lists(gateway) == 0  # never looked up, never resent


# -- how far reconciling goes -----------------------------------------------------------------


async def test_an_item_still_absent_is_resent_at_most_twice_then_reported_unknown(
    tmp_path: Path,
) -> None:
    from paycombat_async._batch.reconcile import RESENDS

    # Every send is refused before commit: each lookup proves it absent, so each may be resent.
    gateway = Gateway(reject_with={"b-0": UNAVAILABLE})
    journal = Recording(tmp_path / "j.sqlite")
    try:
        with anyio.fail_after(10):  # a bound that did not hold would resend forever
            [result] = await run(gateway, items(1), journal=journal, resend_after_settle=True)
    finally:
        await journal.aclose()
    # Each resend is recorded (``sending``, with when it left) before it is sent.
    states = [row.state for row in journal.rows]
    assert states == ["settling", "sending", "sending", "unknown"]
    sent_at = [journal.claims[0].sent_at] + [
        r.sent_at for r in journal.rows if r.state == "sending"
    ]
    assert None not in sent_at
    assert sent_at == sorted(sent_at)
    assert len(set(sent_at)) == 1 + RESENDS
    assert RESENDS == 2
    assert result.status == "unknown"
    assert creates(gateway) == 1 + RESENDS  # bounded: a gateway that never commits is let be
    assert lists(gateway) == 1 + RESENDS  # each send looked up once
    assert str(result.error).count("; resent;") == RESENDS
    assert gateway.count_by_order_id()["b-0"] == 0


class ListsLate(Gateway):
    """Refuses b-0 as a duplicate, but lists the payout only from its second lookup on (a
    listing that lags the commit), if ``appears``."""

    def __init__(self, *, appears: bool) -> None:
        super().__init__(reject_with={"b-0": (409, "Duplicate order_id b-0")})
        self.appears = appears

    async def _list(self, request: Any) -> Any:
        answer = await super()._list(request)
        if lists(self) == 1 and self.appears:
            [body] = [body for _, path, _, body in self.requests if path == CREATE_PATH]
            assert body is not None
            self.payouts.append(self._payout(body))
        return answer


@pytest.mark.parametrize("appears", [True, False])
async def test_a_duplicate_refusal_not_yet_listed_is_looked_up_once_more_never_resent(
    appears: bool,
) -> None:
    gateway = ListsLate(appears=appears)
    with anyio.fail_after(10):  # one more lookup, not one after another
        [result] = await run(gateway, items(1), resend_after_settle=True)
    assert lists(gateway) == 2  # the second lookup after a settle period of its own
    assert creates(gateway) == 1  # the order exists: never resent, even when asked to
    if appears:
        assert result.status == "created"
        assert result.payout is not None
        assert result.payout.order_id == "b-0"
    else:
        assert result.status == "unknown"
        assert "Duplicate order_id" in str(result.error)


class Recording(SQLiteJournal):
    """A journal that keeps every claim and write it was asked for, in order; its writes of
    rows in ``failing`` states fail (claims still succeed), as a full disk would fail them."""

    def __init__(self, path: Path, failing: frozenset[str] = frozenset()) -> None:
        super().__init__(path)
        self.failing = failing
        self.claims: list[JournalEntry] = []
        self.rows: list[JournalEntry] = []

    async def claim(self, entry: JournalEntry) -> Any:
        self.claims.append(entry)
        return await super().claim(entry)

    async def put(self, entry: JournalEntry) -> None:
        self.rows.append(entry)
        if entry.state in self.failing:
            raise JournalError("database or disk is full", path=str(self.path))
        await super().put(entry)


async def test_the_settling_row_keeps_the_error_and_when_the_payout_was_sent(
    tmp_path: Path,
) -> None:
    gateway = Gateway(commit_then_fail={"b-0"})  # created, then answered 500
    journal = Recording(tmp_path / "j.sqlite")
    before = time.time()
    try:
        [result] = await run(gateway, items(1), journal=journal)
    finally:
        await journal.aclose()
    assert result.status == "created"
    [claimed] = journal.claims
    settling, created = journal.rows
    assert settling.state == "settling"
    assert settling.error is not None
    assert settling.error["type"] == "OutcomeUnknownError"  # a create answered 500: in doubt
    assert settling.error["status"] == 500
    assert "Internal server error" in settling.error["message"]
    # A takeover settles from when the item was last sent: the claim's time, kept throughout.
    assert claimed.sent_at is not None
    assert before <= claimed.sent_at <= time.time()
    [final] = journal.entries()
    assert created.state == final.state == "created"
    assert claimed.sent_at == settling.sent_at == created.sent_at == final.sent_at


async def test_a_row_taken_over_without_a_send_time_is_given_one(tmp_path: Path) -> None:
    # A row an earlier version (or a hand edit) left without sent_at: a later takeover would
    # otherwise take the payout as sent in 1970 and look it up without settling.
    path = tmp_path / "j.sqlite"
    left = attrs.evolve(row("b-0", "sending"), sent_at=None)
    await anyio.to_thread.run_sync(journal_with, path, [left])
    journal = Recording(path)
    before = time.time()
    try:
        [result] = await run(Gateway(), items(1), journal=journal)
    finally:
        await journal.aclose()
    settling, unknown = journal.rows
    assert settling.state == "settling"
    assert settling.sent_at is not None
    assert settling.sent_at >= before
    assert unknown.state == result.status == "unknown"  # absent, and not resent unasked
    assert "run the batch again with the same journal" in str(result.error)
    # The earlier run recorded no error: the cause says so, for this order_id.
    cause = result.error.__cause__ if result.error is not None else None
    assert isinstance(cause, OutcomeUnknownError)
    assert cause.order_id == "b-0"
    assert "an earlier run claimed this payout ('sending') and did not record its outcome" in str(
        cause
    )


async def test_a_row_taken_over_keeps_when_the_earlier_run_sent_it(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    left = row("b-0", "sending")  # sent an hour ago by a run that died
    await anyio.to_thread.run_sync(journal_with, path, [left])
    journal = Recording(path)
    try:
        [result] = await run(Gateway(), items(1), journal=journal)
    finally:
        await journal.aclose()
    settling, _ = journal.rows
    assert settling.sent_at == left.sent_at
    assert result.status == "unknown"


async def test_a_row_taken_over_just_after_its_send_settles_before_its_lookup(
    tmp_path: Path,
) -> None:
    # The earlier run sent it a moment ago and died: PayCombat may still be processing it, so
    # a lookup now could miss it, and a resend would pay twice.
    path = tmp_path / "j.sqlite"
    left = attrs.evolve(row("b-0", "sending"), sent_at=time.time())
    await anyio.to_thread.run_sync(journal_with, path, [left])
    gateway = Gateway()
    started = time.monotonic()
    with anyio.fail_after(10):  # and not much longer
        [result] = await run(gateway, items(1), journal=path, settle=1.0, resend_after_settle=True)
    assert time.monotonic() - started >= 1.0  # the settle period, from the takeover at least
    assert lists(gateway) == 1
    assert result.status == "created"  # absent after settling: resent, as asked
    assert creates(gateway) == 1


async def test_a_resend_the_journal_cannot_record_is_never_sent(tmp_path: Path) -> None:
    gateway = Gateway(reject_with={"b-0": UNAVAILABLE})  # absent: the lookup allows a resend
    journal = Recording(tmp_path / "j.sqlite", frozenset({"sending"}))
    try:
        results = await run(gateway, items(1), journal=journal, resend_after_settle=True)
    finally:
        await journal.aclose()
    [result] = results
    # The lookup proved it absent and the resend was not sent: not created, for a known reason.
    assert result.status == "rejected"
    assert isinstance(result.error, JournalError)
    assert creates(gateway) == 1  # the resend's claim could not be recorded: never sent
    assert lists(gateway) == 1


async def test_an_outcome_the_journal_cannot_record_is_still_reported_and_the_batch_stops(
    tmp_path: Path,
) -> None:
    gateway = Gateway(commit_then_fail={"b-0"})
    journal = Recording(tmp_path / "j.sqlite", frozenset({"settling"}))
    try:
        with pytest.raises(BatchAbortedError) as caught:
            await run(gateway, items(3), journal=journal, concurrency=1)
    finally:
        await journal.aclose()
    assert isinstance(caught.value.__cause__, JournalError)
    # b-0's outcome is still reported (the batch stopped before its lookup); the item sent
    # while the journal failed (b-1) is reported too, and nothing is sent after the failure.
    results = {r.order_id: r for r in caught.value.results}
    assert results["b-0"].status == "unknown"
    assert "the batch stopped before its lookup" in str(results["b-0"].error)
    assert set(results) <= {"b-0", "b-1"}
    sent = [
        body["order_id"] for _, path, _, body in gateway.requests if path == CREATE_PATH and body
    ]
    assert sent in (["b-0"], ["b-0", "b-1"])
