"""The SDK's cost per call in CPU instructions: a ratio that does not move with the machine.

``nox -s bench`` times the clients, and one run's ratios move by 0.1-0.2 on a small shared VM
(``benchmarks/PERFORMANCE.md``). Instructions retired do not: repeated runs agree within about 0.3%.
Each client of ``_workers`` (the same code ``bench_pipeline`` times) runs under valgrind's
cachegrind twice against the canned server: warmed up, then making ``n`` calls at concurrency
64, or none; the difference over ``n`` is its instructions per call (start-up, imports and
warm-up cancel out). Reported as raw aiohttp's instructions / the SDK's,
so that higher is better, as for throughput.

Run ``python -m benchmarks.bench_instructions [--n 1000]`` (needs ``valgrind`` on the PATH,
``apt-get install valgrind``); it takes about a minute. Prints a table; writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ._payloads import PAYOUT_ID
from ._processes import ALLOCATOR, ROOT, server
from .bench_pipeline import signed_bodies

SCENARIOS = ("create", "read")
WARM_UP = 300
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(valgrind: str, worker: list[str], commands: list[dict[str, object]]) -> int:
    """Instructions a worker process retires, from start to exit, running ``commands``."""
    done = subprocess.run(  # noqa: S603 - valgrind running our own interpreter and worker
        [
            valgrind,
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "benchmarks._workers",
            *worker,
        ],
        cwd=ROOT,
        input="".join(json.dumps(command) + "\n" for command in commands),
        capture_output=True,
        text=True,
        env={**os.environ, **ALLOCATOR},
        check=True,
    )
    found = _REFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_call(valgrind: str, worker: list[str], scenario: str, n: int) -> float:
    warm = {"run": scenario, "n": WARM_UP, "concurrency": 64}
    # The same commands but for the number of calls, so that what each command costs besides
    # its calls (the worker collects garbage before timing it) cancels out too.
    measured, none = ({"run": scenario, "n": calls, "concurrency": 64} for calls in (n, 0))
    with_calls = instructions(valgrind, worker, [warm, measured])
    return (with_calls - instructions(valgrind, worker, [warm, none])) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="measured calls per client")
    options = parser.parse_args()
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    with server() as (base_url, _), tempfile.TemporaryDirectory() as scratch:
        from paycombat_async import OPERATIONS

        create_url = base_url + OPERATIONS["payouts.create"].path
        read_url = base_url + OPERATIONS["payouts.retrieve"].render_path({"payout_id": PAYOUT_ID})
        signed = Path(scratch) / "signed.json"
        signed_bodies(WARM_UP + options.n, signed)
        urls = [base_url, create_url, read_url, str(signed)]
        print("| scenario | SDK instructions/call | raw aiohttp | raw / SDK |")
        print("|---|---|---|---|")
        for scenario in SCENARIOS:
            sdk = per_call(valgrind, ["sdk", *urls], scenario, options.n)
            raw = per_call(valgrind, ["raw", *urls], scenario, options.n)
            print(f"| {scenario} | {sdk:,.0f} | {raw:,.0f} | {raw / sdk:.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
