"""How much does the SDK's pipeline cost over raw aiohttp, against the same local sandbox?

Measured in one run, as ratios, because these machines are noisy:
- sequential reads (Retrieve Payout): SDK time / raw aiohttp time for the same requests;
- a concurrent batch of signed creates (Create Payout): SDK / raw aiohttp (raw signs too);
- memory: peak traced allocation per payout in the SDK batch.

Targets (exit 1 if missed): reads <= 2.5x raw, batch creates <= 2.5x raw.
Run with `nox -s bench` (or `python benchmarks/bench_pipeline.py [--n 500]`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import tracemalloc
from decimal import Decimal
from typing import Any

import aiohttp

from paycombat_async import PayCombat
from paycombat_async._signing import js_dumps, sign
from paycombat_async.sandbox import LocalSandbox

READ_TARGET = 2.5
BATCH_TARGET = 2.5


def payout_body(n: int) -> dict[str, Any]:
    return {
        "payout_beneficiary_param": {
            "individual": {"first_name": "Bench", "last_name": str(n)},
            "account_number": "12345678",
            "bsb": "123456",
        },
        "sender_amount": Decimal("1.25"),
        "sender_currency": "AUD",
        "sender_country": "AU",
        "payout_method_name": "au_bank_acct",
        "purpose_code": "SELF",
        "order_id": f"bench-{n}",
    }


async def timed(coro_factory: Any) -> float:
    started = time.perf_counter()
    await coro_factory()
    return time.perf_counter() - started


async def main(n: int, batch: int) -> int:
    async with LocalSandbox() as sandbox:
        headers = {"X-token": sandbox.token}
        async with (
            PayCombat(
                token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
            ) as client,
            aiohttp.ClientSession() as raw,
        ):
            payout_id = (await client.payouts.create(**payout_body(-1))).id
            url = f"{sandbox.base_url}/api/v1/payout-method/retrieve-payout/{payout_id}"

            async def sdk_reads() -> None:
                for _ in range(n):
                    await client.payouts.retrieve(payout_id)

            async def raw_reads() -> None:
                for _ in range(n):
                    async with raw.get(url, headers=headers) as response:
                        await response.json()

            async def sdk_batch() -> None:
                await asyncio.gather(
                    *(client.payouts.create(**payout_body(i)) for i in range(batch))
                )

            async def raw_batch() -> None:
                async def one(i: int) -> None:
                    body = js_dumps(payout_body(batch + i))
                    signed = {
                        **headers,
                        "signature": sign(body, sandbox.signature_key),
                        "Content-Type": "application/json",
                    }
                    async with raw.post(
                        f"{sandbox.base_url}/api/v1/payout/create-payout", data=body, headers=signed
                    ) as response:
                        await response.json()

                await asyncio.gather(*(one(i) for i in range(batch)))

            await sdk_reads()  # warm both connection pools
            await raw_reads()
            read_ratio = await timed(sdk_reads) / await timed(raw_reads)
            batch_ratio = await timed(sdk_batch) / await timed(raw_batch)
            tracemalloc.start()  # separately: tracing slows everything it measures
            await sdk_batch()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    print(
        f"sequential reads, SDK / raw aiohttp ({n} requests): {read_ratio:.2f}x "
        f"(target <= {READ_TARGET}x)"
    )
    print(
        f"concurrent signed creates, SDK / raw aiohttp ({batch} payouts): {batch_ratio:.2f}x "
        f"(target <= {BATCH_TARGET}x)"
    )
    print(f"peak traced memory during the SDK batch: {peak / batch / 1024:.1f} KiB per payout")
    return 0 if read_ratio <= READ_TARGET and batch_ratio <= BATCH_TARGET else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--batch", type=int, default=500)
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.n, options.batch)))
