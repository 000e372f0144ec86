"""A batch killed with SIGKILL resumes from its journal; the client-wide rate limiter."""

from __future__ import annotations

import asyncio
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
from paycombat_async._core.ratelimit import Limiter
from paycombat_async.sandbox import LocalSandbox, RecordedRequest
from paycombat_async.testing import sandbox_env
from tests.batch.helpers import assert_exactly_once, batch_client, items, on_server
from tests.helpers import client_for, payout_args, scripted_server

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
        **sandbox_env(sandbox),
    }
    # A short lease (1.5 s), so the re-run takes the killed run's claims over soon.
    command = [
        sys.executable,
        "-m",
        "tests.batch._batch_worker",
        str(journal),
        str(n),
        "1.5",
        "60",
        "0",
    ]
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
        # The killed run's claims hold until their lease expires (SIGKILL: nothing released
        # them), then are taken over through a lookup.
        results = await client.payouts.create_many(
            items(n),
            journal=journal,
            settle=2.0,
            resend_after_settle=True,
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


async def test_a_call_backing_off_before_a_resend_holds_no_place_in_flight() -> None:
    async with scripted_server() as server:
        server.reply(503, '{"status":false,"message":"busy"}', **{"Retry-After": "30"})
        server.reply(200, '{"status":true,"data":{"id":"p2"}}')
        server.reply(200, '{"status":true,"data":{"id":"p3"}}')
        retry = RetryPolicy(max_retries=1, max_retry_after=30)
        async with client_for(server.base_url, max_in_flight=1, retry=retry, timeout=60) as client:
            # The first call takes the only place, is answered 503 and waits 30 s to resend;
            # meanwhile the second is sent (it used to wait behind the sleeping call).
            backing_off = asyncio.ensure_future(client.payouts.retrieve("p1"))
            # Let the first call start (since 3.12, wait_for runs the second in this task,
            # which could otherwise take the place first).
            await asyncio.sleep(0)
            other = await asyncio.wait_for(client.payouts.retrieve("p2"), 5)
            assert other.id == "p2"
            assert not backing_off.done()
            backing_off.cancel()
            with pytest.raises(asyncio.CancelledError):
                await backing_off
            # Cancelled while backing off, it gave back nothing it did not hold.
            assert (await asyncio.wait_for(client.payouts.retrieve("p3"), 5)).id == "p3"
            limiter = client._pipeline.limiter
            assert [limiter.enter(), limiter.enter()] == [True, False]  # still exactly one place
            limiter.release()
    assert [request.path.rsplit("/", 1)[-1] for request in server.seen] == ["p1", "p2", "p3"]


async def test_a_resent_call_gives_back_the_place_it_took_again() -> None:
    async with scripted_server() as server:
        server.reply(503, '{"status":false,"message":"busy"}', **{"Retry-After": "0"})
        server.reply(200, '{"status":true,"data":{"id":"p1"}}')
        server.reply(200, '{"status":true,"data":{"id":"p2"}}')
        async with client_for(server.base_url, max_in_flight=1) as client:
            assert (await asyncio.wait_for(client.payouts.retrieve("p1"), 5)).id == "p1"
            assert (await asyncio.wait_for(client.payouts.retrieve("p2"), 5)).id == "p2"
            limiter = client._pipeline.limiter
            assert [limiter.enter(), limiter.enter()] == [True, False]
            limiter.release()
    assert len(server.seen) == 3  # p1 twice: answered 503, then resent


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
