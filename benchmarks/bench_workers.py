"""One batch over several worker processes on one PostgreSQL journal, against one process.

Issue 18: 20,000 payouts against 20 ms of server latency (the sandbox, ``paycombat sandbox
--fault "Create Payout:latency=0.02,rate=1"``, in its own process), at the same total
concurrency (64) three ways, each run on a fresh journal table (``PostgresJournal``) in a
throwaway PostgreSQL cluster (``tests/postgres_cluster.py``, with PostgreSQL's durable defaults:
fsync and synchronous commit on), removed at the end:

- ``one``: one process, ``create_many`` at concurrency 64;
- ``shared``: four processes at concurrency 16, each given the whole batch (several CLI
  processes on one journal): the journal's claims split the work, and each process waits for
  the items another holds before it returns;
- ``sharded``: four processes at concurrency 16, each given a quarter of the batch (the Celery
  example's chunks).

Target: each four-process run finishes within 1.3x of the one-process run timed next to it
(rounds alternate the order; the ratio is the median of the rounds'). The workers start, connect
and open the journal first, then are told to go at once: what is timed is the batch alone.
Journal overhead is reported from what the database itself counted (``pg_stat_database``,
``pg_stat_user_tables``) and the claims the workers asked for: transactions committed, rows
written and claims per second it sustained, and per item; and the database's CPU time (the
postmaster and every server process). The sandbox's CPU share is reported too: near 100%, the
sandbox and not the SDK would have set the pace (it is one process, as one merchant's gateway).
Afterwards every ``order_id`` of every run is counted at the sandbox: paid exactly once, and
every journal row ``created``.

Run with ``nox -s bench`` (or ``python -m benchmarks.bench_workers [--quick] [--strict]``);
skipped with a message when PostgreSQL or psycopg is missing. Prints the table and writes its
section of ``RESULTS.md``; exits 1 if an ``order_id`` was not paid exactly once, or with
``--strict`` if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from ._processes import ROOT, cpu_seconds, sandbox
from ._report import load_average, machine, save_section

N = 20_000
LATENCY = 0.02
CONCURRENCY = 64
WORKERS = 4
TARGET = 1.3
ROUNDS = 2
TOKEN = "snd_bench_token"
KEY = "snd_bench_signature_key"
MODES = ("one", "shared", "sharded")


# -- a worker process --------------------------------------------------------------------------


def worker(base_url: str, dsn: str, table: str, prefix: str, span: str, concurrency: int) -> None:
    """In a worker process: connect, say ``ready``, wait for ``go`` on stdin, run the batch
    (items ``start:stop`` of ``prefix``), then print what it did as one JSON line."""
    from paycombat_async import PayCombat, PostgresJournal
    from paycombat_async._batch.journal import Claim, JournalEntry

    from .bench_batch import payouts

    class CountedJournal(PostgresJournal):
        """Counts the claims this worker asked for, and those it won."""

        asked = won = 0

        async def claim(self, entry: JournalEntry) -> Claim:
            claim = await super().claim(entry)
            self.asked += 1
            self.won += claim.action in ("send", "reconcile")
            return claim

    start, stop = (int(i) for i in span.split(":"))

    async def run() -> dict[str, Any]:
        items = list(payouts(stop, prefix))[start:stop]
        journal = CountedJournal(dsn, table=table)
        async with PayCombat(token=TOKEN, signature_key=KEY, base_url=base_url) as client:
            await journal.open()  # connected, its table created: not part of the batch's time
            await client.merchant.get_payout_balance("AUD")  # a connection to the sandbox too
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            wall, cpu = time.perf_counter(), time.process_time()
            results = await client.payouts.create_many(
                items, concurrency=concurrency, journal=journal
            )
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            await journal.aclose()
        return {
            "wall": wall,
            "cpu": cpu,
            "statuses": Counter(r.status for r in results),
            "claims": journal.asked,
            "won": journal.won,
        }

    print(json.dumps(asyncio.run(run())), flush=True)


# -- the database's own counts -----------------------------------------------------------------


@attrs.frozen
class DatabaseCounts:
    commits: int  # transactions committed in the benchmark's database
    rows: int  # rows inserted or updated in the run's journal table
    cpu: float  # seconds of CPU of the postmaster and every server process, ended ones too


class Database:
    """The benchmark's database, seen through PostgreSQL's statistics views."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self._conn = psycopg.connect(url, autocommit=True)
        (backend,) = self._one("SELECT pg_backend_pid()")
        self._postmaster = int(_stat(backend)[1])  # the server processes' parent

    def _one(self, query: str, *args: Any) -> tuple[Any, ...]:
        row = self._conn.execute(query, args).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return tuple(row)

    def close(self) -> None:
        self._conn.close()

    def counts(self, table: str) -> DatabaseCounts:
        self._conn.execute("SELECT pg_stat_clear_snapshot()")
        (commits,) = self._one(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        found = self._conn.execute(
            "SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE relname = %s", (table,)
        ).fetchone()
        return DatabaseCounts(int(commits), int(found[0]) if found else 0, self._cpu())

    def _cpu(self) -> float:
        """The postmaster's CPU with its ended children's, plus its live children's."""
        ticks = os.sysconf("SC_CLK_TCK")
        fields = _stat(self._postmaster)
        total = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError):
                    child = _stat(int(entry.name))
                    if int(child[1]) == self._postmaster:
                        total += int(child[11]) + int(child[12])
        return total / ticks

    def wait_for_workers_gone(self, timeout: float = 30.0) -> None:
        """Until no journal connection is left: a server process reports its counts as it
        ends, so the run's counts are complete after this."""
        deadline = time.monotonic() + timeout
        while self._one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'paycombat-journal'"
        )[0]:
            if time.monotonic() > deadline:
                raise RuntimeError("journal connections were still open after the run")
            time.sleep(0.02)

    def states(self, table: str) -> Counter[str]:
        from psycopg import sql

        query = sql.SQL("SELECT state, count(*) FROM {} GROUP BY state").format(
            sql.Identifier(table)
        )
        return Counter(dict(self._conn.execute(query).fetchall()))


def _stat(pid: int) -> list[str]:
    """``/proc/<pid>/stat`` after the command name: state, ppid, ... (0-based from state)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


# -- one run -----------------------------------------------------------------------------------


@attrs.frozen
class Run:
    mode: str
    round: int
    n: int
    processes: int
    wall: float  # from "go" to the last worker's end
    worker_cpu: float  # the workers' CPU time, summed
    sandbox_busy: float  # the sandbox's CPU time / wall
    claims: int
    won: int
    commits: int
    rows: int
    db_cpu: float
    statuses: dict[str, int]
    table: str
    prefix: str

    @property
    def per_second(self) -> tuple[float, float, float]:
        """Claims, commits and rows written per second of the run."""
        return self.claims / self.wall, self.commits / self.wall, self.rows / self.wall


def spans(mode: str, n: int) -> list[str]:
    if mode == "one":
        return [f"0:{n}"]
    if mode == "shared":
        return [f"0:{n}"] * WORKERS
    edges = [n * i // WORKERS for i in range(WORKERS + 1)]
    return [f"{a}:{b}" for a, b in itertools.pairwise(edges)]


@contextlib.contextmanager
def workers(
    base_url: str, dsn: str, table: str, prefix: str, shares: list[str], concurrency: int
) -> Iterator[list[subprocess.Popen[str]]]:
    started = []
    try:
        for span in shares:
            command = [sys.executable, "-m", "benchmarks.bench_workers", "--worker", base_url]
            command += [dsn, table, prefix, span, str(concurrency)]
            started.append(
                subprocess.Popen(  # noqa: S603 - this very module, our own arguments
                    command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
            )
        yield started
    finally:
        for child in started:
            if child.poll() is None:
                child.kill()
            child.wait()
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    stream.close()


def _line(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line:
        raise RuntimeError(f"a benchmark worker ended early (exit {child.wait()})")
    return line


def run(mode: str, round_: int, n: int, base_url: str, sandbox_pid: int, database: Database) -> Run:
    table, prefix = f"journal_{mode}_{round_}", f"{mode}{round_}"
    shares = spans(mode, n)
    concurrency = CONCURRENCY // len(shares)
    with workers(base_url, database.url, table, prefix, shares, concurrency) as children:
        for child in children:
            assert _line(child).strip() == "ready"
        before, sandbox_before = database.counts(table), cpu_seconds(sandbox_pid)
        started = time.perf_counter()
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        reports = [json.loads(_line(child)) for child in children]
        wall = time.perf_counter() - started
        sandbox_busy = (cpu_seconds(sandbox_pid) - sandbox_before) / wall
        for child in children:
            if child.wait() != 0:
                raise RuntimeError(f"a benchmark worker failed (exit {child.returncode})")
    database.wait_for_workers_gone()
    after = database.counts(table)
    statuses: Counter[str] = Counter()
    for report in reports:
        statuses.update(report["statuses"])
    return Run(
        mode=mode,
        round=round_,
        n=n,
        processes=len(shares),
        wall=wall,
        worker_cpu=sum(r["cpu"] for r in reports),
        sandbox_busy=sandbox_busy,
        claims=sum(r["claims"] for r in reports),
        won=sum(r["won"] for r in reports),
        commits=after.commits - before.commits,
        rows=after.rows - before.rows,
        db_cpu=after.cpu - before.cpu,
        statuses=dict(statuses),
        table=table,
        prefix=prefix,
    )


# -- exactly once ------------------------------------------------------------------------------


async def paid(base_url: str) -> Counter[str]:
    """How many payouts the sandbox holds for each order_id (every page of Get All Payout)."""
    from paycombat_async import PayCombat

    counts: Counter[str] = Counter()
    async with PayCombat(token=TOKEN, signature_key=KEY, base_url=base_url) as client:
        async for page in client.payouts.list(limit=100).pages(max_pages=100_000):
            counts.update(payout.order_id for payout in page.items)
    return counts


def exactly_once(runs: list[Run], counts: Counter[str], database: Database) -> list[str]:
    """What is wrong with the runs' outcomes (nothing: every item paid once, journaled
    ``created``, reported ``created`` by every process it was given to)."""
    problems = []
    for r in runs:
        ids = {f"{r.prefix}-{i}" for i in range(r.n)}
        twice = sum(1 for i in ids if counts[i] > 1)
        missing = sum(1 for i in ids if counts[i] == 0)
        states = database.states(r.table)
        given = r.n * (r.processes if r.mode == "shared" else 1)
        if twice or missing:
            problems.append(f"{r.mode} round {r.round}: {twice} paid twice, {missing} not paid")
        if states != {"created": r.n}:
            problems.append(f"{r.mode} round {r.round}: journal states {dict(states)}")
        if r.statuses != {"created": given}:
            problems.append(f"{r.mode} round {r.round}: results {r.statuses}")
    return problems


# -- the report --------------------------------------------------------------------------------


def report(
    runs: list[Run], n: int, quick: bool, load_at_start: str, problems: list[str]
) -> tuple[list[str], bool]:
    by = {(r.mode, r.round): r for r in runs}
    rounds = sorted({r.round for r in runs})
    ideal = n * LATENCY / CONCURRENCY
    lines = [
        f"Mode: {'--quick' if quick else 'full'}. {n:,} payouts, {LATENCY * 1000:.0f} ms server "
        f"latency, total concurrency {CONCURRENCY} (ideal {ideal:.2f} s), {len(rounds)} "
        "round(s), rounds alternating the order of the runs. PostgreSQL with its durable "
        "defaults (fsync, synchronous commit), in a throwaway cluster on this machine.",
        "",
        "- `one`: one process, `create_many` at concurrency 64;",
        "- `shared`: four processes at 16, each given the whole batch (several CLI processes on "
        "one journal): claims split the work, and each waits for the items others hold;",
        "- `sharded`: four processes at 16, each given a quarter (the Celery example's chunks).",
        "",
        "Claims are those the workers asked for (a claim that finds the item held or decided "
        "writes nothing); commits and rows written are PostgreSQL's own counts "
        "(`pg_stat_database.xact_commit`, `pg_stat_user_tables`); DB CPU is the server "
        "processes' CPU time. Sandbox CPU busy near 100% would mean the sandbox set the pace.",
        "",
        "Machine:",
        "",
        *machine(load_at_start),
        "",
        "| run | processes x concurrency | wall (median) | vs one process | target | result "
        "| claims/s | commits/s | rows written/s | per item: claims, commits | CPU per item: "
        "workers, DB | sandbox CPU busy |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ok = not problems
    for mode in MODES:
        mine = [by[mode, i] for i in rounds]
        wall = statistics.median(r.wall for r in mine)
        claims, commits, rows = (
            statistics.median(x) for x in zip(*(r.per_second for r in mine), strict=True)
        )
        per_item = (
            f"{statistics.median(r.claims / n for r in mine):.2f}, "
            f"{statistics.median(r.commits / n for r in mine):.3f}"
        )
        db_cpu = statistics.median(r.db_cpu / n for r in mine) * 1e6
        sdk_cpu = statistics.median(r.worker_cpu / n for r in mine) * 1e6
        busy = statistics.median(r.sandbox_busy for r in mine)
        if mode == "one":
            ratio_text, target, result = "", "", ""
        else:
            ratio = statistics.median(by[mode, i].wall / by["one", i].wall for i in rounds)
            passed = ratio <= TARGET
            ok = ok and passed
            ratio_text, target, result = (
                f"{ratio:.2f}x",
                f"<= {TARGET}x",
                "PASS" if passed else "FAIL",
            )
        lines.append(
            f"| {mode} | {mine[0].processes} x {CONCURRENCY // mine[0].processes} "
            f"| {wall:.2f} s ({wall / ideal:.2f}x ideal) | {ratio_text} | {target} | {result} "
            f"| {claims:,.0f} | {commits:,.0f} | {rows:,.0f} | {per_item} "
            f"| {sdk_cpu:,.0f} us, {db_cpu:,.0f} us "
            f"| {busy:.0%} |"
        )
    lines += ["", "Each run (wall seconds; the workers' CPU seconds, summed):", ""]
    lines += [
        f"- round {r.round}, {r.mode}: {r.wall:.2f} s, worker CPU {r.worker_cpu:.2f} s, "
        f"{r.claims:,} claims ({r.won:,} won), {r.commits:,} commits, {r.rows:,} rows written, "
        f"DB CPU {r.db_cpu:.2f} s"
        for r in runs
    ]
    lines.append("")
    if problems:
        lines += ["Exactly once: FAILED:", "", *[f"- {p}" for p in problems]]
    else:
        lines.append(
            f"Exactly once: every order_id of the {len(runs)} runs ({len(runs) * n:,} payouts) "
            "paid once at the sandbox, every journal row `created`, every process's results "
            "`created`."
        )
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 payouts, one round")
    parser.add_argument("--n", type=int, help=f"payouts per run (default {N:,})")
    parser.add_argument("--rounds", type=int, help=f"rounds (default {ROUNDS})")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    options = parser.parse_args()
    n = options.n or (5000 if options.quick else N)
    rounds = options.rounds or (1 if options.quick else ROUNDS)
    try:
        import psycopg  # noqa: F401

        from tests.postgres_cluster import PostgresUnavailable, throwaway_cluster
    except ImportError as exc:
        print(f"bench_workers skipped: {exc} (pip install -e '.[postgres]')")
        return 0
    load_at_start = load_average()
    runs: list[Run] = []
    try:
        with contextlib.ExitStack() as stack:
            server = stack.enter_context(throwaway_cluster(durable=True))
            database = Database(server.url(server.create_database()))
            stack.callback(database.close)
            fault = f"Create Payout:latency={LATENCY},rate=1"
            base_url, sandbox_pid = stack.enter_context(
                sandbox(fault, token=TOKEN, signature_key=KEY)
            )
            run("one", 0, 500, base_url, sandbox_pid, database)  # warm-up, not reported
            for round_ in range(1, rounds + 1):
                for mode in MODES if round_ % 2 else MODES[::-1]:
                    print(f"round {round_}: {mode} ...", flush=True)
                    runs.append(run(mode, round_, n, base_url, sandbox_pid, database))
                    print(f"  {runs[-1].wall:.2f} s", flush=True)
            problems = exactly_once(runs, asyncio.run(paid(base_url)), database)
    except PostgresUnavailable as exc:
        print(f"bench_workers skipped: {exc}")
        return 0
    lines, ok = report(runs, n, options.quick, load_at_start, problems)
    print("\n".join(lines))
    if not options.no_write:
        save_section("workers", "Batch over worker processes on one PostgreSQL journal", lines)
    return 1 if problems or (options.strict and not ok) else 0


if __name__ == "__main__":
    if len(sys.argv) == 8 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:7], int(sys.argv[7]))
        sys.exit(0)
    sys.exit(main())
