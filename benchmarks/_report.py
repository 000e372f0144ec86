"""What a benchmark run found, as the tables it prints and writes to ``RESULTS.md``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import attrs

from ._processes import ROOT

RESULTS = ROOT / "benchmarks" / "RESULTS.md"

Imports = dict[str, list[tuple[float, float]]]
"""Module -> (wall, CPU) seconds per fresh interpreter."""


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
    sdk_wall: list[float]  # per round; round i timed the SDK and its baseline back to back
    base_wall: list[float]
    sdk_cpu: list[float]
    base_cpu: list[float]
    server_busy: dict[str, float]  # median fraction of wall time the server spent on CPU

    @property
    def ratio(self) -> float:
        """The median over rounds of each round's ratio (SDK against the baseline timed next to
        it): the machine's speed drifts over a run, and a pair of neighbours shares its drift."""
        return self._paired(self.sdk_wall, self.base_wall)

    @property
    def cpu_ratio(self) -> float:
        """The same ratio from the clients' CPU time: steadier when other processes compete."""
        return self._paired(self.sdk_cpu, self.base_cpu)

    def _paired(self, sdk: list[float], base: list[float]) -> float:
        if self.scenario.higher_is_better:  # throughput: the baseline's time over the SDK's
            return statistics.median(b / s for s, b in zip(sdk, base, strict=True))
        return statistics.median(s / b for s, b in zip(sdk, base, strict=True))

    @property
    def utilization(self) -> float:
        """The least CPU share either client got while it ran (1.0: a whole CPU)."""
        return min(
            statistics.median(c / w for c, w in zip(cpu, wall, strict=True))
            for cpu, wall in ((self.sdk_cpu, self.sdk_wall), (self.base_cpu, self.base_wall))
        )

    @property
    def passed(self) -> bool:
        """Both ratios meet the target: a busy machine distorts wall time, never into a PASS."""
        ratios = (self.ratio, self.cpu_ratio)
        if self.scenario.higher_is_better:
            return min(ratios) >= self.scenario.target
        return max(ratios) <= self.scenario.target


def import_ratio(imports: Imports, index: int) -> float:
    """paycombat_async / aiohttp, medians; index 0 for wall time, 1 for CPU time."""
    ours, theirs = (statistics.median(t[index] for t in imports[m]) for m in imports)
    return ours / theirs


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
    ratio, cpu = import_ratio(imports, 0), import_ratio(imports, 1)
    rows.append(
        f"| import time (median of {len(imports['aiohttp'])} fresh interpreters) "
        f"| paycombat_async | aiohttp | {ratio:.2f}x | <= 1.25x "
        f"| {'PASS' if max(ratio, cpu) <= 1.25 else 'FAIL'} | {cpu:.2f}x |"
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
    # (this report's own file, left changed by an earlier run, does not count)
    changed = git("status", "--porcelain", "--", ".", ":!benchmarks/RESULTS.md")
    dirty = " (with uncommitted changes)" if changed else ""
    return [
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- commit: {git('rev-parse', '--short', 'HEAD')}{dirty}",
        f"- paycombat {__version__}, aiohttp {aiohttp.__version__}, "
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"- {platform.platform()}; {os.cpu_count()} CPUs: {cpu}",
        f"- load average (1/5/15 min): {load_at_start} at the start, {load_average()} at the end "
        "(other processes on the machine compete for its CPUs)",
    ]


PIPELINE_INTRO = [
    "Written by `bench_pipeline.py`; see its docstring for what each scenario does. Each round",
    "times the SDK and its baseline back to back (in alternating order), and a ratio is the",
    "median of the rounds' ratios in this one run; the server is `benchmarks/_server.py` (canned",
    "answers) in its own process, and each client runs in processes of its own (three per",
    "client; rounds rotate over them, so no one process's luck decides a ratio). Throughput",
    'ratios: higher is better; wall-time and import ratios: lower is better. "ratio by CPU" is',
    "the same ratio from each client's processes' CPU time, which other load on the machine",
    "disturbs less. PASS needs both ratios to meet the target, so a busy machine can cause a",
    "false FAIL but never a false PASS. Every process runs with the same glibc malloc thresholds",
    "(`_processes.ALLOCATOR`), and imports are timed from compiled bytecode",
    "(`benchmarks/PERFORMANCE.md` says why both matter).",
]


def write_results(
    header: list[str],
    rows: list[str],
    detail: list[str],
    options: argparse.Namespace,
    results: list[Result],
    imports: Imports,
) -> None:
    """Save this Python's pipeline section (and its ratios, for the side-by-side table), then
    write ``RESULTS.md`` from every saved section."""
    python = ".".join(platform.python_version_tuple()[:2])
    ratios = [
        {
            "title": r.scenario.title,
            "target": f"{'>=' if r.scenario.higher_is_better else '<='} {r.scenario.target}x",
            "ratio": r.ratio,
            "cpu": r.cpu_ratio,
            "passed": r.passed,
        }
        for r in results
    ]
    if imports:
        ratio, cpu = import_ratio(imports, 0), import_ratio(imports, 1)
        ratios.append(
            {
                "title": "import time",
                "target": "<= 1.25x",
                "ratio": ratio,
                "cpu": cpu,
                "passed": max(ratio, cpu) <= 1.25,
            }
        )
    lines = [*PIPELINE_INTRO, "", *header, "", *rows, "", "Details:", "", *detail]
    title = f"SDK against raw clients, Python {python}"
    mode = "--quick" if options.quick else "full"
    save_section(f"pipeline-{python}", title, lines, ratios=ratios, mode=mode)


SECTIONS = ROOT / "benchmarks" / "results"
"""One JSON file per benchmark section (``pipeline-3.11``, ``workers``...): ``RESULTS.md`` is
made from all of them, so each benchmark (and each Python) rewrites only its own."""


def save_section(
    key: str,
    title: str,
    lines: list[str],
    *,
    ratios: list[dict[str, Any]] | None = None,
    mode: str = "full",
) -> None:
    """Save one benchmark's section, then write ``RESULTS.md`` from every section saved."""
    SECTIONS.mkdir(exist_ok=True)
    saved = {
        "title": title,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "mode": mode,
        "lines": lines,
        "ratios": ratios or [],
    }
    (SECTIONS / f"{key}.json").write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    compose()


def _by_python(pipelines: list[dict[str, Any]]) -> list[str]:
    """The pipeline ratios of every Python side by side (wall-time ratio, CPU ratio, result)."""
    titles = list(dict.fromkeys(row["title"] for p in pipelines for row in p["ratios"]))
    targets = {row["title"]: row["target"] for p in pipelines for row in p["ratios"]}
    pythons = [p["python"] for p in pipelines]
    rows = [
        "| scenario | target | " + " | ".join(f"Python {v}" for v in pythons) + " |",
        "|---|---|" + "---|" * len(pythons),
    ]
    for title in titles:
        cells = []
        for p in pipelines:
            found = [row for row in p["ratios"] if row["title"] == title]
            cells.append(
                f"{found[0]['ratio']:.2f}x (CPU {found[0]['cpu']:.2f}x) "
                f"{'PASS' if found[0]['passed'] else 'FAIL'}"
                if found
                else "-"
            )
        rows.append(f"| {title} | {targets[title]} | " + " | ".join(cells) + " |")
    rows += [
        "",
        "Measured "
        + "; ".join(f"on Python {p['python']} at {p['date']} ({p['mode']})" for p in pipelines)
        + ".",
    ]
    return rows


def compose() -> None:
    """``RESULTS.md`` from every saved section: the pipeline ratios of each Python side by side,
    then each section as its benchmark wrote it."""

    def version(key: str) -> tuple[int, ...]:
        return tuple(int(n) for n in key.removeprefix("pipeline-").split(".") if n.isdigit())

    saved = {path.stem: json.loads(path.read_text()) for path in SECTIONS.glob("*.json")}
    pipelines = sorted((k for k in saved if k.startswith("pipeline-")), key=version)
    others = sorted(k for k in saved if not k.startswith("pipeline-"))
    text = [
        "# Benchmark results",
        "",
        "Written by `nox -s bench` (each benchmark rewrites its own section, kept in",
        "`benchmarks/results/`; the pipeline runs on every supported Python found). Every ratio",
        "was measured within one run of its benchmark, on the machine its section names.",
        "",
    ]
    if pipelines:
        text += ["## Ratios by Python", "", *_by_python([saved[k] for k in pipelines]), ""]
    for key in [*pipelines, *others]:
        text += [f"## {saved[key]['title']}", "", *saved[key]["lines"], ""]
    RESULTS.write_text("\n".join(text), encoding="utf-8")
