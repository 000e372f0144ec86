"""`paycombat payouts report`: a batch's progress and outcome from its journal alone."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import paycombat_sync.sandbox
from paycombat_async import JournalEntry, SQLiteJournal
from paycombat_async._cli import main
from paycombat_async.testing import sandbox_env
from tests.batch.postgres import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]  # the fixtures, for the PostgreSQL case

PAYOUT = {"id": "po_1", "order_id": "o-created", "status": "PENDING"}


def entry(order_id: str, state: str, **fields: Any) -> JournalEntry:
    if state == "created":
        fields.setdefault("payout", {**PAYOUT, "id": f"po-{order_id}", "order_id": order_id})
    return JournalEntry(key=order_id, order_id=order_id, fingerprint="f", state=state, **fields)


def write(where: Path | str, entries: Sequence[JournalEntry]) -> None:
    async def go() -> None:
        if isinstance(where, str):
            from paycombat_async import PostgresJournal

            journal: Any = PostgresJournal(where)
        else:
            journal = SQLiteJournal(where)
        try:
            await journal.open()
            for one in entries:
                await journal.put(one)
        finally:
            await journal.aclose()

    asyncio.run(go())


def report(
    where: Path | str, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, dict[str, Any]]:
    code = main(["payouts", "report", "--journal", str(where), "--json", *options])
    return code, json.loads(capsys.readouterr().out)


def test_a_finished_batch_is_exit_0_in_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "done.sqlite"
    write(journal, [entry(f"o-{i}", "created") for i in range(3)])
    assert main(["payouts", "report", "--journal", str(journal)]) == 0
    text = capsys.readouterr().out
    assert "created" in text
    assert "3" in text
    code, data = report(journal, capsys)
    assert code == 0
    assert data["journal"] == str(journal)
    assert data["total"] == 3
    assert data["states"] == {
        "sending": 0,
        "settling": 0,
        "created": 3,
        "rejected": 0,
        "unknown": 0,
        "conflict": 0,
    }
    assert data["attention"] == []
    assert data["exit_code"] == 0


def test_items_in_flight_are_live_or_expired_and_unknowns_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "running.sqlite"
    now = time.time()  # not at import: a long suite may collect this module minutes earlier
    unknown_error = {"type": "OutcomeUnknownError", "message": "timed out; not found", "status": 0}
    write(
        journal,
        [
            entry("o-created", "created"),
            entry("o-live-1", "sending", owner="run-a", lease_until=now + 3600),
            entry("o-live-2", "settling", owner="run-b", lease_until=now + 3600),
            entry("o-dead", "sending", owner="run-c", lease_until=now - 1),
            entry("o-unknown", "unknown", error=unknown_error),
            entry("o-rejected", "rejected", error={"type": "APIError", "message": "no"}),
        ],
    )
    code, data = report(journal, capsys)
    assert code == 4
    assert data["in_flight"] == {
        "sending": {"live": 1, "expired": 1},
        "settling": {"live": 1, "expired": 0},
    }
    assert data["live_runs"] == {"run-a": 1, "run-b": 1}
    assert [p["order_id"] for p in data["attention"]] == ["o-unknown"]
    assert data["attention"][0]["error"] == "timed out; not found"
    assert data["attention"][0]["error_type"] == "OutcomeUnknownError"

    assert main(["payouts", "report", "--journal", str(journal)]) == 4
    text = capsys.readouterr().out
    assert "1 held by a live run, 1 lease expired" in text
    assert "2 run(s) hold items now" in text
    assert "o-unknown: unknown: timed out; not found" in text


def test_a_conflict_is_exit_5_and_names_the_payout_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "conflict.sqlite"
    error = {"type": "PayoutConflictError", "message": "another payee", "status": None}
    write(
        journal,
        [
            entry("o-1", "conflict", error=error, payout={"id": "po_other"}),
            entry("o-2", "unknown", error={"message": "?"}),
            entry("o-3", "created"),
        ],
    )
    code, data = report(journal, capsys)
    assert code == 5
    assert data["attention"][0] == {
        "order_id": "o-1",
        "state": "conflict",
        "error_type": "PayoutConflictError",
        "error": "another payee",
        "payout_id": "po_other",
    }
    assert main(["payouts", "report", "--journal", str(journal)]) == 5
    assert "o-1: conflict (payout po_other): another payee" in capsys.readouterr().out


def test_rejected_only_is_exit_3_and_an_unknown_state_is_in_doubt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "rejected.sqlite"
    write(journal, [entry("o-1", "created"), entry("o-2", "rejected")])
    assert report(journal, capsys)[0] == 3
    write(journal, [entry("o-3", "repaired-by-hand")])
    code, data = report(journal, capsys)
    assert code == 4
    assert data["other_states"] == {"repaired-by-hand": 1}
    assert data["attention"][0]["order_id"] == "o-3"
    assert "does not know" in data["attention"][0]["error"]


def test_expect_counts_the_items_never_started(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "partial.sqlite"
    write(journal, [entry(f"o-{i}", "created") for i in range(3)])
    code, data = report(journal, capsys, "--expect", "5")
    assert (code, data["not_started"], data["expected"]) == (4, 2, 5)
    assert report(journal, capsys, "--expect", "3")[0] == 0


def test_no_journal_is_an_error_and_nothing_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.sqlite"
    assert main(["payouts", "report", "--journal", str(missing)]) == 1
    assert f"no journal at {missing}" in capsys.readouterr().err
    assert not missing.exists()
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"not a database" * 100)
    assert main(["payouts", "report", "--journal", str(corrupt)]) == 1
    assert "could not be read" in capsys.readouterr().err
    assert main(["payouts", "report"]) == 2  # --journal is required


def test_a_batch_run_by_the_cli_is_reported(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    paycombat_sync_sandbox: paycombat_sync.sandbox.LocalSandbox,
) -> None:
    from tests.test_cli import row, write_csv

    for name, value in sandbox_env(paycombat_sync_sandbox).items():
        monkeypatch.setenv(name, value)
    source = write_csv(tmp_path / "payouts.csv", [row(f"o-{i}") for i in range(5)])
    out = tmp_path / "results.csv"
    assert main(["payouts", "batch", str(source), "--out", str(out), "--settle", "0"]) == 0
    capsys.readouterr()
    code, data = report(tmp_path / "payouts.csv.journal", capsys, "--expect", "5")
    assert code == 0
    assert data["states"]["created"] == 5


def test_a_postgresql_journal_is_read_and_never_created(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["payouts", "report", "--journal", postgres_url]) == 1
    error = capsys.readouterr().err
    assert "paycombat_journal" in error
    assert "s3cret-pw" not in error  # the password is never shown
    write(postgres_url, [entry("o-1", "created"), entry("o-2", "unknown", error={"message": "?"})])
    code, data = report(postgres_url, capsys)
    assert code == 4
    assert data["states"]["created"] == 1
    assert "s3cret-pw" not in data["journal"]
    assert "***" in data["journal"]
