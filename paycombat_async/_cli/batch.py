"""``paycombat payouts batch``: a CSV of payouts in, a CSV of results out, resumable.

Columns are ``payouts.create``'s keyword names; nested fields are dotted
(``payout_beneficiary_param.individual.first_name``). Everything that can be checked is checked
before the first payout is sent (the header, the journal, the results file): a mistake there is
one line and exit code 2. A row that cannot be read is reported with its row number (the header
is row 1) and nothing is sent for it; the others go ahead.

The results file is written as results arrive (one flushed row each), so an interrupted or
killed run leaves every row decided so far; at the end it is rewritten in input order, through a
temporary file and ``os.replace``.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

import attrs
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .._batch.engine import BatchCounts
from .._batch.journal import is_database_url, masked
from .._batch.opening import open_journal
from .._client import PayCombat
from .._exceptions import BatchAbortedError, JournalError, PayCombatError, ValidationError
from ..models.payout import CreatePayoutRequest
from .common import say

__all__ = [
    "EXIT_ALL_CREATED",
    "EXIT_INTERRUPTED",
    "EXIT_SOME_CONFLICT",
    "EXIT_SOME_REJECTED",
    "EXIT_SOME_UNKNOWN",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "BatchInputError",
    "BatchRun",
    "journal_option",
    "read_rows",
]

EXIT_ALL_CREATED = 0
EXIT_USAGE = 2
"""A usage or input error found before anything was sent: nothing was sent."""
EXIT_SOME_REJECTED = 3
"""Some payouts were rejected (not created); none is in doubt."""
EXIT_SOME_UNKNOWN = 4
"""Some payouts may or may not exist: reconcile them (re-run with the same journal)."""
EXIT_SOME_CONFLICT = 5
"""A payout found under some row's order_id is not that row's: a person must look."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (SIGINT): sending stopped; run the same command again to finish."""
EXIT_TERMINATED = 143
"""SIGTERM: as Ctrl-C."""
STATUSES = ("created", "rejected", "unknown", "conflict")

AMOUNTS = ("sender_amount", "beneficiary_amount")
FIELDS = tuple(a.name for a in attrs.fields(CreatePayoutRequest) if a.name != "extra")
REQUIRED = tuple(
    a.name
    for a in attrs.fields(CreatePayoutRequest)
    if a.default is attrs.NOTHING and a.name != "extra"
)
BENEFICIARY = ("payout_beneficiary_param", "payout_beneficiary_id")
OUT_COLUMNS = ("row", "order_id", "status", "payout_id", "payout_status", "error_type", "error")
DELIMITERS = ",;\t|"
SHOWN = 20
"""Row errors listed on the console; the rest are counted ("and N more")."""

# ISO 4217 minor units, where not 2 (https://www.iso.org/iso-4217-currency-codes.html).
_MINOR_UNITS = {
    code: places
    for places, codes in (
        (0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"),
        (3, "BHD IQD JOD KWD LYD OMR TND"),
        (4, "CLF UYW"),
    )
    for code in codes.split()
}
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


class BatchInputError(Exception):
    """The command line, the CSV's header, the journal or the results file is not usable:
    found before anything was sent (exit code 2)."""


def money(amount: Decimal | float | str | None, currency: str | None) -> str:
    """``125.50 AUD``: an amount with its currency's minor units."""
    if amount is None:
        return ""
    code = (currency or "").upper()
    try:
        value = Decimal(str(amount))
        places = _MINOR_UNITS.get(code, 2)
        text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    except (InvalidOperation, ValueError):
        text = str(amount)
    return f"{text} {code}".strip()


def bar_line(counts: BatchCounts) -> str:
    """The progress bar's counts: always sent, created, rejected, settling and unknown."""
    line = (
        f"sent {counts.sent}, created {counts.created}, rejected {counts.rejected}, "
        f"settling {counts.settling}, unknown {counts.unknown}"
    )
    if counts.conflict:
        line += f", conflict {counts.conflict}"
    if counts.waiting:
        line += f", held by another run {counts.waiting}"
    return line


def plain(value: Any) -> str:
    """A value as finance reads it: an enum by its value (``PENDING``), never its repr."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def safe_cell(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection: prefix a ``'``)."""
    return "'" + cell if cell.startswith(_FORMULA_LEAD) else cell


def detect_delimiter(header_line: str) -> str:
    """The header line's delimiter among ``, ; TAB |`` (a comma when it cannot be told)."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def delimiter_option(value: str | None) -> str | None:
    """``--delimiter``: one character; ``tab`` or ``\\t`` for a tab."""
    if value is None or value == "":
        return None
    if value.lower() in ("tab", "\\t"):
        return "\t"
    if len(value) != 1:
        raise BatchInputError(f"--delimiter must be one character (or 'tab'), not {value!r}")
    return value


def check_header(
    header: Sequence[str], *, ignored: Sequence[str] = (), journal: bool = True
) -> None:
    """Every column must be a ``payouts.create`` keyword (or a dotted field under one) or
    ignored, and every required one must be there; ``BatchInputError`` in one line if not."""
    if len(header) == 1 and any(d in header[0] for d in DELIMITERS if d != ","):
        raise BatchInputError(
            f"the header is one column {header[0][:60]!r}: the file's delimiter was not "
            "recognised; pass it with --delimiter (e.g. --delimiter ';')"
        )
    unknown = [name for name in header if name not in ignored and name.split(".")[0] not in FIELDS]
    if unknown:
        raise BatchInputError(
            f"unknown column(s) {', '.join(unknown)}: columns are payouts.create's keyword "
            f"names ({', '.join(FIELDS)}); skip other columns with --ignore-column NAME"
        )
    present = {name.split(".")[0] for name in header if name not in ignored}
    missing = [name for name in REQUIRED if name not in present]
    if journal and "order_id" not in present:
        missing.append("order_id")
    if not present & set(BENEFICIARY):
        missing.append("payout_beneficiary_param.* or payout_beneficiary_id")
    if missing:
        raise BatchInputError(
            f"missing required column(s): {', '.join(missing)}"
            + (
                " (order_id is required with a journal: it is how a payout is found again)"
                if "order_id" in missing
                else ""
            )
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
    except TypeError as exc:  # a required column is empty
        raise ValidationError(str(exc).replace("__init__()", "payouts.create")) from None


def read_rows(
    stream: TextIO,
    bad: dict[int, ValidationError],
    rows: list[int],
    *,
    delimiter: str = ",",
    ignored: Sequence[str] = (),
    order_ids: dict[int, str] | None = None,
    amounts: dict[int, str] | None = None,
) -> Iterator[CreatePayoutRequest | dict[str, Any]]:
    """One batch item per row, lazily; ``rows`` receives each item's row number, in order.

    A bad row goes to ``bad`` under its row number and stands in the batch as an empty item,
    which the batch rejects without sending: every row keeps its place, so the journal's keys of
    rows without an ``order_id`` (their position) stay the same when a bad row is fixed.
    ``order_ids`` receives each row's ``order_id`` cell as written (bad rows included), and
    ``amounts`` its amount (``125.50 AUD``).
    """
    reader = csv.DictReader(stream, delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    check_header(header, ignored=ignored, journal=False)
    for row in reader:
        rows.append(reader.line_num)
        if order_ids is not None:
            order_ids[reader.line_num] = (row.get("order_id") or "").strip()
        if amounts is not None:
            amounts[reader.line_num] = money(
                (row.get("sender_amount") or "").strip() or None, row.get("sender_currency")
            )
        for name in ignored:
            row.pop(name, None)
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


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


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
    delimiter: str | None = None
    ignored: tuple[str, ...] = ()
    as_json: bool = False
    again: str = "paycombat payouts batch ..."
    """The command to run again, as printed when the run stops early."""
    results: dict[int, tuple[str, ...]] = attrs.Factory(dict)
    counts: Counter[str] = attrs.Factory(Counter)
    interrupted: int | None = None
    total: int = 0
    _out: TextIO | None = None
    _writer: Any = None
    _details: dict[int, tuple[str, str]] = attrs.Factory(dict)
    """Rows not created: (order_id, what happened), for the console."""

    # -- before anything is sent -----------------------------------------------------------

    def prepare(self) -> None:
        """Check the CSV, the journal and the results file; ``BatchInputError`` (one line) if
        any is unusable. Nothing has been sent when this raises."""
        try:
            with self.csv_path.open(newline="", encoding="utf-8-sig") as counting:
                first = counting.readline()
                if self.delimiter is None:
                    self.delimiter = detect_delimiter(first)
                counting.seek(0)
                reader = csv.reader(counting, delimiter=self.delimiter)
                check_header([c.strip() for c in next(reader, [])], ignored=self.ignored)
                self.total = sum(1 for cells in reader if cells)  # as DictReader counts them
        except UnicodeDecodeError as exc:
            raise BatchInputError(
                f"{self.csv_path} is not UTF-8 (byte {exc.start}); save it as UTF-8 CSV"
            ) from None
        except csv.Error as exc:
            raise BatchInputError(f"{self.csv_path} is not a readable CSV: {exc}") from None
        except OSError as exc:
            raise BatchInputError(f"cannot read {self.csv_path}: {exc.strerror}") from None
        self._check_journal()
        self._open_out()

    def _check_journal(self) -> None:
        where = masked(self.journal)
        if isinstance(self.journal, Path):
            folder = self.journal.parent
            if not folder.is_dir():
                raise BatchInputError(f"cannot use the journal {where}: no folder {folder}")
            if self.journal.exists() and not os.access(self.journal, os.R_OK | os.W_OK):
                raise BatchInputError(
                    f"cannot use the journal {where}: it is not readable and writable"
                )
            if not os.access(folder, os.W_OK):
                raise BatchInputError(
                    f"cannot use the journal {where}: its folder {folder} is not writable"
                )

        async def probe() -> None:
            journal = open_journal(self.journal)
            try:
                await journal.open()
            finally:
                with contextlib.suppress(Exception):
                    await journal.aclose()

        try:
            asyncio.run(probe())
        except JournalError as exc:
            raise BatchInputError(f"cannot use the journal {where}: {_one_line(exc)}") from None
        except Exception as exc:  # noqa: BLE001 (anything else a broken journal raises)
            raise BatchInputError(
                f"cannot use the journal {where}: {type(exc).__name__}: {_one_line(exc)}"
            ) from None

    def _open_out(self) -> None:
        folder = self.out_path.parent
        same = [
            f"the {what}"
            for what, path in (("CSV", self.csv_path), ("journal", self.journal))
            if isinstance(path, Path) and self.out_path.resolve() == path.resolve()
        ]
        if same:
            raise BatchInputError(f"--out {self.out_path} is {same[0]}: choose another file")
        if not folder.is_dir():
            raise BatchInputError(f"cannot write --out {self.out_path}: no folder {folder}")
        try:
            self._out = self.out_path.open("w", newline="", encoding="utf-8")
        except OSError as exc:
            raise BatchInputError(f"cannot write --out {self.out_path}: {exc.strerror}") from None
        self._writer = csv.writer(self._out)
        self._writer.writerow(OUT_COLUMNS)
        self._out.flush()

    # -- as results arrive -----------------------------------------------------------------

    def _record(self, row: int, order_id: str, status: str, result: Any = None) -> None:
        payout = getattr(result, "payout", None)
        found = getattr(result, "found", ())  # a conflict: the payouts under its order_id
        error = result if isinstance(result, PayCombatError) else getattr(result, "error", None)
        cells = (
            str(row),
            order_id,
            status,
            payout.id if payout else " ".join(p.id for p in found),
            plain(payout.status) if payout else "",
            type(error).__name__ if error else "",
            _one_line(error) if error else "",
        )
        self.results[row] = tuple(safe_cell(cell) for cell in cells)
        self.counts[status] += 1
        if status != "created":
            self._details[row] = (order_id, f"{status}: {cells[5]}: {cells[6]}".rstrip(": "))
        if self._writer is not None and self._out is not None:
            try:
                self._writer.writerow(self.results[row])
                self._out.flush()
            except OSError:
                self._out = None  # the disk is full: the final rewrite says so

    async def run(self, client: PayCombat) -> int:
        """Send every good row, write the results CSV, print the summary; the exit code."""
        bad: dict[int, ValidationError] = {}
        rows: list[int] = []
        order_ids: dict[int, str] = {}
        amounts: dict[int, str] = {}
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
        aborted: BatchAbortedError | None = None
        with self.csv_path.open(newline="", encoding="utf-8-sig") as stream, progress:
            task = progress.add_task("batch", total=self.total, line="")

            sent = [0]

            def show(counts: BatchCounts) -> None:
                sent[0] = counts.sent
                progress.update(task, completed=counts.decided, line=bar_line(counts))

            items = read_rows(
                stream,
                bad,
                rows,
                delimiter=self.delimiter or ",",
                ignored=self.ignored,
                order_ids=order_ids,
                amounts=amounts,
            )

            async def consume() -> None:
                results = client.payouts.stream_many(
                    items,
                    concurrency=self.concurrency,
                    rate_limit=self.rate,
                    journal=self.journal,
                    on_counts=show,
                    settle=self.settle,
                    resend_after_settle=self.resend_after_settle,
                )
                try:
                    async for result in results:
                        number = rows[result.index]
                        error = bad.get(number)  # a bad row: say what was wrong with it
                        order_id = result.order_id or order_ids.get(number, "")
                        self._record(number, order_id, result.status, error or result)
                finally:  # a cancelled stream stops sending and records what was in flight
                    close = getattr(results, "aclose", None)
                    if close is not None:
                        await close()

            consumer = asyncio.ensure_future(consume())
            loop = asyncio.get_running_loop()
            handled: list[int] = []

            def stop(signum: int) -> None:
                if self.interrupted is None:
                    self.interrupted = signum
                    consumer.cancel()  # the stream stops sending; in-flight items finish
                    say(
                        progress.console,
                        "paycombat: stopping: recording the payouts in flight...",
                    )

            for signum in (int(signal.SIGINT), int(signal.SIGTERM)):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, stop, signum)
                    handled.append(signum)
            try:
                await consumer
            except asyncio.CancelledError:
                if self.interrupted is None:
                    raise
            except BatchAbortedError as exc:
                aborted = exc
            finally:
                for signum in handled:
                    loop.remove_signal_handler(signum)
            # The bar ends on the counts the summary prints: the rows as recorded here.
            final = BatchCounts(sent=sent[0], **{s: self.counts[s] for s in STATUSES})
            progress.update(task, completed=final.decided, line=bar_line(final))
        self._write()
        if self.interrupted is not None:
            code = EXIT_TERMINATED if self.interrupted == signal.SIGTERM else EXIT_INTERRUPTED
            self._emit_json(code, time.perf_counter() - started, interrupted=True)
            print(
                f"paycombat: interrupted after {sum(self.counts.values())} of {self.total} "
                f"rows: payouts may exist for rows not in {self.out_path}; run the same "
                f"command again to finish (nothing is sent twice): {self.again}",
                file=sys.stderr,
            )
            return code
        self._summary(time.perf_counter() - started, bad, amounts)
        if aborted is not None:
            self._emit_json(EXIT_SOME_UNKNOWN, time.perf_counter() - started, interrupted=True)
            cause = aborted.__cause__ or aborted
            print(
                f"paycombat: the batch stopped early: {type(cause).__name__}: "
                f"{_one_line(cause)}; payouts may exist for rows not in {self.out_path}; fix "
                f"that, then run the same command again: {self.again}",
                file=sys.stderr,
            )
            return EXIT_SOME_UNKNOWN
        if self.counts["conflict"]:
            code = EXIT_SOME_CONFLICT
        elif self.counts["unknown"]:
            code = EXIT_SOME_UNKNOWN
        else:
            code = EXIT_SOME_REJECTED if self.counts["rejected"] else EXIT_ALL_CREATED
        self._emit_json(code, time.perf_counter() - started)
        return code

    def _write(self) -> None:
        """Rewrite the results in input order, atomically (a temporary file, then replace)."""
        if self._out is not None:
            with contextlib.suppress(OSError):
                self._out.close()
        self._out = self._writer = None
        temporary = self.out_path.with_name(f".{self.out_path.name}.{os.getpid()}.tmp")
        try:
            with temporary.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(OUT_COLUMNS)
                writer.writerows(self.results[row] for row in sorted(self.results))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.out_path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            print(
                f"paycombat: cannot rewrite {self.out_path} in input order: {exc.strerror}; "
                "the rows written as they arrived are in it",
                file=sys.stderr,
            )

    def _emit_json(self, code: int, elapsed: float, *, interrupted: bool = False) -> None:
        if not self.as_json:
            return
        summary = {
            "exit_code": code,
            "interrupted": interrupted,
            "total": self.total,
            "decided": sum(self.counts.values()),
            **{status: self.counts[status] for status in STATUSES},
            "results": str(self.out_path),
            "journal": masked(self.journal),
            "seconds": round(elapsed, 3),
        }
        sys.stdout.write(json.dumps(summary) + "\n")
        sys.stdout.flush()

    def _summary(
        self, elapsed: float, bad: dict[int, ValidationError], amounts: dict[int, str]
    ) -> None:
        lines = sorted(self._details.items())
        for number, (order_id, what) in lines[:SHOWN]:
            if number in bad:
                what = f"not sent: {_one_line(bad[number])}"
            about = ", ".join(filter(None, (order_id, amounts.get(number, ""))))
            label = f"row {number}" + (f" ({about})" if about else "")
            say(self.console, f"{label}: {what}")
        if len(lines) > SHOWN:
            say(self.console, f"and {len(lines) - SHOWN} more (see {self.out_path})")
        table = Table(title=f"Payout batch: {self.csv_path.name}")
        table.add_column("status")
        table.add_column("payouts", justify="right")
        for status in STATUSES:
            table.add_row(status, str(self.counts[status]))
        table.add_row("total", str(sum(self.counts.values())))
        self.console.print(table)
        rate = sum(self.counts.values()) / elapsed if elapsed else 0.0
        say(
            self.console,
            f"{elapsed:.1f}s ({rate:.0f}/s). Results: {self.out_path}. "
            f"Journal: {masked(self.journal)}",
        )
        if self.counts["conflict"]:
            say(
                self.console,
                f"{self.counts['conflict']} row(s) conflict: a payout found under the row's "
                "order_id is not the row's (another amount, currency or payee, or several "
                "payouts). Nothing was resent for them; their payout ids are in the results "
                "file. Check them with PayCombat, then give those rows a fresh order_id.",
            )
        if self.counts["unknown"]:
            say(
                self.console,
                f"{self.counts['unknown']} payout(s) may or may not exist: they were looked up "
                "by order_id after the settle period and not found, or the lookup could not be "
                "trusted (see the error column). Nothing was resent. Run the same command "
                "again (same journal) to look them up again; add --resend-after-settle to send "
                "the ones proven absent.",
            )
