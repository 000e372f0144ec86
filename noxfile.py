"""nox is the one entry point: tests, lint, typing, docs, benchmarks.

``nox`` runs what CI runs (``.ci/run``): the tests on every supported Python found on this machine
and once more on uvloop, lint, typing for every supported Python, and the documentation site.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.options.sessions = ["tests", "tests_uvloop", "lint", "typing", "docs", "build"]
nox.options.reuse_existing_virtualenvs = True
nox.options.download_python = "never"  # the sessions run on the Pythons found, never fetched
# uv makes a session's environment in seconds where pip takes half a minute (CI makes eight);
# without uv on PATH, virtualenv and pip as before.
nox.options.default_venv_backend = "uv|virtualenv"

SUPPORTED = ["3.11", "3.12", "3.13", "3.14"]
"""The Pythons the package supports (``pyproject.toml``'s classifiers list those CI runs)."""


def _version_of(executable: str | Path) -> str | None:
    """The ``X.Y`` that ``executable`` runs as, or None if it does not run (a pyenv shim of a
    version not selected exits with an error)."""
    try:
        ran = subprocess.run(  # noqa: S603 - an interpreter found on PATH or in pyenv
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return ran.stdout.strip() if ran.returncode == 0 else None


def _find(version: str) -> str | None:
    """A working ``python{version}``: on PATH, else pyenv's newest patch release of it."""
    on_path = shutil.which(f"python{version}")
    if on_path and _version_of(on_path) == version:
        return on_path
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    installed = (pyenv_root / "versions").glob(f"{version}.*/bin/python{version}")

    def release(path: Path) -> tuple[int, ...]:
        patch = path.parents[1].name.removeprefix(f"{version}.")
        return tuple(int(n) for n in re.findall(r"\d+", patch)[:1])

    for candidate in sorted(installed, key=release, reverse=True):
        if _version_of(candidate) == version:
            return str(candidate)
    return None


def _pythons() -> list[str]:
    """The supported Pythons found here, each reachable as ``python{version}`` on PATH.

    An interpreter found outside PATH (pyenv keeps a shim on PATH for every installed version,
    which fails unless that version is selected) is linked into ``.nox/.pythons``, put first on
    PATH, so that nox finds it by name and sessions keep their ``tests-3.12`` names. Only the
    Pythons found are parametrised: nox never reports one missing, with or without
    ``--error-on-missing-interpreters`` (on by default under ``CI``).
    """
    links = Path(__file__).parent / ".nox" / ".pythons"
    found = []
    for version in SUPPORTED:
        executable = _find(version)
        if executable is None:
            continue
        found.append(version)
        link = links / f"python{version}"
        if shutil.which(f"python{version}") != executable and not (
            link.is_symlink() and os.readlink(link) == executable
        ):
            links.mkdir(parents=True, exist_ok=True)
            made = links / f".python{version}.{os.getpid()}"  # (.ci/run runs two noxes at once)
            made.unlink(missing_ok=True)
            made.symlink_to(executable)
            made.replace(link)
    if links.is_dir():
        os.environ["PATH"] = f"{links}{os.pathsep}{os.environ.get('PATH', '')}"
    return found or [f"{sys.version_info[0]}.{sys.version_info[1]}"]


PYTHONS = _pythons()
NEWEST = PYTHONS[-1]

PACKAGES = ["paycombat_async", "paycombat_sync"]
DOCS_CODE = ["docs/test_site.py", "docs/test_snippets.py", "docs/declared_endpoints.py"]
LINTED = [*PACKAGES, "tests", "benchmarks", "examples", "tools", *DOCS_CODE, "noxfile.py"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite, on a real loopback sandbox, with warnings as errors, on every supported
    Python found here (``nox -s tests-3.12`` for one). The first Python's session searches
    the Hypothesis properties in full, the others with a tenth of the examples (tests/budget.py;
    ``PAYCOMBAT_TEST_EXAMPLES=full`` searches in full everywhere)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs, env=test_env(light=session.python != PYTHONS[0]))


def test_env(*, light: bool) -> dict[str, str]:
    """A test session's environment: how hard its property tests search (tests/budget.py), and
    bytecode written and reused. The suite starts about a hundred Python processes (the CLI,
    examples, workers, gunicorn, pytester); with ``PYTHONDONTWRITEBYTECODE`` set, as on CI, each
    would compile the package's source again (a third of their CPU time), and pytest would
    rewrite every test module again. An empty value unsets it for the session's processes."""
    chosen = os.environ.get("PAYCOMBAT_TEST_EXAMPLES") or ("light" if light else "full")
    return {"PAYCOMBAT_TEST_EXAMPLES": chosen, "PYTHONDONTWRITEBYTECODE": ""}


@nox.session(python=NEWEST)
def tests_uvloop(session: nox.Session) -> None:
    """The test suite's async tests on uvloop, on the newest Python found (the others, which
    never run on the test's loop, are deselected: tests/conftest.py)."""
    session.install("-e", ".[test]", "uvloop")
    env = {"PAYCOMBAT_TEST_LOOP": "uvloop", **test_env(light=True)}
    session.run("pytest", *session.posargs, env=env)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check, over the packages, the tests and the benchmarks."""
    session.install("ruff")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on both packages and on tests/typing/ (a user's view of the API), as each
    supported Python sees them."""
    # postgres: PostgresJournal is typed too; otel: the providers a client takes; testing: the
    # pytest plugin (paycombat_async.testing) is checked against pytest's types
    session.install("-e", ".[cli,postgres,otel,testing]", "mypy")
    for version in SUPPORTED:
        options = ["--strict", f"--python-version={version}"]
        session.run("mypy", *options, *[f"-p={p}" for p in PACKAGES])
        session.run("mypy", *options, "tests/typing")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site: ``mkdocs build --strict`` (a warning, a broken link or a docstring
    that does not parse fails it), then docs/test_site.py opens it in headless Chromium (Debian's
    ``chromium``) and checks that every page renders, search works and no link is broken;
    docs/test_snippets.py runs the complete programs of the pages against the sandbox."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", env={"NO_MKDOCS_2_WARNING": "1"})
    chromium = os.environ.get("PAYCOMBAT_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        session.error(f"{chromium} not found: install Debian's chromium (apt-get install chromium)")
    session.run("pytest", "-p", "no:cacheprovider", "docs", *session.posargs)  # the site, snippets


@nox.session(python=PYTHONS)
def bench(session: nox.Session) -> None:
    """Benchmarks: the SDK's cost per call as ratios to raw clients, measured in one run, on
    every supported Python found (``nox -s bench-3.13`` for one); on the newest, also batches
    against the wire, over worker processes on one PostgreSQL journal, and instruction counts.

    Writes benchmarks/RESULTS.md (each Python's pipeline ratios side by side); ``nox -s bench
    -- --quick`` for a shorter run, ``-- --strict`` to exit 1 when a target is missed.
    """
    # cli: bench_batch runs `paycombat sandbox`; otel: bench_pipeline's read_otel row
    session.install("-e", ".[cli,postgres,otel]", "requests")
    session.run("python", "-m", "benchmarks.bench_pipeline", *session.posargs)
    if session.python != NEWEST:
        return
    quick = "--quick" in session.posargs
    passed_on = [arg for arg in session.posargs if arg in ("--quick", "--strict")]
    session.run("python", "-m", "benchmarks.bench_workers", *passed_on)
    session.run("python", "-m", "benchmarks.bench_batch", *(["--n=2000", "--big=20000"] * quick))
    if shutil.which("valgrind"):  # instructions per call: the ratio that does not move with noise
        session.run("python", "-m", "benchmarks.bench_instructions")
    else:
        session.log("valgrind is not installed: instructions per call not counted")


@nox.session
def build(session: nox.Session) -> None:
    """The sdist and the wheel, built into dist/ and checked as a team receives them:
    ``twine check --strict``, both file lists, the wheel installed from it in a fresh environment
    outside the repository running ``paycombat demo``, and a merchant's sample test using the
    pytest plugin's fixtures there (``tools/check_dist.py``; about 2 minutes, mostly pip)."""
    session.install("build>=1.2", "twine>=6.1", "trove-classifiers")  # twine 6.1: PEP 639
    dist = Path(__file__).parent / "dist"
    shutil.rmtree(dist, ignore_errors=True)  # a stale wheel must not be the one checked
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *sorted(str(built) for built in dist.iterdir()))
    session.run("python", "tools/check_dist.py", str(dist))


@nox.session
def profile(session: nox.Session) -> None:
    """Where the SDK's time per call goes (pyinstrument, cProfile, garbage, imports); see
    benchmarks/PERFORMANCE.md. ``nox -s profile -- read`` for one scenario."""
    session.install("-e", ".", "pyinstrument")
    session.run("python", "-m", "benchmarks.profile_pipeline", *session.posargs)


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation testing (mutmut) of signing, retry, pipeline, deadlines, response reading, and
    the batch's journal, reconciliation and claims; not CI.

    ``nox -s mutation`` runs every mutant, then prints the survivors; ``mutmut show NAME`` shows
    one; ``nox -s mutation -- "paycombat_async._batch.journal*"`` runs one module's. Survivors
    that only change log or error message text do not count against the target
    (benchmarks/MUTATION.md).
    """
    session.install("-e", ".[test]", "mutmut>=3.3")
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    session.run("mutmut", "results")
