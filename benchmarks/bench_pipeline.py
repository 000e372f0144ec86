"""Is the SDK nearly free? Its throughput and wall time as ratios to raw clients, in one run.

Every client runs in processes of its own against one canned ``aiohttp.web`` server in another
(``benchmarks/_server.py``), so what differs between two rows is the client's own cost. Each
round times the SDK and its baseline back to back (the order alternates), and rounds rotate over
``PROCESSES`` processes of each (a process's luck alone moves its figures by 10-20% on a small
VM). Each scenario reports the median of the rounds' ratios: a shared VM's speed drifts within
a run by more than the SDK's cost, and two neighbouring measurements share their drift.

Scenarios (issue 7, "Nearly free"):

- signed Create Payout at concurrency 64: SDK throughput / raw aiohttp sending pre-built signed
  bytes (body serialized and signed once, before timing: the SDK's serializing and signing count
  against it, the baseline's do not) - target >= 0.70x;
- Retrieve Payout at concurrency 64: SDK throughput / raw aiohttp GET + ``response.json()`` -
  target >= 0.75x;
- a batch of 10,000 creates (one ``gather``, a semaphore of 64): SDK wall time / raw's - target
  <= 1.4x;
- blocking sequential Retrieve Payout: ``paycombat_sync`` throughput / ``requests.Session`` -
  target >= 1.5x;
- Retrieve Payout at concurrency 64 with the OpenTelemetry API installed but no provider set,
  against the same client with OpenTelemetry absent (the ``sdk`` rows above): what telemetry
  costs an application that has the package and does not use it - target >= 0.95x;
- ``import paycombat_async`` / ``import aiohttp``, each timed inside a fresh interpreter
  (interpreter start-up excluded), both from compiled bytecode as installed - target <= 1.25x.

Each ratio is also computed from the clients' CPU time; a target passes only when both the
wall-time and the CPU-time ratio meet it (other load on the machine distorts wall time).

Run ``nox -s bench`` or ``python -m benchmarks.bench_pipeline [--quick] [--strict]``. Prints the
table and writes ``benchmarks/RESULTS.md``; exits 0 unless ``--strict`` and a target is missed.
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from ._payloads import KEY, PAYOUT_ID, payout_args
from ._processes import ROOT, ask, cpu_seconds, process, server
from ._report import (
    RESULTS,
    Imports,
    Result,
    Scenario,
    details,
    load_average,
    machine,
    table,
    write_results,
)

PROCESSES = 3
"""Client processes per kind; each scenario's rounds rotate over them."""


def scenarios(quick: bool) -> list[Scenario]:
    n, batch, blocking = (1000, 2000, 300) if quick else (2000, 10_000, 1000)
    rounds, batch_rounds = (3, 3) if quick else (27, 15)

    def concurrent(**fields: Any) -> Scenario:
        fields.setdefault("rounds", rounds)
        return Scenario(sdk="sdk", baseline="raw", concurrency=64, **fields)

    return [
        concurrent(
            key="create",
            title="async signed create, c=64 (throughput)",
            run="create",
            n=n,
            target=0.70,
            higher_is_better=True,
        ),
        concurrent(
            key="read",
            title="async read, c=64 (throughput)",
            run="read",
            n=n,
            target=0.75,
            higher_is_better=True,
        ),
        concurrent(
            key="batch",
            title=f"{batch:,} creates, gather + semaphore 64 (wall time)",
            run="batch",
            n=batch,
            rounds=batch_rounds,
            target=1.4,
            higher_is_better=False,
        ),
        Scenario(
            key="read_otel",
            title="async read, c=64, OpenTelemetry installed, no provider (throughput)",
            sdk="sdk_otel",
            baseline="sdk",
            run="read",
            n=n,
            rounds=rounds,
            concurrency=64,
            target=0.95,
            higher_is_better=True,
        ),
        Scenario(
            key="sync_read",
            title="blocking sequential read (throughput)",
            sdk="sync",
            baseline="requests",
            run="sync_read",
            n=blocking,
            rounds=batch_rounds,
            concurrency=1,
            target=1.5,
            higher_is_better=True,
        ),
    ]


# -- measuring ---------------------------------------------------------------------------------


def signed_bodies(count: int, path: Path) -> None:
    """The creates the raw baseline sends, serialized and signed exactly as the SDK does."""
    from paycombat_async._codec.signing import js_dumps, sign
    from paycombat_async.models._converter import unstructure

    pairs = []
    for i in range(count):
        body = js_dumps(unstructure(payout_args(i)))
        pairs.append((body.decode(), sign(body, KEY)))
    path.write_text(json.dumps(pairs), encoding="utf-8")


def measure(
    scenario: Scenario, workers: dict[str, list[subprocess.Popen[str]]], server_pid: int
) -> Result:
    command = {"run": scenario.run, "n": scenario.n, "concurrency": scenario.concurrency}
    pair = (scenario.sdk, scenario.baseline)
    for kind in pair:  # warm up: connections, caches, lazy imports
        for worker in workers[kind]:
            ask(worker, {**command, "n": max(200, scenario.n // 10)})
    wall: dict[str, list[float]] = {kind: [] for kind in pair}
    cpu: dict[str, list[float]] = {kind: [] for kind in pair}
    busy: dict[str, list[float]] = {kind: [] for kind in pair}
    for round_ in range(scenario.rounds):
        for kind in pair if round_ % 2 == 0 else pair[::-1]:
            server_before = cpu_seconds(server_pid)
            # Rounds rotate over the kind's processes: one process's luck (where its memory
            # landed, which CPU it shares) moves its whole series by 10-20% on a small VM.
            result = ask(workers[kind][round_ % len(workers[kind])], command)
            busy[kind].append((cpu_seconds(server_pid) - server_before) / result["wall"])
            wall[kind].append(result["wall"])
            cpu[kind].append(result["cpu"])
    return Result(
        scenario=scenario,
        sdk_wall=wall[scenario.sdk],
        base_wall=wall[scenario.baseline],
        sdk_cpu=cpu[scenario.sdk],
        base_cpu=cpu[scenario.baseline],
        server_busy={kind: statistics.median(values) for kind, values in busy.items()},
    )


# Wall and CPU seconds of one import, inside the fresh interpreter (its start-up excluded).
_IMPORT = (
    "import time; w, c = time.perf_counter(), time.process_time(); import {0}; "
    "print(time.perf_counter() - w, time.process_time() - c)"
)


def import_seconds(module: str) -> tuple[float, float]:
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _IMPORT.format(module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall, cpu = out.split()
    return float(wall), float(cpu)


def measure_imports(runs: int) -> Imports:
    # Bytecode first, as ``pip install`` compiles it: aiohttp's was, and with
    # PYTHONDONTWRITEBYTECODE set (as on CI machines) an editable install would otherwise
    # compile every module of the SDK from source on each import.
    compileall.compile_dir(ROOT / "paycombat_async", quiet=1)
    times: Imports = {"paycombat_async": [], "aiohttp": []}
    for module in times:  # warm the file caches
        import_seconds(module)
    for _ in range(runs):
        for module, values in times.items():
            values.append(import_seconds(module))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds (~1 min)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--only", nargs="*", help="run only these scenarios (create read ...)")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    options = parser.parse_args()
    chosen = [s for s in scenarios(options.quick) if not options.only or s.key in options.only]
    import_runs = 5 if options.quick else 11
    if options.only and "import" not in options.only:
        import_runs = 0

    load_at_start = load_average()
    results: list[Result] = []
    with ExitStack() as stack:
        base_url, server_pid = stack.enter_context(server())
        from paycombat_async import OPERATIONS

        create_url = base_url + OPERATIONS["payouts.create"].path
        read_url = base_url + OPERATIONS["payouts.retrieve"].render_path({"payout_id": PAYOUT_ID})
        signed = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "signed.json"
        signed_bodies(max((s.n for s in chosen), default=0), signed)
        kinds = sorted({k for s in chosen for k in (s.sdk, s.baseline)})
        urls = (base_url, create_url, read_url, str(signed))
        workers = {
            kind: [
                stack.enter_context(process("-m", "benchmarks._workers", kind, *urls))
                for _ in range(PROCESSES)
            ]
            for kind in kinds
        }
        for s in chosen:
            print(f"running {s.key}: {s.n:,} calls x {s.rounds} rounds per client", flush=True)
            results.append(measure(s, workers, server_pid))
    imports = measure_imports(import_runs) if import_runs else {}

    header = [
        f"Mode: {'--quick' if options.quick else 'full'}. Clients, all against 127.0.0.1 over "
        "HTTP/1.1 keep-alive:",
        "",
        "- `sdk`: paycombat_async.PayCombat (builds, serializes and signs each create itself), "
        "OpenTelemetry absent (its import blocked);",
        "- `sdk_otel`: the same, with the OpenTelemetry API importable and no provider set;",
        "- `raw`: aiohttp.ClientSession sending pre-built signed bytes (the same bytes, serialized "
        "and signed before timing), each answer read with `await response.json()`;",
        "- `sync`: paycombat_sync.PayCombat;",
        "- `requests`: requests.Session, each answer read with `response.json()`.",
        "",
        "Machine:",
        "",
        *machine(load_at_start),
    ]
    rows = table(results, imports)
    failed = [r for r in rows[2:] if "| FAIL |" in r]
    rows += ["", f"{len(rows) - 2 - len(failed)} of {len(rows) - 2} targets met."]
    busy = [r.utilization for r in results if r.scenario.concurrency > 1]
    if busy and min(busy) < 0.8:
        rows.append(
            f"WARNING: the machine was busy (a client got only {min(busy):.0%} of a CPU in a "
            "concurrent scenario): wall-time ratios are unreliable; the ratio by CPU is the "
            "better estimate of what an idle machine shows."
        )
    detail = details(results, imports)
    print()
    print("\n".join(detail))
    print()
    print("\n".join(header))
    print()
    print("\n".join(rows))
    if not options.no_write:
        write_results(header, rows, detail, options, results, imports)
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 1 if options.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
