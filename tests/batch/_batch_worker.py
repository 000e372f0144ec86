"""A batch in its own process, for the kill -9 and two-process tests.

``python -m tests.batch._batch_worker JOURNAL N [LEASE SETTLE RESEND]`` prints one line per
finished item: ``order_id status payout_id``. JOURNAL is a SQLite file or a ``postgresql://`` URL.
"""

from __future__ import annotations

import asyncio
import os
import sys

from paycombat_async import BatchResult, Journal, PayCombat, SQLiteJournal
from paycombat_async._batch.journal import is_database_url
from tests.batch.helpers import items
from tests.helpers import NO_WAIT


def report(result: BatchResult) -> None:
    payout = result.payout.id if result.payout is not None else "-"
    print(result.order_id, result.status, payout, flush=True)


async def main() -> None:
    path, n = sys.argv[1], int(sys.argv[2])
    lease, settle, resend = (float(a) for a in (sys.argv[3:6] or ("30", "60", "0")))
    async with PayCombat(
        token=os.environ["PAYCOMBAT_TOKEN"],
        signature_key=os.environ["PAYCOMBAT_SIGNATURE_KEY"],
        base_url=os.environ["PAYCOMBAT_BASE_URL"],
        retry=NO_WAIT,
    ) as client:
        journal: Journal
        if is_database_url(path):
            from paycombat_async import PostgresJournal

            journal = PostgresJournal(path, lease=lease)
        else:
            journal = SQLiteJournal(path, lease=lease)
        try:
            await client.payouts.create_many(
                items(n),
                concurrency=16,
                journal=journal,
                settle=settle,
                resend_after_settle=bool(resend),
                on_progress=report,
            )
        finally:
            await journal.aclose()


if __name__ == "__main__":
    asyncio.run(main())
