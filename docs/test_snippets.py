"""The documentation's complete programs run, against the local sandbox, as a reader would run
them: each Python block of docs/ that starts a ``LocalSandbox`` and leaves nothing out (no
``...``) is run in a fresh interpreter, with warnings as errors. Run by ``nox -s docs``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _programs() -> list[pytest.ParameterSet]:
    programs = []
    for page in sorted(DOCS.rglob("*.md")):
        blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
        for number, code in enumerate(blocks, start=1):
            if "LocalSandbox" in code and "..." not in code:
                name = f"{page.relative_to(DOCS).as_posix()}#{number}"
                programs.append(pytest.param(code, id=name))
    return programs


PROGRAMS = _programs()


def test_the_docs_have_programs_to_run() -> None:
    assert len(PROGRAMS) >= 4  # getting started (async and blocking), checkout, payouts


@pytest.mark.parametrize("code", PROGRAMS)
def test_the_program_runs(code: str, tmp_path: Path) -> None:
    ran = subprocess.run(  # noqa: S603 - this interpreter, running the docs' own code
        [sys.executable, "-W", "error", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
