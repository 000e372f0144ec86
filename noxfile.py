"""nox is the one entry point: tests, lint, typing, benchmarks."""

from __future__ import annotations

import shutil

import nox

nox.options.sessions = ["tests", "lint", "typing"]
nox.options.reuse_existing_virtualenvs = True

PACKAGES = ["paycombat_async", "paycombat_sync"]
LINTED = [*PACKAGES, "tests", "benchmarks", "noxfile.py"]


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, on a real loopback sandbox, with warnings as errors."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check, over the packages, the tests and the benchmarks."""
    session.install("ruff")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on both packages and on tests/typing/ (a user's view of the API)."""
    session.install("-e", ".[cli,postgres]", "mypy")  # postgres: PostgresJournal is typed too
    session.run("mypy", "--strict", *[f"-p={p}" for p in PACKAGES])
    session.run("mypy", "--strict", "tests/typing")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: the SDK's cost per call as ratios to raw clients, measured in one run.

    Prints the targets table and writes benchmarks/RESULTS.md; ``nox -s bench -- --quick`` for a
    shorter run, ``-- --strict`` to exit 1 when a target is missed.
    """
    session.install("-e", ".[cli]", "requests")  # bench_batch runs `paycombat sandbox`
    session.run("python", "-m", "benchmarks.bench_pipeline", *session.posargs)
    session.run("python", "-m", "benchmarks.bench_batch")
    if shutil.which("valgrind"):  # instructions per call: the ratio that does not move with noise
        session.run("python", "-m", "benchmarks.bench_instructions")
    else:
        session.log("valgrind is not installed: instructions per call not counted")


@nox.session
def profile(session: nox.Session) -> None:
    """Where the SDK's time per call goes (pyinstrument, cProfile, garbage, imports); see
    benchmarks/PROFILE.md. ``nox -s profile -- read`` for one scenario."""
    session.install("-e", ".", "pyinstrument")
    session.run("python", "-m", "benchmarks.profile_pipeline", *session.posargs)


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation testing (mutmut) of signing, retry, pipeline, deadlines, response reading; not CI.

    ``nox -s mutation`` runs every mutant, then prints the survivors; ``mutmut show NAME`` shows
    one. Survivors that only change log or error message text do not count against the target.
    """
    session.install("-e", ".[test]", "mutmut>=3.3")
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    session.run("mutmut", "results")
