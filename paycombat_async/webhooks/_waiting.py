"""``wait_for``: wait until a payin or payout reaches a status, within one deadline.

A receiver running in the same process (``paycombat_async.webhooks`` or ``paycombat_sync.webhooks``)
notifies the waiters of the object a notification is about, through the small registry below;
between notifications the waiter polls Retrieve with jittered exponential backoff. Waiters and
receivers may live on different threads and event loops (a Flask thread, a blocking client's
portal): a notification reaches a waiter through its own loop's ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeVar

import anyio
import attrs

from .._exceptions import APITimeoutError, ValidationError
from ..models.payin import Payin
from ..models.payout import Payout

if TYPE_CHECKING:
    from ._events import WebhookEvent

__all__ = ["PAYIN", "PAYOUT", "TrackedKind", "notify", "wait_for"]


class _Tracked(Protocol):
    """What ``wait_for`` reads of a payin or payout."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> object: ...


M = TypeVar("M", bound=_Tracked)
MAX_POLL_INTERVAL = 30.0


class _Waiter:
    """One ``wait_for`` call: the notifications that reached it, and an event on its loop."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.arrived = asyncio.Event()
        self.events: collections.deque[WebhookEvent] = collections.deque()

    def deliver(self, event: WebhookEvent) -> None:
        """Called from any thread."""

        def on_loop() -> None:
            self.events.append(event)
            self.arrived.set()

        with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits any more
            self.loop.call_soon_threadsafe(on_loop)

    async def next(self) -> WebhookEvent:
        while not self.events:
            self.arrived.clear()
            await self.arrived.wait()
        return self.events.popleft()


_lock = threading.Lock()
_waiters: dict[tuple[str, str], set[_Waiter]] = {}


def _register(key: tuple[str, str], waiter: _Waiter) -> None:
    with _lock:
        _waiters.setdefault(key, set()).add(waiter)


def _unregister(keys: Iterable[tuple[str, str]], waiter: _Waiter) -> None:
    with _lock:
        for key in keys:
            found = _waiters.get(key)
            if found is not None:
                found.discard(waiter)
                if not found:
                    del _waiters[key]


def notify(event: WebhookEvent) -> None:
    """Tell the waiters on ``event``'s object that a notification about it was received."""
    with _lock:
        waiters = list(_waiters.get((event.object_type, event.object_id), ()))
    for waiter in waiters:
        waiter.deliver(event)


def _check(statuses: Iterable[Any], timeout: float, poll_interval: float) -> frozenset[str]:
    if isinstance(statuses, str):
        statuses = [statuses]
    targets = frozenset(str(s) for s in statuses)
    if not targets:
        raise ValidationError("give at least one status to wait for", field="statuses")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValidationError(
            f"must be a positive number of seconds, got {timeout!r}", field="timeout"
        )
    if (
        isinstance(poll_interval, bool)
        or not isinstance(poll_interval, (int, float))
        or not poll_interval > 0
    ):
        raise ValidationError(
            f"must be a positive number of seconds, got {poll_interval!r}", field="poll_interval"
        )
    return targets


async def wait_for(
    retrieve: Callable[[str], Awaitable[M]],
    from_event: Callable[[WebhookEvent], M | None],
    object_type: str,
    object_id: str,
    statuses: Iterable[Any],
    *,
    timeout: float,  # the deadline is this function's subject, as in asyncio.wait_for
    poll_interval: float,
) -> M:
    """Retrieve ``object_id`` until its status is in ``statuses``; a verified notification in
    between returns at once, an unverified one triggers an immediate Retrieve.

    Raises:
        APITimeoutError: the deadline passed first (no Retrieve runs past it).
        ValidationError: no status, or a timeout/poll interval that is not positive.
    """
    targets = _check(statuses, timeout, poll_interval)
    deadline = anyio.current_time() + timeout
    waiter = _Waiter()
    keys = {(object_type, object_id)}
    _register((object_type, object_id), waiter)
    delay = float(poll_interval)
    try:
        while True:
            current: M | None = None
            with anyio.move_on_after(deadline - anyio.current_time()):
                current = await retrieve(object_id)
            if current is None:
                break
            if str(current.status) in targets:
                return current
            if (object_type, current.id) not in keys:  # found by its other (Finmo) id
                keys.add((object_type, current.id))
                _register((object_type, current.id), waiter)
            remaining = deadline - anyio.current_time()
            if remaining <= 0:
                break
            with anyio.move_on_after(min(delay * random.uniform(0.8, 1.0), remaining)):
                event = await waiter.next()
                model = from_event(event) if event.verified else None
                if model is not None and str(event.status) in targets:
                    return model
                continue  # unverified, or another status: confirm with Retrieve right away
            delay = min(delay * 2, MAX_POLL_INTERVAL)
    finally:
        _unregister(keys, waiter)
    wanted = ", ".join(sorted(targets))
    raise APITimeoutError(
        f"{object_type.capitalize()} {object_id} did not reach {wanted} within {timeout:g}s"
    )


F = TypeVar("F", bound=Callable[..., Any])


@attrs.frozen
class TrackedKind(Generic[M]):
    """What tells waiting on a payin from waiting on a payout."""

    object_type: str
    """The notifications' ``type`` (``"PAYIN"``), and the waiters' registry key."""
    model: type[M]
    event_attribute: str
    """The attribute of a notification's event that holds the full row (``event.payin``)."""
    final_statuses: tuple[str, ...]
    """What ``wait_for`` waits for when no status is given."""

    def from_event(self, event: WebhookEvent) -> M | None:
        """The row a notification carries, if it is about this kind of object."""
        model = getattr(event, self.event_attribute, None)
        return model if isinstance(model, self.model) else None

    async def wait_for(
        self,
        retrieve: Callable[[str], Awaitable[M]],
        object_id: str,
        statuses: Iterable[Any] | None,
        *,
        timeout: float,  # see wait_for
        poll_interval: float,
    ) -> M:
        """``client.payins.wait_for``, ``client.payouts.wait_for``: :func:`wait_for` on this kind
        of object (default: any final status)."""
        return await wait_for(
            retrieve,
            self.from_event,
            self.object_type,
            object_id,
            self.final_statuses if statuses is None else statuses,
            timeout=timeout,
            poll_interval=poll_interval,
        )

    def documented(self, method: F) -> F:
        """Give a resource's ``wait_for`` method its docstring, written once for both kinds."""
        noun = self.object_type.lower()
        summary = f"Wait until a {noun} reaches one of ``statuses`` (default: any final status)."
        method.__doc__ = f"""{summary}

        A {noun}'s final statuses are {", ".join(self.final_statuses)}. Returns as soon as a
        webhook receiver in this process (``paycombat_async.webhooks`` or
        ``paycombat_sync.webhooks``) gets a verified notification for it; otherwise polls
        Retrieve {noun.capitalize()} every ``poll_interval`` seconds, backing off, never past
        ``timeout``.

        Raises:
            APITimeoutError: the {noun} did not reach ``statuses`` within ``timeout`` seconds.
            NotFoundError: no such {noun}.
        """
        return method


PAYIN: Final = TrackedKind("PAYIN", Payin, "payin", ("SUCCESS", "FAILED", "EXPIRED", "CANCELLED"))
PAYOUT: Final = TrackedKind("PAYOUT", Payout, "payout", ("SUCCESS", "FAILED", "RETURNED"))
