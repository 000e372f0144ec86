"""`paycombat call` (--list, operation keys, --all, --json), run as commands to their end, and
what `paycombat sandbox` prints at start, as a process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from paycombat_async.resources import OPERATIONS
from paycombat_async.testing import sandbox_env
from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import client_for, payout_args, run_cli


@pytest.fixture
def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PAYCOMBAT_")}


@pytest.fixture
def sandbox(environment: dict[str, str]) -> Iterator[LocalSandbox]:
    """A sandbox with 12 payouts (more than the first page), its credentials in ``environment``."""
    with (
        LocalSandbox() as sb,
        client_for(sb) as client,
    ):
        for number in range(12):
            client.payouts.create(**payout_args(order_id=f"list-{number:02d}"))
        environment.update(sandbox_env(sb))
        yield sb


def test_list_shows_every_operation_with_title_key_method_and_path() -> None:
    done = run_cli("call", "--list")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert len(lines) == len(OPERATIONS)
    for op, line in zip(OPERATIONS.values(), lines, strict=True):
        assert line.split() == [*op.title.split(), op.key, op.method, op.path]
    listed = json.loads(run_cli("call", "--list", "--json").stdout)
    assert {item["key"] for item in listed} == set(OPERATIONS)
    assert listed[0] == {
        "title": next(iter(OPERATIONS.values())).title,
        "key": next(iter(OPERATIONS)),
        "method": next(iter(OPERATIONS.values())).method,
        "path": next(iter(OPERATIONS.values())).path,
    }


def test_a_list_shows_its_first_page_and_says_so(
    sandbox: LocalSandbox, environment: dict[str, str]
) -> None:
    done = run_cli("call", "Get All Payout", env=environment)  # the docs title
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 10
    assert done.stderr == (
        "paycombat: showing the first page only (10 items); add --all for every page\n"
    )
    one = run_cli("call", "payouts.list", "--param", "order_id=list-03", env=environment)
    assert [p["order_id"] for p in json.loads(one.stdout)] == ["list-03"]
    assert one.stderr == ""  # a page that is not full is the whole list
    whole = run_cli("call", "payin_methods.list", "--all", "--json", env=environment)
    assert whole.returncode == 0, whole.stderr  # a list answered whole: --all changes nothing
    assert json.loads(whole.stdout)


def test_all_walks_every_page_by_key_as_one_line_of_json(
    sandbox: LocalSandbox, environment: dict[str, str]
) -> None:
    done = run_cli("call", "payouts.list", "--all", "--json", env=environment)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1  # one line, for a job to parse
    payouts = json.loads(done.stdout)
    assert sorted(p["order_id"] for p in payouts) == [f"list-{n:02d}" for n in range(12)]
    assert {p["status"] for p in payouts} == {"PENDING"}  # by value
    filtered = run_cli(
        "call", "payouts.list", "--param", "order_id=list-03", "--all", "--json", env=environment
    )
    assert [p["order_id"] for p in json.loads(filtered.stdout)] == ["list-03"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["call", "Get All Payot"], "did you mean 'Get All Payout'"),
        (["call", "payouts.lst"], "did you mean 'payouts.list'"),
        (["call", "payouts.retrieve", "--all"], "--all walks a list"),
        (["call"], "paycombat call --list"),
    ],
)
def test_a_wrong_operation_is_one_line_pointing_at_the_list(
    environment: dict[str, str], argv: list[str], needle: str
) -> None:
    done = run_cli(*argv, env=environment)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert needle in done.stderr
    if "did you mean" in needle:
        assert "paycombat call --list" in done.stderr


def _sandbox_header(*argv: str, env: dict[str, str]) -> list[str]:
    """What ``paycombat sandbox`` prints before it waits, then stop it with Ctrl-C."""
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our own arguments)
        [sys.executable, "-m", "paycombat_async", "sandbox", "--port", "0", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not lines or not lines[-1].startswith("Press Ctrl-C"):
            line = process.stdout.readline()
            assert line, "the sandbox ended before it was ready"
            lines.append(line.rstrip("\n"))
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return lines


def test_the_sandbox_prints_its_faults_and_webhook_settings(
    environment: dict[str, str], tmp_path: Path
) -> None:
    lines = _sandbox_header(
        "--fault",
        "Create Payout:status=503,rate=0.5",
        "--fault",
        "payouts.list:latency=2",
        "--seed",
        "7",
        "--webhook-url",
        "http://127.0.0.1:9/hooks",
        "--webhook-duplicate",
        "3",
        "--webhook-out-of-order",
        "--webhook-delay",
        "0.5",
        env=environment,
    )
    assert "Faults:" in lines
    assert "  Create Payout (payouts.create): status=503, rate=0.5" in lines
    assert "  Get All Payout (payouts.list): latency=2.0" in lines
    assert "  (rates drawn with --seed 7)" in lines
    assert (
        "Webhooks: to http://127.0.0.1:9/hooks, signed (X-Signature), 3 copy(ies) each, "
        "out of order (swapped pairs), delay 0.5s, up to 5 attempts"
    ) in lines
    plain = _sandbox_header(env=environment)
    assert "Faults: none (add with --fault)" in plain
    assert "Webhooks: off (set --webhook-url, or use 'paycombat listen')" in plain
