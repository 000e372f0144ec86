"""A batch in its own process, for the kill -9 test: prints one line per finished item."""

from __future__ import annotations

import asyncio
import os
import sys

from paycombat_async import PayCombat
from tests.batch.helpers import items
from tests.helpers import NO_WAIT


async def main() -> None:
    async with PayCombat(
        token=os.environ["PAYCOMBAT_TOKEN"],
        signature_key=os.environ["PAYCOMBAT_SIGNATURE_KEY"],
        base_url=os.environ["PAYCOMBAT_BASE_URL"],
        retry=NO_WAIT,
    ) as client:
        await client.payouts.create_many(
            items(int(sys.argv[2])),
            concurrency=16,
            journal=sys.argv[1],
            on_progress=lambda result: print(result.status, flush=True),
        )


if __name__ == "__main__":
    asyncio.run(main())
