"""The producer: split a batch into chunks, enqueue one ``pay_chunk`` task per chunk, wait.

```console
python -m examples.celery_payouts.producer payouts.csv --batch 2024-06-payroll --wait
paycombat payouts report --journal /srv/payouts/2024-06-payroll.sqlite   # anyone, any time
python -m examples.celery_payouts.producer payouts.csv --batch 2024-06-payroll --wait  # again
```

Running the producer again for the same batch is always safe, and is how a batch is finished:
created items are skipped (no request), items in doubt are looked up, items still held by a live
worker are waited for. Rows come from a CSV (``rows_from_csv``: ``payouts.create``'s keyword
names as columns, nested fields dotted, as for ``paycombat payouts batch``) or from anything that
yields dicts (a database cursor): ``enqueue(batch, rows)``. Every row needs its own
``order_id``: it is the item's identity in the journal and at PayCombat.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from celery.result import AsyncResult

from .tasks import pay_chunk

EXIT_ALL_CREATED, EXIT_SOME_REJECTED, EXIT_SOME_UNKNOWN, EXIT_SOME_CONFLICT = 0, 3, 4, 5


def rows_from_csv(path: str | Path) -> Iterator[dict[str, Any]]:
    """One row per line, as JSON-ready arguments of ``payouts.create`` (amounts stay strings,
    exact; empty cells are arguments not given; ``a.b`` columns become nested objects)."""
    with open(path, newline="", encoding="utf-8-sig") as stream:
        for line in csv.DictReader(stream):
            row: dict[str, Any] = {}
            for column, cell in line.items():
                if column is None or cell is None or not cell.strip():
                    continue
                *parents, leaf = column.split(".")
                target = row
                for parent in parents:
                    target = target.setdefault(parent, {})
                target[leaf] = cell.strip()
            yield row


def chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := [dict(row) for row in itertools.islice(iterator, size)]:
        yield chunk


def enqueue(
    batch: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    chunk_size: int = 100,
    settle: float = 60.0,
    resend_after_settle: bool = False,
) -> list[AsyncResult]:
    """Send one ``pay_chunk`` task per ``chunk_size`` rows; their results, in order."""
    return [
        pay_chunk.apply_async(
            args=(batch, chunk),
            kwargs={"settle": settle, "resend_after_settle": resend_after_settle},
        )
        for chunk in chunks(rows, chunk_size)
    ]


def wait(results: list[AsyncResult], timeout: float | None = None) -> dict[str, Any]:
    """Wait until every chunk has finished (a chunk whose worker died is delivered again, so
    it finishes later); the counts of the whole batch and the order_ids not created."""
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = list(results)
    while pending:
        pending = [result for result in pending if not result.ready()]
        if pending and deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} of {len(results)} chunk(s) not finished")
        time.sleep(0.5 if pending else 0)
    counts: Counter[str] = Counter()
    not_created: dict[str, str] = {}
    for result in results:
        outcome = result.get()  # a chunk that failed for good raises its error here
        counts.update(outcome["counts"])
        not_created.update(outcome["not_created"])
    return {"counts": dict(counts), "not_created": not_created}


def exit_code(counts: Mapping[str, int]) -> int:
    """As ``paycombat payouts batch`` and ``paycombat payouts report``."""
    if counts.get("conflict"):
        return EXIT_SOME_CONFLICT
    if counts.get("unknown"):
        return EXIT_SOME_UNKNOWN
    return EXIT_SOME_REJECTED if counts.get("rejected") else EXIT_ALL_CREATED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, help="the payouts, one per row")
    parser.add_argument("--batch", required=True, help="the batch's name (names its journal)")
    parser.add_argument("--chunk-size", type=int, default=100)
    parser.add_argument("--settle", type=float, default=60.0)
    parser.add_argument(
        "--resend-after-settle",
        action="store_true",
        help="resend payouts a lookup proved absent after the settle period",
    )
    parser.add_argument("--wait", action="store_true", help="wait for every chunk, then sum up")
    args = parser.parse_args(argv)
    results = enqueue(
        args.batch,
        rows_from_csv(args.csv),
        chunk_size=args.chunk_size,
        settle=args.settle,
        resend_after_settle=args.resend_after_settle,
    )
    print(f"{len(results)} chunk(s) of batch {args.batch} enqueued")
    if not args.wait:
        return 0
    outcome = wait(results)
    print(outcome["counts"])
    for order_id, status in sorted(outcome["not_created"].items()):
        print(order_id, status)
    return exit_code(outcome["counts"])


if __name__ == "__main__":
    sys.exit(main())
