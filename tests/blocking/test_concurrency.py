"""Where blocking code runs: many threads, inside a running event loop, on the loop's own thread,
and in a child process after ``os.fork()``."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from paycombat_sync import ClientStateError, PayCombat, Payout
from paycombat_sync.sandbox import LocalSandbox
from tests.blocking.conftest import IO_THREAD, io_threads
from tests.helpers import client_for, payout_args

THREADS = 16
CALLS = 50


def test_many_threads_share_one_client(client: PayCombat, sandbox: LocalSandbox) -> None:
    seed = client.payouts.create(**payout_args(order_id="seed"))
    threads = io_threads()

    def worker(n: int) -> list[str]:
        seen: list[str] = []
        for i in range(CALLS):
            if i % 5 == 0:
                created = client.payouts.create(**payout_args(order_id=f"t{n}-{i}"))
                seen.append(client.payouts.retrieve(created.id).order_id or "")
            else:
                seen.append(client.payouts.retrieve(seed.id).order_id or "")
        return seen

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))

    for n, seen in enumerate(results):
        expected = [f"t{n}-{i}" if i % 5 == 0 else "seed" for i in range(CALLS)]
        assert seen == expected
    assert len(sandbox.requests_for("Create Payout")) == 1 + THREADS * CALLS // 5
    assert io_threads() == threads  # still the one loop thread


def test_works_inside_a_running_event_loop_and_warns_once(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payout = client.payouts.create(**payout_args(order_id="in-loop"))

    async def notebook_cell() -> list[Payout]:
        return [client.payouts.retrieve(payout.id), client.payouts.retrieve(payout.id)]

    with pytest.warns(RuntimeWarning, match="use paycombat_async.PayCombat") as record:
        got = asyncio.run(notebook_cell())
    assert [p.order_id for p in got] == ["in-loop", "in-loop"]
    assert len(record) == 1
    assert record[0].filename == __file__  # points at the caller's line, not at the SDK


def test_a_new_client_first_used_inside_a_running_loop(sandbox: LocalSandbox) -> None:
    async def framework_handler() -> str:
        with client_for(sandbox) as client:
            return client.payouts.create(**payout_args(order_id="framework")).order_id or ""

    with pytest.warns(RuntimeWarning, match="blocks that loop"):
        assert asyncio.run(framework_handler()) == "framework"


class _CallsBackOnTheLoop(logging.Handler):
    """A logging handler: it runs wherever the SDK logs, i.e. on the client's loop thread."""

    def __init__(self, client: PayCombat, payout_id: str) -> None:
        super().__init__(logging.DEBUG)
        self.client = client
        self.payout_id = payout_id
        self.errors: list[BaseException] = []
        self.threads: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.threads.add(threading.current_thread().name)
        try:
            self.client.payouts.retrieve(self.payout_id)
        except ClientStateError as exc:
            self.errors.append(exc)
        try:
            self.client.close()
        except ClientStateError as exc:
            self.errors.append(exc)


@pytest.fixture
def sdk_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("paycombat")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    yield logger
    logger.setLevel(level)


def test_a_call_from_the_loop_thread_gets_a_clear_error(
    client: PayCombat, sdk_logger: logging.Logger
) -> None:
    payout = client.payouts.create(**payout_args())
    hook = _CallsBackOnTheLoop(client, payout.id)
    sdk_logger.addHandler(hook)
    try:
        assert client.payouts.retrieve(payout.id).id == payout.id  # the outer call still works
    finally:
        sdk_logger.removeHandler(hook)
    assert hook.threads == {IO_THREAD}
    assert hook.errors
    assert all(isinstance(e, ClientStateError) for e in hook.errors)
    assert "own event loop thread" in str(hook.errors[0])
    assert not client.is_closed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_a_forked_child_gets_a_fresh_portal_and_session(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payout = client.payouts.create(**payout_args(order_id="before-fork"))
    parent_threads = {t.ident for t in io_threads()}
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork() with threads
        pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        code = 1
        try:
            os.close(read_end)
            fetched = client.payouts.retrieve(payout.id)
            created = client.payouts.create(**payout_args(order_id="in-child"))
            child_threads = [t.ident for t in io_threads()]
            client.close()
            report = {
                "order_id": fetched.order_id,
                "created": created.order_id,
                "threads": child_threads,
                "closed": client.is_closed,
            }
            os.write(write_end, json.dumps(report).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 60)
        assert ready, "the forked child hung"
        raw = os.read(read_end, 65536)
    finally:
        os.close(read_end)
        if not ready:
            os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    report = json.loads(raw)
    assert report["order_id"] == "before-fork"
    assert report["created"] == "in-child"
    assert report["closed"] is True
    # Inherited threads do not exist in a child: this one was started there.
    assert len(report["threads"]) == 1
    # The parent is untouched: same thread, same client, and it sees the child's payout.
    assert client.payouts.retrieve(payout.id).order_id == "before-fork"
    assert {t.ident for t in io_threads()} == parent_threads
    assert {p.order_id for p in client.payouts.list()} >= {"before-fork", "in-child"}
