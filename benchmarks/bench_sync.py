"""What does the blocking facade cost, against the async client and against plain ``requests``?

One sandbox (in its own process, so it does not compete for this one's GIL) serves all three:

- ``paycombat_sync.PayCombat``: each call is a task on the client's background loop;
- ``paycombat_async.PayCombat``: the same calls, awaited on a loop in this thread;
- a ``requests.Session``: the same HTTP requests (signed where needed), JSON decoded, no models.

Measured in one run, as ratios, because machines are noisy: sequential reads (Retrieve Payout)
and sequential signed creates (Create Payout). Each client runs the same bounded number of
calls, in alternating rounds; the best round counts. ``sync - async`` per call is the portal's
overhead. Run with ``nox -s bench`` or ``python benchmarks/bench_sync.py [--n 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import paycombat_async
import paycombat_sync
from paycombat_async._converter import unstructure
from paycombat_async._signing import js_dumps, sign

TOKEN = "snd_bench_token"
KEY = "snd_bench_signature_key"
ROUNDS = 3
RETRIEVE = "/api/v1/payout-method/retrieve-payout/{id}"
CREATE = "/api/v1/payout/create-payout"

_SERVER = """
import asyncio, sys
from paycombat_async.sandbox import LocalSandbox

async def main():
    async with LocalSandbox(token=sys.argv[1], signature_key=sys.argv[2]) as sandbox:
        print(sandbox.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

asyncio.run(main())
"""


@contextmanager
def sandbox_process() -> Iterator[str]:
    """The local sandbox in a child process; yields its base URL."""
    with subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _SERVER, TOKEN, KEY],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        assert server.stdin is not None
        assert server.stdout is not None
        try:
            yield server.stdout.readline().strip()
        finally:
            server.stdin.write("\n")
            server.stdin.flush()
            server.wait(30)


def payout_args(n: int) -> dict[str, Any]:
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


def per_call(n: int, run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) / n


def bench(n: int, base_url: str, requests: Any) -> dict[str, dict[str, float]]:
    best: dict[str, dict[str, float]] = {"read": {}, "create": {}}

    def record(kind: str, who: str, seconds: float) -> None:
        best[kind][who] = min(seconds, best[kind].get(who, float("inf")))

    blocking = paycombat_sync.PayCombat(token=TOKEN, signature_key=KEY, base_url=base_url)
    aio = paycombat_async.PayCombat(token=TOKEN, signature_key=KEY, base_url=base_url)
    loop = asyncio.new_event_loop()
    session: Any = requests.Session() if requests is not None else None
    try:
        payout_id = blocking.payouts.create(**payout_args(0)).id
        retrieve_url = base_url + RETRIEVE.format(id=payout_id)

        def sync_reads() -> None:
            for _ in range(n):
                blocking.payouts.retrieve(payout_id)

        def sync_creates() -> None:
            for i in range(n):
                blocking.payouts.create(**payout_args(i))

        def async_reads() -> None:
            async def go() -> None:
                for _ in range(n):
                    await aio.payouts.retrieve(payout_id)

            loop.run_until_complete(go())

        def async_creates() -> None:
            async def go() -> None:
                for i in range(n):
                    await aio.payouts.create(**payout_args(i))

            loop.run_until_complete(go())

        def requests_reads() -> None:
            for _ in range(n):
                response = session.get(retrieve_url, headers={"X-token": TOKEN})
                response.raise_for_status()
                response.json()

        def requests_creates() -> None:
            for i in range(n):
                body = js_dumps(unstructure(payout_args(i)))
                headers = {
                    "X-token": TOKEN,
                    "signature": sign(body, KEY),
                    "Content-Type": "application/json",
                }
                response = session.post(base_url + CREATE, data=body, headers=headers)
                response.raise_for_status()
                json.loads(response.content)

        clients: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
            "sync": (sync_reads, sync_creates),
            "async": (async_reads, async_creates),
        }
        if session is not None:
            clients["requests"] = (requests_reads, requests_creates)
        for reads, _ in clients.values():  # warm up: connections, caches
            per_call(n, reads)
        for _ in range(ROUNDS):
            for who, (reads, creates) in clients.items():
                record("read", who, per_call(n, reads))
                record("create", who, per_call(n, creates))
    finally:
        blocking.close()
        loop.run_until_complete(aio.aclose())
        loop.close()
        if session is not None:
            session.close()
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="calls per client per round")
    args = parser.parse_args()
    n = max(1, min(args.n, 5000))
    requests: Any
    try:
        import requests  # type: ignore[import-untyped, no-redef, unused-ignore]
    except ImportError:
        requests = None
        print("requests is not installed: the requests baseline is skipped")

    with sandbox_process() as base_url:
        best = bench(n, base_url, requests)

    print(f"blocking facade vs async client vs requests.Session; {n} calls x {ROUNDS} rounds")
    for kind, title in (("read", "Retrieve Payout"), ("create", "Create Payout (signed)")):
        row = best[kind]
        sync_ms, async_ms = row["sync"] * 1000, row["async"] * 1000
        print(f"  {title}:")
        print(f"    per call: sync {sync_ms:.3f} ms, async {async_ms:.3f} ms", end="")
        if "requests" in row:
            print(f", requests {row['requests'] * 1000:.3f} ms")
        else:
            print()
        print(f"    ratio sync/async    = {row['sync'] / row['async']:.2f}")
        if "requests" in row:
            print(f"    ratio sync/requests = {row['sync'] / row['requests']:.2f}")
        print(f"    portal overhead     = {(row['sync'] - row['async']) * 1e6:.0f} us per call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
