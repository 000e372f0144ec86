"""Is the SDK nearly free? Its throughput and wall time as ratios to raw clients, in one run.

Every client runs in its own process against one canned ``aiohttp.web`` server in another
(``benchmarks/_server.py``), so what differs between two rows is the client's own cost. Rounds
alternate between the SDK and its baseline; each scenario reports the ratio of the medians.

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
- ``import paycombat_async`` / ``import aiohttp``, each timed inside a fresh interpreter
  (interpreter start-up excluded) - target <= 1.25x.

Run ``nox -s bench`` or ``python -m benchmarks.bench_pipeline [--quick] [--strict]``. Prints the
table and writes ``benchmarks/RESULTS.md``; exits 0 unless ``--strict`` and a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import attrs

from ._payloads import KEY, PAYOUT_ID, payout_args

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"


@attrs.frozen
class Scenario:
    key: str
    title: str
    sdk: str  # worker kind under test
    baseline: str  # worker kind it is compared with
    run: str  # the worker command
    n: int
    rounds: int
    concurrency: int
    target: float
    higher_is_better: bool  # throughput ratio (True) or wall-time ratio (False)


@attrs.frozen
class Result:
    scenario: Scenario
    ratio: float
    sdk_wall: list[float]
    base_wall: list[float]
    sdk_cpu: list[float]
    base_cpu: list[float]
    server_busy: dict[str, float]  # median fraction of wall time the server spent on CPU

    @property
    def cpu_ratio(self) -> float:
        """The same ratio from the clients' CPU time: steadier when other processes compete."""
        sdk, base = statistics.median(self.sdk_cpu), statistics.median(self.base_cpu)
        return base / sdk if self.scenario.higher_is_better else sdk / base

    @property
    def utilization(self) -> float:
        """The least CPU share either client got while it ran (1.0: a whole CPU)."""
        return min(
            statistics.median(c / w for c, w in zip(cpu, wall, strict=True))
            for cpu, wall in ((self.sdk_cpu, self.sdk_wall), (self.base_cpu, self.base_wall))
        )

    @property
    def passed(self) -> bool:
        if self.scenario.higher_is_better:
            return self.ratio >= self.scenario.target
        return self.ratio <= self.scenario.target


def scenarios(quick: bool) -> list[Scenario]:
    n, batch, blocking, rounds = (1000, 2000, 300, 3) if quick else (5000, 10_000, 1000, 7)

    def concurrent(**fields: Any) -> Scenario:
        return Scenario(sdk="sdk", baseline="raw", rounds=rounds, concurrency=64, **fields)

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
            target=1.4,
            higher_is_better=False,
        ),
        Scenario(
            key="sync_read",
            title="blocking sequential read (throughput)",
            sdk="sync",
            baseline="requests",
            run="sync_read",
            n=blocking,
            rounds=rounds,
            concurrency=1,
            target=1.5,
            higher_is_better=True,
        ),
    ]


# -- processes ---------------------------------------------------------------------------------


def _python(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        [sys.executable, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@contextmanager
def process(*args: str) -> Iterator[subprocess.Popen[str]]:
    """A child that serves until its stdin closes."""
    child = _python(*args)
    try:
        yield child
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


def ask(worker: subprocess.Popen[str], command: dict[str, Any]) -> dict[str, float]:
    assert worker.stdin is not None
    assert worker.stdout is not None
    worker.stdin.write(json.dumps(command) + "\n")
    worker.stdin.flush()
    line = worker.stdout.readline()
    if not line:
        raise RuntimeError(f"benchmark worker {worker.args!r} died running {command}")
    result: dict[str, float] = json.loads(line)
    return result


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time (Linux; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed_bodies(count: int, path: Path) -> None:
    """The creates the raw baseline sends, serialized and signed exactly as the SDK does."""
    from paycombat_async._converter import unstructure
    from paycombat_async._signing import js_dumps, sign

    pairs = []
    for i in range(count):
        body = js_dumps(unstructure(payout_args(i)))
        pairs.append((body.decode(), sign(body, KEY)))
    path.write_text(json.dumps(pairs), encoding="utf-8")


# -- measuring ---------------------------------------------------------------------------------


def measure(
    scenario: Scenario, workers: dict[str, subprocess.Popen[str]], server_pid: int
) -> Result:
    command = {"run": scenario.run, "n": scenario.n, "concurrency": scenario.concurrency}
    pair = (scenario.sdk, scenario.baseline)
    for kind in pair:  # warm up: connections, caches, lazy imports
        ask(workers[kind], {**command, "n": max(200, scenario.n // 10)})
    wall: dict[str, list[float]] = {kind: [] for kind in pair}
    cpu: dict[str, list[float]] = {kind: [] for kind in pair}
    busy: dict[str, list[float]] = {kind: [] for kind in pair}
    for round_ in range(scenario.rounds):
        for kind in pair if round_ % 2 == 0 else pair[::-1]:
            server_before = cpu_seconds(server_pid)
            result = ask(workers[kind], command)
            busy[kind].append((cpu_seconds(server_pid) - server_before) / result["wall"])
            wall[kind].append(result["wall"])
            cpu[kind].append(result["cpu"])
    sdk, base = statistics.median(wall[scenario.sdk]), statistics.median(wall[scenario.baseline])
    return Result(
        scenario=scenario,
        ratio=base / sdk if scenario.higher_is_better else sdk / base,
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

Imports = dict[str, list[tuple[float, float]]]
"""Module -> (wall, CPU) seconds per fresh interpreter."""


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
    times: Imports = {"paycombat_async": [], "aiohttp": []}
    for module in times:  # warm the bytecode and file caches
        import_seconds(module)
    for _ in range(runs):
        for module, values in times.items():
            values.append(import_seconds(module))
    return times


def import_ratio(imports: Imports, index: int) -> float:
    """paycombat_async / aiohttp, medians; index 0 for wall time, 1 for CPU time."""
    ours, theirs = (statistics.median(t[index] for t in imports[m]) for m in imports)
    return ours / theirs


# -- reporting ---------------------------------------------------------------------------------


def _us(seconds: float, n: int) -> str:
    return f"{seconds / n * 1e6:,.0f}"


def table(results: list[Result], imports: Imports) -> list[str]:
    rows = [
        "| scenario | SDK | baseline | ratio SDK/baseline | target | result | ratio by CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r.scenario
        sign = ">=" if s.higher_is_better else "<="
        rows.append(
            f"| {s.title} | {s.sdk} | {s.baseline} | {r.ratio:.2f}x | {sign} {s.target}x "
            f"| {'PASS' if r.passed else 'FAIL'} | {r.cpu_ratio:.2f}x |"
        )
    if not imports:
        return rows
    ratio = import_ratio(imports, 0)
    rows.append(
        f"| import time (median of {len(imports['aiohttp'])} fresh interpreters) "
        f"| paycombat_async | aiohttp | {ratio:.2f}x | <= 1.25x "
        f"| {'PASS' if ratio <= 1.25 else 'FAIL'} | {import_ratio(imports, 1):.2f}x |"
    )
    return rows


def details(results: list[Result], imports: Imports) -> list[str]:
    rows = [
        "| scenario | client | calls x rounds | median wall | wall us/call | CPU us/call (or ms) "
        "| CPU share | server CPU busy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r.scenario
        clients = ((s.sdk, r.sdk_wall, r.sdk_cpu), (s.baseline, r.base_wall, r.base_cpu))
        for kind, wall, cpu in clients:
            median = statistics.median(wall)
            share = statistics.median(c / w for c, w in zip(cpu, wall, strict=True))
            rows.append(
                f"| {s.key} | {kind} | {s.n:,} x {s.rounds} | {median:.3f} s "
                f"| {_us(median, s.n)} | {_us(statistics.median(cpu), s.n)} "
                f"| {share:.2f} | {r.server_busy[kind]:.0%} |"
            )
    for module, values in imports.items():
        wall_ms = statistics.median(w for w, _ in values) * 1000
        cpu_ms = statistics.median(c for _, c in values) * 1000
        rows.append(
            f"| import | {module} | 1 x {len(values)} | {wall_ms:.1f} ms | | {cpu_ms:.1f} ms | | |"
        )
    return rows


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def machine(load_at_start: str) -> list[str]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(  # noqa: S603 - reporting only
                [shutil.which("git") or "git", *args],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    import aiohttp

    from paycombat_async import __version__

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dirty = " (with uncommitted changes)" if git("status", "--porcelain") else ""
    return [
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- commit: {git('rev-parse', '--short', 'HEAD')}{dirty}",
        f"- paycombat {__version__}, aiohttp {aiohttp.__version__}, "
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"- {platform.platform()}; {os.cpu_count()} CPUs: {cpu}",
        f"- load average (1/5/15 min): {load_at_start} at the start, {load_average()} at the end "
        "(other processes on the machine compete for its CPUs)",
    ]


def write_results(
    header: list[str], rows: list[str], detail: list[str], options: argparse.Namespace
) -> None:
    command = "nox -s bench" + (" -- --quick" if options.quick else "")
    text = [
        "# Benchmark results",
        "",
        f"Written by `{command}` (`benchmarks/bench_pipeline.py`); see its docstring for what",
        "each scenario does. Ratios are of medians over alternating rounds in this one run; the",
        "server is `benchmarks/_server.py` (canned answers) in its own process, and each client",
        "runs in its own process. Throughput ratios: higher is better; wall-time and import",
        'ratios: lower is better. PASS/FAIL is judged on wall time; "ratio by CPU" is the same',
        "ratio from each client process's CPU time, which other load on the machine disturbs less.",
        "",
        *header,
        "",
        *rows,
        "",
        "## Details",
        "",
        "Per call: wall time / calls (for concurrent scenarios, the inverse of throughput) and the",
        "client process's CPU time / calls. Server CPU busy near 100% would mean the server, not",
        "the client, limited that row; CPU share is the client's CPU time / wall time (1.0 = a",
        "whole CPU; below ~0.8 in a concurrent scenario, other processes took its CPU).",
        "",
        *detail,
        "",
    ]
    RESULTS.write_text("\n".join(text), encoding="utf-8")


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
        server = stack.enter_context(process("-m", "benchmarks._server"))
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        from paycombat_async._routes import OPERATIONS

        create_url = base_url + OPERATIONS["Create Payout"].render_path()
        read_url = base_url + OPERATIONS["Retrieve Payout"].render_path({"id": PAYOUT_ID})
        signed = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "signed.json"
        signed_bodies(max((s.n for s in chosen), default=0), signed)
        kinds = sorted({k for s in chosen for k in (s.sdk, s.baseline)})
        urls = (base_url, create_url, read_url, str(signed))
        workers = {
            kind: stack.enter_context(process("-m", "benchmarks._workers", kind, *urls))
            for kind in kinds
        }
        for s in chosen:
            print(f"running {s.key}: {s.n:,} calls x {s.rounds} rounds per client", flush=True)
            results.append(measure(s, workers, server.pid))
    imports = measure_imports(import_runs) if import_runs else {}

    header = [
        f"Mode: {'--quick' if options.quick else 'full'}. Clients, all against 127.0.0.1 over "
        "HTTP/1.1 keep-alive:",
        "",
        "- `sdk`: paycombat_async.PayCombat (builds, serializes and signs each create itself);",
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
        write_results(header, rows, detail, options)
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 1 if options.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
