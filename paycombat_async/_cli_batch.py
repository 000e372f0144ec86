"""``paycombat payouts batch``: a CSV of payouts in, a CSV of results out, resumable.

Columns are ``payouts.create``'s keyword names; nested fields are dotted
(``payout_beneficiary_param.individual.first_name``). A row that cannot be read is reported with
its row number (the header is row 1) and nothing is sent for it; the others go ahead.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

import attrs
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ._batch import BatchCounts
from ._client import PayCombat
from ._exceptions import PayCombatError, ValidationError
from ._journal import is_database_url, masked
from .models.payout import CreatePayoutRequest

__all__ = [
    "EXIT_ALL_CREATED",
    "EXIT_SOME_CONFLICT",
    "EXIT_SOME_REJECTED",
    "EXIT_SOME_UNKNOWN",
    "BatchRun",
    "journal_option",
    "read_rows",
]

EXIT_ALL_CREATED = 0
EXIT_SOME_REJECTED = 3
"""Some payouts were rejected (not created); none is in doubt."""
EXIT_SOME_UNKNOWN = 4
"""Some payouts may or may not exist: reconcile them (re-run with the same journal)."""
EXIT_SOME_CONFLICT = 5
"""A payout found under some row's order_id is not that row's: a person must look."""
STATUSES = ("created", "rejected", "unknown", "conflict")

AMOUNTS = ("sender_amount", "beneficiary_amount")
FIELDS = tuple(a.name for a in attrs.fields(CreatePayoutRequest) if a.name != "extra")
OUT_COLUMNS = ("row", "order_id", "status", "payout_id", "payout_status", "error_type", "error")


def check_header(header: list[str]) -> None:
    """Every column must be a ``payouts.create`` keyword (or a dotted field under one)."""
    unknown = [name for name in header if name.split(".")[0] not in FIELDS]
    if unknown:
        raise ValidationError(
            f"unknown column(s) {', '.join(unknown)}; columns are payouts.create's keyword "
            f"names: {', '.join(FIELDS)}"
        )


def _row_to_item(row: dict[str, str]) -> CreatePayoutRequest:
    item: dict[str, Any] = {}
    for column, cell in row.items():
        if cell is None or cell.strip() == "":
            continue  # an empty cell is an argument not given
        value: Any = cell.strip()
        if column in AMOUNTS:
            try:
                value = Decimal(value)
            except InvalidOperation:
                raise ValidationError(f"{value!r} is not an amount", field=column) from None
        *parents, leaf = column.split(".")
        target = item
        for parent in parents:
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise ValidationError("is both a value and a group of fields", field=parent)
        target[leaf] = value
    try:
        return CreatePayoutRequest(**item)
    except TypeError as exc:  # a required column is empty or missing
        raise ValidationError(str(exc).replace("__init__()", "payouts.create")) from None


def read_rows(
    stream: TextIO, bad: dict[int, ValidationError], rows: list[int]
) -> Iterator[CreatePayoutRequest | dict[str, Any]]:
    """One batch item per row, lazily; ``rows`` receives each item's row number, in order.

    A bad row goes to ``bad`` under its row number and stands in the batch as an empty item,
    which the batch rejects without sending: every row keeps its place, so the journal's keys of
    rows without an ``order_id`` (their position) stay the same when a bad row is fixed.
    """
    reader = csv.DictReader(stream)
    check_header(list(reader.fieldnames or []))
    for row in reader:
        rows.append(reader.line_num)
        if None in row:
            bad[reader.line_num] = ValidationError("has more cells than the header has columns")
            yield {}
            continue
        try:
            yield _row_to_item(row)
        except ValidationError as exc:
            bad[reader.line_num] = exc
            yield {}


def journal_option(value: str | None, csv_path: Path) -> Path | str:
    """``--journal``: a ``postgresql://`` URL as it is, a path (``PAYOUTS.CSV.journal`` beside
    the CSV when not given)."""
    if value is None or value == "":
        return csv_path.with_name(csv_path.name + ".journal")
    return value if is_database_url(value) else Path(value)


@attrs.define
class BatchRun:
    """One run of the command: its options, its results by row, and how it ends."""

    csv_path: Path
    out_path: Path
    journal: Path | str
    """A SQLite file or a ``postgresql://`` URL (printed with its password masked)."""
    concurrency: int
    rate: float | None
    settle: float
    resend_after_settle: bool
    console: Console
    results: dict[int, tuple[str, ...]] = attrs.Factory(dict)
    counts: Counter[str] = attrs.Factory(Counter)

    def _record(self, row: int, order_id: str, status: str, result: Any = None) -> None:
        payout = getattr(result, "payout", None)
        found = getattr(result, "found", ())  # a conflict: the payouts under its order_id
        error = result if isinstance(result, PayCombatError) else getattr(result, "error", None)
        self.results[row] = (
            str(row),
            order_id,
            status,
            payout.id if payout else " ".join(p.id for p in found),
            str(payout.status or "") if payout else "",
            type(error).__name__ if error else "",
            str(error) if error else "",
        )
        self.counts[status] += 1

    async def run(self, client: PayCombat) -> int:
        """Send every good row, write the results CSV, print the summary; the exit code."""
        with self.csv_path.open(newline="", encoding="utf-8-sig") as counting:
            reader = csv.reader(counting)
            check_header(next(reader, []))  # before anything is shown or sent
            total = sum(1 for cells in reader if cells)  # DictReader skips blank lines too
        bad: dict[int, ValidationError] = {}
        rows: list[int] = []
        started = time.perf_counter()
        progress = Progress(
            TextColumn("payouts"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[line]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        with self.csv_path.open(newline="", encoding="utf-8-sig") as stream, progress:
            task = progress.add_task("batch", total=total, line="")

            def show(counts: BatchCounts) -> None:
                line = f"sent {counts.sent}, settling {counts.settling}"
                line += "".join(
                    f", {status} {getattr(counts, status)}"
                    for status in STATUSES
                    if getattr(counts, status)
                )
                if counts.waiting:
                    line += f", held by another run {counts.waiting}"
                progress.update(task, completed=counts.decided, line=line)

            items = read_rows(stream, bad, rows)
            async for result in client.payouts.stream_many(
                items,
                concurrency=self.concurrency,
                rate_limit=self.rate,
                journal=self.journal,
                on_counts=show,
                settle=self.settle,
                resend_after_settle=self.resend_after_settle,
            ):
                number = rows[result.index]
                error = bad.get(number)  # a bad row: say what was wrong with it
                self._record(number, result.order_id, result.status, error or result)
        self._write()
        self._summary(time.perf_counter() - started, bad)
        if self.counts["conflict"]:
            return EXIT_SOME_CONFLICT
        if self.counts["unknown"]:
            return EXIT_SOME_UNKNOWN
        return EXIT_SOME_REJECTED if self.counts["rejected"] else EXIT_ALL_CREATED

    def _write(self) -> None:
        with self.out_path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(OUT_COLUMNS)
            writer.writerows(self.results[row] for row in sorted(self.results))

    def _summary(self, elapsed: float, bad: dict[int, ValidationError]) -> None:
        for number, error in sorted(bad.items())[:20]:
            self.console.print(f"row {number}: not sent: {error}", markup=False, highlight=False)
        table = Table(title=f"Payout batch: {self.csv_path.name}")
        table.add_column("status")
        table.add_column("payouts", justify="right")
        for status in STATUSES:
            table.add_row(status, str(self.counts[status]))
        table.add_row("total", str(sum(self.counts.values())))
        self.console.print(table)
        rate = sum(self.counts.values()) / elapsed if elapsed else 0.0
        self.console.print(
            f"{elapsed:.1f}s ({rate:.0f}/s). Results: {self.out_path}. "
            f"Journal: {masked(self.journal)}",
            markup=False,
            highlight=False,
        )
        if self.counts["conflict"]:
            self.console.print(
                f"{self.counts['conflict']} row(s) conflict: a payout found under the row's "
                "order_id is not the row's (another amount, currency or payee, or several "
                "payouts). Nothing was resent for them; their payout ids are in the results "
                "file. Check them with PayCombat, then give those rows a fresh order_id.",
                markup=False,
                highlight=False,
            )
        if self.counts["unknown"]:
            self.console.print(
                f"{self.counts['unknown']} payout(s) may or may not exist: they were looked up "
                "by order_id after the settle period and not found, or the lookup could not be "
                "trusted (see the error column). Nothing was resent. Run the same command "
                "again (same journal) to look them up again; add --resend-after-settle to send "
                "the ones proven absent.",
                markup=False,
                highlight=False,
            )
