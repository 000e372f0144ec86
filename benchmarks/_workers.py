"""The clients under test, one per process: ``python -m benchmarks._workers KIND BASE_URL ...``.

The arguments after KIND: the base URL, the Create Payout URL, the Retrieve Payout URL (of
``PAYOUT_ID``) and, for ``raw``, a JSON file of ``[body, signature]`` pairs.

Each worker keeps one client (and, for the async ones, one event loop) for its whole life, as an
application would, and runs the commands it reads from stdin, one JSON object per line:

    {"run": "create" | "read" | "batch" | "sync_read", "n": 1000, "concurrency": 64}

It answers each with ``{"wall": seconds, "cpu": seconds}`` (CPU of this whole process, so the
blocking client's background thread counts). Kinds:

- ``sdk``: ``paycombat_async.PayCombat`` (creates are built, serialized and signed per call),
  with OpenTelemetry absent (its import is blocked, whether or not it is installed);
- ``sdk_otel``: the same client with the OpenTelemetry API importable and no provider set (an
  application that has the package, as a dependency of something else, and does not use it);
- ``raw``: an ``aiohttp.ClientSession`` sending pre-built signed bytes (read from the file given
  as the last argument) and parsing each answer with ``await response.json()``; it never imports
  ``paycombat_async``, so its heap and imports are aiohttp's alone;
- ``sync``: ``paycombat_sync.PayCombat``, blocking;
- ``requests``: a ``requests.Session``, ``response.json()`` per call.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.abc
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from ._payloads import KEY, PAYOUT_ID, TOKEN, payout_args

Call = Callable[[int], Awaitable[Any]]


async def pool(call: Call, n: int, concurrency: int) -> None:
    """``n`` calls by ``concurrency`` workers, each taking the next index when it is free."""
    indexes = iter(range(n))

    async def worker() -> None:
        for i in indexes:
            await call(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def batch(call: Call, n: int, concurrency: int) -> None:
    """``n`` calls as a user batches them: one gather, a semaphore bounding concurrency."""
    limit = asyncio.Semaphore(concurrency)

    async def bounded(i: int) -> None:
        async with limit:
            await call(i)

    await asyncio.gather(*(bounded(i) for i in range(n)))


def timed(run: Callable[[], None]) -> dict[str, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def commands() -> Iterator[dict[str, Any]]:
    for line in sys.stdin:
        yield json.loads(line)


def reply(result: dict[str, float]) -> None:
    print(json.dumps(result), flush=True)


def serve_async(create: Call, read: Call, loop: asyncio.AbstractEventLoop) -> None:
    for command in commands():
        kind, n, concurrency = command["run"], command["n"], command.get("concurrency", 1)
        call = create if kind in ("create", "batch") else read
        shape = batch if kind == "batch" else pool
        reply(timed(lambda: loop.run_until_complete(shape(call, n, concurrency))))  # noqa: B023


class _NoOpenTelemetry(importlib.abc.MetaPathFinder):
    """Makes ``opentelemetry`` unimportable, as in an environment that does not have it."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.split(".")[0] == "opentelemetry":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def run_sdk(base_url: str, *, opentelemetry: bool) -> None:
    if not opentelemetry:
        sys.meta_path.insert(0, _NoOpenTelemetry())
    from paycombat_async import PayCombat
    from paycombat_async._core.telemetry import ObservedPipeline

    loop = asyncio.new_event_loop()
    client = PayCombat(token=TOKEN, signature_key=KEY, base_url=base_url)
    observed = isinstance(client._pipeline, ObservedPipeline)
    if observed is not opentelemetry:  # measure what the row says, or nothing
        raise SystemExit(f"the client is {'' if observed else 'not '}observed")

    async def create(i: int) -> Any:
        return await client.payouts.create(**payout_args(i))

    async def read(_: int) -> Any:
        return await client.payouts.retrieve(PAYOUT_ID)

    try:
        serve_async(create, read, loop)
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()


def run_raw(create_url: str, read_url: str, signed_file: str) -> None:
    import aiohttp

    with open(signed_file, encoding="utf-8") as f:
        signed = [(body.encode(), signature) for body, signature in json.load(f)]
    read_headers = {"X-token": TOKEN}
    create_headers = [
        {"X-token": TOKEN, "signature": signature, "Content-Type": "application/json"}
        for _, signature in signed
    ]
    loop = asyncio.new_event_loop()

    async def open_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    session = loop.run_until_complete(open_session())

    async def create(i: int) -> Any:
        async with session.post(create_url, data=signed[i][0], headers=create_headers[i]) as r:
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}")
            return await r.json()

    async def read(_: int) -> Any:
        async with session.get(read_url, headers=read_headers) as r:
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}")
            return await r.json()

    try:
        serve_async(create, read, loop)
    finally:
        loop.run_until_complete(session.close())
        loop.close()


def serve_blocking(read: Callable[[], Any]) -> None:
    for command in commands():
        n = command["n"]

        def run(n: int = n) -> None:
            for _ in range(n):
                read()

        reply(timed(run))


def run_sync(base_url: str) -> None:
    from paycombat_sync import PayCombat

    with PayCombat(token=TOKEN, signature_key=KEY, base_url=base_url) as client:
        serve_blocking(lambda: client.payouts.retrieve(PAYOUT_ID))


def run_requests(url: str) -> None:
    import requests  # type: ignore[import-untyped, unused-ignore]

    headers = {"X-token": TOKEN}
    with requests.Session() as session:

        def read() -> Any:
            response = session.get(url, headers=headers)
            response.raise_for_status()
            return response.json()

        serve_blocking(read)


def main(argv: list[str]) -> None:
    kind, base_url, create_url, read_url = argv[:4]
    if kind in ("sdk", "sdk_otel"):
        run_sdk(base_url, opentelemetry=kind == "sdk_otel")
    elif kind == "raw":
        run_raw(create_url, read_url, argv[4])
    elif kind == "sync":
        run_sync(base_url)
    elif kind == "requests":
        run_requests(read_url)
    else:
        raise SystemExit(f"unknown worker kind {kind!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
