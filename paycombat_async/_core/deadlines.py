"""Call deadlines that share timers: ``asyncio.timeout_at``'s semantics at a fraction of its cost.

A timer per call (``asyncio.timeout``, or aiohttp's per-request ``ClientTimeout``) costs about
7 us at concurrency 64 - a tenth of a whole loopback request (``benchmarks/PERFORMANCE.md``). Here
calls whose deadlines fall in the same ``GRAIN``-second window share one timer: a call only adds
itself to that window's set and removes itself when it ends. A deadline therefore fires up to
``GRAIN`` late, never early.

On expiry the call's task is cancelled, exactly as ``asyncio.timeout`` does it, and
``Deadlines.expired`` tells the pipeline that this cancellation was the deadline's (not the
caller's), after taking it back with ``Task.uncancel`` so a caller's own cancellation still wins.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, Protocol

__all__ = ["GRAIN", "Deadlines", "Timed"]

GRAIN = 0.01
"""Seconds: deadlines in the same window share a timer, and fire at its end."""


class Timed(Protocol):
    """A call with a deadline, as ``Deadlines`` keeps it: the pipeline's own call object, so a
    deadline allocates nothing of its own (a registration object cost a tenth of the deadline)."""

    task: asyncio.Task[Any] | None
    """The task to cancel (the one making the call)."""
    deadline: float | None
    """Loop time by which the call must have ended."""
    window: int | None
    """Set by ``start``: the window the call's deadline falls in; None once ``stop``ped or
    fired."""
    cancelling: int
    """Set by ``start``: ``task.cancelling()`` then, to tell the deadline's cancellation apart
    from the caller's."""
    fired: bool
    """Set when the deadline has cancelled the task and ``expired`` has not yet taken it back."""


class Deadlines:
    """The deadline timers of one event loop (one per client session)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        # A window: the calls due in it, and its timer (cancelled once the last call has ended,
        # so a long batch does not keep a minute's worth of idle timers around).
        self._windows: dict[int, tuple[set[Timed], asyncio.TimerHandle]] = {}

    def start(self, call: Timed) -> None:
        """Cancel ``call.task`` (the current task) at loop time ``call.deadline`` (within
        ``GRAIN``), unless ``stop``ped."""
        task, when = call.task, call.deadline
        if task is None or when is None:  # a loop callback runs in no task: nothing to cancel
            raise RuntimeError("a deadline needs a running task and a time")
        key = math.ceil(when / GRAIN)
        window = self._windows.get(key)
        if window is None:
            timer = self._loop.call_at(key * GRAIN, self._fire, key)
            window = self._windows[key] = (set(), timer)
        call.window, call.cancelling, call.fired = key, task.cancelling(), False
        window[0].add(call)

    def _fire(self, key: int) -> None:
        calls, _ = self._windows.pop(key, ((), None))
        for call in calls:
            call.fired = True
            call.window = None
            assert call.task is not None
            call.task.cancel()

    def stop(self, call: Timed) -> None:
        """The call ended: its deadline no longer applies (idempotent)."""
        key, call.window = call.window, None
        window = None if key is None else self._windows.get(key)
        if key is None or window is None:  # stopped already, or its window has fired
            return
        calls, timer = window
        calls.discard(call)
        if not calls:
            timer.cancel()
            del self._windows[key]

    @staticmethod
    def expired(call: Timed) -> bool:
        """After a ``CancelledError``: whether it was this deadline's cancellation alone. If so,
        it is taken back (the task is no longer cancelling because of it) and the call should
        end as a timeout; if not, the caller cancelled too and it must propagate."""
        if not call.fired:
            return False
        call.fired = False  # uncancel once only
        assert call.task is not None
        return call.task.uncancel() <= call.cancelling
