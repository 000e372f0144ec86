"""An asyncio event loop on an OS thread of its own, driven through an anyio BlockingPortal.

The loop runs on a named daemon thread that this module starts and joins itself rather than
through ``anyio.from_thread.start_blocking_portal``: that context manager is a generator, and one
left open (a client never closed, or inherited by a forked child) joins its thread from the
generator's finalizer at interpreter exit, which hangs when the thread is gone or blocked.

Two things here keep the loop out of other people's way:

* Blocking work the loop hands to threads (aiohttp resolves host names with ``getaddrinfo`` in
  the loop's default executor) runs on daemon threads that stopping the loop never waits for, so
  a DNS lookup stuck for seconds cannot hold ``close()`` or interpreter exit.
* gevent: once gevent has monkey-patched ``threading`` (gunicorn ``-k gevent``, with paycombat
  imported before or after patching), the loop still gets a real OS thread, and a greenlet that
  waits for it lets the other greenlets run (``wait``, ``finished``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import importlib
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from anyio.from_thread import BlockingPortal

__all__ = ["THREAD_NAME", "PortalThread", "finished", "gevent_monkey", "wait"]

T = TypeVar("T")

THREAD_NAME = "paycombat-io"


class PortalThread:
    """An asyncio event loop on a named daemon thread, driven through an anyio BlockingPortal."""

    loop: asyncio.AbstractEventLoop
    stopping: asyncio.Task[None]

    def __init__(self, name: str = THREAD_NAME) -> None:
        ready: concurrent.futures.Future[BlockingPortal] = concurrent.futures.Future()

        async def serve() -> None:
            self.ident = threading.get_ident()
            self.loop = asyncio.get_running_loop()
            self.loop.set_default_executor(_DaemonThreads())
            async with BlockingPortal() as portal:
                ready.set_result(portal)
                await portal.sleep_until_stopped()

        # Held while the loop runs: its end, waitable without a wake-up from the loop's side.
        self.running = _os_lock()
        self.running.acquire()

        def run() -> None:
            try:
                # aiohttp is asyncio-only
                anyio.run(serve, backend="asyncio", backend_options={"loop_factory": _Loop})
            except BaseException as exc:
                if ready.done():
                    raise
                ready.set_exception(exc)
            finally:
                self.running.release()

        self.thread, self.finished = _start_thread(run, name)
        try:
            self.portal = wait(ready)
        except BaseException:
            # Interrupted while the loop was starting: stop it once it has, from another thread.
            _start_thread(functools.partial(_stop_when_started, ready), f"{name}-stop")
            raise

    def on_loop_thread(self) -> bool:
        """Whether the caller is running on this loop's thread."""
        return threading.get_ident() == self.ident

    def stop(self, *, timeout: float | None = None) -> None:
        """Cancel what still runs on the loop, stop it and join the thread (from another thread)."""
        # RuntimeError: already stopped. TimeoutError: a stuck loop; the thread is a daemon.
        with contextlib.suppress(
            RuntimeError,
            TimeoutError,
            concurrent.futures.TimeoutError,  # not yet the builtin one on Python 3.10
            concurrent.futures.CancelledError,
        ):
            self.portal.start_task_soon(self.portal.stop, True).result(timeout)
        if self.thread is not None:
            self.thread.join(timeout)
        else:
            with contextlib.suppress(TimeoutError, concurrent.futures.TimeoutError):
                self.finished.result(timeout)

    def stop_soon(self, first: Callable[[], Awaitable[object]]) -> None:
        """Run ``first()``, then stop the loop, without waiting for any of it.

        For a caller that cannot wait on another thread: once gevent has patched ``threading``,
        waiting on this thread would block the gevent hub with nothing to wake it.
        """

        async def first_then_stop() -> None:
            with contextlib.suppress(Exception):
                await first()
            await self.portal.stop(True)

        def start() -> None:
            self.stopping = self.loop.create_task(first_then_stop())

        with contextlib.suppress(RuntimeError):  # the loop has already ended
            self.loop.call_soon_threadsafe(start)

    def wait_ended(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the loop to end, holding the calling OS thread
        (under gevent, its hub too); whether it has ended.

        For interpreter exit under gevent, where the hub may never run again to be woken:
        a process that exits while the loop still closes its pool tears the interpreter down
        under a running thread (``malloc(): ... corrupted`` on Python 3.12).
        """
        if not self.running.acquire(timeout=timeout):
            return False
        self.running.release()
        return True


class _Loop(asyncio.SelectorEventLoop):
    """The loop, whose default executor (``_DaemonThreads``) has nothing to shut down.

    ``asyncio.Runner`` shuts the default executor down from a new thread, which Python 3.12+
    cannot start at interpreter exit (when an unclosed client is closed) and which would wait
    for a stuck ``getaddrinfo``.
    """

    async def shutdown_default_executor(self, timeout: float | None = None) -> None:
        """Nothing to wait for: every job runs on its own daemon thread."""


class _DaemonThreads(concurrent.futures.ThreadPoolExecutor):
    """The loop's default executor: each job on its own daemon thread; shutdown never waits.

    aiohttp's default resolver runs ``getaddrinfo`` here. Stopping the loop (``asyncio.run`` and
    anyio shut the default executor down and wait for it) must not wait for a lookup stuck for
    seconds, and a daemon thread does not hold up interpreter exit either.
    """

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed over to whoever awaits it
                future.set_exception(exc)
            else:
                future.set_result(result)

        _start_thread(work, f"{THREAD_NAME}-blocking")
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to stop: every job runs on its own daemon thread."""


def _start_thread(
    target: Callable[[], None], name: str
) -> tuple[threading.Thread | None, concurrent.futures.Future[None]]:
    """Run ``target`` on a new daemon OS thread: the thread (unless gevent), and its end.

    Once gevent has patched ``threading``, ``threading.Thread`` starts a greenlet in the caller's
    own thread, where an asyncio loop would stall gevent's hub and be stalled by it; the loop
    needs an OS thread of its own, started with the function gevent kept aside.
    """
    finished: concurrent.futures.Future[None] = concurrent.futures.Future()

    def main() -> None:
        try:
            target()
        finally:
            finished.set_result(None)

    monkey = gevent_monkey()
    if monkey is None:
        thread = threading.Thread(target=main, name=name, daemon=True)
        thread.start()
        return thread, finished
    # The new thread makes its own gevent hub (asyncio's sockets are gevent's now). Two threads
    # making their first hub at once deadlock on gevent's import locks: make ours first.
    importlib.import_module("gevent").get_hub()
    monkey.get_original("_thread", "start_new_thread")(main, ())
    return None, finished


def _os_lock() -> Any:
    """A lock of the OS (``threading.Lock`` is gevent's once gevent has patched it)."""
    monkey = gevent_monkey()
    if monkey is None:
        return threading.Lock()
    return monkey.get_original("_thread", "allocate_lock")()


def _stop_when_started(ready: concurrent.futures.Future[BlockingPortal]) -> None:
    with contextlib.suppress(Exception):
        portal = ready.result()
        portal.call(portal.stop, True)


def wait(future: concurrent.futures.Future[T]) -> T:
    """``future.result()``, which under gevent lets other greenlets run meanwhile."""
    if gevent_monkey() is not None:
        finished(future, None)
    return future.result()


def finished(future: concurrent.futures.Future[Any], timeout: float | None) -> bool:
    """Wait until ``future`` is done, at most ``timeout`` seconds (``None``: no limit); whether
    it is. Under gevent the waiting greenlet lets the others run meanwhile.

    A greenlet blocked on a patched lock that another OS thread releases leaves gevent's hub
    with nothing to wait for ("LoopExit: This operation would block forever"), and an OS lock
    blocks the hub itself. An async watcher is gevent's way for another thread to wake it, as its
    own thread pool does: ``future`` may be completed on any thread, or by another greenlet.
    """
    if future.done():
        return True
    monkey = gevent_monkey()
    if monkey is None:
        concurrent.futures.wait((future,), timeout)
        return future.done()
    gevent = importlib.import_module("gevent")  # imported already, since it patched
    woken = importlib.import_module("gevent.event").Event()
    watcher = gevent.get_hub().loop.async_()
    watcher.start(woken.set)
    # An OS lock, held only to send or to stop sending: never across a switch.
    sending = monkey.get_original("_thread", "allocate_lock")()
    waiting = [True]

    def wake(_: object) -> None:  # on whichever thread completes the future
        with sending:
            if waiting[0]:
                watcher.send()

    try:
        future.add_done_callback(wake)
        woken.wait(timeout)
    finally:
        with sending:
            waiting[0] = False  # interrupted (a gevent.Timeout, a kill): no late send
        watcher.stop()
        watcher.close()
    return future.done()


def gevent_monkey() -> Any:
    """``gevent.monkey`` if it has patched ``threading`` in this process, else ``None``."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey if monkey is not None and monkey.is_module_patched("threading") else None
