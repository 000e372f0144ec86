"""A throwaway Redis server for the Celery example: ``redis-server`` (Debian's ``redis-server``
package) on loopback and a free port, started once per session, persisting nothing, stopped at
its end. Without the binary the tests that need it are skipped, unless ``CI`` or
``PAYCOMBAT_TEST_REDIS=required`` is set: then they fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.batch.postgres import postgres_server, postgres_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") or os.environ.get("PAYCOMBAT_TEST_REDIS") == "required":
        pytest.fail(f"Redis is required here: {reason}", pytrace=False)
    pytest.skip(reason)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """``redis://127.0.0.1:PORT`` of a Redis server of the session's own."""
    binary = shutil.which("redis-server")
    if binary is None:
        _unavailable("redis-server not found: apt-get install redis-server")
        raise AssertionError  # unreachable
    for _ in range(3):  # a free port may be taken before the server binds it: try another
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - the redis-server binary, fixed arguments
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline and not _answers(port):
            time.sleep(0.05)
        if server.poll() is None and _answers(port):
            break
        server.kill()
        server.wait()
    else:
        raise AssertionError("redis-server did not start")
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


__all__ = ["postgres_server", "postgres_url", "redis_url"]
