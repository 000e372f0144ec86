"""One long-lived anyio BlockingPortal per client: start, call, iterate, close, fork guard.

The async client, and so its aiohttp session, lives on the portal's event loop for the client's
whole life; every blocking call is a task submitted to that loop. The loop runs on a named daemon
thread that this module starts and joins itself rather than through
``anyio.from_thread.start_blocking_portal``: that context manager is a generator, and one left
open (a client never closed, or inherited by a forked child) joins its thread from the
generator's finalizer at interpreter exit, which hangs when the thread is gone or blocked.

Guards, each checked before anything is submitted:

* fork: the runner remembers its pid. In a child it drops what it inherited without touching it
  (the parent's loop thread does not exist here, and its sockets are the parent's) and lazily
  builds a fresh async client and portal.
* re-entrancy: a blocking call from the loop's own thread would wait for itself forever, so it is
  refused with ``ClientStateError``.
* a running event loop in the calling thread: the call works (it runs on our loop) but blocks the
  caller's loop, so the runner warns once per client, pointing to ``paycombat_async``.
* use after close: ``ClientStateError``.

Ctrl-C: a call waits on its task's future; a ``KeyboardInterrupt`` (any ``BaseException``) that
arrives while waiting cancels the task, waits briefly for the cancellation to land, and is
re-raised. When the interrupted operation creates objects or moves money (``moves_money`` in
``OPERATIONS``) the request may already have reached PayCombat: the ``KeyboardInterrupt`` is then
raised *from* an ``OutcomeUnknownError`` (its ``__cause__``), which is never resent.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import threading
import warnings
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

from paycombat_async import PayCombat as AsyncPayCombat
from paycombat_async._exceptions import ClientStateError, OutcomeUnknownError
from paycombat_async._routes import Operation

__all__ = ["PortalThread", "Runner"]

T = TypeVar("T")

THREAD_NAME = "paycombat-io"
CANCEL_GRACE = 5.0
"""Seconds an interrupted call waits for its cancelled task to finish before re-raising."""
EXIT_GRACE = 2.0
"""Seconds each step of the at-exit close may take: interpreter exit never waits longer."""

CLOSED = "This PayCombat client is closed; create a new one."
CLOSED_IN_FLIGHT = "This PayCombat client was closed while the call was in flight."
REENTRANT = (
    "A blocking PayCombat method was called from the client's own event loop thread (from code "
    "running on that loop, e.g. a hook or callback); it would wait for itself forever. Use "
    "paycombat_async and await the call there."
)
IN_RUNNING_LOOP = (
    "A blocking paycombat_sync.PayCombat method was called while an event loop is running in "
    "this thread: it works, but blocks that loop until the call returns. In async code (a "
    "notebook cell, an async web framework), use paycombat_async.PayCombat and await it."
)


class PortalThread:
    """An asyncio event loop on a named daemon thread, driven through an anyio BlockingPortal."""

    def __init__(self, name: str = THREAD_NAME) -> None:
        ready: concurrent.futures.Future[BlockingPortal] = concurrent.futures.Future()

        async def serve() -> None:
            async with BlockingPortal() as portal:
                ready.set_result(portal)
                await portal.sleep_until_stopped()

        def run() -> None:
            try:
                anyio.run(serve, backend="asyncio")  # aiohttp is asyncio-only
            except BaseException as exc:
                if ready.done():
                    raise
                ready.set_exception(exc)

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()
        try:
            self.portal = ready.result()
        except BaseException:
            # Interrupted while the loop was starting: stop it once it has, from another thread.
            threading.Thread(target=_stop_when_started, args=(ready,), daemon=True).start()
            raise
        self.ident = self.thread.ident

    def on_loop_thread(self) -> bool:
        """Whether the caller is running on this loop's thread."""
        return threading.get_ident() == self.ident

    def stop(self, *, timeout: float | None = None) -> None:
        """Cancel what still runs on the loop, stop it and join the thread (from another thread)."""
        # RuntimeError: already stopped. TimeoutError: a stuck loop; the thread is a daemon.
        with contextlib.suppress(RuntimeError, TimeoutError, concurrent.futures.CancelledError):
            self.portal.start_task_soon(self.portal.stop, True).result(timeout)
        self.thread.join(timeout)


def _stop_when_started(ready: concurrent.futures.Future[BlockingPortal]) -> None:
    with contextlib.suppress(Exception):
        portal = ready.result()
        portal.call(portal.stop, True)


class _Flight:
    """One submitted call: whether its task started, and an event set once it has finished."""

    __slots__ = ("done", "started")

    def __init__(self) -> None:
        self.started = False
        self.done = threading.Event()


async def _fly(flight: _Flight, make: Callable[[], Awaitable[T]]) -> T:
    flight.started = True
    try:
        return await make()
    finally:
        flight.done.set()


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def interrupted(op: Operation) -> OutcomeUnknownError:
    """The error an interrupted money-moving call is chained from."""
    return OutcomeUnknownError(
        f"{op.title} was interrupted after it was submitted: it may or may not have been "
        "processed. It was not resent. Look it up by your own reference before trying again.",
        method=op.method,
        path=op.path,
    )


class Runner:
    """Owns one async client and the portal thread it lives on; the blocking client's engine.

    Args:
        factory: builds the async client; called once now (so bad configuration fails in the
            caller's thread) and again in a forked child.
    """

    def __init__(self, factory: Callable[[], AsyncPayCombat]) -> None:
        self._factory = factory
        self._client = factory()
        self._lock = threading.Lock()
        self._io: PortalThread | None = None
        self._closed = False
        self._warned_loop = False
        self._pid = os.getpid()
        _RUNNERS.add(self)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def async_client(self) -> AsyncPayCombat:
        """The async client calls are forwarded to (for read-only attributes like ``config``)."""
        return self._client

    @property
    def started(self) -> bool:
        """Whether the portal thread is running (it starts with the first call)."""
        return self._io is not None

    # -- guards ------------------------------------------------------------------------------

    def _check_fork(self) -> None:
        if self._pid == os.getpid():
            return
        with _FORK_LOCK:
            if self._pid == os.getpid():
                return
            # Inherited from the parent: its loop thread does not exist here and its sockets are
            # the parent's. Keep them referenced, never closed, never awaited.
            _ORPHANS.append((self._client, self._io))
            self._lock = threading.Lock()  # may have been held by a parent thread at fork time
            self._io = None
            self._warned_loop = False
            if not self._closed:
                self._client = self._factory()
            self._pid = os.getpid()

    def target(self, path: str) -> Any:
        """The async client (``path=""``) or one of its resources, e.g. ``"payouts"``."""
        self._check_fork()
        if self._closed:
            raise ClientStateError(CLOSED)
        return getattr(self._client, path) if path else self._client

    def _io_for_call(self) -> PortalThread:
        self._check_fork()
        io = self._io
        if io is None:
            with self._lock:
                if self._closed:
                    raise ClientStateError(CLOSED)
                if self._io is None:
                    self._io = PortalThread()
                io = self._io
        elif io.on_loop_thread():
            raise ClientStateError(REENTRANT)
        if not self._warned_loop and _in_running_loop():
            self._warned_loop = True
            warnings.warn(IN_RUNNING_LOOP, RuntimeWarning, stacklevel=4)
        return io

    # -- calls -------------------------------------------------------------------------------

    def run(
        self,
        make: Callable[[], Awaitable[T]],
        *,
        operation: Callable[[], Operation | None] | None = None,
    ) -> T:
        """Run ``make()`` on the loop and wait for its result.

        Args:
            make: builds the awaitable; it is called on the loop thread.
            operation: on interruption, tells which operation was running; if it moves money
                the ``KeyboardInterrupt`` is raised from an ``OutcomeUnknownError``.
        """
        io = self._io_for_call()
        flight = _Flight()
        try:
            future = io.portal.start_task_soon(_fly, flight, make)
        except RuntimeError:
            raise ClientStateError(CLOSED) from None  # closed by another thread meanwhile
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            if not future.cancelled():
                raise
            # Only close() cancels a task behind a waiting caller's back.
            op = operation() if operation is not None else None
            if op is not None and op.moves_money:
                raise interrupted(op) from None
            raise ClientStateError(CLOSED_IN_FLIGHT) from None
        except BaseException as exc:
            if future.done() and not future.cancelled() and future.exception() is exc:
                raise  # the call's own outcome
            future.cancel()
            flight.done.wait(CANCEL_GRACE)
            op = operation() if operation is not None and flight.started else None
            if op is not None and op.moves_money:
                raise exc from interrupted(op)
            raise

    def iterate(self, make: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
        """Walk an async iterator (built by ``make``), one item per round trip to the loop."""
        iterator = make()
        try:
            while True:
                try:
                    item = self.run(iterator.__anext__)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            aclose: Callable[[], Awaitable[object]] | None = getattr(iterator, "aclose", None)
            io = self._io
            usable = not self._closed and self._pid == os.getpid() and io is not None
            # Otherwise (closed, forked, collected on the loop thread, still running after an
            # interrupt) the loop's async-generator hooks finalize it when it is collected.
            if aclose is not None and usable and io is not None and not io.on_loop_thread():
                with contextlib.suppress(RuntimeError):
                    self.run(aclose)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the session on its own loop, stop the loop and join its thread. Idempotent."""
        self._check_fork()
        with self._lock:
            if self._closed:
                return
            io = self._io
            if io is not None and io.on_loop_thread():
                raise ClientStateError(
                    "A PayCombat client cannot be closed from its own event loop thread."
                )
            self._closed = True
            self._io = None
        _RUNNERS.discard(self)
        if io is None:
            return
        try:
            io.portal.call(self._client.aclose)
        finally:
            io.stop()

    def collected(self, description: str) -> None:
        """The blocking client was garbage-collected: warn if it still held a thread, and close."""
        if self._closed or self._pid != os.getpid() or self._io is None:
            return
        warnings.warn(
            f"unclosed {description}: call close() or use `with PayCombat(...) as client:`",
            ResourceWarning,
            stacklevel=2,
        )
        if self._io.on_loop_thread():
            # Collected on our own loop: closing would wait for this very thread.
            threading.Thread(target=self.close, name=f"{THREAD_NAME}-close", daemon=True).start()
        else:
            self.close()

    def close_at_exit(self) -> None:
        """Close quietly and within bounds: interpreter exit must never hang."""
        if self._closed or self._pid != os.getpid():
            return
        with self._lock:
            io, self._io = self._io, None
            self._closed = True
        if io is None or io.on_loop_thread():
            return
        with contextlib.suppress(Exception):  # best effort: exit goes on regardless
            io.portal.start_task_soon(self._client.aclose).result(EXIT_GRACE)
        io.stop(timeout=EXIT_GRACE)


_RUNNERS: weakref.WeakSet[Runner] = weakref.WeakSet()
_ORPHANS: list[tuple[AsyncPayCombat, PortalThread | None]] = []
_FORK_LOCK = threading.Lock()


def _reset_after_fork() -> None:
    global _FORK_LOCK  # a lock another thread held at fork time would stay held
    _FORK_LOCK = threading.Lock()


def _close_all_at_exit() -> None:
    for runner in list(_RUNNERS):
        runner.close_at_exit()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
atexit.register(_close_all_at_exit)
