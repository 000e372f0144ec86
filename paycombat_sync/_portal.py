"""One long-lived event loop thread per client (``_loop.PortalThread``): call, iterate, close.

The async client, and so its aiohttp session, lives on that loop for the client's whole life;
every blocking call is a task submitted to it.

Guards, each checked before anything is submitted:

* fork: right after ``fork()`` the child (an at-fork hook) takes every inherited client and loop
  out of reach without touching them, and each runner builds a fresh async client and loop
  thread on its first call there. The parent's loop, epoll selector and pooled sockets are
  shared with the child (an epoll instance survives fork): closing, unregistering or even
  garbage-collecting them in the child (aiohttp's connector finalizer closes its transports,
  which unregisters their sockets from the *shared* epoll) would silently detach the parent's
  connections. So the child keeps them referenced forever; on CPython not even interpreter
  shutdown frees them.
* re-entrancy: a blocking call from the loop's own thread would wait for itself forever, so it is
  refused with ``ClientStateError``; so is a call from a thread whose running event loop serves
  the client's ``base_url`` (a ``paycombat_async.sandbox.LocalSandbox`` started on that loop).
* a running event loop in the calling thread: the call works (it runs on our loop) but blocks the
  caller's loop, so the runner warns once per client, pointing to ``paycombat_async``.
* use after close: ``ClientStateError``.

Nothing is locked across a wait. The runner's lock guards its bookkeeping only: made before gevent
patched ``threading`` (a client built in gunicorn's master with ``--preload``, or before
``patch_all()``, then re-made by the at-fork hook, still unpatched), it is an OS lock, and a
greenlet blocked on an OS lock blocks gevent's hub, with every other greenlet of that thread. So
the first call starts the loop thread with nothing locked, calls arriving meanwhile wait for that
start, and every wait (for the loop to start, for a result, for a cancelled task) is one gevent can
switch away from (``_loop.finished``).

Close is bounded (``CLOSE_GRACE``): calls in flight are cancelled first, so their callers hear
"the client was closed" (not the connection error closing the pool would cause), then the pool is
closed and the loop stopped. Under gevent the loop closes and stops itself while the caller waits
for its end cooperatively (``_loop.finished``); at interpreter exit, where gevent's hub may never
run again, by a bounded OS wait (``PortalThread.wait_ended``): an exit that overtook the loop
thread corrupted the heap.

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
import logging
import os
import sys
import threading
import time
import warnings
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, NoReturn, SupportsIndex, TypeVar
from urllib.parse import urlsplit

from paycombat_async import PayCombat as AsyncPayCombat
from paycombat_async._core.lifecycle import NOT_PICKLABLE
from paycombat_async._core.routes import Operation
from paycombat_async._exceptions import ClientStateError, OutcomeUnknownError

from ._loop import THREAD_NAME, PortalThread, finished, gevent_monkey, wait

__all__ = ["PortalThread", "Runner"]

T = TypeVar("T")

logger = logging.getLogger("paycombat")

CANCEL_GRACE = 5.0
"""Seconds an interrupted call waits for its cancelled task to finish before re-raising."""
EXIT_GRACE = 2.0
"""Seconds the at-exit close may take: interpreter exit never waits longer."""
CLOSE_GRACE = 1.0
"""Seconds ``close()`` gives the pool to close and the loop to stop before it returns anyway."""

CLOSED = "This PayCombat client is closed; create a new one."
CLOSED_IN_FLIGHT = "This PayCombat client was closed while the call was in flight."
REENTRANT = (
    "A blocking PayCombat method was called from the client's own event loop thread (from code "
    "running on that loop, e.g. a hook or callback); it would wait for itself forever. Use "
    "paycombat_async and await the call there."
)
SAME_LOOP = (
    "A blocking PayCombat call to {base_url} was made on the thread whose running event loop "
    "serves that address (a paycombat_async LocalSandbox started on this loop): the server "
    "cannot answer while this thread waits, so the call would hang until its deadline. Await "
    "paycombat_async.PayCombat instead, or run the sandbox on its own thread with "
    "paycombat_sync.sandbox.LocalSandbox."
)
IN_RUNNING_LOOP = (
    "A blocking paycombat_sync.PayCombat method was called while an event loop is running in "
    "this thread: it works, but blocks that loop until the call returns. In async code (a "
    "notebook cell, an async web framework), use paycombat_async.PayCombat and await it."
)


class _Flight:
    """One submitted call: whether its task started, and a future done once it has finished.

    A future, not an event: ``finished`` waits on it without blocking gevent's hub.
    """

    __slots__ = ("done", "started")

    def __init__(self) -> None:
        self.started = False
        self.done: concurrent.futures.Future[None] = concurrent.futures.Future()


class _Closed(Exception):
    """The loop was closed before a call could be scheduled on it."""


async def _fly(flight: _Flight, make: Callable[[], Awaitable[T]]) -> T:
    flight.started = True
    try:
        return await make()
    finally:
        flight.done.set_result(None)


def _start(
    loop: asyncio.AbstractEventLoop,
    flight: _Flight,
    make: Callable[[], Awaitable[T]],
    future: concurrent.futures.Future[T],
) -> None:
    """On the loop: run the call as a task whose outcome lands in ``future``.

    What ``asyncio.run_coroutine_threadsafe`` does, except that the caller made ``future``
    before scheduling this (see ``Runner.run``); cancelling ``future`` cancels the task.
    """
    if future.cancelled():  # the caller was interrupted before the call started
        flight.done.set_result(None)
        return
    task = loop.create_task(_fly(flight, make))

    def settle(task: asyncio.Task[T]) -> None:
        if task.cancelled():
            future.cancel()
        elif future.set_running_or_notify_cancel():  # else the caller gave up on it
            exc = task.exception()
            if exc is None:
                future.set_result(task.result())
            else:
                future.set_exception(exc)

    def cancel(future: concurrent.futures.Future[T]) -> None:
        if future.cancelled():
            with contextlib.suppress(RuntimeError):  # the loop has closed meanwhile
                loop.call_soon_threadsafe(task.cancel)

    task.add_done_callback(settle)
    future.add_done_callback(cancel)


def _serves(loop: asyncio.AbstractEventLoop, base_url: str) -> bool:
    """Whether ``loop`` runs the async ``LocalSandbox`` listening at ``base_url``."""
    server = sys.modules.get("paycombat_async.sandbox._server")  # no sandbox imported: none runs
    if server is None:
        return False
    url = urlsplit(base_url)
    serving: asyncio.AbstractEventLoop | None = server.serving_loop(url.hostname, url.port)
    return serving is loop


def order_id_of(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """The caller's own reference in a call's arguments (``order_id=``, or inside a body)."""
    for value in (kwargs, *kwargs.values(), *args):
        found = value.get("order_id") if isinstance(value, Mapping) else None
        found = found if found is not None else getattr(value, "order_id", None)
        if isinstance(found, str):
            return found
    return None


def interrupted(
    op: Operation,
    order_id: str | None = None,
    *,
    why: str = "was interrupted after it was submitted",
) -> OutcomeUnknownError:
    """The error an interrupted money-moving call raises (or is chained from).

    Not logged here: the pipeline logs the cancellation of a request that may have left, with
    the same ``order_id``, once.
    """
    return OutcomeUnknownError(
        f"{op.title} {why}: it may or may not have been processed. It was not resent. Wait for "
        "it to settle, then look it up by your own reference (order_id) before trying again.",
        method=op.method,
        path=op.path,
        order_id=order_id,
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
        # Guards the fields below. Held only to read or update them, never across anything that
        # may wait or switch greenlets: created before gevent patched ``threading`` (a client
        # built in gunicorn's master with ``--preload``, or before ``patch_all()``), it is an OS
        # lock, and a greenlet blocked on it blocks gevent's hub and every other greenlet.
        self._lock = threading.Lock()
        self._io: PortalThread | None = None
        self._starting: concurrent.futures.Future[None] | None = None  # the loop thread's start
        self._flights: set[concurrent.futures.Future[Any]] = set()
        self._closed = False
        self._warned_loop = False
        self._iterators = 0
        self._pid = os.getpid()
        _RUNNERS.add(self)

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise TypeError(NOT_PICKLABLE)

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
            if self._pid != os.getpid():
                self.forget_inherited()

    def forget_inherited(self) -> None:
        """In a forked child: drop the parent's client and loop untouched, start afresh lazily.

        The parent's loop thread does not exist here, and its loop, selector and sockets are
        shared with the parent: they are kept alive for good, never closed, never collected.
        """
        if self._io is not None or self._flights:
            keep_forever((self._client, self._io, self._flights))
            if not self._closed:
                self._client = self._factory()
        self._lock = threading.Lock()  # may have been held by a parent thread at fork time
        self._io = None
        self._starting = None  # started by a parent thread: its waiters are not here
        self._flights = set()
        self._iterators = 0
        self._warned_loop = False
        self._pid = os.getpid()

    def target(self, path: str) -> Any:
        """The async client (``path=""``) or one of its resources, e.g. ``"payouts"``."""
        self._check_fork()
        if self._closed:
            raise ClientStateError(CLOSED)
        return getattr(self._client, path) if path else self._client

    def _io_for_call(self) -> PortalThread:
        self._check_fork()

        loop = asyncio._get_running_loop()
        if loop is not None:
            base_url = self._client.config.base_url
            if _serves(loop, base_url):
                raise ClientStateError(SAME_LOOP.format(base_url=base_url))
        io = self._io
        if io is None:
            io = self._start()
        elif io.on_loop_thread():
            raise ClientStateError(REENTRANT)
        if loop is not None and not self._warned_loop:
            self._warned_loop = True
            warnings.warn(IN_RUNNING_LOOP, RuntimeWarning, stacklevel=4)
        return io

    def _start(self) -> PortalThread:
        """The loop thread, started by the first caller that needs it; the others wait for it.

        Nothing is locked while the thread starts: the starting caller waits for the loop to
        run, which under gevent switches to other greenlets, and a greenlet that then blocked on
        an OS lock held meanwhile would block gevent's hub for good. A caller that finds a start
        under way waits for that attempt (cooperatively under gevent), then looks again: if the
        starter was interrupted, the next caller starts the thread.
        """
        while True:
            starting: concurrent.futures.Future[None] | None = None
            try:
                with self._lock:
                    if self._closed:
                        raise ClientStateError(CLOSED)
                    if self._io is not None:
                        return self._io
                    under_way = self._starting
                    if under_way is None:
                        starting = self._starting = concurrent.futures.Future()
                if under_way is not None:
                    finished(under_way, None)
                    continue
                io = PortalThread()
                with self._lock:
                    adopted = not self._closed  # else close() came first: it found no thread
                    if adopted:
                        self._io = io
                if not adopted:
                    self._shutdown(io, [], CLOSE_GRACE)
                    raise ClientStateError(CLOSED)
                return io
            finally:
                if starting is not None:
                    with self._lock:
                        if self._starting is starting:
                            self._starting = None
                    starting.set_result(None)  # wakes the callers waiting for this start

    # -- calls -------------------------------------------------------------------------------

    def run(
        self,
        make: Callable[[], Awaitable[T]],
        *,
        operation: Callable[[], Operation | None] | None = None,
        call: tuple[tuple[Any, ...], Mapping[str, Any]] = ((), {}),
    ) -> T:
        """Run ``make()`` on the loop and wait for its result.

        Args:
            make: builds the awaitable; it is called on the loop thread.
            operation: on interruption, tells which operation was running; if it moves money
                the ``KeyboardInterrupt`` is raised from an ``OutcomeUnknownError``.
            call: the call's ``(args, kwargs)``, where an interrupted money move's ``order_id``
                is found for the log.
        """
        io = self._io_for_call()
        flight = _Flight()
        # The future is the caller's before anything is scheduled: a Ctrl-C that lands while
        # scheduling (the request may have left by the time this thread runs again) still
        # finds the call to cancel and to report.
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            try:
                # Straight onto the loop: a portal task costs a task group and a cancel scope
                # per call, and under gevent the portal would wait on the loop thread to submit.
                io.loop.call_soon_threadsafe(_start, io.loop, flight, make, future)
            except RuntimeError:
                raise _Closed from None  # closed by another thread meanwhile
            with self._lock:
                self._flights.add(future)
            return wait(future)
        except _Closed:
            raise ClientStateError(CLOSED) from None
        except concurrent.futures.CancelledError:
            if not future.cancelled():
                raise
            # Only close() cancels a task behind a waiting caller's back.
            op = operation() if operation is not None and flight.started else None
            if op is not None and op.moves_money:
                why = "was in flight when the client was closed"
                raise interrupted(op, order_id_of(*call), why=why) from None
            raise ClientStateError(CLOSED_IN_FLIGHT) from None
        except BaseException as exc:
            if future.done() and not future.cancelled() and future.exception() is exc:
                raise  # the call's own outcome
            future.cancel()
            finished(flight.done, CANCEL_GRACE)
            op = operation() if operation is not None and flight.started else None
            if op is not None and op.moves_money:
                raise exc from interrupted(op, order_id_of(*call))
            raise
        finally:
            with self._lock:
                self._flights.discard(future)

    def iterate(self, make: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
        """Walk an async iterator (built by ``make``), one item per round trip to the loop."""
        iterator = make()
        with self._lock:
            self._iterators += 1  # its async generator lives on this loop: no pause for fork
        try:
            while True:
                try:
                    item = self.run(iterator.__anext__)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            try:
                aclose: Callable[[], Awaitable[object]] | None = getattr(iterator, "aclose", None)
                io = self._io
                usable = not self._closed and self._pid == os.getpid() and io is not None
                # Otherwise (closed, forked, collected on the loop thread, still running after an
                # interrupt) the loop's async-generator hooks finalize it when it is collected.
                if aclose is not None and usable and io is not None and not io.on_loop_thread():
                    with contextlib.suppress(RuntimeError):
                        self.run(aclose)
            finally:
                with self._lock:  # (a forked child has reset the count: never below zero)
                    self._iterators = max(0, self._iterators - 1)

    # -- lifecycle ---------------------------------------------------------------------------

    def _take_for_close(self) -> tuple[PortalThread | None, list[concurrent.futures.Future[Any]]]:
        with self._lock:
            io, self._io = self._io, None
            flights, self._flights = list(self._flights), set()
            self._closed = True
        _RUNNERS.discard(self)
        return io, flights

    def _shutdown(
        self,
        io: PortalThread,
        flights: list[concurrent.futures.Future[Any]],
        grace: float,
        *,
        at_exit: bool = False,
    ) -> None:
        """Cancel the calls in flight, close the pool, stop the loop: all within ``grace``."""
        deadline = time.monotonic() + grace
        for future in flights:
            future.cancel()  # their callers are told "closed" now, before the pool goes
        if gevent_monkey() is not None:
            # The loop closes and stops itself (waiting on it through a patched lock would
            # block the hub); we wait for its end, or an exit could overtake it. At exit the
            # hub may never run again, so only an OS wait can tell.
            io.stop_soon(self._client.aclose)
            if at_exit:
                io.wait_ended(grace)
            else:
                finished(io.finished, grace)
            return
        # TimeoutError (a stuck close) and anything else: the loop is stopped regardless.
        with contextlib.suppress(Exception):
            io.portal.start_task_soon(self._client.aclose).result(grace)
        io.stop(timeout=max(deadline - time.monotonic(), 0.1))

    def close(self) -> None:
        """Cancel calls in flight, close the pool, stop the loop and join its thread. Idempotent.

        Returns within about ``CLOSE_GRACE`` seconds, whatever the calls in flight are doing.
        """
        self._check_fork()
        io = self._io
        if io is not None and io.on_loop_thread():
            raise ClientStateError(
                "A PayCombat client cannot be closed from its own event loop thread."
            )
        if self._closed:
            return
        io, flights = self._take_for_close()
        if io is not None:
            self._shutdown(io, flights, CLOSE_GRACE)

    def pause_before_fork(self) -> None:
        """Before ``fork()``: stop the loop thread if it is idle; the next call starts a new one.

        Python 3.12+ warns when a process with threads forks (a thread may hold a lock the child
        then waits on forever). An idle loop thread costs only its pooled connections to stop,
        reopened by the next call. A thread with a call or an iteration under way runs on.
        """
        if self._closed or self._pid != os.getpid() or gevent_monkey() is not None:
            return
        with self._lock:
            io = self._io
            if io is None or self._flights or self._iterators or io.on_loop_thread():
                return
            self._io = None
        with contextlib.suppress(Exception):  # a stuck close: the loop is stopped regardless
            io.portal.start_task_soon(self._client.pipeline.release).result(CLOSE_GRACE)
        io.stop(timeout=CLOSE_GRACE)

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
        io, flights = self._take_for_close()
        if io is not None and not io.on_loop_thread():
            self._shutdown(io, flights, EXIT_GRACE, at_exit=True)


_RUNNERS: weakref.WeakSet[Runner] = weakref.WeakSet()
_ORPHANS: list[object] = []
_FORK_LOCK = threading.Lock()


def keep_forever(inherited: object) -> None:
    """Never free ``inherited`` in this process, so that none of its finalizers ever runs.

    A list alone is not enough: interpreter shutdown clears module globals and collects what they
    held. On CPython a reference that no container owns survives even that.
    """
    _ORPHANS.append(inherited)
    try:
        import ctypes  # only ever needed in a forked child

        incref = ctypes.pythonapi.Py_IncRef
    except (ImportError, AttributeError):  # not CPython
        return
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    incref(inherited)


def _after_fork_in_child() -> None:
    global _FORK_LOCK  # a lock another thread held at fork time would stay held
    _FORK_LOCK = threading.Lock()
    # Now, not on the child's first call: a child that never touches its inherited client must
    # not tear the parent's connections down at exit either.
    for runner in list(_RUNNERS):
        runner.forget_inherited()


def _pause_all_before_fork() -> None:
    for runner in list(_RUNNERS):
        runner.pause_before_fork()


def _close_all_at_exit() -> None:
    for runner in list(_RUNNERS):
        runner.close_at_exit()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_pause_all_before_fork, after_in_child=_after_fork_in_child)
atexit.register(_close_all_at_exit)
