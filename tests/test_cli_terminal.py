"""`paycombat payouts batch` in a terminal (a pseudo-terminal, so rich draws its live bar): the
bar shows sent, created, rejected, settling and unknown, and ends on the summary's counts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from paycombat_async.testing import sandbox_env
from paycombat_sync.sandbox import LocalSandbox
from tests.test_cli import row, write_csv

pty = pytest.importorskip("pty", reason="pseudo-terminals are POSIX only")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
BAR = re.compile(
    r"sent (\d+), created (\d+), rejected (\d+), settling (\d+), unknown (\d+)(, conflict \d+)?"
)
TABLE_ROW = re.compile(r"^[│|]\s*(created|rejected|unknown|conflict|total)\s*[│|]\s*(\d+)\s*[│|]")


@pytest.fixture
def sandbox() -> Iterator[LocalSandbox]:
    with LocalSandbox() as sb:
        yield sb


def run_in_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``paycombat`` with a pseudo-terminal as its standard streams: (exit code, screen)."""
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our own arguments)
        [sys.executable, "-m", "paycombat_async", *argv],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        close_fds=True,
    )
    os.close(child_fd)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the command ended and closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(main_fd)
        code = process.wait(timeout=120)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_the_bar_shows_every_count_and_ends_on_the_summary(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    rows = [row(f"t-{i:03d}") for i in range(30)]
    rows += [row("t-bad-1", amount="ten"), row("t-bad-2", method="xx_unknown")]
    source = write_csv(tmp_path / "payouts.csv", rows)
    # Two creates whose answers are lost (committed, then the connection reset): they settle,
    # and their lookups fail, so they end unknown.
    sandbox.inject("Create Payout", reset="after", times=2)
    sandbox.inject("Get All Payout", status=500, times=1000)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYCOMBAT_")}
    env.update(
        sandbox_env(sandbox),
        COLUMNS="160",
        LINES="40",
        TERM="xterm-256color",
    )
    env.pop("NO_COLOR", None)
    argv = ["payouts", "batch", str(source), "--out", str(tmp_path / "r.csv"), "--settle", "0"]
    code, screen = run_in_terminal([*argv, "--concurrency", "4"], env)
    text = ANSI.sub("", screen)
    assert code == 4, text  # some unknown
    assert "Traceback" not in text
    bars = [tuple(int(n) for n in m.groups()[:5]) for m in BAR.finditer(text)]
    assert bars, text  # the live bar was drawn, with all five counts
    sent, created, rejected, settling, unknown = bars[-1]
    table = {
        m.group(1): int(m.group(2))
        for line in text.splitlines()
        if (m := TABLE_ROW.match(line.strip()))
    }
    assert table["created"] == created == 28
    assert table["rejected"] == rejected == 2
    assert table["unknown"] == unknown == 2
    assert settling == 0
    assert sent == len(sandbox.requests_for("Create Payout")) == 31  # the bad amount not sent
    assert table["total"] == created + rejected + unknown
