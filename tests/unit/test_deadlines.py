"""Shared deadline timers: a call is cancelled at its deadline (never before it, at most one
``GRAIN`` after it), never after it ended, and a caller's own cancellation always wins."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import attrs
import pytest

from paycombat_async._core.deadlines import GRAIN, Deadlines


@attrs.define(eq=False)
class _Call:
    """What the pipeline's call object gives ``Deadlines`` (``Timed``)."""

    task: asyncio.Task[Any] | None
    deadline: float | None
    window: int | None = None
    cancelling: int = 0
    fired: bool = False


class _Timers:
    """The running loop as ``Deadlines`` sees it, recording the timers it schedules."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.made: list[asyncio.TimerHandle] = []

    def call_at(self, when: float, callback: Any, *args: Any) -> asyncio.TimerHandle:
        timer = self._loop.call_at(when, callback, *args)
        self.made.append(timer)
        return timer


def _recorded(loop: asyncio.AbstractEventLoop) -> tuple[Deadlines, _Timers]:
    timers = _Timers(loop)
    return Deadlines(timers), timers  # type: ignore[arg-type]


def _started(deadlines: Deadlines, when: float) -> _Call:
    call = _Call(asyncio.current_task(), when)
    deadlines.start(call)
    return call


async def _after_window(when: float) -> None:
    """Return once the timer of ``when``'s window has certainly run."""
    loop = asyncio.get_running_loop()
    passed = loop.create_future()
    loop.call_at(when + 3 * GRAIN, passed.set_result, None)
    await passed


async def test_a_deadline_cancels_its_task_no_earlier_than_due_and_is_taken_back() -> None:
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    task = asyncio.current_task()
    assert task is not None
    when = loop.time() + 0.05
    deadline = _started(deadlines, when)
    forever = loop.create_future()
    backstop = loop.call_later(5, forever.set_result, None)  # a deadline that never fires fails
    with pytest.raises(asyncio.CancelledError):
        await forever
    backstop.cancel()
    cancelled_at = loop.time()
    assert when <= cancelled_at
    assert deadlines.expired(deadline)
    assert task.cancelling() == 0  # taken back: the task is not left cancelling
    assert not deadlines.expired(deadline)  # and only once
    deadlines.stop(deadline)


async def test_a_stopped_deadline_never_cancels() -> None:
    loop = asyncio.get_running_loop()
    deadlines, timers = _recorded(loop)
    when = loop.time() + GRAIN
    deadline = _started(deadlines, when)
    (timer,) = timers.made
    deadlines.stop(deadline)
    # The window's timer goes with its last call: a long batch keeps no idle timers around.
    assert timer.cancelled()
    assert deadlines._windows == {}
    await _after_window(when)  # would raise CancelledError had the timer cancelled the task
    assert not deadlines.expired(deadline)


async def test_calls_in_one_window_share_a_timer_and_each_is_cancelled() -> None:
    loop = asyncio.get_running_loop()
    deadlines, timers = _recorded(loop)
    when = loop.time() + 0.05
    outcomes: list[bool] = []

    async def call(stop_early: bool) -> None:
        deadline = _started(deadlines, when)
        try:
            if stop_early:
                return
            waiting = loop.create_future()
            backstop = loop.call_later(5, waiting.set_result, None)  # fail rather than hang
            try:
                await waiting
            finally:
                backstop.cancel()
        except asyncio.CancelledError:
            outcomes.append(deadlines.expired(deadline))
        finally:
            deadlines.stop(deadline)

    await asyncio.gather(*(call(stop_early=i % 2 == 0) for i in range(10)))
    assert outcomes == [True] * 5
    # The first call stops before the next starts, taking its timer with it; the other nine
    # share one timer, which fired.
    assert [timer.cancelled() for timer in timers.made] == [True, False]


@pytest.mark.parametrize("same_moment", [False, True])
async def test_a_caller_cancelling_too_is_not_mistaken_for_the_deadline(same_moment: bool) -> None:
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    seen: list[bool] = []
    started = asyncio.Event()
    when = loop.time() + 0.05

    async def call() -> None:
        deadline = _started(deadlines, when)
        started.set()
        try:
            await loop.create_future()
        except asyncio.CancelledError:
            seen.append(deadlines.expired(deadline))
            raise
        finally:
            deadlines.stop(deadline)

    task = asyncio.create_task(call())
    await started.wait()
    if same_moment:  # both cancel the task before it runs again
        loop.call_at(math.ceil(when / GRAIN) * GRAIN, task.cancel)
    else:
        task.cancel()  # the caller's cancellation, before the deadline passes
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == [False]


async def test_a_deadline_outside_a_task_is_a_clear_error() -> None:
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    outcome: asyncio.Future[BaseException | None] = loop.create_future()

    def from_a_callback() -> None:  # a loop callback runs in no task: there is nothing to cancel
        try:
            deadlines.start(_Call(asyncio.current_task(loop), loop.time() + 1))
        except RuntimeError as exc:
            outcome.set_result(exc)
        else:
            outcome.set_result(None)

    loop.call_soon(from_a_callback)
    error = await outcome
    assert isinstance(error, RuntimeError)
    assert "running task" in str(error)
