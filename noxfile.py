"""nox is the one entry point: tests, lint, typing, benchmarks."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typing"]
nox.options.reuse_existing_virtualenvs = True

PACKAGES = ["paycombat_async", "paycombat_sync"]


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, on a real loopback sandbox, with warnings as errors."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", *PACKAGES)
    session.run("ruff", "format", "--check", *PACKAGES)


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on both packages and on tests/typing/ (a user's view of the API)."""
    session.install("-e", ".[cli]", "mypy")
    session.run("mypy", "--strict", *[f"-p={p}" for p in PACKAGES])
    session.run("mypy", "--strict", "tests/typing")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: each script prints ratios measured in one run on the local sandbox."""
    session.install("-e", ".[cli]", "requests")  # bench_batch runs `paycombat sandbox`
    for script in sorted(__import__("pathlib").Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
