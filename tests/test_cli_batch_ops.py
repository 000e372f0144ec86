"""`paycombat payouts batch` for finance operations: checks before sending, results written as
they arrive, interruptions (Ctrl-C, SIGTERM, kill -9) and re-runs, CSV dialects, CSV injection,
and one line for every mistake."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from paycombat_async._cli import main
from paycombat_async.testing import sandbox_env
from paycombat_sync.sandbox import LocalSandbox
from tests.test_cli import HEADER, on_server, read_results, row, write_csv

STATUSES = {"created", "rejected", "unknown", "conflict"}


@pytest.fixture
def sandbox(paycombat_sync_sandbox: LocalSandbox, monkeypatch: pytest.MonkeyPatch) -> LocalSandbox:
    """The plugin's blocking sandbox, in the PAYCOMBAT_* variables the CLI reads."""
    for name, value in sandbox_env(paycombat_sync_sandbox).items():
        monkeypatch.setenv(name, value)
    return paycombat_sync_sandbox


def batch(source: Path, out: Path, *more: str) -> list[str]:
    return ["payouts", "batch", str(source), "--out", str(out), "--settle", "0", *more]


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# -- checked before anything is sent: one line, exit 2 ----------------------------------------


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        (
            [c for c in HEADER if c != "sender_currency"],
            "missing required column(s): sender_currency",
        ),
        ([c for c in HEADER if c != "order_id"], "order_id"),
        (HEADER[:5], "payout_beneficiary_param.* or payout_beneficiary_id"),
        ([*HEADER, "notes"], "--ignore-column"),
    ],
)
def test_a_bad_header_is_one_line_exit_2_nothing_sent(
    sandbox: LocalSandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: list[str],
    needle: str,
) -> None:
    rows = [
        [f"h-{i}", "10.00", "AUD", "AU", "au_bank_acct", "A", "B", "1", "2", "x"] for i in range(50)
    ]
    source = write_csv(tmp_path / "p.csv", [r[: len(header)] for r in rows], header=header)
    assert main(batch(source, tmp_path / "r.csv")) == 2
    err = one_line_error(capsys)
    assert needle in err
    assert sandbox.requests_for("Create Payout") == []


def test_bad_files_and_options_are_one_line_exit_2_nothing_sent(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "p.csv", [row("f-1"), row("f-2")])
    corrupt = tmp_path / "corrupt.journal"
    corrupt.write_bytes(b"this is not a SQLite database" * 100)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        ",".join(HEADER).encode() + b"\r\nf-3,10.00,AUD,AU,au_bank_acct,Jos\xe9,L,1,2\r\n"
    )
    for argv, needle in (
        (batch(source, tmp_path / "missing" / "r.csv"), "no folder"),
        (batch(source, tmp_path / "r.csv", "--journal", str(corrupt)), "cannot use the journal"),
        (batch(source, tmp_path / "r.csv", "--journal", str(tmp_path / "no" / "j")), "no folder"),
        (batch(latin1, tmp_path / "r.csv"), "not UTF-8"),
        (batch(source, tmp_path / "r.csv", "--delimiter", "::"), "--delimiter"),
        (batch(source, tmp_path / "r.csv", "--concurrency", "0"), "--concurrency"),
        (batch(source, source), "is the CSV"),
    ):
        assert main(argv) == 2, argv
        assert needle in one_line_error(capsys), argv
    assert sandbox.requests_for("Create Payout") == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anything")
def test_a_read_only_journal_is_one_line(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "p.csv", [row("ro-1")])
    assert main(batch(source, tmp_path / "r.csv")) == 0
    journal = tmp_path / "p.csv.journal"
    journal.chmod(0o444)
    try:
        assert main(batch(source, tmp_path / "r.csv")) == 2
    finally:
        journal.chmod(0o644)
    assert "cannot use the journal" in one_line_error(capsys)


def test_without_a_token_the_cli_names_its_own_flags(
    sandbox: LocalSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("PAYCOMBAT_TOKEN")
    source = write_csv(tmp_path / "p.csv", [row("t-1")])
    assert main(batch(source, tmp_path / "r.csv")) == 2
    err = one_line_error(capsys)
    assert "--token" in err
    assert "PAYCOMBAT_TOKEN" in err
    assert "LocalSandbox" not in err
    assert main(["call", "Get All Payout"]) == 1
    err = one_line_error(capsys)
    assert "--token" in err
    assert "LocalSandbox" not in err
    assert sandbox.requests == []


def test_other_commands_fail_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = tmp_path / "body.json"
    latin1.write_bytes(b'{"order_id": "Jos\xe9"}')
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for argv, needle in (
        (["call", "Create Payout", "--data", f"@{latin1}"], "not UTF-8"),
        (["call", "Create Payout", "--data", f"@{deep}"], "nested too deeply"),
        (["sandbox", "--fault", "Create Payout:rate=2"], "rate=2.0 must be between 0 and 1"),
        (["sandbox", "--fault", "Create Payout:reset=sideways"], "before or after"),
        (["sandbox", "--port", "99999"], "--port"),
    ):
        assert main(argv) == 2, argv
        assert needle in one_line_error(capsys), argv


# -- what results.csv holds --------------------------------------------------------------------


def test_formula_cells_are_escaped_and_order_ids_kept(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        row("=HYPERLINK(1)"),
        row("+cmd"),
        row("-2+3", amount="ten"),
        row("@SUM(A1)"),
        row("ok"),
    ]
    source = write_csv(tmp_path / "p.csv", rows)
    out = tmp_path / "r.csv"
    assert main(batch(source, out)) == 3
    results = read_results(out)
    assert [r["order_id"] for r in results] == [
        "'=HYPERLINK(1)",
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "ok",
    ]
    assert results[2]["status"] == "rejected"  # refused before sending, order_id still there
    assert all(r["payout_status"] in ("", "PENDING") for r in results)
    assert results[4]["payout_status"] == "PENDING"  # by value, never an enum's repr
    for cell in (c for r in results for c in r.values()):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert sorted(on_server(sandbox)) == sorted(["=HYPERLINK(1)", "+cmd", "@SUM(A1)", "ok"])
    printed = capsys.readouterr().out
    assert "ten AUD" in printed


def test_a_semicolon_file_and_ignored_columns(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [[*row(f"s-{i}", amount="12,5".replace(",", ".")), "a note"] for i in range(3)]
    source = write_csv(tmp_path / "p.csv", rows, header=[*HEADER, "notes"], delimiter=";")
    out = tmp_path / "r.csv"
    assert main(batch(source, out)) == 2  # the notes column is unknown: named with the flag
    assert "--ignore-column" in one_line_error(capsys)
    assert main(batch(source, out, "--ignore-column", "notes")) == 0
    assert [r["status"] for r in read_results(out)] == ["created"] * 3
    assert sorted(on_server(sandbox)) == ["s-0", "s-1", "s-2"]
    tabbed = write_csv(tmp_path / "t.csv", [row("t-0")], delimiter="\t")
    assert main(batch(tabbed, tmp_path / "t-out.csv", "--delimiter", "tab")) == 0


def test_many_bad_rows_list_twenty_and_count_the_rest(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row(f"b-{i}", amount="lots") for i in range(25)]
    rows += [row(f"x-{i}", method="xx_unknown") for i in range(3)]  # refused by the server
    source = write_csv(tmp_path / "p.csv", rows)
    assert main(batch(source, tmp_path / "r.csv")) == 3
    printed = capsys.readouterr().out
    assert printed.count(": not sent: ") == 20
    assert "and 8 more (see " in printed


def test_server_rejections_are_on_the_console(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "p.csv", [row("ok-1"), row("no-1", "125.5", "xx_unknown")])
    assert main(batch(source, tmp_path / "r.csv")) == 3
    printed = capsys.readouterr().out
    assert "row 3 (no-1, 125.50 AUD): rejected: UnprocessableEntityError" in printed


def test_json_summary_on_stdout(
    sandbox: LocalSandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "p.csv", [row("j-1"), row("j-2", method="xx_unknown")])
    out = tmp_path / "r.csv"
    assert main(batch(source, out, "--json")) == 3
    summary = json.loads(capsys.readouterr().out)
    assert summary["exit_code"] == 3
    assert summary["created"] == 1
    assert summary["rejected"] == 1
    assert summary["total"] == 2
    assert summary["results"] == str(out)
    assert summary["journal"].endswith("p.csv.journal")


def test_help_lists_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    main(["payouts", "batch", "--help"])
    text = capsys.readouterr().out
    for code in ("0 ", "2 ", "3 ", "4 ", "5 ", "130", "143"):
        assert f"\n  {code}" in text or f" {code}" in text, code
    assert "--ignore-column" in text
    assert "--json" in text


# -- interrupted and killed mid-batch, then run again ------------------------------------------


def _env(sandbox: LocalSandbox) -> dict[str, str]:
    return {
        **os.environ,
        **sandbox_env(sandbox),
        "COLUMNS": "200",
    }


def _wait_for_rows(out: Path, process: subprocess.Popen[str], at_least: int) -> int:
    """Wait (bounded) until the results file holds ``at_least`` rows; their number."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the batch ended before it was interrupted"
        if out.exists():
            with out.open(newline="", encoding="utf-8") as f:
                count = sum(1 for _ in csv.DictReader(f))
            if count >= at_least:
                return count
        time.sleep(0.02)
    raise AssertionError(f"{out} never held {at_least} rows")


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGKILL, -9)]
)
def test_interrupted_or_killed_mid_batch_then_run_again(
    sandbox: LocalSandbox, tmp_path: Path, signum: int, code: int
) -> None:
    total = 60
    source = write_csv(tmp_path / "p.csv", [row(f"k-{i:03}") for i in range(total)])
    out = tmp_path / "results.csv"
    sandbox.inject("Create Payout", latency=0.05, rate=1.0)
    argv = [*batch(source, out), "--concurrency", "2"]
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our own arguments)
        [sys.executable, "-m", "paycombat_async", *argv],
        env=_env(sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = _wait_for_rows(out, process, 5)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == code, stderr
    decided = read_results(out)
    assert len(decided) >= seen
    assert len(decided) < total
    assert {r["status"] for r in decided} <= STATUSES
    if signum != signal.SIGKILL:
        assert "Traceback" not in stderr
        assert "payouts may exist" in stderr
        assert "run the same command again" in stderr
        assert "paycombat payouts batch" in stderr
        assert [int(r["row"]) for r in decided] == sorted(int(r["row"]) for r in decided)
    # a re-run completes it; the journal makes the decided rows cheap; nothing paid twice
    sandbox.faults.clear()
    assert main([*argv, "--resend-after-settle"]) == 0
    results = read_results(out)
    assert [r["order_id"] for r in results] == [f"k-{i:03}" for i in range(total)]
    assert {r["status"] for r in results} == {"created"}
    paid = on_server(sandbox)
    assert len(paid) == total
    assert set(paid.values()) == {1}


def test_a_journal_that_fails_mid_batch_is_one_line_and_keeps_the_decided_rows(
    sandbox: LocalSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from paycombat_async._batch.journal import SQLiteJournal
    from paycombat_async._exceptions import JournalError

    claim = SQLiteJournal.claim
    claims = Counter[str]()

    async def failing_claim(self: SQLiteJournal, entry: object) -> object:
        claims["n"] += 1
        if claims["n"] > 3:  # as a full disk would
            raise JournalError("database or disk is full", path=str(self.path))
        return await claim(self, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(SQLiteJournal, "claim", failing_claim)
    source = write_csv(tmp_path / "p.csv", [row(f"d-{i}") for i in range(10)])
    out = tmp_path / "r.csv"
    assert main([*batch(source, out), "--concurrency", "1"]) == 4
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    said = [line for line in captured.err.splitlines() if line.startswith("paycombat:")]
    assert len(said) == 1, captured.err  # the progress bar aside, one line
    assert "the batch stopped early" in captured.err
    assert "disk is full" in captured.err
    assert "run the same command again" in captured.err
    results = read_results(out)
    assert [r["status"] for r in results][:3] == ["created"] * 3
    assert len(sandbox.requests_for("Create Payout")) == 3
    monkeypatch.setattr(SQLiteJournal, "claim", claim)
    assert main(batch(source, out)) == 0  # the disk has room again: the re-run finishes
    assert len(read_results(out)) == 10
    assert set(on_server(sandbox).values()) == {1}


def test_cells_amounts_statuses_and_delimiters() -> None:
    from paycombat_async._cli.batch import detect_delimiter, money, plain, safe_cell
    from paycombat_async.models.payout import PayoutStatus

    for cell in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert safe_cell(cell) == "'" + cell
    assert safe_cell("ok=1") == "ok=1"
    assert safe_cell("") == ""
    assert money("125.5", "AUD") == "125.50 AUD"
    assert money("1000", "JPY") == "1000 JPY"
    assert money("1.5", "KWD") == "1.500 KWD"
    assert money("ten", "AUD") == "ten AUD"
    assert plain(PayoutStatus.PENDING) == "PENDING"
    assert plain(None) == ""
    assert detect_delimiter("order_id;sender_amount;sender_currency\r\n") == ";"
    assert detect_delimiter("order_id\tsender_amount\tsender_currency\n") == "\t"
    assert detect_delimiter("order_id|sender_amount|sender_currency\n") == "|"
    assert detect_delimiter("order_id,sender_amount,sender_currency\n") == ","
