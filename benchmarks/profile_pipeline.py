"""Where does the SDK's time per call go? A diagnostic, not a benchmark with targets.

``python -m benchmarks.profile_pipeline [create|read|imports|all] [--n 3000]`` against the canned
server of ``benchmarks/_server.py`` (its own process), the SDK in this process at concurrency 64:

- stages: pyinstrument's share of each pipeline stage, scaled to the unprofiled CPU time per
  call, so the microseconds are today's real ones (pyinstrument is optional);
- cProfile: the top functions by own time, in microseconds per SDK call (the profiler inflates
  every figure; compare them with each other);
- garbage: objects each call leaves in reference cycles, and the time the collector spends;
- what-if: the client's CPU time per call, unprofiled, with one cost taken out at a time by
  patching this process only (the trace hook, tenacity on the success path, ``anyio.fail_after``,
  the pure-Python serializer, the collector), to size each saving before anyone writes it;
- imports: ``python -X importtime -c "import paycombat_async"``, grouped by top-level package.

Patches touch private names of today's pipeline; one that no longer applies is reported and
skipped. Findings are told in ``benchmarks/PERFORMANCE.md`` (the rounds in full: ``HISTORY.md``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from typing import Any

from ._patches import WHAT_IF
from ._payloads import KEY, PAYOUT_ID, TOKEN, payout_args
from ._processes import ROOT, server
from ._workers import pool

CONCURRENCY = 64

# Stage -> the (file suffix, function) frames whose time stands for it; "a - b" subtracts.
STAGES: dict[str, list[tuple[str, str]]] = {
    "whole SDK call (Pipeline.call)": [("_core/pipeline.py", "call")],
    "  the resend loop (tenacity), around resends only": [("_core/retry.py", "resend")],
    "  aiohttp request + response (session.request, read, release)": [
        ("aiohttp/client.py", "__aenter__"),
        ("aiohttp/client.py", "__aexit__"),
        ("aiohttp/client_reqrep.py", "read"),
    ],
    "  read the body (read_body, size cap)": [("_core/response.py", "read_body")],
    "  envelope check (interpret: parse, status, envelope)": [("_core/response.py", "interpret")],
    "  structure the response (compiled per model)": [("models/_converter.py", "structure")],
    "  encode: js_dumps": [("_codec/signing.py", "js_dumps")],
    "  encode: sign (HMAC-SHA256)": [("_codec/signing.py", "sign")],
    "  deadline timers (start + stop)": [
        ("_core/deadlines.py", "start"),
        ("_core/deadlines.py", "stop"),
    ],
    "  render_path": [("_core/routes.py", "render_path")],
    "build and validate the request object": [("resources/_declare.py", "build")],
    "split it into path, query and body (unstructure)": [("resources/_declare.py", "split")],
}
ATTEMPT = [("_core/pipeline.py", "attempt")]


class Client:
    """One SDK client on one loop in this process, against the server."""

    def __init__(self, base_url: str) -> None:
        from paycombat_async import PayCombat

        self.loop = asyncio.new_event_loop()
        self.client = PayCombat(token=TOKEN, signature_key=KEY, base_url=base_url)

    async def create(self, i: int) -> Any:
        return await self.client.payouts.create(**payout_args(i))

    async def read(self, _: int) -> Any:
        return await self.client.payouts.retrieve(PAYOUT_ID)

    def run(self, kind: str, n: int) -> float:
        """Run ``n`` calls; return this process's CPU seconds per call."""
        call = self.create if kind == "create" else self.read
        started = time.process_time()
        self.loop.run_until_complete(pool(call, n, CONCURRENCY))
        return (time.process_time() - started) / n

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


class Raw:
    """Raw aiohttp in this process, sending pre-built signed bytes: the floor to compare with."""

    def __init__(self, base_url: str) -> None:
        import aiohttp

        from paycombat_async import OPERATIONS
        from paycombat_async._codec.signing import js_dumps, sign
        from paycombat_async.models._converter import unstructure

        self.loop = asyncio.new_event_loop()
        self.session = self.loop.run_until_complete(self._open(aiohttp))
        self.create_url = base_url + OPERATIONS["payouts.create"].path
        self.read_url = base_url + OPERATIONS["payouts.retrieve"].render_path(
            {"payout_id": PAYOUT_ID}
        )
        body = js_dumps(unstructure(payout_args(0)))
        self.body = body
        self.headers = {"X-token": TOKEN, "signature": sign(body, KEY)}
        self.headers["Content-Type"] = "application/json"

    @staticmethod
    async def _open(aiohttp: Any) -> Any:
        return aiohttp.ClientSession()

    async def create(self, _: int) -> Any:
        async with self.session.post(self.create_url, data=self.body, headers=self.headers) as r:
            return await r.json()

    async def read(self, _: int) -> Any:
        async with self.session.get(self.read_url, headers={"X-token": TOKEN}) as r:
            return await r.json()

    def run(self, kind: str, n: int) -> float:
        call = self.create if kind == "create" else self.read
        started = time.process_time()
        self.loop.run_until_complete(pool(call, n, CONCURRENCY))
        return (time.process_time() - started) / n

    def close(self) -> None:
        self.loop.run_until_complete(self.session.close())
        self.loop.close()


# -- where the time goes ----------------------------------------------------------------------


def sampled(base_url: str, kind: str, n: int) -> None:
    """pyinstrument's share of each stage, scaled to the unprofiled CPU time per call."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("\npyinstrument is not installed (pip install pyinstrument): stages skipped")
        return
    client = Client(base_url)
    try:
        client.run(kind, 500)
        cpu = statistics.median(client.run(kind, n) for _ in range(3))
        profiler = Profiler(interval=0.0002)
        profiler.start()
        client.run(kind, n)
        profiler.stop()
    finally:
        client.close()
    root = profiler.last_session.root_frame() if profiler.last_session else None
    if root is None:
        return
    idle = _time_in(root, [("selectors.py", "select")])
    busy = root.time - idle

    def us(frames: list[tuple[str, str]]) -> float:
        return _time_in(root, frames) / busy * cpu * 1e6

    print(f"\n## Stages, {kind}: {n} calls at c={CONCURRENCY}; {cpu * 1e6:.0f} us CPU per call")
    print("(pyinstrument samples, as a share of busy time, times the unprofiled CPU per call)")
    for stage, frames in STAGES.items():
        value = us(frames)
        if stage.endswith("around the attempt"):
            value -= us(ATTEMPT)
        if value >= 0.5:
            print(f"  {value:6.1f} us  {stage}")


def _time_in(frame: Any, frames: list[tuple[str, str]]) -> float:
    """Time in the outermost frames matching any of ``frames`` (recursion counted once)."""
    path = frame.file_path or ""
    if any(frame.function == name and path.endswith(suffix) for suffix, name in frames):
        return float(frame.time)
    return sum(_time_in(child, frames) for child in frame.children)


def profile(base_url: str, kind: str, n: int, top: int) -> None:
    client = Client(base_url)
    try:
        client.run(kind, 500)  # warm up
        profiler = cProfile.Profile()
        profiler.enable()
        client.run(kind, n)
        profiler.disable()
    finally:
        client.close()
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values())
    print(f"\n## cProfile, {kind}: {n} calls; {total / n * 1e6:.0f} us/call while profiled")
    print("Top functions by own time, us per SDK call (inflated by the profiler; compare them")
    print("with each other). Columns: own, cumulative, calls per SDK call, function.")
    ranked = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (path, line, name), (_, calls, tt, ct, _) in ranked:
        where = f"{_short_path(path)}:{line}({name})"
        print(f"  {tt / n * 1e6:6.1f} {ct / n * 1e6:6.1f} {calls / n:6.1f}x  {where}")


def _short_path(path: str) -> str:
    for marker in ("site-packages/", "wt-bench/", "lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# -- garbage -----------------------------------------------------------------------------------


class GcTimer:
    """Counts and times the collector's runs, by generation, while installed."""

    def __init__(self) -> None:
        self.spent = [0.0, 0.0, 0.0]
        self.counts = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.spent[info["generation"]] += time.perf_counter() - self._started
            self.counts[info["generation"]] += 1


def garbage(base_url: str, kind: str, n: int) -> None:
    print(f"\n## Garbage, {kind}: {n} calls at c={CONCURRENCY}")
    for name, client in (("SDK", Client(base_url)), ("raw aiohttp", Raw(base_url))):
        timer = GcTimer()
        try:
            client.run(kind, 500)
            gc.collect()
            gc.disable()
            client.run(kind, n)
            cyclic = gc.collect()
            gc.enable()
            gc.callbacks.append(timer)
            cpu = client.run(kind, n)
            gc.callbacks.remove(timer)
        finally:
            client.close()
        per_gen = ", ".join(
            f"gen{g}: {c} x {t / max(c, 1) * 1e6:.0f} us"
            for g, (c, t) in enumerate(zip(timer.counts, timer.spent, strict=True))
        )
        print(
            f"  {name}: {cyclic / n:.1f} objects per call left in reference cycles; collector "
            f"{sum(timer.spent) / n * 1e6:.1f} us per call of {cpu * 1e6:.0f} us CPU ({per_gen})"
        )


# -- what-if -----------------------------------------------------------------------------------


def what_if(base_url: str, kind: str, n: int, rounds: int) -> None:
    names = ["as is", *WHAT_IF, "all of the above", "raw aiohttp, pre-built bytes (floor)"]
    variants: dict[str, list[float]] = {name: [] for name in names}
    skipped: dict[str, str] = {}
    for _ in range(rounds):
        for variant, results in variants.items():
            if variant in skipped:
                continue
            with ExitStack() as stack:
                try:
                    for name, apply in WHAT_IF.items():
                        if variant in (name, "all of the above") and name not in skipped:
                            apply(stack)
                except LookupError as exc:
                    skipped[variant] = str(exc)
                    continue
                # a fresh session picks up the patched trace config
                raw = variant.startswith("raw")
                client: Client | Raw = Raw(base_url) if raw else Client(base_url)
                try:
                    client.run(kind, 300)
                    gc.collect()
                    results.append(client.run(kind, n))
                finally:
                    client.close()
    base = statistics.median(variants["as is"])
    print(f"\n## What if, {kind}: CPU us per call, unprofiled, median of {rounds} rounds of {n}")
    for variant, results in variants.items():
        if variant in skipped:
            print(f"  {'skipped':>7}  {variant}: {skipped[variant]}")
            continue
        value = statistics.median(results)
        saved = "" if variant == "as is" else f" (saves {(base - value) * 1e6:.1f} us)"
        print(f"  {value * 1e6:7.1f}  {variant}{saved}")


# -- imports -----------------------------------------------------------------------------------


def _importtime(module: str, runs: int) -> dict[str, tuple[float, float]]:
    """Median (self, cumulative) microseconds of every module ``import module`` loads."""
    samples: dict[str, list[tuple[int, int]]] = {}
    for _ in range(runs):
        err = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, cumulative, name = line[len("import time:") :].split("|")
            samples.setdefault(name.strip(), []).append((int(own), int(cumulative)))
    return {
        name: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
        for name, values in samples.items()
    }


def imports(runs: int) -> None:
    ours = _importtime("paycombat_async", runs)
    theirs = _importtime("aiohttp", runs)
    total, base = ours["paycombat_async"][1], theirs["aiohttp"][1]
    print(f"\n## Imports (python -X importtime, medians of {runs} runs)")
    print(f"  import paycombat_async: {total / 1000:.1f} ms; import aiohttp: {base / 1000:.1f} ms")
    added = {name: own for name, (own, _) in ours.items() if name not in theirs}
    groups: dict[str, float] = {}
    for name, own in added.items():
        parts = name.split(".")
        group = ".".join(parts[:2]) if parts[0] == "paycombat_async" else parts[0]
        group = "paycombat_async.models.*" if group == "paycombat_async.models" else group
        groups[group] = groups.get(group, 0.0) + own
    print(f"\nWhat paycombat_async adds to aiohttp's imports: {sum(added.values()) / 1000:.1f} ms")
    print("of self time, grouped (ms):")
    for group, own in sorted(groups.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {own / 1000:6.1f}  {group}")
    print("\nLargest cumulative imports inside paycombat_async (ms):")
    inside = [name for name in ours if name.startswith("paycombat_async.")]
    for name in sorted(inside, key=lambda m: -ours[m][1])[:10]:
        print(f"  {ours[name][1] / 1000:6.1f}  {name}")
    eager = [m for m in ("paycombat_async.sandbox", "anyio._backends._asyncio") if m in ours]
    print(f"\nImported eagerly though only needed later: {', '.join(eager) or 'none of'}", end="")
    print(" (checked: the sandbox, anyio's asyncio backend)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="*", default=["all"], help="create, read, imports or all")
    parser.add_argument("--n", type=int, default=3000, help="calls per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per what-if variant")
    parser.add_argument("--top", type=int, default=20, help="functions listed by own time")
    options = parser.parse_args()
    what = {"create", "read", "imports"} if "all" in options.what else set(options.what)
    with server() as (base_url, _):
        for kind in ("create", "read"):
            if kind in what:
                sampled(base_url, kind, options.n)
                profile(base_url, kind, options.n, options.top)
                garbage(base_url, kind, options.n)
                what_if(base_url, kind, options.n, options.rounds)
    if "imports" in what:
        imports(7)


if __name__ == "__main__":
    main()
