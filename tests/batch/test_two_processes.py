"""Two real processes on one journal: they share the work and never pay an order_id twice,
even when one of them is killed with SIGKILL mid-run."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import anyio
from anyio.abc import Process
from anyio.streams.text import TextReceiveStream

from paycombat_async import SQLiteJournal
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.testing import sandbox_env
from tests.batch.helpers import on_server

ROOT = Path(__file__).parents[2]
CREATE = "Create Payout"


def environment(sandbox: LocalSandbox) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        **sandbox_env(sandbox),
    }


async def worker(sandbox: LocalSandbox, journal: Path, n: int, *options: str) -> Process:
    command = [sys.executable, "-m", "tests.batch._batch_worker", str(journal), str(n), *options]
    return await anyio.open_process(command, env=environment(sandbox), cwd=ROOT)


async def lines_of(process: Process, into: list[list[str]], stop_after: int | None = None) -> None:
    assert process.stdout is not None
    pending = ""
    async for chunk in TextReceiveStream(process.stdout):
        pending += chunk
        *complete, pending = pending.split("\n")
        into.extend(line.split() for line in complete if line)
        if stop_after is not None and len(into) >= stop_after:
            return


def paid_once(sandbox: LocalSandbox, n: int) -> Counter[str]:
    counts = on_server(sandbox)
    assert max(counts.values()) == 1, "an order_id was paid twice"
    assert set(counts) <= {f"b-{i}" for i in range(n)}
    return counts


async def test_two_processes_on_one_journal_share_the_batch(tmp_path: Path) -> None:
    n, journal = 400, tmp_path / "shared.sqlite"
    async with LocalSandbox() as sandbox:
        sandbox.inject(CREATE, latency=0.005, rate=1.0)
        outputs: list[list[list[str]]] = [[], []]
        async with anyio.create_task_group() as tg:
            processes = [await worker(sandbox, journal, n) for _ in outputs]
            for process, output in zip(processes, outputs, strict=True):
                tg.start_soon(lines_of, process, output)
        for process in processes:
            assert await process.wait() == 0
            await process.aclose()
        paid = paid_once(sandbox, n)
        assert len(paid) == n
        assert len(sandbox.requests_for(CREATE)) == n  # the work was shared, not repeated
        seen: dict[str, str] = {}
        for output in outputs:
            assert len(output) == n  # each run reports every item, decided by itself or not
            for order_id, status, payout_id in output:
                assert status == "created"
                assert seen.setdefault(order_id, payout_id) == payout_id  # the same payout
        # Both did a share (each row names the run that decided it): neither queued behind the
        # other for the whole batch.
        owners = Counter(e.owner for e in SQLiteJournal(journal).entries())
        assert len(owners) == 2, owners


async def test_a_killed_process_is_taken_over_by_the_other_then_a_rerun_finishes(
    tmp_path: Path,
) -> None:
    n, journal = 300, tmp_path / "shared.sqlite"
    lease, settle = "1.5", "1.0"  # short, so the survivor takes the dead one's items over soon
    async with LocalSandbox() as sandbox:
        sandbox.inject(CREATE, latency=0.02, rate=1.0)
        doomed_lines: list[list[str]] = []
        survivor_lines: list[list[str]] = []
        doomed = await worker(sandbox, journal, n, lease, settle, "0")
        survivor = await worker(sandbox, journal, n, lease, settle, "0")
        async with anyio.create_task_group() as tg:
            tg.start_soon(lines_of, survivor, survivor_lines)
            await lines_of(doomed, doomed_lines, stop_after=30)
            doomed.kill()  # SIGKILL: its claims stay in the journal, some requests in flight
            assert await doomed.wait() == -9
        assert await survivor.wait() == 0
        for process in (doomed, survivor):
            await process.aclose()
        paid_once(sandbox, n)
        # The survivor reported every item: the dead run's claims were taken over, through a
        # lookup (found: created; not provably absent: unknown), never resent blind.
        assert {line[0] for line in survivor_lines} == {f"b-{i}" for i in range(n)}
        statuses = Counter(line[1] for line in survivor_lines)
        assert set(statuses) <= {"created", "unknown"}

        # A re-run (resending what is provably absent) finishes the batch.
        sandbox.faults.clear()
        rerun_lines: list[list[str]] = []
        rerun = await worker(sandbox, journal, n, lease, "0.2", "1")
        await lines_of(rerun, rerun_lines)
        assert await rerun.wait() == 0
        await rerun.aclose()
        paid = paid_once(sandbox, n)
        assert len(paid) == n
        assert Counter(line[1] for line in rerun_lines) == {"created": n}
        entries = SQLiteJournal(journal).entries()
        assert {e.state for e in entries} == {"created"}
        assert len(entries) == n
