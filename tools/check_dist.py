"""Check a built sdist and wheel as a team receives them (``nox -s build`` runs it).

``python tools/check_dist.py dist/`` checks, in order:

1. **The wheel's file list**: exactly the packages ``paycombat_async`` and ``paycombat_sync``
   (``.py`` files and a ``py.typed`` in each; every one committed to git when built from a git
   checkout) and a ``dist-info`` holding ``licenses/LICENSE``, the version of
   ``paycombat_async/_version.py``, ``License-Expression: MIT``, the ``paycombat`` command and,
   once ``paycombat_async/testing.py`` exists, the ``pytest11`` entry point and the ``testing``
   extra. No tests, benchmarks, examples, docs, bytecode or anything else.
2. **The sdist's file list**: one ``paycombat-X.Y.Z/`` folder with the packages, tests, examples,
   this script, docs, README, CHANGELOG, LICENSE, ``pyproject.toml`` and ``PKG-INFO``; no local
   state (``.git``, ``.nox``, caches, a built site, ``dist/``, bytecode); every package file of
   the wheel. The classifiers are all known trove classifiers (PyPI refuses others).
3. **The wheel installed**, with its ``cli`` (and ``testing``) extras from PyPI, in a fresh
   virtual environment in a temporary folder outside the repository: ``paycombat --version``
   and ``paycombat demo`` run there, from that folder, and import the installed package, never
   this checkout.
4. **A merchant's project**: a temporary folder with one test module that uses the pytest
   plugin's fixtures (``paycombat_sandbox``, ``paycombat_client``, ``paycombat_sync_client``),
   run by pytest in that environment with warnings as errors. Skipped, with a line saying so,
   only while ``paycombat_async/testing.py`` does not exist in this checkout.

Exit 0 when every check passed; 1 with one line per problem otherwise. (This script is not in
the wheel.)
"""

from __future__ import annotations

import argparse
import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import venv
import zipfile
from collections.abc import Collection, Iterable, Sequence
from email.message import Message
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("paycombat_async", "paycombat_sync")
DEMO_DONE = "Done: every request above was signed, sent to the sandbox and checked there."
"""The demo's last line: printed only once every step of the tour has run."""

SDIST_TOP = frozenset(
    {
        *PACKAGES,
        "tests",
        "examples",
        "tools",
        "docs",
        "mkdocs.yml",
        "README.md",
        "ARCHITECTURE.md",
        "CONTRIBUTING.md",
        "CHANGELOG.md",
        "LICENSE",
        "pyproject.toml",
        "PKG-INFO",
        ".gitignore",  # hatchling always adds it
    }
)
LOCAL_STATE = frozenset(
    {
        ".git",
        ".nox",
        ".venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        "site",
        "dist",
        "build",
        "mutants",
    }
)
"""Folders that only a working tree has: none may appear in the sdist, at any depth."""

SAMPLE_TEST = '''\
"""A merchant's integration test: the paycombat pytest plugin wires the sandbox and clients."""

from decimal import Decimal

PAYOUT = {
    "payout_beneficiary_param": {
        "individual": {"first_name": "Ana", "last_name": "Lima"},
        "account_number": "12345678",
        "bsb": "123456",
    },
    "sender_amount": Decimal("125.50"),
    "sender_currency": "AUD",
    "sender_country": "AU",
    "payout_method_name": "au_bank_acct",
    "purpose_code": "SELF",
}


async def test_a_payout_reaches_the_sandbox(paycombat_client, paycombat_sandbox):
    payout = await paycombat_client.payouts.create(**PAYOUT, order_id="invoice-2291")
    assert (await paycombat_client.payouts.retrieve(payout.id)).order_id == "invoice-2291"
    assert len(paycombat_sandbox.requests_for("payouts.create")) == 1


def test_a_blocking_payout_can_be_found_by_order_id(paycombat_sync_client):
    payout = paycombat_sync_client.payouts.create(**PAYOUT, order_id="invoice-2292")
    found = paycombat_sync_client.payouts.list(order_id="invoice-2292").to_list()
    assert [p.id for p in found] == [payout.id]
'''
SAMPLE_PYTEST_INI = """\
[pytest]
filterwarnings = error
"""
SAMPLE_TESTS = 2


def log(message: str) -> None:
    print(f"check_dist: {message}", flush=True)


def version() -> str:
    """The version the checkout declares (``paycombat_async/_version.py``, which hatch reads)."""
    source = (ROOT / "paycombat_async" / "_version.py").read_text(encoding="utf-8")
    found = re.search(r'__version__ = "([^"]+)"', source)
    if found is None:
        raise SystemExit("check_dist: no __version__ in paycombat_async/_version.py")
    return found.group(1)


def has_plugin() -> bool:
    return (ROOT / "paycombat_async" / "testing.py").is_file()


def tracked_package_files() -> set[str] | None:
    """The package files committed to git, or None outside a git checkout (an unpacked sdist)."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return None
    listed = subprocess.run(  # noqa: S603 - git, with fixed arguments
        ["git", "-C", str(ROOT), "ls-files", "-z", "--", *PACKAGES],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return {name for name in listed.stdout.decode().split("\0") if name}


def _metadata(text: str) -> Message:
    return email.parser.HeaderParser().parsestr(text)


def wheel_problems(
    names: Sequence[str],
    read: dict[str, str],
    *,
    expected_version: str,
    plugin: bool,
    tracked: set[str] | None,
) -> list[str]:
    """What is wrong with a wheel, from its file names and its metadata files' text.

    ``read`` maps ``METADATA`` and ``entry_points.txt`` (as named in the wheel) to their text;
    ``tracked`` is the set of package files committed to git, or None to skip that comparison.
    """
    problems = []
    dist_info = f"paycombat-{expected_version}.dist-info"
    for name in names:
        parts = PurePosixPath(name).parts
        if parts[0] == dist_info:
            continue
        if parts[0] not in PACKAGES:
            problems.append(f"wheel: {name} is outside the two packages")
        elif "__pycache__" in parts or name.endswith((".pyc", ".pyo")):
            problems.append(f"wheel: {name} is bytecode")
        elif not (name.endswith(".py") or parts[-1] == "py.typed"):
            problems.append(f"wheel: {name} is neither a module nor py.typed")
        elif tracked is not None and name not in tracked:
            problems.append(f"wheel: {name} is not committed to git")
    present = set(names)
    problems += [
        f"wheel: {need} is missing"
        for need in (
            *(
                f"{package}/{module}"
                for package in PACKAGES
                for module in ("__init__.py", "py.typed")
            ),
            f"{dist_info}/licenses/LICENSE",
            f"{dist_info}/METADATA",
            f"{dist_info}/entry_points.txt",
        )
        if need not in present
    ]
    if tracked is not None:
        problems += [
            f"wheel: {name} (committed) is missing"
            for name in sorted(tracked - present)
            if name.endswith((".py", "/py.typed"))
        ]
    metadata = _metadata(read.get(f"{dist_info}/METADATA", ""))
    if metadata.get("Version") != expected_version:
        problems.append(f"wheel: METADATA Version is {metadata.get('Version')!r}")
    if metadata.get("License-Expression") != "MIT":
        problems.append(
            f"wheel: METADATA License-Expression is {metadata.get('License-Expression')!r}"
        )
    if "LICENSE" not in metadata.get_all("License-File", []):
        problems.append("wheel: METADATA names no License-File LICENSE")
    entry_points = read.get(f"{dist_info}/entry_points.txt", "")
    wanted = [("console_scripts", "paycombat = paycombat_async._cli:main")]
    if plugin:
        wanted.append(("pytest11", "paycombat = paycombat_async.testing"))
        if "testing" not in metadata.get_all("Provides-Extra", []):
            problems.append("wheel: no 'testing' extra although paycombat_async/testing.py exists")
    for group, line in wanted:
        if not re.search(rf"^\[{group}\]\n(?:[^\[].*\n)*?{re.escape(line)}$", entry_points, re.M):
            problems.append(f"wheel: entry point [{group}] {line} is missing")
    return problems


def classifier_problems(metadata: str, known: Collection[str] | None = None) -> list[str]:
    """Classifiers PyPI would refuse at upload (``twine check`` does not look at them).

    ``known`` defaults to the ``trove-classifiers`` package's list (``nox -s build`` installs it).
    """
    if known is None:
        from trove_classifiers import classifiers  # installed by nox -s build

        known = classifiers
    return [
        f"wheel: classifier {classifier!r} is not a known trove classifier"
        for classifier in _metadata(metadata).get_all("Classifier", [])
        if classifier not in known
    ]


def sdist_problems(
    names: Sequence[str], *, expected_version: str, wheel: Iterable[str]
) -> list[str]:
    """What is wrong with an sdist, from its member names (files and folders)."""
    problems = []
    top = f"paycombat-{expected_version}"
    files = set()
    for name in names:
        parts = PurePosixPath(name).parts
        if parts[0] != top:
            problems.append(f"sdist: {name} is outside {top}/")
            continue
        if len(parts) == 1:
            continue
        inner = PurePosixPath(*parts[1:]).as_posix()
        files.add(inner)
        if local := LOCAL_STATE.intersection(parts[1:]):
            problems.append(f"sdist: {inner} is local state ({', '.join(sorted(local))})")
        elif parts[1] not in SDIST_TOP:
            problems.append(f"sdist: {inner} is not part of the source release")
        elif inner.endswith((".pyc", ".pyo")) or parts[1].endswith(".egg-info"):
            problems.append(f"sdist: {inner} is a build product")
    problems += [
        f"sdist: {need} is missing"
        for need in ("PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE")
        if need not in files
    ]
    problems += [
        f"sdist: {name} (in the wheel) is missing"
        for name in sorted(wheel)
        if name.startswith(tuple(f"{p}/" for p in PACKAGES)) and name not in files
    ]
    return problems


def _only(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    if len(found) != 1:
        raise SystemExit(f"check_dist: expected one {pattern} in {dist}, found {len(found)}")
    return found[0]


def check_archives(dist: Path) -> list[str]:
    expected = version()
    wheel = _only(dist, "*.whl")
    sdist = _only(dist, "*.tar.gz")
    problems = []
    if wheel.name != f"paycombat-{expected}-py3-none-any.whl":
        problems.append(f"wheel: named {wheel.name}")
    if sdist.name != f"paycombat-{expected}.tar.gz":
        problems.append(f"sdist: named {sdist.name}")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        read = {
            name: archive.read(name).decode("utf-8")
            for name in names
            if name.endswith((".dist-info/METADATA", ".dist-info/entry_points.txt"))
        }
    problems += wheel_problems(
        names,
        read,
        expected_version=expected,
        plugin=has_plugin(),
        tracked=tracked_package_files(),
    )
    problems += classifier_problems(read.get(f"paycombat-{expected}.dist-info/METADATA", ""))
    with tarfile.open(sdist) as archive:
        members = [member.name for member in archive.getmembers() if not member.isdir()]
    problems += sdist_problems(members, expected_version=expected, wheel=names)
    log(f"{wheel.name}: {len(names)} files; {sdist.name}: {len(members)} files")
    return problems


def _clean_env(home: Path) -> dict[str, str]:
    """This process's environment without anything that would let the repository leak in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
        and not key.startswith(("PAYCOMBAT_", "NOX_", "PYTEST_"))
    }
    env["PATH"] = f"{home / 'venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(
    what: str, args: Sequence[str | Path], *, cwd: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    ran = subprocess.run(  # noqa: S603 - the fresh environment's own programs
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    log(f"{what}: exit {ran.returncode} in {time.monotonic() - started:.1f} s")
    return ran


def _failed(what: str, ran: subprocess.CompletedProcess[str]) -> str:
    tail = "\n".join((ran.stdout + ran.stderr).strip().splitlines()[-30:])
    return f"{what} failed (exit {ran.returncode}):\n{textwrap.indent(tail, '    ')}"


def check_installed(dist: Path, *, keep: bool = False) -> list[str]:
    """Install the wheel in a fresh environment outside the repository and use it there."""
    wheel = _only(dist, "*.whl").resolve()
    home = Path(tempfile.mkdtemp(prefix="paycombat-release-"))
    if home.resolve().is_relative_to(ROOT):
        raise SystemExit(f"check_dist: the temporary folder {home} is inside the repository")
    try:
        return _check_installed(wheel, home)
    finally:
        if keep:
            log(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _pip_targets_others() -> bool:
    """Whether this interpreter has a pip that installs into another environment."""
    ran = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=False
    )
    found = re.match(r"pip (\d+)\.(\d+)", ran.stdout)
    return found is not None and (int(found[1]), int(found[2])) >= (22, 3)


def _check_installed(wheel: Path, home: Path) -> list[str]:
    started = time.monotonic()
    # This interpreter's pip installs into the new environment (`pip --python`, pip 22.3+):
    # seeding the environment with a pip of its own takes longer than the rest of the check.
    own_pip = _pip_targets_others()
    venv.EnvBuilder(with_pip=not own_pip).create(home / "venv")
    log(f"fresh venv at {home / 'venv'} in {time.monotonic() - started:.1f} s")
    python = home / "venv" / "bin" / "python"
    env = _clean_env(home)
    plugin = has_plugin()
    extras = "cli,testing" if plugin else "cli"
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", python]
    if not own_pip:
        pip = [python, "-m", "pip"]
    ran = _run(
        f"pip install {wheel.name}[{extras}]",
        [
            *pip,
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"{wheel}[{extras}]",
        ],
        cwd=home,
        env=env,
        timeout=600,
    )
    if ran.returncode != 0:
        return [_failed("installing the wheel", ran)]
    problems = []
    where = _run(
        "the installed package's location",
        [python, "-c", "import paycombat_async, paycombat_sync; print(paycombat_async.__file__)"],
        cwd=home,
        env=env,
        timeout=60,
    )
    location = Path(where.stdout.strip() or "?")
    if where.returncode != 0:
        problems.append(_failed("importing the installed packages", where))
    elif not location.resolve().is_relative_to(home) or location.resolve().is_relative_to(ROOT):
        problems.append(f"paycombat_async was imported from {location}, not the fresh environment")
    command = home / "venv" / "bin" / "paycombat"
    ran = _run("paycombat --version", [command, "--version"], cwd=home, env=env, timeout=60)
    if ran.returncode != 0 or ran.stdout.strip() != f"paycombat, version {version()}":
        problems.append(_failed(f"paycombat --version (not 'paycombat, version {version()}')", ran))
    ran = _run("paycombat demo", [command, "demo"], cwd=home, env=env, timeout=300)
    if ran.returncode != 0 or DEMO_DONE not in ran.stdout:
        problems.append(_failed("paycombat demo (its last line missing)", ran))
    if not plugin:
        log(
            "SKIPPED the merchant's sample test: paycombat_async/testing.py (the pytest plugin) "
            "is not in this checkout yet"
        )
        return problems
    project = home / "merchant"
    (project / "tests").mkdir(parents=True)
    (project / "pytest.ini").write_text(SAMPLE_PYTEST_INI, encoding="utf-8")
    (project / "tests" / "test_payouts.py").write_text(SAMPLE_TEST, encoding="utf-8")
    ran = _run(
        "pytest in the merchant's project",
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        timeout=300,
    )
    if ran.returncode != 0 or not re.search(rf"\b{SAMPLE_TESTS} passed\b", ran.stdout):
        problems.append(_failed(f"the merchant's sample test ({SAMPLE_TESTS} must pass)", ran))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist", type=Path, help="the folder holding one sdist and one wheel")
    parser.add_argument("--keep", action="store_true", help="keep the temporary environment")
    args = parser.parse_args(argv)
    problems = check_archives(args.dist)
    if problems:  # an archive that is wrong is not worth installing
        log("the archives are wrong; not installed")
    else:
        log("file lists: OK")
        problems = check_installed(args.dist, keep=args.keep)
    for problem in problems:
        log(problem)
    log("FAILED" if problems else "every check passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
