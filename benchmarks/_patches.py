"""What-if patches for ``profile_pipeline``: each takes one cost out of the SDK, in-process only.

They touch private names of today's pipeline; one that no longer applies raises ``LookupError``
and the profile reports it as skipped. Nothing here changes the package on disk.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any


def _patch(target: Any, name: str, value: Any, stack: ExitStack) -> None:
    if not hasattr(target, name):
        raise LookupError(f"{getattr(target, '__name__', target)}.{name} no longer exists")
    old = getattr(target, name)
    setattr(target, name, value)
    stack.callback(setattr, target, name, old)


def no_trace(stack: ExitStack) -> None:
    import aiohttp

    from paycombat_async._core import pipeline as _pipeline

    empty = aiohttp.TraceConfig()
    empty.freeze()
    _patch(_pipeline, "_TRACE", empty, stack)


class _Direct:
    """What the success path needs of a tenacity loop: call once, no bookkeeping."""

    statistics: dict[str, int] = {}  # noqa: RUF012 - read-only here

    async def __call__(self, fn: Callable[[], Any]) -> Any:
        return await fn()


def no_tenacity(stack: ExitStack) -> None:
    from paycombat_async._core.retry import RetryPolicy

    _patch(RetryPolicy, "retrying", lambda self, **_: _Direct(), stack)


def no_deadline(stack: ExitStack) -> None:
    import contextlib
    import types

    from paycombat_async._core import pipeline as _pipeline

    fail_after = types.SimpleNamespace(fail_after=lambda _: contextlib.nullcontext())
    _patch(_pipeline, "anyio", fail_after, stack)


def c_json(stack: ExitStack) -> None:
    from paycombat_async._core import pipeline as _pipeline

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), default=float).encode()

    _patch(_pipeline, "js_dumps", dumps, stack)


def no_gc(stack: ExitStack) -> None:
    gc.disable()
    stack.callback(gc.enable)


WHAT_IF: dict[str, Callable[[ExitStack], None]] = {
    "no aiohttp trace hook": no_trace,
    "no tenacity on the success path": no_tenacity,
    "no anyio.fail_after (no deadline at all)": no_deadline,
    "stdlib C json.dumps instead of js_dumps (size only)": c_json,
    "garbage collector off": no_gc,
}
