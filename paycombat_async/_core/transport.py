"""The wire: one aiohttp session per client, and what an attempt has seen of it.

The seam between the pipeline and aiohttp. ``Attempt.connected`` tells the pipeline whether a
request may have reached PayCombat: it is set once the request holds a connection, which precedes
sending, so it errs the safe way (a request that only waited for the pool or for DNS provably
sent nothing).
"""

from __future__ import annotations

import asyncio
from types import CodeType
from typing import Any, Protocol

import aiohttp

from .._exceptions import ConfigurationError
from .._version import __version__
from .config import ClientConfig

__all__ = ["USER_AGENT", "Attempt", "Attempts", "new_session"]

USER_AGENT = f"paycombat-python/{__version__} aiohttp/{aiohttp.__version__}"


class Attempt(Protocol):
    """What the wire tells of one attempt: whether it may have reached PayCombat."""

    connected: bool
    """A connection was handed to the request, so its bytes may have left (erring to "sent")."""


class Attempts:
    """The attempts in flight on one session, by the task making each.

    Found by task rather than through a context variable: setting one gives the task's context a
    mapping of its own that lives as long as the task, and a ``gather`` keeps all of its tasks
    until the last one ends, for every full garbage collection to walk. The task is looked up on
    the session's own loop: on Python 3.11 ``asyncio.current_task()`` without one asks for the
    running loop, which costs a ``getpid()`` system call each time (none on 3.12+;
    ``benchmarks/PERFORMANCE.md``, "The speed exceptions").
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._by_task: dict[asyncio.Task[Any] | None, Attempt] = {}

    def current_task(self) -> asyncio.Task[Any] | None:
        return asyncio.current_task(self._loop)

    def track(self, task: asyncio.Task[Any] | None, attempt: Attempt) -> None:
        """Have the connector mark ``attempt`` for ``task``'s request (the current task's);
        ``untrack`` it after."""
        attempt.connected = False
        self._by_task[task] = attempt

    def untrack(self, task: asyncio.Task[Any] | None) -> None:
        del self._by_task[task]

    def connected(self) -> None:
        """The current task's request holds a connection now."""
        attempt = self._by_task.get(asyncio.current_task(self._loop))
        if attempt is not None:
            attempt.connected = True


class _Connector(aiohttp.TCPConnector):
    """Marks the current attempt as possibly sent once it holds a connection.

    Cheaper than an aiohttp trace on every request (aiohttp's ``on_request_headers_sent`` fires
    before the headers are written anyway).
    """

    def __init__(self, attempts: Attempts, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.attempts = attempts

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        connection = await super().connect(req, traces, timeout)
        self.attempts.connected()
        return connection


def new_session(
    config: ClientConfig, loop: asyncio.AbstractEventLoop
) -> tuple[aiohttp.ClientSession, Attempts]:
    """The session a client's calls share, on ``loop`` (the running one), and what its
    connector tells of their attempts."""
    attempts = Attempts(loop)
    session = aiohttp.ClientSession(
        connector=_Connector(attempts, limit=config.max_connections),
        timeout=aiohttp.ClientTimeout(total=None),  # the call's deadline governs
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        },
        # Bodies are decompressed by response.read_body, under the size cap.
        auto_decompress=False,
    )
    switch_off_resends(session)
    return session, attempts


RESEND_SWITCH = "_retry_connection"
"""aiohttp's switch for resending a request on a pooled connection found closed (private: aiohttp
has no public one; its own ``test_utils.TestClient`` turns it off the same way)."""


def switch_off_resends(session: aiohttp.ClientSession) -> None:
    """Stop ``session`` resending requests behind our back, or raise ``ConfigurationError``.

    aiohttp resends PUT/DELETE/GET once when a pooled connection turns out to be closed, even if
    the server had read the request. Only the retry policy may resend (pinned by
    ``tests/reliability/test_transport.py`` on a raw server). The switch is private, so a
    renamed or removed one must not pass silently: the session must have it (a bool) and
    aiohttp's request code must read it; otherwise the session is detached (nothing to close:
    it has no connection yet) and the client refuses to start.
    """
    switch = getattr(session, RESEND_SWITCH, None)
    if not isinstance(switch, bool) or not _reads_resend_switch(type(session)):
        session.detach()
        raise ConfigurationError(
            f"aiohttp {aiohttp.__version__} has no {RESEND_SWITCH!r} switch that paycombat can "
            "turn off, so it could resend a PUT or DELETE the server had already read. Install "
            "an aiohttp version that paycombat supports (see its requirements)."
        )
    session._retry_connection = False


_READS_SWITCH: dict[type[aiohttp.ClientSession], bool] = {}


def _reads_resend_switch(session_class: type[aiohttp.ClientSession]) -> bool:
    """Whether ``session_class``'s request code reads the switch (looked at once per class)."""
    reads = _READS_SWITCH.get(session_class)
    if reads is None:
        code = getattr(getattr(session_class, "_request", None), "__code__", None)
        reads = isinstance(code, CodeType) and _names_attribute(code, RESEND_SWITCH)
        _READS_SWITCH[session_class] = reads
    return reads


def _names_attribute(code: CodeType, name: str) -> bool:
    """Whether ``code``, or a function or class defined in it, names attribute ``name``."""
    return name in code.co_names or any(
        _names_attribute(const, name) for const in code.co_consts if isinstance(const, CodeType)
    )
