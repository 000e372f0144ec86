"""Shared fixtures: a real LocalSandbox on loopback and a client pointed at it (the pytest
plugin's, ``paycombat_async.testing``), on the event loop ``PAYCOMBAT_TEST_LOOP`` names."""

from __future__ import annotations

import inspect
import os
from typing import Any

import pytest

from paycombat_async import PayCombat
from paycombat_async.sandbox import LocalSandbox


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


# The names the suite grew up with, for the plugin's fixtures (paycombat_async.testing): a fresh
# sandbox and a client bound to it, whose markers (paycombat_sandbox, paycombat_client,
# paycombat_fault) apply to these too.
@pytest.fixture
def sandbox(paycombat_sandbox: LocalSandbox) -> LocalSandbox:
    return paycombat_sandbox


@pytest.fixture
def client(paycombat_client: PayCombat) -> PayCombat:
    return paycombat_client
