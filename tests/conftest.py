"""Shared fixtures: a real LocalSandbox on loopback and a client pointed at it."""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from paycombat_async import PayCombat
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import NO_WAIT  # retries without backoff: tests never sleep


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


@pytest.fixture
async def sandbox() -> AsyncIterator[LocalSandbox]:
    async with LocalSandbox() as sb:
        yield sb


@pytest.fixture
async def client(sandbox: LocalSandbox) -> AsyncIterator[PayCombat]:
    async with PayCombat(
        token=sandbox.token,
        signature_key=sandbox.signature_key,
        base_url=sandbox.base_url,
        timeout=10,
        retry=NO_WAIT,
    ) as c:
        yield c
