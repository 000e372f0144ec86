"""Shared fixtures: a real LocalSandbox on loopback and a client pointed at it."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import pytest

from paycombat_async import PayCombat, RetryPolicy
from paycombat_async.sandbox import LocalSandbox

# Retries without backoff, so tests exercise every retry path and never sleep.
NO_WAIT = RetryPolicy(max_retries=2, initial_backoff=0, max_backoff=0, max_retry_after=0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.obj):
            item.add_marker(pytest.mark.anyio)


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
