"""The suite runs on the event loop it was asked for (``PAYCOMBAT_TEST_LOOP``, see conftest)."""

from __future__ import annotations

import asyncio

from tests.conftest import UVLOOP


async def test_async_tests_run_on_the_loop_asked_for() -> None:
    loop = asyncio.get_running_loop()
    assert type(loop).__module__.startswith("uvloop") is UVLOOP, type(loop)
