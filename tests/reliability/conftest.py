"""A raw socket server per test, and a client pointed at it that never sleeps between resends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.rawserver import RawServer


@pytest.fixture
async def server() -> AsyncIterator[RawServer]:
    async with RawServer() as raw:
        yield raw
