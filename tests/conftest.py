"""Shared fixtures: a real LocalSandbox on loopback and a client pointed at it."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import pytest

from paycombat_async import PayCombat
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import NO_WAIT  # retries without backoff: tests never sleep


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Run every ``async def`` test under anyio, without a marker on each one."""
    if inspect.iscoroutinefunction(obj) and name.startswith("test"):
        pytest.mark.anyio(obj)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # aiohttp runs on asyncio only


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
