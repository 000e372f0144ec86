"""Child processes for benchmarks: the canned server and the clients, driven over stdin/stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(4 << 20), "MALLOC_TRIM_THRESHOLD_": str(8 << 20)}
"""glibc malloc settings every benchmark process runs with, so that no client starts faster than
another by accident of its history. asyncio reads a socket into a fresh 256 KiB buffer; glibc
serves that from mmap (two page faults a call) until the process has freed a larger mapped
block, which raises the threshold for good. Loading the raw client's pre-signed bodies did that
for it alone, and made its reads ~25% cheaper than the same code in a fresh process. These are
the values glibc's own adjustment reaches in a process that has freed a few MiB (a long-running
application): served from the heap, not handed back to the system between calls."""


def _python(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        [sys.executable, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **ALLOCATOR},
        **kwargs,
    )


@contextmanager
def process(*args: str) -> Iterator[subprocess.Popen[str]]:
    """A child that serves until its stdin closes."""
    child = _python(*args)
    try:
        yield child
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


def ask(worker: subprocess.Popen[str], command: dict[str, Any]) -> dict[str, float]:
    assert worker.stdin is not None
    assert worker.stdout is not None
    worker.stdin.write(json.dumps(command) + "\n")
    worker.stdin.flush()
    line = worker.stdout.readline()
    if not line:
        raise RuntimeError(f"benchmark worker {worker.args!r} died running {command}")
    result: dict[str, float] = json.loads(line)
    return result


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time (Linux; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server() -> Iterator[tuple[str, int]]:
    """The canned server of ``_server.py`` in its own process: (base URL, pid)."""
    with process("-m", "benchmarks._server") as child:
        assert child.stdout is not None
        yield child.stdout.readline().strip(), child.pid


@contextmanager
def sandbox(*faults: str, token: str, signature_key: str) -> Iterator[tuple[str, int]]:
    """``paycombat sandbox`` in its own process (``--fault`` for each of ``faults``), so that
    its CPU is not the client's: (base URL, pid)."""
    command = [sys.executable, "-m", "paycombat_async", "sandbox", "--port", "0"]
    command += ["--token", token, "--signature-key", signature_key]
    for fault in faults:
        command += ["--fault", fault]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if "PAYCOMBAT_BASE_URL=" in line:
                yield line.split("=", 1)[1].strip(), child.pid
                break
        else:
            raise RuntimeError("the sandbox did not start")
    finally:
        child.terminate()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
