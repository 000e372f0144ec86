"""Each speed trick of the request path against its plain version, on the running Python.

``python -m benchmarks.bench_tricks`` (run it under each Python: ``/path/to/python3.x -m ...``)
prints, per trick, the nanoseconds the plain version and the trick take per use and what the
trick saves. Both versions run in the same process, interleaved (plain, trick, plain, ...) so
that they share the machine's drift; each figure is the lowest of ``REPEATS`` timings. The
stories, and which tricks stay, are in ``benchmarks/PERFORMANCE.md``.

The pieces are the SDK's own where they can run alone (the call object, the JSON scan, the
converter's dict hook), and faithful models of them where they cannot (an aiohttp connector
method, a response's context managers: their bodies are reduced to nothing, so what is timed
is exactly the difference between the two ways of calling them).
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import timeit
from collections.abc import Callable
from typing import Any

from paycombat_async import OPERATIONS
from paycombat_async._core.pipeline import Call
from paycombat_async._core.response import _DECODER, _decode
from paycombat_async.models import _converter

from ._payloads import payout_args
from ._server import RETRIEVED

REPEATS = 41
"""Timings per version; the lowest counts (the others were disturbed by something else)."""


def best(plain: Callable[[], Any], trick: Callable[[], Any], number: int) -> tuple[float, float]:
    """Nanoseconds per use of ``plain`` and ``trick``, each the lowest of interleaved timings."""
    times: dict[str, list[float]] = {"plain": [], "trick": []}
    for _ in range(REPEATS):
        times["plain"].append(timeit.timeit(plain, number=number) / number * 1e9)
        times["trick"].append(timeit.timeit(trick, number=number) / number * 1e9)
    return min(times["plain"]), min(times["trick"])


def drive(coroutine_function: Callable[[], Any]) -> Callable[[], Any]:
    """A function that runs a coroutine that never suspends to its end, without a loop."""

    def run() -> Any:
        coroutine = coroutine_function()
        try:
            coroutine.send(None)
        except StopIteration as done:
            return done.value
        raise AssertionError("the coroutine suspended")

    return run


# -- the call object: built by keyword or by position -----------------------------------------

_OP = OPERATIONS["payouts.retrieve"]


def call_by_keyword() -> Any:
    return Call(
        pipeline=None,  # type: ignore[arg-type]
        op=_OP,
        path="/v1/payouts/x",
        url=None,  # type: ignore[arg-type]
        payload=None,
        headers={},
        query=None,
        reference=None,
        expect_bytes=False,
        task=None,
    )


def call_by_position() -> Any:
    return Call(None, _OP, "/v1/payouts/x", None, None, {}, None, None, False, None)  # type: ignore[arg-type]


# -- the connector: super() or the base class's function, called directly ---------------------


class _Connector:
    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        return req


class _BySuper(_Connector):
    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        connection = await super().connect(req, traces, timeout)
        self.marked = True
        return connection


_CONNECT = _Connector.connect


class _ByFunction(_Connector):
    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        connection = await _CONNECT(self, req, traces, timeout)
        self.marked = True
        return connection


# -- a comprehension in a function that uses its variable elsewhere ---------------------------
# On 3.11 a comprehension is a function of its own: a variable of the enclosing function that it
# reads becomes a cell (made on every call, read through it everywhere). PEP 709 (3.12) inlines
# comprehensions: no function, no cell.


def _items(data: Any) -> list[Any]:
    return data if isinstance(data, list) else []


def structure_inline(data: Any, cast: Any, many: bool) -> Any:
    if cast is None:
        return data
    if many:
        return [_converter.structure(item, cast) for item in _items(data)]
    return _converter.structure(data, cast)


def _structure_each(data: Any, cast: Any) -> list[Any]:
    return [_converter.structure(item, cast) for item in _items(data)]


def structure_helper(data: Any, cast: Any, many: bool) -> Any:
    if cast is None:
        return data
    if many:
        return _structure_each(data, cast)
    return _converter.structure(data, cast)


def _unknown(o: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: o[k] for k in o.keys() - known}


def _model_hook(inline: bool) -> Callable[[dict[str, Any]], Any]:
    """A structure hook like ``_converter._compile_structure``'s: 30 keys read from ``o``, and
    the unknown keys gathered inline (``o`` a cell on 3.11) or by a helper."""
    known = frozenset(f"field{i}" for i in range(30))
    gather = "{k: o[k] for k in o.keys() - known}" if inline else "unknown(o, known)"
    lines = [
        "def structure(o):",
        "    out = []",
        f"    extra = {{}} if known.issuperset(o) else {gather}",
    ]
    lines += [f"    out.append(o.get('field{i}'))" for i in range(30)]
    lines.append("    return out, extra")
    names: dict[str, Any] = {"known": known, "unknown": _unknown}
    exec("\n".join(lines), names)  # noqa: S102 - our own source
    hook: Callable[[dict[str, Any]], Any] = names["structure"]
    return hook


# -- a dict copied by a loop or by a comprehension --------------------------------------------

_AS_IS = _converter._AS_IS
_unstructure = _converter.converter.unstructure


def dict_by_comprehension(value: dict[Any, Any]) -> dict[Any, Any]:
    return {
        k if type(k) is str else _unstructure(k): v if type(v) in _AS_IS else _unstructure(v)
        for k, v in value.items()
    }


def dict_by_loop(value: dict[Any, Any]) -> dict[Any, Any]:
    out = {}
    for k, v in value.items():
        out[k if type(k) is str else _unstructure(k)] = v if type(v) in _AS_IS else _unstructure(v)
    return out


# -- a response's context managers, or their exits written out --------------------------------


class _Response:
    """aiohttp's ``ClientResponse`` as ``async with`` meets it, with nothing to release."""

    async def __aenter__(self) -> _Response:
        self._in_context = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._in_context = False
        self.release()
        await self.wait_for_close()

    def release(self) -> None:
        pass

    async def wait_for_close(self) -> None:
        self.release()


class _RequestContextManager:
    """aiohttp's ``_RequestContextManager``: what ``session.request(...)`` returns."""

    def __init__(self, coroutine: Any) -> None:
        self._coro = coroutine

    def __await__(self) -> Any:
        return self._coro.__await__()

    async def __aenter__(self) -> _Response:
        self._resp = await self._coro
        return await self._resp.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self._resp.__aexit__(*exc)


async def _send() -> _Response:
    return _Response()


async def attempt_with_context_managers() -> Any:
    async with _RequestContextManager(_send()) as response:
        return response


async def attempt_with_exits_written_out() -> Any:
    response = await _RequestContextManager(_send())
    try:
        return response
    finally:
        response.release()
        await response.wait_for_close()


# -- telemetry: an unobserved call's coroutine handed back, or awaited in a wrapper ------------


async def _plain_call() -> int:
    return 1


async def wrapper_awaits() -> int:
    return await _plain_call()


def wrapper_hands_back() -> Any:
    return _plain_call()


# -- the task of the current call: asked of a given loop or of the running one -----------------


def current_task_lookups(of_given_loop: bool) -> Callable[[], Any]:
    """``LOOKUPS`` lookups of the current task, made inside a task (as the pipeline makes them),
    asked of the running loop or of the loop given (one event loop run per use)."""

    async def many() -> None:
        loop = asyncio.get_running_loop()
        current_task = asyncio.current_task
        if of_given_loop:
            for _ in range(LOOKUPS):
                current_task(loop)
        else:
            for _ in range(LOOKUPS):
                current_task()

    def run() -> None:
        asyncio.run(many())

    return run


LOOKUPS = 1000


@dataclasses.dataclass(frozen=True)
class Trick:
    name: str
    plain: Callable[[], Any]
    trick: Callable[[], Any]
    number: int
    """Uses per timing."""
    per: int = 1
    """Uses of the piece in one call of ``plain`` or ``trick``."""


def tricks() -> dict[str, Trick]:
    payout = RETRIEVED.decode()  # the canned server's answer to Retrieve Payout
    beneficiary = payout_args(0)["payout_beneficiary_param"]
    inline_hook, helper_hook = _model_hook(inline=True), _model_hook(inline=False)
    document = {f"field{i}": "x" for i in range(30)}
    by_super, by_function = _BySuper(), _ByFunction()
    found = [
        Trick("call object: keywords -> by position", call_by_keyword, call_by_position, 20_000),
        Trick(
            "connector: super().connect -> the base's function",
            drive(lambda: by_super.connect(1, 2, 3)),
            drive(lambda: by_function.connect(1, 2, 3)),
            20_000,
        ),
        Trick(
            "structure one model: comprehension inline -> in a helper",
            lambda: structure_inline(None, None, False),
            lambda: structure_helper(None, None, False),
            40_000,
        ),
        Trick(
            "model hook, 30 keys: unknown keys inline -> a helper",
            lambda: inline_hook(document),
            lambda: helper_hook(document),
            10_000,
        ),
        Trick(
            "copy a beneficiary dict: comprehension -> loop",
            lambda: dict_by_comprehension(beneficiary),
            lambda: dict_by_loop(beneficiary),
            20_000,
        ),
        Trick(
            "JSON answer (~1 kB): JSONDecoder.decode -> its scanner",
            lambda: _DECODER.decode(payout),
            lambda: _decode(payout),
            4_000,
        ),
        Trick(
            "response: async with -> exits written out",
            drive(attempt_with_context_managers),
            drive(attempt_with_exits_written_out),
            20_000,
        ),
        Trick(
            "unobserved call: awaited in a wrapper -> handed back",
            drive(wrapper_awaits),
            drive(wrapper_hands_back),
            40_000,
        ),
        Trick(
            "current task: of the running loop -> of a given loop",
            current_task_lookups(of_given_loop=False),
            current_task_lookups(of_given_loop=True),
            10,
            per=LOOKUPS,
        ),
    ]
    return {str(index): trick for index, trick in enumerate(found)}


def timed() -> list[tuple[str, float, float]]:
    """Nanoseconds per use of each trick's plain version and of the trick."""
    rows = []
    for trick in tricks().values():
        plain, fast = best(trick.plain, trick.trick, trick.number)
        rows.append((trick.name, plain / trick.per, fast / trick.per))
    return rows


def main() -> None:
    version = ".".join(map(str, sys.version_info[:3]))
    print(f"Python {version}: ns per use, the lowest of {REPEATS} interleaved timings")
    print()
    print("| trick | plain | trick | saved |")
    print("|---|---|---|---|")
    for name, plain, fast in timed():
        saved = plain - fast
        share = f"{saved / plain:+.0%}"
        print(f"| {name} | {plain:.0f} | {fast:.0f} | {saved:+.0f} ({share}) |", flush=True)


if __name__ == "__main__":
    main()
