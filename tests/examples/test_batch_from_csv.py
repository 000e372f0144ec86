"""examples/batch_from_csv.py run as a job is run: a subprocess configured by the PAYCOMBAT_*
variables, against the blocking sandbox, answers lost on the way; then run again."""

from __future__ import annotations

import csv
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path

from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import run_example

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "examples" / "batch_from_csv.py"
N = 30
HEADER = ["order_id", "first_name", "last_name", "account_number", "bsb", "amount"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def payroll(n: int = N) -> list[list[str]]:
    return [
        [f"payroll-{i:04}", "Jane", f"Citizen{i}", f"{10000000 + i}", "062000", f"{100 + i}.25"]
        for i in range(n)
    ]


def run(sandbox: LocalSandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return run_example(SCRIPT, sandbox, *args)


def on_server(sandbox: LocalSandbox) -> Counter[tuple[str, Decimal]]:
    return Counter(
        (p["order_id"], Decimal(p["wire_amount"])) for p in sandbox.state.objects("payout").values()
    )


def test_every_row_is_paid_exactly_once_and_a_second_run_sends_nothing(
    paycombat_sync_sandbox: LocalSandbox, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "payroll.csv", payroll())
    # Two answers lost after the payout was made: the job must find them, not pay them again.
    paycombat_sync_sandbox.inject("Create Payout", reset="after", times=2)

    first = run(paycombat_sync_sandbox, str(source), "--settle", "0")
    assert first.returncode == 0, first.stdout + first.stderr
    expected = {(f"payroll-{i:04}", Decimal(f"{100 + i}.25")): 1 for i in range(N)}
    assert on_server(paycombat_sync_sandbox) == expected
    lines = first.stdout.splitlines()
    assert sorted(line.split(":")[0] for line in lines[:-1]) == [
        f"payroll-{i:04}" for i in range(N)
    ]
    assert all(": created, payout " in line for line in lines[:-1])
    assert (
        lines[-1]
        == f"{N} created, 0 rejected, 0 unknown, 0 in conflict; {N} request(s) sent by this run"
    )
    assert (tmp_path / "payroll.csv.journal").exists()
    sent = len(paycombat_sync_sandbox.requests_for("Create Payout"))
    assert sent == N

    again = run(paycombat_sync_sandbox, str(source), "--settle", "0")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines()[-1] == (
        f"{N} created, 0 rejected, 0 unknown, 0 in conflict; 0 request(s) sent by this run"
    )
    assert len(paycombat_sync_sandbox.requests_for("Create Payout")) == sent
    assert on_server(paycombat_sync_sandbox) == expected


def test_a_bad_row_is_refused_alone_and_a_bad_file_sends_nothing(
    paycombat_sync_sandbox: LocalSandbox, tmp_path: Path
) -> None:
    rows = payroll(3)
    rows[1][-1] = "twelve"
    done = run(paycombat_sync_sandbox, str(write_csv(tmp_path / "a.csv", rows)), "--settle", "0")
    assert done.returncode == 1
    assert "payroll-0001: REJECTED: " in done.stdout
    assert set(on_server(paycombat_sync_sandbox)) == {
        ("payroll-0000", Decimal("100.25")),
        ("payroll-0002", Decimal("102.25")),
    }

    no_bsb = tmp_path / "b.csv"
    no_bsb.write_text("order_id,first_name,last_name,account_number,amount\n", encoding="utf-8")
    refused = run(paycombat_sync_sandbox, str(no_bsb))
    assert refused.returncode == 2
    assert "no column bsb" in refused.stderr
    assert len(paycombat_sync_sandbox.requests_for("Create Payout")) == 2
