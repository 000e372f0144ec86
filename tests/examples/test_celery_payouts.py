"""examples/celery_payouts run by real Celery workers (prefork) on a real Redis broker, paying
into the local sandbox: a chunk delivered twice, a pool process killed mid-chunk, a whole worker
(a machine) killed mid-chunk, the job run again: every order_id paid exactly once, every item
final in the journal, and the account's rate limit, split between the processes, never exceeded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from paycombat_async import JournalEntry, JournalError
from paycombat_async._batch.journal import is_database_url
from paycombat_async._cli import main as paycombat
from paycombat_async._cli.report import read_entries
from paycombat_async.testing import sandbox_env
from paycombat_sync.sandbox import LocalSandbox, RecordedRequest
from tests.batch.helpers import items

celery = pytest.importorskip("celery", reason="needs the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).parents[2]
N, CHUNK = 300, 25
LIMIT, WINDOW, PROCESSES = 120, 1.0, 4  # the account's limit, shared by 2 workers x 2 processes


class Stamped(list[RecordedRequest]):
    """The sandbox's request log, noting when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    def append(self, entry: RecordedRequest) -> None:
        self.arrivals.append(time.monotonic())
        super().append(entry)


def json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    return str(value) if isinstance(value, Decimal) else value


def busiest_window(arrivals: list[float], window: float) -> int:
    """The most requests that arrived within any ``window`` seconds."""
    times, most, start = sorted(arrivals), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


class Worker:
    """A ``celery worker`` process group (the main process and its pool), logging to a file."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        with log.open("wb") as out:
            self.process = self._start(env, out)

    def _start(self, env: dict[str, str], out: BinaryIO) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - this Python, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "examples.celery_payouts.app",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "2",
                "--hostname",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool processes with it
        )

    def owns(self, pid: int) -> bool:
        """Whether ``pid`` is one of this worker's pool processes."""
        try:
            return pid != self.process.pid and os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=10)


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found


def entries(journal: str) -> list[JournalEntry]:
    if not is_database_url(journal) and not Path(journal).exists():
        return []
    try:
        return asyncio.run(read_entries(journal))
    except JournalError:  # (the table is created by the first worker to open it)
        return []


def holders(journal: str) -> Counter[int]:
    """The pids of the processes holding claims in flight, and how many each holds."""
    return Counter(
        int(e.owner.split("-")[0])
        for e in entries(journal)
        if e.state in ("sending", "settling") and e.owner
    )


@pytest.fixture
def workers(tmp_path: Path, redis_url: str) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(name: str, env: dict[str, str]) -> Worker:
        worker = Worker(name, env, tmp_path / f"{name}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()
        # Shown by pytest when the test failed (captured output of its teardown).
        tail = worker.log.read_bytes()[-6000:].decode(errors="replace")
        print(f"--- the end of {worker.name}'s log ---\n{tail}")


@pytest.mark.parametrize(
    ("limit", "window", "processes"),
    [(120, 1, 4), (10, 1, 1), (6000, 60, 16), (3, 1, 2), (100, 10, 100), (1, 0.5, 1)],
)
def test_each_process_gets_a_share_that_keeps_the_sum_under_the_limit(
    limit: float, window: float, processes: int
) -> None:
    from examples.celery_payouts.settings import per_process_rate

    rate = per_process_rate(limit, window, processes)
    # A client's bucket: max(rate, 1) at once, then rate a second.
    assert processes * (max(rate, 1.0) + rate * window) <= limit
    assert processes * (max(rate, 1.0) + rate * 1.001 * window) > limit * 0.999  # no waste


def test_a_limit_too_small_to_share_is_refused() -> None:
    from examples.celery_payouts.settings import per_process_rate

    with pytest.raises(ValueError, match="cannot share"):
        per_process_rate(3, 1, 4)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_celery_workers_pay_every_order_id_exactly_once(
    kind: str,
    tmp_path: Path,
    redis_url: str,
    workers: Callable[..., Worker],
    request: pytest.FixtureRequest,
) -> None:
    from examples.celery_payouts import settings
    from examples.celery_payouts.app import app
    from examples.celery_payouts.producer import enqueue, wait
    from examples.celery_payouts.tasks import pay_chunk

    app.conf.update(broker_url=redis_url, result_backend=redis_url)
    rows = [json_ready(item) for item in items(N)]
    # One SQLite file per batch (every worker on one machine), or one PostgreSQL database
    # (workers on any machines).
    template = str(tmp_path / "{batch}.sqlite")
    if kind == "postgresql":
        template = request.getfixturevalue("postgres_url")
    journal = template.replace("{batch}", "july")
    with LocalSandbox() as sandbox:
        sandbox.async_sandbox.requests = log = Stamped()
        # Slow enough that each process holds several claims at any moment of a chunk, fast
        # enough that the rate limit sets the pace: uncapped, 4 processes x 16 in flight would
        # send over 200 requests a second.
        sandbox.faults.inject("Create Payout", latency=0.3, rate=1.0)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            **sandbox_env(sandbox),
            "CELERY_BROKER_URL": redis_url,
            "PAYOUTS_JOURNAL": template,
            "PAYOUTS_JOURNAL_LEASE": "2",  # a dead process's items are taken over soon
            "PAYOUTS_TIMEOUT": "4",
            "PAYOUTS_CONCURRENCY": "16",
            "PAYOUTS_RATE_LIMIT": str(LIMIT),
            "PAYOUTS_RATE_WINDOW": str(WINDOW),
            "PAYOUTS_SENDING_PROCESSES": str(PROCESSES),
            "PAYOUTS_VISIBILITY_TIMEOUT": "8",  # a lost machine's chunks come back soon
        }
        machine, survivor = workers("machine", env), workers("survivor", env)
        for worker in (machine, survivor):
            wait_for(lambda w=worker: b" ready." in w.log.read_bytes(), 30, f"{worker.name} ready")

        results = enqueue("july", rows, chunk_size=CHUNK, settle=1.0)
        # The broker delivers one chunk twice (the same message again): the two deliveries
        # share its items, whichever workers run them.
        pay_chunk.apply_async(
            args=("july", rows[:CHUNK]), kwargs={"settle": 1.0}, task_id=results[0].id
        )

        # A pool process of the survivor is killed mid-chunk (SIGKILL: the OOM killer): its
        # worker puts the message back (reject_on_worker_lost), another process runs it again.
        held = wait_for(
            lambda: [p for p in holders(journal) if survivor.owns(p)], 20, "a survivor's chunk"
        )
        os.kill(held[0], signal.SIGKILL)
        assert holders(journal)[held[0]] > 0, "the process was killed between chunks"
        # The other worker, main process and pool, is lost mid-chunk (a machine gone): its
        # chunks come back to the survivor after the visibility timeout.
        lost = wait_for(
            lambda: [p for p in holders(journal) if machine.owns(p)], 20, "the machine's chunk"
        )
        machine.kill()
        assert sum(holders(journal)[pid] for pid in lost) > 0, "killed between chunks"
        # Anyone can see where the batch stands: items in flight, so exit 4.
        assert paycombat(["payouts", "report", "--journal", journal]) == 4

        first = wait(results, timeout=45)
        assert sum(first["counts"].values()) == N
        # Items the dead processes had sent are found (created); the ones not provably
        # created are unknown, never resent blind.
        assert set(first["counts"]) <= {"created", "unknown"}

        # The job run again, resending what the lookups prove absent, finishes the batch.
        second = wait(
            enqueue("july", rows, chunk_size=CHUNK, settle=1.0, resend_after_settle=True), 30
        )
        assert second == {"counts": {"created": N}, "not_created": {}}

        paid = Counter(p["order_id"] for p in sandbox.state.objects("payout").values())
        assert paid == {f"b-{i}": 1 for i in range(N)}, "an order_id was paid twice, or never"
        final = entries(journal)
        assert len(final) == N
        assert {e.state for e in final} == {"created"}
        assert paycombat(["payouts", "report", "--journal", journal, "--expect", str(N)]) == 0

        # The account's limit held across every process (creates and lookups alike).
        assert settings.per_process_rate(LIMIT, WINDOW, PROCESSES) * PROCESSES <= LIMIT
        assert busiest_window(log.arrivals, WINDOW) <= LIMIT
