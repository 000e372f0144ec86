"""``nox -s build``'s checks of the archives (tools/check_dist.py) catch what must not ship.

A release that ships the tests, a cache or a stray file, or leaves out the licence, ``py.typed``
or the pytest plugin's entry point, fails there, before anyone installs it.
"""

from __future__ import annotations

import pytest

from tools.check_dist import classifier_problems, sdist_problems, wheel_problems

VERSION = "0.2.0"
INFO = f"paycombat-{VERSION}.dist-info"
METADATA = f"""\
Metadata-Version: 2.4
Name: paycombat
Version: {VERSION}
License-Expression: MIT
License-File: LICENSE
Provides-Extra: cli
Provides-Extra: testing
"""
ENTRY_POINTS = """\
[console_scripts]
paycombat = paycombat_async._cli:main

[pytest11]
paycombat = paycombat_async.testing
"""
MODULES = [
    "paycombat_async/__init__.py",
    "paycombat_async/py.typed",
    "paycombat_async/testing.py",
    "paycombat_async/sandbox/__init__.py",
    "paycombat_sync/__init__.py",
    "paycombat_sync/py.typed",
]
WHEEL = [
    *MODULES,
    f"{INFO}/METADATA",
    f"{INFO}/WHEEL",
    f"{INFO}/entry_points.txt",
    f"{INFO}/licenses/LICENSE",
    f"{INFO}/RECORD",
]
SDIST = [
    f"paycombat-{VERSION}/{name}"
    for name in [
        *MODULES,
        "tests/test_client.py",
        "docs/index.md",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "pyproject.toml",
        "PKG-INFO",
        ".gitignore",
    ]
]


def check_wheel(
    names: list[str],
    *,
    metadata: str = METADATA,
    entry_points: str = ENTRY_POINTS,
    tracked: set[str] | None = None,
) -> list[str]:
    read = {f"{INFO}/METADATA": metadata, f"{INFO}/entry_points.txt": entry_points}
    return wheel_problems(
        names,
        read,
        expected_version=VERSION,
        plugin=True,
        tracked=set(MODULES) | (tracked or set()),
    )


def test_a_wheel_of_the_two_packages_and_their_metadata_passes() -> None:
    assert check_wheel(WHEEL) == []
    assert sdist_problems(SDIST, expected_version=VERSION, wheel=WHEEL) == []


@pytest.mark.parametrize(
    ("stray", "problem"),
    [
        ("tests/test_client.py", "outside the two packages"),
        ("benchmarks/bench_pipeline.py", "outside the two packages"),
        ("docs/index.md", "outside the two packages"),
        ("examples/celery_payouts/tasks.py", "outside the two packages"),
        ("paycombat_async/__pycache__/_client.cpython-311.pyc", "bytecode"),
        ("paycombat_async/_client.py.orig", "neither a module nor py.typed"),
        ("paycombat_async/scratch.py", "not committed to git"),
    ],
)
def test_a_wheel_with_a_stray_file_fails(stray: str, problem: str) -> None:
    assert check_wheel([*WHEEL, stray]) == [f"wheel: {stray} is {problem}"]


@pytest.mark.parametrize(
    "missing",
    ["paycombat_sync/py.typed", f"{INFO}/licenses/LICENSE", "paycombat_async/testing.py"],
)
def test_a_wheel_missing_a_file_it_must_ship_fails(missing: str) -> None:
    problems = check_wheel([name for name in WHEEL if name != missing])
    assert any(missing in problem and "missing" in problem for problem in problems), problems


def test_a_wheel_without_the_plugin_entry_point_or_extra_fails() -> None:
    problems = check_wheel(
        WHEEL,
        metadata=METADATA.replace("Provides-Extra: testing\n", ""),
        entry_points=ENTRY_POINTS.split("\n\n")[0] + "\n",
    )
    assert problems == [
        "wheel: no 'testing' extra although paycombat_async/testing.py exists",
        "wheel: entry point [pytest11] paycombat = paycombat_async.testing is missing",
    ]


def test_a_wheel_of_another_version_or_licence_fails() -> None:
    problems = check_wheel(
        WHEEL, metadata=METADATA.replace(VERSION, "0.1.0").replace("MIT", "Apache-2.0")
    )
    assert "wheel: METADATA Version is '0.1.0'" in problems
    assert "wheel: METADATA License-Expression is 'Apache-2.0'" in problems


@pytest.mark.parametrize(
    ("stray", "problem"),
    [
        (".nox/tests-3-11/bin/python", "local state (.nox)"),
        (".git/HEAD", "local state (.git)"),
        ("tests/__pycache__/conftest.cpython-311.pyc", "local state (__pycache__)"),
        ("tests/.hypothesis/examples/1", "local state (.hypothesis)"),
        ("site/index.html", "local state (site)"),
        ("dist/paycombat-0.1.0.tar.gz", "local state (dist)"),
        ("paycombat.egg-info/PKG-INFO", "not part of the source release"),
        ("notes.txt", "not part of the source release"),
    ],
)
def test_an_sdist_with_local_state_fails(stray: str, problem: str) -> None:
    problems = sdist_problems(
        [*SDIST, f"paycombat-{VERSION}/{stray}"], expected_version=VERSION, wheel=WHEEL
    )
    assert problems == [f"sdist: {stray} is {problem}"]


def test_an_sdist_missing_a_module_of_the_wheel_or_the_licence_fails() -> None:
    kept = [name for name in SDIST if not name.endswith(("/testing.py", "/LICENSE"))]
    assert sdist_problems(kept, expected_version=VERSION, wheel=WHEEL) == [
        "sdist: LICENSE is missing",
        "sdist: paycombat_async/testing.py (in the wheel) is missing",
    ]


def test_a_classifier_pypi_does_not_know_fails() -> None:
    metadata = METADATA + "Classifier: Typing :: Typed\nClassifier: Framework :: AsyncIO :: 3\n"
    assert classifier_problems(metadata, known={"Typing :: Typed"}) == [
        "wheel: classifier 'Framework :: AsyncIO :: 3' is not a known trove classifier"
    ]
