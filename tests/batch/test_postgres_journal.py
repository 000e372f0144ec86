"""PostgresJournal: the Journal contract on a real PostgreSQL server (``tests/batch/postgres.py``),
batches on it from one process and from several (killed at random points), and the database
failing under them: unreachable, too slow, its connections cut."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest

psycopg = pytest.importorskip("psycopg")

import paycombat_async  # noqa: E402
import paycombat_sync  # noqa: E402
import paycombat_sync.sandbox  # noqa: E402
from paycombat_async import (  # noqa: E402
    BatchAbortedError,
    JournalEntry,
    JournalError,
    PayCombat,
    PostgresJournal,
)
from paycombat_async._batch.journal import masked  # noqa: E402
from paycombat_async._batch.opening import open_journal  # noqa: E402
from paycombat_async._batch.postgres import DDL  # noqa: E402
from paycombat_async._cli import main  # noqa: E402
from paycombat_async.sandbox import LocalSandbox  # noqa: E402
from tests.batch.helpers import assert_exactly_once, items, on_server  # noqa: E402
from tests.batch.postgres import PASSWORD, PostgresServer  # noqa: E402
from tests.blocking.scripts import run  # noqa: E402

ROOT = Path(__file__).parents[2]
CREATE = "Create Payout"


def entry(key: str, owner: str = "a", state: str = "sending", **fields: object) -> JournalEntry:
    return JournalEntry(
        key=key,
        order_id=key,
        fingerprint="f",
        state=state,
        owner=owner,
        **fields,  # type: ignore[arg-type]
    )


def database_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def unreachable_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    return f"postgresql://payer:{PASSWORD}@127.0.0.1:{port}/journal"


# -- the contract ----------------------------------------------------------------------------


async def test_the_table_is_created_on_first_use_and_rows_round_trip(postgres_url: str) -> None:
    async with PostgresJournal(postgres_url) as journal:
        assert await journal.get("nothing") is None
        payout = {"id": "p-1", "order_id": "k-1", "sender_amount": Decimal("1234567890.123456")}
        error = {"type": "ServerError", "message": "boom", "status": 500}
        written = entry("k-1", state="created", payout=payout, sent_at=1.5)
        await journal.put(written)
        await journal.put(entry("k-2", state="rejected", error=error))
        read = await journal.get("k-1")
    assert read is not None
    assert read.payout == {**payout, "sender_amount": "1234567890.123456"}  # exact, as a string
    assert read.sent_at == 1.5
    assert read.lease_until is None  # a decided row holds no lease
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        kinds = dict(
            admin.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'paycombat_journal'"
            ).fetchall()
        )
        stored = admin.execute(
            "SELECT payout->>'sender_amount', error->>'status' FROM paycombat_journal ORDER BY key"
        ).fetchall()
    assert kinds["payout"] == kinds["error"] == "jsonb"
    assert stored == [("1234567890.123456", None), (None, "500")]


async def test_a_state_this_sdk_does_not_know_is_read_as_it_is_and_looked_up(
    postgres_url: str,
) -> None:
    async with PostgresJournal(postgres_url) as journal:
        await journal.put(entry("k-1", state="frozen-by-ops"))
        found = await journal.get("k-1")
        assert found is not None
        assert found.state == "frozen-by-ops"
        claim = await journal.claim(entry("k-1", owner="b"))
    assert claim.action == "reconcile"  # in doubt: looked up before anything is sent


async def test_a_claim_applied_again_after_a_lost_commit_answer_still_holds(
    postgres_url: str,
) -> None:
    # A COMMIT whose answer was lost is applied again: the claim it made is this claim's own
    # (same owner and sent_at), so it still says send (its item was not sent yet).
    async with PostgresJournal(postgres_url) as journal:
        claim = entry("k-1", sent_at=1234.5)
        assert (await journal.claim(claim)).action == "send"
        assert (await journal.claim(claim)).action == "send"
        # A new claim by the same run (a later sent_at) of an item it holds: in doubt.
        again = entry("k-1", sent_at=1240.0)
        assert (await journal.claim(again)).action == "reconcile"


async def test_one_claimant_wins_each_item_whatever_the_order_of_the_others(
    postgres_url: str,
) -> None:
    keys = [f"k-{i}" for i in range(60)]
    journals = [PostgresJournal(postgres_url) for _ in range(6)]  # one connection each
    won: dict[str, list[str]] = {key: [] for key in keys}

    async def claimant(journal: PostgresJournal, owner: str) -> None:
        order = random.sample(keys, len(keys))  # each in its own order: no deadlock either

        async def one(key: str) -> None:
            claim = await journal.claim(entry(key, owner=owner))
            assert claim.action in ("send", "wait")
            if claim.action == "send":
                won[key].append(owner)

        async with anyio.create_task_group() as tg:
            for key in order:
                tg.start_soon(one, key)

    try:
        for journal in journals:
            await journal.open()
        async with anyio.create_task_group() as tg:
            for number, journal in enumerate(journals):
                tg.start_soon(claimant, journal, f"owner-{number}")
        rows = await journals[0].entries()
    finally:
        for journal in journals:
            await journal.aclose()
    assert all(len(owners) == 1 for owners in won.values()), won
    assert {row.key: row.owner for row in rows} == {key: won[key][0] for key in keys}


async def test_leases_are_renewed_released_and_taken_over_on_the_database_clock(
    postgres_url: str,
) -> None:
    async with (
        PostgresJournal(postgres_url, lease=60) as a,
        PostgresJournal(postgres_url, lease=60) as b,
    ):
        assert (await a.claim(entry("k-1", owner="a"))).action == "send"
        assert (await a.claim(entry("k-2", owner="a"))).action == "send"
        first = await a.get("k-1")
        assert first is not None
        assert first.lease_until is not None
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            (clock,) = admin.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()
        assert abs(first.lease_until - (float(clock) + 60)) < 5  # the database's clock

        await a.renew(["k-1", "not-mine"], "a")
        renewed = await a.get("k-1")
        assert renewed is not None
        assert renewed.lease_until is not None
        assert renewed.lease_until > first.lease_until
        await b.renew(["k-2"], "b")  # not b's: unchanged
        assert (await b.claim(entry("k-1", owner="b"))).action == "wait"

        # A record of a's own progress renews a's lease (it is alive, working on it).
        await a.put(entry("k-1", owner="a", state="settling"))
        settling = await a.get("k-1")
        assert settling is not None
        assert settling.lease_until is not None
        assert settling.lease_until >= renewed.lease_until
        assert (await b.claim(entry("k-1", owner="b"))).action == "wait"

        # A lease that expired (its worker died) is taken over, through a lookup.
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("UPDATE paycombat_journal SET lease_until = 0 WHERE key = 'k-1'")
        taken = await b.claim(entry("k-1", owner="b"))
        assert taken.action == "reconcile"
        assert taken.previous is not None
        assert taken.previous.owner == "a"
        assert (await b.get("k-1")).owner == "b"  # type: ignore[union-attr]
        await a.renew(["k-1"], "a")  # a's renewal no longer touches it
        assert (await b.get("k-1")).owner == "b"  # type: ignore[union-attr]

        # A run that stops early releases its leases: the next claimant takes over at once.
        assert (await b.claim(entry("k-2", owner="b"))).action == "wait"
        await a.release("a")
        released = await b.get("k-2")
        assert released is not None
        assert released.lease_until is None
        assert (await b.claim(entry("k-2", owner="b"))).action == "reconcile"


async def test_a_table_of_its_own_and_one_managed_elsewhere(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url(postgres_server.create_database())
    with pytest.raises(JournalError, match="paycombat_journal"):
        await PostgresJournal(url, create_table=False).open()  # not there, not created
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("CREATE SCHEMA payouts")
        admin.execute(DDL.format(table="payouts.shard_a", owner_index="shard_a_owner"))
    async with PostgresJournal(url, table="payouts.shard_a", create_table=False) as journal:
        assert (await journal.claim(entry("k-1"))).action == "send"
    async with PostgresJournal(url, table="payouts.shard_b") as other:
        assert await other.get("k-1") is None  # another table, another journal
        await other.put(entry("k-1"))
    with psycopg.connect(url, autocommit=True) as admin:
        indexes = admin.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'payouts' ORDER BY 1"
        ).fetchall()
        assert admin.execute("SELECT key FROM payouts.shard_b").fetchall() == [("k-1",)]
    assert [name for (name,) in indexes] == [
        "shard_a_owner",
        "shard_a_pkey",
        "shard_b_owner",
        "shard_b_pkey",
    ]
    with pytest.raises(ValueError, match="table"):
        PostgresJournal(url, table="x; DROP TABLE y")


async def test_a_serialization_failure_is_retried_then_a_journal_error(postgres_url: str) -> None:
    async with PostgresJournal(postgres_url) as journal:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not serialize access' USING ERRCODE = "
                "'serialization_failure'; END $$"
            )
            admin.execute(
                "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON paycombat_journal "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        with pytest.raises(JournalError, match="40001") as caught:
            await journal.claim(entry("k-1"))
        assert caught.value.path == masked(postgres_url)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("DROP TRIGGER refuse ON paycombat_journal")
        # The claim that failed was not claimed for its caller; the journal works again.
        assert (await journal.claim(entry("k-2"))).action == "send"


async def test_the_password_never_shows(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    journal = PostgresJournal(postgres_url)
    assert PASSWORD not in repr(journal)
    assert "***" in repr(journal)
    assert journal.dsn == masked(postgres_url)
    assert masked("host=db password='a b' user=x") == "host=db password=*** user=x"
    assert masked(f"postgresql://db/x?password={PASSWORD}&sslmode=require") == (
        "postgresql://db/x?password=***&sslmode=require"
    )
    with pytest.raises(JournalError) as caught:
        await PostgresJournal(unreachable_url(), connect_timeout=2).open()
    assert PASSWORD not in str(caught.value)
    assert caught.value.path is not None
    assert PASSWORD not in caught.value.path
    assert PASSWORD not in caplog.text


def test_importing_the_packages_does_not_import_the_driver() -> None:
    done = run("""
import sys, paycombat_async, paycombat_sync
assert "psycopg" not in sys.modules
assert "PostgresJournal" in paycombat_async.__all__ and "PostgresJournal" in paycombat_sync.__all__
assert paycombat_sync.PostgresJournal is paycombat_async.PostgresJournal
assert "psycopg" in sys.modules
""")
    assert done.returncode == 0, done.stderr


def test_without_the_extra_a_url_is_a_journal_error_that_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "paycombat_async._batch.postgres")
    with pytest.raises(JournalError, match=r"pip install 'paycombat\[postgres\]'") as caught:
        open_journal(f"postgresql://payer:{PASSWORD}@db.example/journal")
    assert caught.value.path == "postgresql://payer:***@db.example/journal"


# -- batches in one process ------------------------------------------------------------------


async def test_a_batch_on_a_postgresql_url_then_a_rerun_sends_nothing(
    postgres_url: str, client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, status=500, commit=True, rate=0.1)  # created, answer lost: looked up
    results = await client.payouts.create_many(items(120), journal=postgres_url, settle=0)
    assert_exactly_once(sandbox, results, 120)
    assert {r.status for r in results} == {"created"}
    sent = len(sandbox.requests_for(CREATE))
    again = await client.payouts.create_many(items(120), journal=postgres_url, settle=0)
    assert [r.payout for r in again] == [r.payout for r in results]
    assert len(sandbox.requests_for(CREATE)) == sent
    async with PostgresJournal(postgres_url) as journal:
        rows = await journal.entries()
    assert len(rows) == 120
    assert {row.state for row in rows} == {"created"}
    assert all(row.lease_until is None for row in rows)


def test_the_blocking_client_takes_the_url_too(postgres_url: str) -> None:
    with (
        paycombat_sync.sandbox.LocalSandbox() as sandbox,
        paycombat_sync.PayCombat(
            token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
        ) as client,
    ):
        results = client.payouts.create_many(items(10), journal=postgres_url, settle=0)
        assert {r.status for r in results} == {"created"}
        assert len(on_server(sandbox)) == 10  # type: ignore[arg-type]


async def test_an_unreachable_database_is_a_journal_error_before_anything_is_sent(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    url = unreachable_url()
    with pytest.raises(JournalError) as caught:
        await client.payouts.create_many(items(5), journal=url, settle=0)
    assert caught.value.path == masked(url)
    assert PASSWORD not in str(caught.value)
    assert sandbox.requests_for(CREATE) == []


async def test_a_statement_timeout_stops_the_batch_before_sending(
    postgres_url: str, client: PayCombat, sandbox: LocalSandbox
) -> None:
    journal = PostgresJournal(postgres_url, statement_timeout=0.5)
    await journal.open()
    with psycopg.connect(postgres_url) as blocker:  # holds the table: every statement waits
        blocker.execute("LOCK TABLE paycombat_journal IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(BatchAbortedError) as caught:
            await client.payouts.create_many(items(5), journal=journal, settle=0)
        blocker.rollback()
    assert isinstance(caught.value.__cause__, JournalError)
    assert "statement timeout" in str(caught.value.__cause__)
    assert {r.status for r in caught.value.results} == {"rejected"}  # none was claimed
    assert sandbox.requests_for(CREATE) == []
    await journal.aclose()
    results = await client.payouts.create_many(items(5), journal=postgres_url, settle=0)
    assert_exactly_once(sandbox, results, 5)
    assert {r.status for r in results} == {"created"}


def cut(server: PostgresServer, database: str, *, refuse: bool) -> int:
    """End every connection to ``database`` (and refuse new ones if ``refuse``)."""
    with server.admin() as admin:
        if refuse:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        ).fetchone()
    return int(ended[0]) if ended else 0


def allow(server: PostgresServer, database: str) -> None:
    with server.admin() as admin:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')


async def wait_for_creates(sandbox: LocalSandbox, count: int) -> None:
    with anyio.fail_after(30):
        while len(sandbox.requests_for(CREATE)) < count:  # noqa: ASYNC110 (the sandbox's count)
            await anyio.sleep(0.01)


async def test_a_lost_connection_is_reopened_and_the_batch_goes_on(
    postgres_server: PostgresServer,
    client: PayCombat,
    sandbox: LocalSandbox,
) -> None:
    database = postgres_server.create_database()
    url = postgres_server.url(database)
    sandbox.inject(CREATE, latency=0.01, rate=1.0)
    async with anyio.create_task_group() as tg:
        done: list[list[paycombat_async.BatchResult]] = []

        async def batch() -> None:
            done.append(await client.payouts.create_many(items(150), journal=url, settle=0))

        tg.start_soon(batch)
        # Three cuts that each end the journal's connection. One may find none: the journal
        # reopens it at its next write, which can wait out a backoff while claimed creates go on.
        ended = 0
        for count in range(20, 140, 10):
            await wait_for_creates(sandbox, count)
            ended += bool(
                await anyio.to_thread.run_sync(lambda: cut(postgres_server, database, refuse=False))
            )
            if ended == 3:
                break
        assert ended == 3
    assert_exactly_once(sandbox, done[0], 150)
    assert {r.status for r in done[0]} == {"created"}
    assert len(sandbox.requests_for(CREATE)) == 150


async def test_a_database_gone_mid_batch_stops_it_and_a_rerun_finishes_exactly_once(
    postgres_server: PostgresServer,
    client: PayCombat,
    sandbox: LocalSandbox,
) -> None:
    database = postgres_server.create_database()
    url = postgres_server.url(database)
    sandbox.inject(CREATE, latency=0.01, rate=1.0)
    failures: list[BaseException] = []

    async def batch() -> None:
        try:
            # Short leases: its release fails too, so the re-run waits for them to lapse.
            journal = PostgresJournal(url, lease=1.5)
            try:
                await client.payouts.create_many(items(200), journal=journal, settle=0)
            finally:
                with contextlib.suppress(JournalError):  # it cannot write: so be it
                    await journal.aclose()
        except (BatchAbortedError, JournalError) as exc:
            failures.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(batch)
        await wait_for_creates(sandbox, 30)
        await anyio.to_thread.run_sync(lambda: cut(postgres_server, database, refuse=True))
    (failure,) = failures
    if isinstance(failure, BatchAbortedError):
        assert isinstance(failure.__cause__, JournalError)
        assert len(failure.results) < 200
    allow(postgres_server, database)
    # Nothing was sent without its claim committed: every payout made has its journal row.
    async with PostgresJournal(url) as journal:
        rows = {row.key: row for row in await journal.entries()}
    assert set(on_server(sandbox)) <= set(rows)
    sent = {json.loads(r.body)["order_id"] for r in sandbox.requests_for(CREATE)}
    assert sent <= set(rows)
    results = await client.payouts.create_many(
        items(200), journal=url, settle=0, resend_after_settle=True
    )
    assert_exactly_once(sandbox, results, 200)
    assert {r.status for r in results} == {"created"}


# -- many processes --------------------------------------------------------------------------


def environment(sandbox: LocalSandbox) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAYCOMBAT_TOKEN": sandbox.token,
        "PAYCOMBAT_SIGNATURE_KEY": sandbox.signature_key,
        "PAYCOMBAT_BASE_URL": sandbox.base_url,
    }


async def worker(
    sandbox: LocalSandbox, url: str, n: int, *options: str, stderr: Any = None
) -> anyio.abc.Process:
    command = [sys.executable, "-m", "tests.batch._batch_worker", url, str(n), *options]
    return await anyio.open_process(command, env=environment(sandbox), cwd=ROOT, stderr=stderr)


async def lines_of(
    process: anyio.abc.Process, into: list[list[str]], stop_after: int | None = None
) -> None:
    from anyio.streams.text import TextReceiveStream

    assert process.stdout is not None
    pending = ""
    async for chunk in TextReceiveStream(process.stdout):
        pending += chunk
        *complete, pending = pending.split("\n")
        into.extend(line.split() for line in complete if line)
        if stop_after is not None and len(into) >= stop_after:
            return


async def test_workers_killed_at_random_points_then_a_rerun_pay_each_order_once(
    postgres_url: str, sandbox: LocalSandbox
) -> None:
    with contextlib.ExitStack() as stack:
        await _killed_then_rerun(postgres_url, sandbox, stack)


async def _killed_then_rerun(
    postgres_url: str, sandbox: LocalSandbox, stack: contextlib.ExitStack
) -> None:
    n, lease, settle = 300, "1.5", "1.0"  # short leases: the dead workers' items are taken over
    sandbox.inject(CREATE, status=500, commit=True, rate=0.1)  # created, answer lost
    sandbox.inject(CREATE, status=503, rate=0.05)  # refused before commit: absent
    sandbox.inject(CREATE, latency=0.01, rate=1.0)
    chance = random.Random()
    errors = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(2)]  # noqa: SIM115
    survivors_lines: list[list[list[str]]] = [[], []]
    doomed_lines: list[list[list[str]]] = [[], []]
    async with anyio.create_task_group() as tg:
        doomed = [await worker(sandbox, postgres_url, n, lease, settle, "0") for _ in range(2)]
        survivors = [
            await worker(sandbox, postgres_url, n, lease, settle, "0", stderr=log) for log in errors
        ]
        for process, lines in zip(survivors, survivors_lines, strict=True):
            tg.start_soon(lines_of, process, lines)
        for process, lines in zip(doomed, doomed_lines, strict=True):
            await lines_of(process, lines, stop_after=chance.randint(1, 80))
            process.kill()  # SIGKILL: its claims stay, some of its requests in flight
            assert await process.wait() == -9
    for process, log in zip(survivors, errors, strict=True):
        log.seek(0)
        assert await process.wait() == 0, log.read().decode(errors="replace")[-3000:]
    for process in (*doomed, *survivors):
        await process.aclose()
    paid = on_server(sandbox)
    assert max(paid.values()) == 1, "an order_id was paid twice"
    for lines in survivors_lines:  # each survivor reported every item, taken over or not
        assert {line[0] for line in lines} == {f"b-{i}" for i in range(n)}
        # (rejected: refused before commit on every attempt, so not created: sent again later)
        assert {line[1] for line in lines} <= {"created", "unknown", "rejected"}

    # A re-run (resending what is provably absent) finishes the batch.
    sandbox.faults.clear()
    rerun_lines: list[list[str]] = []
    rerun = await worker(sandbox, postgres_url, n, lease, "0.2", "1")
    await lines_of(rerun, rerun_lines)
    assert await rerun.wait() == 0
    await rerun.aclose()
    paid = on_server(sandbox)
    assert len(paid) == n
    assert set(paid.values()) == {1}
    assert Counter(line[1] for line in rerun_lines) == {"created": n}
    async with PostgresJournal(postgres_url) as journal:
        rows = await journal.entries()
    assert len(rows) == n
    assert {row.state for row in rows} == {"created"}
    assert {row.payout["id"] for row in rows if row.payout} == {
        p["id"] for p in sandbox.state.objects("payout").values()
    }


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def blocking_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[paycombat_sync.sandbox.LocalSandbox]:
    with paycombat_sync.sandbox.LocalSandbox() as sb:
        monkeypatch.setenv("PAYCOMBAT_TOKEN", sb.token)
        monkeypatch.setenv("PAYCOMBAT_SIGNATURE_KEY", sb.signature_key)
        monkeypatch.setenv("PAYCOMBAT_BASE_URL", sb.base_url)
        yield sb


def test_the_cli_batch_takes_a_postgresql_url_and_never_prints_its_password(
    postgres_url: str,
    blocking_sandbox: paycombat_sync.sandbox.LocalSandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import csv

    from tests.helpers import payout_args

    header = ["order_id", "sender_amount", "sender_currency", "sender_country",
              "payout_method_name", "payout_beneficiary_param.account_number",
              "payout_beneficiary_param.bsb"]  # fmt: skip
    args = payout_args()
    source = tmp_path / "payouts.csv"
    with source.open("w", newline="") as f:
        csv.writer(f).writerows(
            [header]
            + [
                [f"c-{i}", "10.00", "AUD", "AU", args["payout_method_name"], "12345678", "123456"]
                for i in range(4)
            ]
        )
    out = tmp_path / "results.csv"
    command = ["payouts", "batch", str(source), "--out", str(out), "--settle", "0"]
    assert main([*command, "--journal", postgres_url]) == 0
    printed = capsys.readouterr()
    assert PASSWORD not in printed.out + printed.err
    assert "postgres:***@" in printed.out.replace("\n", "")
    assert not (tmp_path / "payouts.csv.journal").exists()  # the URL is no file name
    with out.open(newline="") as f:
        assert {row["status"] for row in csv.DictReader(f)} == {"created"}
    assert main([*command, "--journal", postgres_url]) == 0  # all journaled: nothing resent
    assert len(blocking_sandbox.requests_for(CREATE)) == 4

    bad = unreachable_url()
    assert main([*command, "--journal", bad]) == 2  # nothing sent: an input error
    printed = capsys.readouterr()
    assert PASSWORD not in printed.out + printed.err
    assert "could not be opened" in printed.err
    assert len(blocking_sandbox.requests_for(CREATE)) == 4
