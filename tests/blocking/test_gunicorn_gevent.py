"""The blocking client in real gunicorn gevent workers, with ``--preload`` and without.

The flask app (``gunicorn_app``) holds a module-level client. With ``--preload`` it is built in
gunicorn's master, before the workers fork and before gevent patches ``threading`` in them: a lock
it made then is an OS lock, and a greenlet blocked on one blocks the worker's whole hub, with every
other request in it. Without ``--preload`` each worker builds the client after patching.

Under concurrent load every request must be answered within its timeout, before and after SIGHUP
(the master forks new workers and stops the old ones gracefully); no payout may be created for a
caller who did not hear back; old workers exit promptly after SIGHUP, and SIGTERM stops the lot
within seconds.
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from paycombat_async.testing import sandbox_env
from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import client_for, payout_args

pytest.importorskip("gevent", reason="gevent is in the test extra")
pytest.importorskip("gunicorn", reason="gunicorn is in the test extra")
pytest.importorskip("flask", reason="flask is in the test extra")

REPO = Path(__file__).resolve().parents[2]
WORKERS = 2
REQUESTS = 200
CONCURRENCY = 50
CREATES = REQUESTS // 4  # every fourth request creates a payout, the others retrieve one
REQUEST_TIMEOUT = 10.0
"""Seconds a request may take, queueing included (the app's client has the same deadline)."""
BOOT_TIMEOUT = 60.0
"""Seconds workers may take to boot: importing flask, aiohttp and gevent on a busy machine."""
EXIT_TIMEOUT = 10.0
"""Seconds gunicorn (or an old worker after SIGHUP) may take to exit; it waits 30 s for a
worker that does not answer."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ask(port: int, method: str, path: str, timeout: float) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


class Gunicorn:
    """``gunicorn -k gevent -w 2 [--preload]`` serving ``gunicorn_app`` on a free loopback port;
    its workers report (``gunicorn_conf``) when they are ready and when they exit."""

    def __init__(self, sandbox: LocalSandbox, reports: Path, *, preload: bool) -> None:
        self.port = _free_port()
        self.reports = reports
        self.log = reports / "gunicorn.log"
        env = {
            **os.environ,
            **sandbox_env(sandbox),
            "PAYCOMBAT_TEST_GUNICORN_DIR": str(reports),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        env.pop("GUNICORN_CMD_ARGS", None)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:tests.blocking.gunicorn_conf",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            *(["--preload"] if preload else []),
            "tests.blocking.gunicorn_app:app",
        ]
        with self.log.open("wb") as log:
            # Its own session: the test can kill the master and its workers as one group.
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
                command, cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def workers(self, report: str) -> set[int]:
        """The pids of the workers that reported ``ready`` (or ``exit``)."""
        return {int(path.name.split("-")[1]) for path in self.reports.glob(f"{report}-*")}

    def wait_for(self, what: str, check: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            assert self.process.poll() is None, f"gunicorn exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {what} after {timeout} s:\n{self.output()}"
            time.sleep(0.05)

    def ready(self, old: set[int]) -> set[int]:
        """Wait until ``WORKERS`` workers other than ``old`` serve, and the port answers."""
        self.wait_for("workers", lambda: len(self.workers("ready") - old) >= WORKERS, BOOT_TIMEOUT)

        def answers() -> bool:
            try:
                return _ask(self.port, "GET", "/health", 1.0)[0] == 200
            except OSError:
                return False

        self.wait_for("answer", answers, BOOT_TIMEOUT)
        return self.workers("ready") - old

    def load(self, tag: str, payout_id: str) -> None:
        """``REQUESTS`` requests, ``CONCURRENCY`` at a time: each answered within its timeout."""

        def one(n: int) -> tuple[object, float]:
            start = time.monotonic()
            try:
                if n % 4 == 0:
                    status, _ = _ask(self.port, "POST", f"/payouts/{tag}-{n}", REQUEST_TIMEOUT)
                else:
                    status, _ = _ask(self.port, "GET", f"/payouts/{payout_id}", REQUEST_TIMEOUT)
            except OSError as exc:
                status = type(exc).__name__
            return status, time.monotonic() - start

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            outcomes = list(pool.map(one, range(REQUESTS)))
        statuses = collections.Counter(status for status, _ in outcomes)
        assert statuses == {200: REQUESTS - CREATES, 201: CREATES}, (statuses, self.output())
        slowest = max(elapsed for _, elapsed in outcomes)
        assert slowest < REQUEST_TIMEOUT, (slowest, self.output())

    def kill(self) -> None:
        """Whatever still runs of the master and its workers (they share its process group)."""
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(ProcessLookupError):  # the group is gone: all have exited
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(EXIT_TIMEOUT)


@pytest.mark.parametrize("preload", [True, False], ids=["preload", "no-preload"])
def test_gunicorn_gevent_workers_serve_concurrent_load_through_sighup_and_sigterm(
    sandbox: LocalSandbox, tmp_path: Path, preload: bool
) -> None:
    with client_for(sandbox) as client:
        payout_id = client.payouts.create(**payout_args(order_id="seed")).id
    server = Gunicorn(sandbox, tmp_path, preload=preload)
    try:
        first = server.ready(set())
        server.load("first", payout_id)

        server.process.send_signal(signal.SIGHUP)  # new workers; the old ones stop gracefully
        server.ready(first)
        server.wait_for("old workers' exit", lambda: first <= server.workers("exit"), EXIT_TIMEOUT)
        server.load("reloaded", payout_id)

        server.process.send_signal(signal.SIGTERM)
        try:
            returncode = server.process.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"gunicorn still runs {EXIT_TIMEOUT} s after SIGTERM:\n{server.output()}")
        assert returncode == 0, server.output()
    finally:
        server.kill()
    # Every create was answered: none reached PayCombat for a caller who had given up.
    assert len(sandbox.requests_for("Create Payout")) == 1 + 2 * CREATES
