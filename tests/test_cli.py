"""The `paycombat` command: demo, sandbox, call, payouts batch, and its failure modes."""

from __future__ import annotations

import csv
import json
import re
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from paycombat_async import __version__
from paycombat_async._cli import NEEDS_EXTRA, main
from paycombat_async.testing import sandbox_env
from paycombat_sync.sandbox import LocalSandbox

HEADER = [
    "order_id",
    "sender_amount",
    "sender_currency",
    "sender_country",
    "payout_method_name",
    "payout_beneficiary_param.individual.first_name",
    "payout_beneficiary_param.individual.last_name",
    "payout_beneficiary_param.account_number",
    "payout_beneficiary_param.bsb",
]


def row(order_id: str, amount: str = "10.00", method: str = "au_bank_acct") -> list[str]:
    return [order_id, amount, "AUD", "AU", method, "Ana", "Lima", "12345678", "123456"]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalSandbox]:
    with LocalSandbox() as sb:
        for name, value in sandbox_env(sb).items():
            monkeypatch.setenv(name, value)
        yield sb


def write_csv(
    path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ","
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows([header, *rows])
    return path


def read_results(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def on_server(sandbox: LocalSandbox) -> Counter[str]:
    return Counter(p["order_id"] for p in sandbox.state.objects("payout").values())


def test_demo_walks_the_main_flow_and_a_faulty_batch(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for step in (
        "Create Customer",
        "Create Payment Request",
        "Simulate Payin: 249.90 AUD status=SUCCESS",
        "Create Payout: 125.50 AUD to Ana Lima, status=PENDING",
        "Simulate Payout: status=SUCCESS",
        "999874.50 AUD available (1000000.00 AUD - 125.50 AUD)",
        "OutcomeUnknownError, not resent",
        "1 payout found",
        "Webhook PAYOUT SUCCESS received: order_id=supplier-payout-78, signature verified",
        "supplier-payout-78 settled: status=SUCCESS",
        "1000 created exactly once",
    ):
        assert step in out
    # Every amount with its currency's minor units, every status by its value.
    assert not re.search(r"\b\d+\.\d (AUD|SGD)\b", out), out
    assert "Status." not in out


def test_a_batch_csv_with_a_bad_row_and_a_refused_payout(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row("c-1"), row("c-2", method="xx_unknown"), row("c-3", amount="ten"), row("c-4")]
    source = write_csv(tmp_path / "payouts.csv", rows)
    out = tmp_path / "results.csv"
    assert main(["payouts", "batch", str(source), "--out", str(out), "--settle", "0"]) == 3
    results = read_results(out)
    assert [(r["row"], r["order_id"], r["status"]) for r in results] == [
        ("2", "c-1", "created"),
        ("3", "c-2", "rejected"),
        ("4", "c-3", "rejected"),  # refused before sending: its order_id kept
        ("5", "c-4", "created"),
    ]
    assert "sender_amount" in results[2]["error"]
    assert results[1]["error_type"] == "UnprocessableEntityError"
    assert results[0]["payout_id"]
    assert len(sandbox.requests_for("Create Payout")) == 3  # nothing sent for row 4
    captured = capsys.readouterr()
    assert "row 4 (c-3, ten AUD): not sent" in captured.out
    assert "row 3 (c-2, 10.00 AUD): rejected: UnprocessableEntityError" in captured.out
    assert "created" in captured.out  # the summary table


def test_unknown_outcomes_exit_4_and_a_rerun_resolves_them_exactly_once(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "p.csv", [row(f"u-{i}") for i in range(6)])
    out = tmp_path / "r.csv"
    sandbox.inject("Create Payout", status=503, times=2)  # refused before commit: absent
    sandbox.inject("Create Payout", reset="after")  # committed, answer lost: found
    command = ["payouts", "batch", str(source), "--out", str(out), "--settle", "0"]
    assert main([*command, "--concurrency", "1"]) == 4
    assert Counter(r["status"] for r in read_results(out)) == {"created": 4, "unknown": 2}
    assert main([*command, "--resend-after-settle"]) == 0
    assert {r["status"] for r in read_results(out)} == {"created"}
    assert set(on_server(sandbox).values()) == {1}
    assert len(on_server(sandbox)) == 6
    sent = len(sandbox.requests_for("Create Payout"))
    assert main(command) == 0  # everything is journaled as created: nothing is sent again
    assert len(sandbox.requests_for("Create Payout")) == sent


def test_an_unknown_column_stops_the_batch_before_sending(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "p.csv", [[*row("x"), "1"]], header=[*HEADER, "colour"])
    assert main(["payouts", "batch", str(source), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "colour" in err
    assert "--ignore-column" in err
    assert sandbox.requests == []


def test_call_runs_any_operation(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {
        "payout_beneficiary_param": {"account_number": "12345678", "bsb": "123456"},
        "sender_amount": 12.5,
        "sender_currency": "AUD",
        "sender_country": "AU",
        "payout_method_name": "au_bank_acct",
        "order_id": "via-cli",
    }
    (tmp_path / "body.json").write_text(json.dumps(body))
    assert main(["call", "Create Payout", "--data", f"@{tmp_path / 'body.json'}"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["order_id"] == "via-cli"
    assert main(["call", "Retrieve Payout", "--path", f"payout_id={created['id']}"]) == 0
    assert json.loads(capsys.readouterr().out)["wire_amount"] == 12.5


def test_mistakes_give_one_clear_line(
    sandbox: LocalSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, needle in (
        (["--bogus"], "No such option"),
        (["call", "Create Payot"], "did you mean 'Create Payout'"),
        (["call", "Retrieve Payout"], "missing path parameter"),
        (["call", "Create Payout", "--data", "{nope"], "not JSON"),
        (["sandbox", "--fault", "Create Payout:colour=red"], "unknown fault setting"),
    ):
        assert main(argv) in (1, 2), argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert needle in err
        assert "Traceback" not in err


def test_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sandbox", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"paycombat: cannot listen on 127.0.0.1:{port}: the port is in use; "
        "choose another with --port\n"
    )


def test_sandbox_faults_parse_from_the_command_line() -> None:
    from paycombat_async._cli.app import _parse_fault

    assert _parse_fault("Create Payout:status=503,rate=0.05,commit=true") == (
        "Create Payout",
        {"status": 503, "rate": 0.05, "commit": True},
    )
    assert _parse_fault("Get All Payout:latency=1.5") == ("Get All Payout", {"latency": 1.5})


def test_help_renders_without_rest_marks(capsys: pytest.CaptureFixture[str]) -> None:
    commands = ([], ["payouts", "batch"], ["call"], ["sandbox"], ["demo"], ["listen"], ["trigger"])
    for argv in commands:
        main([*argv, "--help"] if argv else ["--help"])
        text = capsys.readouterr().out
        assert text.strip()
        assert "``" not in text
        assert ":func:" not in text
        assert all(len(line) <= 80 for line in text.splitlines()), text


def test_no_subcommand_prints_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    for command in ("sandbox", "demo", "call", "payouts", "listen", "trigger"):
        assert command in err


def test_version_and_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "paycombat_async", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert __version__ in done.stdout


def test_without_the_cli_extra_it_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "click", None)  # as if click were not installed
    assert main(["demo"]) == 1
    assert capsys.readouterr().err == NEEDS_EXTRA + "\n"


def test_a_payout_found_under_a_reused_order_id_is_a_conflict_exit_5(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from paycombat_sync import PayCombat

    with PayCombat() as client:  # an old payout of another amount under the same order_id
        old = client.payouts.create(
            order_id="c-0",
            sender_amount=Decimal("999.00"),
            sender_currency="AUD",
            sender_country="AU",
            payout_method_name="au_bank_acct",
            payout_beneficiary_param={"account_number": "99999999", "bsb": "123456"},
        )
    source = write_csv(tmp_path / "p.csv", [row("c-0"), row("c-1")])
    out = tmp_path / "r.csv"
    sandbox.inject("Create Payout", status=503)  # refused before commit: then looked up
    command = ["payouts", "batch", str(source), "--out", str(out), "--settle", "0"]
    assert main([*command, "--concurrency", "1", "--resend-after-settle"]) == 5
    results = read_results(out)
    assert [r["status"] for r in results] == ["conflict", "created"]
    assert results[0]["payout_id"] == old.id
    assert results[0]["error_type"] == "PayoutConflictError"
    printed = capsys.readouterr().out
    assert "1 row(s) conflict" in printed
    assert on_server(sandbox)["c-0"] == 1  # the old one only: never resent
