"""Shared fixtures: a real LocalSandbox on loopback and a client pointed at it (the pytest
plugin's, ``paycombat_async.testing``), on the event loop ``PAYCOMBAT_TEST_LOOP`` names.

What is not a fixture (a client of any test server, a payout request, the documented payloads)
is in ``tests/helpers.py``."""

from __future__ import annotations

import inspect
import os
from typing import Any

import pytest

from paycombat_async import PayCombat
from paycombat_async.sandbox import LocalSandbox
from tests import budget  # noqa: F401  (a light session loads its Hypothesis profile here)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Run every ``async def`` test under anyio, without a marker on each one."""
    if inspect.iscoroutinefunction(obj) and name.startswith("test"):
        pytest.mark.anyio(obj)


UVLOOP = os.environ.get("PAYCOMBAT_TEST_LOOP", "asyncio") == "uvloop"
"""``PAYCOMBAT_TEST_LOOP=uvloop`` runs every async test on uvloop (``nox -s tests_uvloop``)."""


@pytest.fixture
def anyio_backend() -> str | tuple[str, dict[str, Any]]:
    if UVLOOP:
        return "asyncio", {"use_uvloop": True}
    return "asyncio"  # aiohttp runs on asyncio only


def pytest_report_header() -> str:
    return f"event loop: {'uvloop' if UVLOOP else 'asyncio'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On uvloop, only the tests that run on the test's event loop (they use ``anyio_backend``).

    The others (the blocking client, whose loop is always its own asyncio loop; subprocesses;
    pure functions) would run exactly as they do in the asyncio sessions: deselected, not skipped.
    """
    if not UVLOOP:
        return
    on_loop: list[pytest.Item] = []
    elsewhere: list[pytest.Item] = []
    for item in items:
        uses_loop = "anyio_backend" in getattr(item, "fixturenames", ())
        (on_loop if uses_loop else elsewhere).append(item)
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = on_loop


# The names the suite grew up with, for the plugin's fixtures (paycombat_async.testing): a fresh
# sandbox and a client bound to it, whose markers (paycombat_sandbox, paycombat_client,
# paycombat_fault) apply to these too.
@pytest.fixture
def sandbox(paycombat_sandbox: LocalSandbox) -> LocalSandbox:
    return paycombat_sandbox


@pytest.fixture
def client(paycombat_client: PayCombat) -> PayCombat:
    return paycombat_client
