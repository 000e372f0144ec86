"""The client-wide rate limiter: requests per second and requests in flight, slowing on 429.

Every request of a client goes through one ``Limiter`` (the pipeline acquires and releases it
around each call, outside the call's deadline, so waiting here never burns it), shared by every
task and every batch. The rate is a leaky bucket from ``aiolimiter``; a 429 pauses every new
request for the server's ``Retry-After`` (PayCombat docs: Errors, 429 Too Many Requests) and
halves the rate until ``RECOVER_AFTER`` seconds pass without another one.
"""

from __future__ import annotations

import asyncio
import collections
import time
from typing import TYPE_CHECKING

from .._exceptions import ConfigurationError

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

__all__ = ["Limiter"]

DEFAULT_PAUSE = 0.5
"""Seconds every new request waits after a 429 that sent no ``Retry-After``."""
RECOVER_AFTER = 10.0
"""Seconds without a 429 after which a slowed-down rate returns to the configured one."""


class Limiter:
    """Requests per second and requests in flight, for every request of one client.

    Args:
        rate: requests per second (``None``: no rate cap; 429s still pause new requests).
        max_in_flight: requests in flight at once (``None``: the connection pool bounds it).
    """

    def __init__(self, rate: float | None = None, max_in_flight: int | None = None) -> None:
        if rate is not None and not rate > 0:
            raise ConfigurationError("rate_limit must be a positive number of requests per second")
        if max_in_flight is not None and max_in_flight < 1:
            raise ConfigurationError("max_in_flight must be at least 1")
        self.rate = rate
        self.max_in_flight = max_in_flight
        self._bucket: AsyncLimiter | None = None
        self._bucket_rate: float | None = None
        self._gate: _Places | None = None
        self._paused_until = 0.0
        self._slowed_at: float | None = None

    def __repr__(self) -> str:
        return f"<Limiter rate={self.rate} max_in_flight={self.max_in_flight}>"

    @property
    def current_rate(self) -> float | None:
        """The rate in force now: the configured one, or half of it after a recent 429."""
        if self.rate is None:
            return None
        if self._slowed_at is not None and time.monotonic() - self._slowed_at < RECOVER_AFTER:
            return max(self.rate / 2, min(self.rate, 1.0))
        self._slowed_at = None
        return self.rate

    def enter(self) -> bool:
        """Take a place in flight now, if nothing is to be waited for: no rate cap, no 429
        pause, a free place and no one queued before this call. ``False``: ``await acquire()``
        instead. Pair a ``True`` with ``release()``.

        The common path of every call: unlike ``await acquire()`` it creates no coroutine and no
        waiter.
        """
        # (no clock read until a 429 has paused the client once)
        if self.rate is not None or (self._paused_until and self._paused_until > time.monotonic()):
            return False
        if self.max_in_flight is None:
            return True
        return self._places(self.max_in_flight).take_now()

    async def acquire(self) -> None:
        """Wait for a place in flight and a token of the rate; pair with ``release()``."""
        if self.max_in_flight is not None:
            await self._places(self.max_in_flight).take()
        try:
            if self.rate is not None or self._paused_until > time.monotonic():
                await self.pace()  # (skipped on the common path: no rate cap, no 429 pause)
        except BaseException:
            self.release()
            raise

    def _places(self, max_in_flight: int) -> _Places:
        """The places in flight, created when the first one is taken."""
        if self._gate is None:
            self._gate = _Places(max_in_flight)
        return self._gate

    def release(self) -> None:
        """Give back the place in flight taken by ``acquire()``."""
        if self._gate is not None:
            self._gate.give()

    async def reenter(self) -> None:
        """Take a place in flight again after ``release()`` (a resend after its backoff); no
        token of the rate: ``pace()`` spaces every resend itself."""
        if self._gate is not None:
            await self._gate.take()

    async def pace(self) -> None:
        """Wait out a 429 pause and take one token of the rate (no place in flight)."""
        # A later 429 may extend the pause while this one sleeps: look again after waking.
        while (wait := self._paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        rate = self.current_rate
        if rate is None:
            return
        if self._bucket is None or self._bucket_rate != rate:
            from aiolimiter import AsyncLimiter  # only a rate cap needs it: 6 ms less to import

            # A bucket of one second's worth: bursts up to ``rate`` requests, then ``rate``/s.
            self._bucket = AsyncLimiter(max(rate, 1.0), max(rate, 1.0) / rate)
            self._bucket_rate = rate
        await self._bucket.acquire()

    def slot(self) -> _Slot:
        """``async with limiter.slot():`` around one request."""
        return _Slot(self)

    def throttle(self, retry_after: float | None) -> None:
        """The server answered 429: pause new requests, and slow the rate for a while."""
        pause = DEFAULT_PAUSE if retry_after is None else max(0.0, retry_after)
        self._paused_until = max(self._paused_until, time.monotonic() + pause)
        if self.rate is not None:
            self._slowed_at = time.monotonic()


class _Places:
    """The places in flight: a FIFO semaphore that can also be taken without waiting.

    ``asyncio.Semaphore`` has no public way to take a free place without a coroutine (its
    ``acquire`` allocates four objects even when it need not wait), so the count is kept here. A
    place given back while calls wait is handed to the first of them, never left for a newcomer
    to take: ``take_now()`` succeeds only with a free place and no one queued.
    """

    __slots__ = ("_free", "_queue")

    def __init__(self, places: int) -> None:
        self._free = places
        self._queue: collections.deque[asyncio.Future[None]] = collections.deque()

    def take_now(self) -> bool:
        """Take a free place if no call is queued for one; ``False`` otherwise."""
        if self._free > 0 and not self._queue:
            self._free -= 1
            return True
        return False

    async def take(self) -> None:
        """Take a place, waiting in turn for one if none is free."""
        if self.take_now():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.give()  # handed a place, then cancelled before it ran: pass the place on
            elif waiter in self._queue:  # (``give`` drops a cancelled waiter itself)
                self._queue.remove(waiter)
            raise

    def give(self) -> None:
        """Give a place back: to the first call still waiting, or to the free count."""
        queue = self._queue
        while queue:
            waiter = queue.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class _Slot:
    """``Limiter.slot()``: a plain class, as it wraps every request (cheaper than a generator)."""

    __slots__ = ("_limiter",)

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter

    async def __aenter__(self) -> None:
        if not self._limiter.enter():
            await self._limiter.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        self._limiter.release()
