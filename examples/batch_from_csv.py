"""Pay a CSV of payouts as a batch job, safe to run again (asyncio, ``paycombat_async``).

Each row becomes one payout, sent by ``payouts.stream_many`` with a **journal** (a SQLite file
beside the CSV): a row is claimed in the journal before its request leaves and its outcome
recorded after. Running the job again, after it finished, crashed or was killed, sends nothing
twice: rows already decided are reported from the journal, rows that were in flight are looked
up (by ``order_id``) before anything is resent.

The CSV (amounts in AUD, to Australian bank accounts)::

    order_id,first_name,last_name,account_number,bsb,amount
    payroll-2024-06-0001,Jane,Citizen,12345678,062000,1520.00

Run it against the local sandbox::

    paycombat sandbox           # prints PAYCOMBAT_TOKEN, _SIGNATURE_KEY, _BASE_URL: export them
    python examples/batch_from_csv.py payroll.csv
    python examples/batch_from_csv.py payroll.csv      # again: nothing is sent twice

Against PayCombat, export your own ``PAYCOMBAT_TOKEN`` and ``PAYCOMBAT_SIGNATURE_KEY`` (and no
``PAYCOMBAT_BASE_URL``). It prints a line per row as its payout is decided, then a summary.
Exit status: 0 when every row's payout exists, 1 when a row was refused or is in conflict (fix
it by hand), 3 when some outcomes are still unknown (run the job again later), 2 for a CSV that
cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from paycombat_async import BatchCounts, PayCombat

COLUMNS = ("order_id", "first_name", "last_name", "account_number", "bsb", "amount")


def check_header(path: Path) -> None:
    """Refuse a CSV without the columns, before anything is sent."""
    with path.open(newline="", encoding="utf-8") as source:
        header = csv.DictReader(source).fieldnames or ()
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ValueError(f"no column {', '.join(missing)}")


def amount(text: str) -> Decimal | str:
    """A row's amount, exact (a ``Decimal``, never a float). Not a number: left as it is, and
    the SDK refuses that row alone (``rejected``) while the others go on."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def payouts_from(path: Path) -> Iterator[dict[str, Any]]:
    """Each row as ``payouts.create``'s arguments (read lazily: a CSV of any size)."""
    with path.open(newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            yield {
                "order_id": row["order_id"],
                "payout_beneficiary_param": {
                    "individual": {"first_name": row["first_name"], "last_name": row["last_name"]},
                    "account_number": row["account_number"],
                    "bsb": row["bsb"],
                },
                "sender_amount": amount(row["amount"]),
                "sender_currency": "AUD",
                "sender_country": "AU",
                "beneficiary_currency": "AUD",
                "payout_method_name": "au_bank_acct",
                "purpose_code": "SALA",  # salary; PayCombat gives each merchant its codes
            }


async def run(csv_path: Path, journal: Path, concurrency: int, settle: float) -> int:
    """Send the batch; print each row's outcome as it is decided; return the exit status."""
    counts = BatchCounts()

    def progress(now: BatchCounts) -> None:
        nonlocal counts
        counts = now

    async with PayCombat() as client:  # PAYCOMBAT_TOKEN, PAYCOMBAT_SIGNATURE_KEY, _BASE_URL
        async for result in client.payouts.stream_many(
            payouts_from(csv_path),
            journal=journal,
            concurrency=concurrency,
            settle=settle,
            on_counts=progress,
        ):
            if result.status == "created" and result.payout is not None:
                print(f"{result.order_id}: created, payout {result.payout.id}")
            elif result.error is not None:
                print(f"{result.order_id}: {result.status.upper()}: {result.error.message}")
            else:
                print(f"{result.order_id}: {result.status.upper()}")
    print(
        f"{counts.created} created, {counts.rejected} rejected, {counts.unknown} unknown, "
        f"{counts.conflict} in conflict; {counts.sent} request(s) sent by this run"
    )
    if counts.rejected or counts.conflict:
        return 1
    return 3 if counts.unknown else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="the payouts (see COLUMNS)")
    parser.add_argument("--journal", type=Path, help="default: the CSV's path + .journal")
    parser.add_argument("--concurrency", type=int, default=8, help="payouts in flight at once")
    parser.add_argument(
        "--settle",
        type=float,
        default=30.0,
        help="seconds to let a payout whose answer was lost settle before looking it up",
    )
    args = parser.parse_args(argv)
    journal = args.journal or args.csv.with_name(args.csv.name + ".journal")
    try:
        check_header(args.csv)
    except (OSError, ValueError, csv.Error) as exc:
        print(f"cannot read {args.csv}: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(run(args.csv, journal, args.concurrency, args.settle))


if __name__ == "__main__":
    sys.exit(main())
