"""A batch killed with SIGKILL resumes from its journal; the client-wide rate limiter."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest
from anyio.streams.text import TextReceiveStream

from paycombat_async import (
    ConfigurationError,
    PayCombat,
    RateLimitError,
    RetryPolicy,
    SQLiteJournal,
)
from paycombat_async._ratelimit import Limiter
from paycombat_async.sandbox import LocalSandbox, RecordedRequest
from tests.batch.helpers import assert_exactly_once, batch_client, items, on_server
from tests.helpers import payout_args

ROOT = Path(__file__).parents[2]


class Arrivals(list[RecordedRequest]):
    """The sandbox's request log, with an event set once ``target`` requests have arrived."""

    def __init__(self, target: int) -> None:
        super().__init__()
        self.target = target
        self.reached = anyio.Event()

    def append(self, request: RecordedRequest) -> None:
        super().append(request)
        if len(self) >= self.target:
            self.reached.set()


async def test_a_batch_killed_mid_run_resumes_from_its_journal_with_no_duplicate(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    n, journal = 300, tmp_path / "batch.sqlite"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAYCOMBAT_TOKEN": sandbox.token,
        "PAYCOMBAT_SIGNATURE_KEY": sandbox.signature_key,
        "PAYCOMBAT_BASE_URL": sandbox.base_url,
    }
    command = [sys.executable, "-m", "tests.batch._batch_worker", str(journal), str(n)]
    async with await anyio.open_process(command, env=env, cwd=ROOT) as process:
        assert process.stdout is not None
        done = 0
        async for chunk in TextReceiveStream(process.stdout):
            done += chunk.count("\n")
            if done >= 40:
                break
        # From now on the server holds each create for 0.5s before committing it: once 8 have
        # arrived, they are in flight for sure when the batch is killed, and commit after.
        sandbox.requests = arrivals = Arrivals(8)
        sandbox.inject("Create Payout", latency=0.5, rate=1.0)
        with anyio.fail_after(10):
            await arrivals.reached.wait()
        process.kill()  # SIGKILL: no cleanup, mid-batch
        assert await process.wait() == -9
    states = [entry.state for entry in SQLiteJournal(journal).entries()]
    assert states.count("created") >= 40
    assert states.count("sending") >= 8  # recorded before they left, never resent blindly
    assert len(on_server(sandbox)) < n

    sandbox.faults.clear()
    async with batch_client(sandbox) as client:
        # Settled past the 0.5s late commits: an item still absent then never arrived (killed
        # between its journal write and its send), so it is resent.
        results = await client.payouts.create_many(
            items(n), journal=journal, settle=2.0, resend_after_settle=True
        )
    assert [r.status for r in results] == ["created"] * n
    assert_exactly_once(sandbox, results, n)


async def test_the_in_flight_limit_holds_across_tasks() -> None:
    limiter = Limiter(max_in_flight=3)
    inside = peak = 0

    async def one() -> None:
        nonlocal inside, peak
        async with limiter.slot():
            inside += 1
            peak = max(peak, inside)
            await anyio.lowlevel.checkpoint()
            inside -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(one)
    assert peak == 3


async def test_a_429_slows_every_request_of_the_client_down(sandbox: LocalSandbox) -> None:
    policy = RetryPolicy(max_retries=0, max_retry_after=30)
    async with batch_client(sandbox, retry=policy) as client:
        payout = await client.payouts.create(**payout_args())
        sandbox.inject("Retrieve Payout", status=429, retry_after=30)
        with pytest.raises(RateLimitError):
            await client.payouts.retrieve(payout.id)
        with anyio.move_on_after(0.1) as waited:
            await client.payouts.list(order_id="x").fetch_page(1)  # another task's request
        assert waited.cancelled_caught
    assert len(sandbox.requests_for("Get All Payout")) == 0  # held back, never sent


async def test_a_rate_limited_batch_still_completes(sandbox: LocalSandbox) -> None:
    async with batch_client(sandbox, rate_limit=1000, max_in_flight=4) as client:
        results = await client.payouts.create_many(items(20), rate_limit=500, settle=0)
    assert_exactly_once(sandbox, results, 20)


def test_bad_limiter_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="rate_limit"):
        PayCombat(token="snd_x", rate_limit=0)
    with pytest.raises(ConfigurationError, match="max_in_flight"):
        PayCombat(token="snd_x", max_in_flight=0)
