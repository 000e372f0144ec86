"""``paycombat payouts report``: where a batch stands, read from its journal alone.

Any worker or operator can run it, while the batch runs or after: it reads the journal, sends
nothing, and creates no journal where there is none (no SQLite file, no PostgreSQL table).

It counts the items by state, splits the ones in flight (``sending``, ``settling``) into live
claims and claims whose lease expired (their run stopped or died: the next run takes them over
through a lookup), and names every item that needs a person or another run: ``unknown``,
``conflict``, and rows in a state this SDK does not know.

Exit codes follow ``paycombat payouts batch``: 0 all created; 3 some rejected (not created; none
in doubt); 4 some unknown, still in flight, in an unrecognised state, or fewer items than
``--expect`` (run the batch again, same journal); 5 some conflict (a person must look).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .._batch.journal import HELD, STATES, JournalEntry, SQLiteJournal, is_database_url, masked

__all__ = ["build_report", "read_entries", "report"]

EXIT_ALL_CREATED, EXIT_SOME_REJECTED, EXIT_SOME_UNKNOWN, EXIT_SOME_CONFLICT = 0, 3, 4, 5
ORDER = ("sending", "settling", "created", "rejected", "unknown", "conflict")
SHOWN = 50
"""Items needing attention listed in the text output (``--json`` lists them all)."""


async def read_entries(where: str) -> list[JournalEntry]:
    """Every entry of the journal ``where`` (a SQLite file that exists, or a ``postgresql://``
    URL), read without creating a table; ``JournalError`` if it cannot be read."""
    if is_database_url(where):
        from .._batch.postgres import PostgresJournal

        journal = PostgresJournal(where, create_table=False)
        try:
            await journal.open()
            return await journal.entries()
        finally:
            await journal.aclose()
    import anyio

    return await anyio.to_thread.run_sync(SQLiteJournal(where).entries)


def _problem(entry: JournalEntry) -> dict[str, Any]:
    error = entry.error or {}
    message = error.get("message")
    if message is None and entry.state not in STATES:
        message = "a state this SDK does not know: looked up before anything is sent"
    payout_id = entry.payout.get("id") if isinstance(entry.payout, dict) else None
    return {
        "order_id": entry.order_id,
        "state": entry.state,
        "error_type": error.get("type"),
        "error": message,
        "payout_id": payout_id if isinstance(payout_id, str) else None,
    }


def build_report(
    entries: Sequence[JournalEntry], *, now: float, expect: int | None = None
) -> dict[str, Any]:
    """The report as JSON-ready data: counts, leases, the items needing attention, exit code."""
    states = Counter(entry.state for entry in entries)
    leases: dict[str, dict[str, int]] = {state: {"live": 0, "expired": 0} for state in HELD}
    runs: Counter[str] = Counter()
    for entry in entries:
        if entry.state in HELD:
            live = entry.lease_until is not None and entry.lease_until > now
            leases[entry.state]["live" if live else "expired"] += 1
            if live and entry.owner:
                runs[entry.owner] += 1
    problems = [
        _problem(entry)
        for entry in sorted(entries, key=lambda e: e.order_id)
        if entry.state in ("unknown", "conflict") or entry.state not in STATES
    ]
    other = {state: n for state, n in sorted(states.items()) if state not in STATES}
    in_doubt = sum(states[s] for s in ("unknown", *HELD)) + sum(other.values())
    missing = max(0, expect - len(entries)) if expect is not None else 0
    if states["conflict"]:
        code = EXIT_SOME_CONFLICT
    elif in_doubt or missing:
        code = EXIT_SOME_UNKNOWN
    else:
        code = EXIT_SOME_REJECTED if states["rejected"] else EXIT_ALL_CREATED
    return {
        "total": len(entries),
        "expected": expect,
        "not_started": missing,
        "states": {state: states[state] for state in ORDER},
        "other_states": other,
        "in_flight": leases,
        "live_runs": dict(sorted(runs.items())),
        "attention": problems,
        "exit_code": code,
    }


def _print(where: str, data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from .common import say

    console = Console()
    table = Table(title=f"Payout batch journal: {masked(where)}")
    table.add_column("state")
    table.add_column("items", justify="right")
    table.add_column("")
    for state, count in data["states"].items():
        note = ""
        if state in HELD and count:
            lease = data["in_flight"][state]
            note = f"{lease['live']} held by a live run, {lease['expired']} lease expired"
        table.add_row(state, str(count), note)
    for state, count in data["other_states"].items():
        table.add_row(state, str(count), "unrecognised: looked up before anything is sent")
    table.add_row("total", str(data["total"]), "")
    if data["expected"] is not None:
        table.add_row("not started", str(data["not_started"]), f"of {data['expected']} expected")
    console.print(table)
    if data["live_runs"]:
        say(console, f"{len(data['live_runs'])} run(s) hold items now.")
    expired = sum(lease["expired"] for lease in data["in_flight"].values())
    if expired:
        say(
            console,
            f"{expired} item(s) were held by a run that stopped or died: the next run of the "
            "batch (same journal) looks them up before anything is sent.",
        )
    attention = data["attention"]
    for problem in attention[:SHOWN]:
        ids = f" (payout {problem['payout_id']})" if problem["payout_id"] else ""
        say(console, f"{problem['order_id']}: {problem['state']}{ids}: {problem['error'] or ''}")
    if len(attention) > SHOWN:
        console.print(f"... and {len(attention) - SHOWN} more (--json lists them all)")


@click.command()
@click.option(
    "--journal",
    "where",
    required=True,
    metavar="PATH|URL",
    help="The batch's journal: a SQLite file or a postgresql:// URL.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--expect",
    type=click.IntRange(min=0),
    help="The batch's number of items: fewer in the journal means some never started (exit 4).",
)
def report(where: str, as_json: bool, expect: int | None) -> int:
    """Show a payout batch's progress and outcome from its journal alone.

    Counts items by state; items in flight (sending, settling) are held by a live run or their
    lease expired (their run stopped or died). Lists the unknown and conflict items with their
    errors. Sends nothing; safe while the batch runs.

    Exit codes: 0 all created; 3 some rejected (none in doubt); 4 some unknown or in flight
    (run the batch again with the same journal); 5 some conflict (check it by hand).
    """
    from .common import run_api

    if not is_database_url(where) and not Path(where).is_file():
        raise click.ClickException(f"no journal at {where}")  # (and none is created)
    entries: list[JournalEntry] = run_api(read_entries(os.fspath(where)))
    data = build_report(entries, now=time.time(), expect=expect)
    if as_json:
        click.echo(json.dumps({"journal": masked(where), **data}, indent=2))
    else:
        _print(where, data)
    code: int = data["exit_code"]
    return code
