"""Call deadlines that share timers: ``asyncio.timeout_at``'s semantics at a fraction of its cost.

A timer per call (``asyncio.timeout``, or aiohttp's per-request ``ClientTimeout``) costs about
7 us at concurrency 64 - a tenth of a whole loopback request (``benchmarks/PROFILE.md``). Here
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

__all__ = ["GRAIN", "Deadline", "Deadlines"]

GRAIN = 0.01
"""Seconds: deadlines in the same window share a timer, and fire at its end."""


class Deadline:
    """One call's registration: which task to cancel, and whether that has happened."""

    __slots__ = ("_cancelling", "_fired", "_key", "_task")

    def __init__(self, task: asyncio.Task[object], key: int) -> None:
        self._task = task
        self._cancelling = task.cancelling()
        self._key = key
        self._fired = False


class Deadlines:
    """The deadline timers of one event loop (one per client session)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        # A window: the calls due in it, and its timer (cancelled once the last call has ended,
        # so a long batch does not keep a minute's worth of idle timers around).
        self._windows: dict[int, tuple[set[Deadline], asyncio.TimerHandle]] = {}

    def start(self, when: float, task: asyncio.Task[object] | None) -> Deadline:
        """Cancel ``task`` (the current one) at loop time ``when`` (within ``GRAIN``), unless
        ``stop``ped."""
        if task is None:  # pragma: no cover - the pipeline always runs in a task
            raise RuntimeError("a deadline needs a running task")
        key = math.ceil(when / GRAIN)
        window = self._windows.get(key)
        if window is None:
            timer = self._loop.call_at(key * GRAIN, self._fire, key)
            window = self._windows[key] = (set(), timer)
        deadline = Deadline(task, key)
        window[0].add(deadline)
        return deadline

    def _fire(self, key: int) -> None:
        calls, _ = self._windows.pop(key, ((), None))
        for deadline in calls:
            deadline._fired = True
            deadline._task.cancel()

    def stop(self, deadline: Deadline) -> None:
        """The call ended: its deadline no longer applies (idempotent)."""
        window = self._windows.get(deadline._key)
        if window is None:
            return
        calls, timer = window
        calls.discard(deadline)
        if not calls:
            timer.cancel()
            del self._windows[deadline._key]

    @staticmethod
    def expired(deadline: Deadline) -> bool:
        """After a ``CancelledError``: whether it was this deadline's cancellation alone. If so,
        it is taken back (the task is no longer cancelling because of it) and the call should
        end as a timeout; if not, the caller cancelled too and it must propagate."""
        if not deadline._fired:
            return False
        deadline._fired = False  # uncancel once only
        return deadline._task.uncancel() <= deadline._cancelling
