"""examples/pay_beneficiaries.py run as a merchant runs it: a subprocess configured by the
PAYCOMBAT_* variables, against the blocking sandbox; then run again."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import run_example

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "examples" / "pay_beneficiaries.py"
SUPPLIERS = [
    {
        "reference": "supplier-7",
        "first_name": "Jane",
        "last_name": "Citizen",
        "account_number": "12345678",
        "bsb": "062000",
        "amount": "120.00",
    },
    {
        "reference": "supplier-9",
        "first_name": "Ana",
        "last_name": "Lima",
        "account_number": "87654321",
        "bsb": "123456",
        "amount": "75.50",
    },
]


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "suppliers.json"
    path.write_text(json.dumps(SUPPLIERS), encoding="utf-8")
    return path


def run(sandbox: LocalSandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return run_example(SCRIPT, sandbox, *args)


def paid(sandbox: LocalSandbox) -> Counter[tuple[str, str, str, Decimal]]:
    """The payouts on the server: (order_id, payee, account, amount), counted."""
    return Counter(
        (p["order_id"], p["payee_name"], p["beneficiary_account_number"], Decimal(p["wire_amount"]))
        for p in sandbox.state.objects("payout").values()
    )


def beneficiaries_paid(sandbox: LocalSandbox) -> list[str]:
    """The saved beneficiary each Create Payout named (never an account given in full)."""
    bodies = [json.loads(r.body) for r in sandbox.requests_for("Create Payout")]
    assert all("payout_beneficiary_param" not in body for body in bodies)
    return [body["payout_beneficiary_id"] for body in bodies]


def test_each_supplier_is_saved_once_and_paid_once_per_run(
    paycombat_sync_sandbox: LocalSandbox, roster: Path
) -> None:
    first = run(paycombat_sync_sandbox, str(roster), "--run", "2024-06")
    assert first.returncode == 0, first.stderr
    beneficiaries = {
        b["organization_reference_id"]: b["payout_beneficiary_id"]
        for b in paycombat_sync_sandbox.state.objects("beneficiary").values()
    }
    jane, ana = beneficiaries["supplier-7"], beneficiaries["supplier-9"]
    assert paid(paycombat_sync_sandbox) == {
        ("2024-06-supplier-7", "Jane Citizen", "12345678", Decimal("120.00")): 1,
        ("2024-06-supplier-9", "Ana Lima", "87654321", Decimal("75.50")): 1,
    }
    assert beneficiaries_paid(paycombat_sync_sandbox) == [jane, ana]
    lines = first.stdout.splitlines()
    assert f"supplier-7: beneficiary {jane} (Jane Citizen) saved" in lines
    assert any(line.startswith("supplier-9: paid AUD 75.50: payout ") for line in lines)
    assert lines[-1] == "2 paid, 0 paid before, 0 not paid (of 2)"
    assert paycombat_sync_sandbox.token not in first.stdout + first.stderr

    again = run(paycombat_sync_sandbox, str(roster), "--run", "2024-06")
    assert again.returncode == 0, again.stderr
    assert f"supplier-7: beneficiary {jane} (Jane Citizen)" in again.stdout.splitlines()
    assert again.stdout.splitlines()[-1] == "0 paid, 2 paid before, 0 not paid (of 2)"
    assert len(paycombat_sync_sandbox.state.objects("beneficiary")) == 2
    assert sum(paid(paycombat_sync_sandbox).values()) == 2

    july = run(paycombat_sync_sandbox, str(roster), "--run", "2024-07")
    assert july.returncode == 0, july.stderr
    assert sum(paid(paycombat_sync_sandbox).values()) == 4
    assert beneficiaries_paid(paycombat_sync_sandbox) == [jane, ana, jane, ana]
    assert len(paycombat_sync_sandbox.state.objects("beneficiary")) == 2


def test_a_payout_whose_answer_is_lost_is_reported_unknown_then_found_not_resent(
    paycombat_sync_sandbox: LocalSandbox, roster: Path
) -> None:
    paycombat_sync_sandbox.inject("Create Payout", reset="after")  # created; the answer lost
    first = run(paycombat_sync_sandbox, str(roster), "--run", "2024-06")
    assert first.returncode == 1
    assert "supplier-7: UNKNOWN whether AUD 120.00 was sent: " in first.stdout
    assert first.stdout.splitlines()[-1] == "1 paid, 0 paid before, 1 not paid (of 2)"

    again = run(paycombat_sync_sandbox, str(roster), "--run", "2024-06")
    assert again.returncode == 0, again.stderr
    assert "supplier-7: already paid for 2024-06: payout " in again.stdout
    assert len(paycombat_sync_sandbox.requests_for("Create Payout")) == 2  # never resent
    assert sum(paid(paycombat_sync_sandbox).values()) == 2


def test_a_roster_that_cannot_be_read_sends_nothing(
    paycombat_sync_sandbox: LocalSandbox, tmp_path: Path
) -> None:
    broken = tmp_path / "suppliers.json"
    broken.write_text(json.dumps([{**SUPPLIERS[0], "bsb": ""}]), encoding="utf-8")
    done = run(paycombat_sync_sandbox, str(broken), "--run", "2024-06")
    assert done.returncode == 2
    assert "supplier 'supplier-7' lacks bsb" in done.stderr
    assert paycombat_sync_sandbox.requests == []
