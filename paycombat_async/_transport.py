"""The wire: one aiohttp session per client, and what an attempt has seen of it.

The seam between the pipeline and aiohttp. ``Attempt.connected`` tells the pipeline whether a
request may have reached PayCombat: it is set once the request holds a connection, which precedes
sending, so it errs the safe way (a request that only waited for the pool or for DNS provably
sent nothing).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import attrs

from ._config import ClientConfig
from ._version import __version__

__all__ = ["USER_AGENT", "Attempt", "attempts_of", "new_session"]

USER_AGENT = f"paycombat-python/{__version__} aiohttp/{aiohttp.__version__}"


@attrs.define(slots=True)
class Attempt:
    """What the wire has seen of one attempt: whether it may have reached PayCombat."""

    connected: bool = False
    """A connection was handed to the request, so its bytes may have left (erring to "sent")."""


class _Connector(aiohttp.TCPConnector):
    """Marks the current attempt as possibly sent once it holds a connection.

    Cheaper than an aiohttp trace on every request (aiohttp's ``on_request_headers_sent`` fires
    before the headers are written anyway). Attempts are found by their task, not through a
    context variable: setting one gives the task's context a mapping of its own that lives as
    long as the task, and a ``gather`` keeps all of its tasks until the last one ends, for every
    full garbage collection to walk (``benchmarks/PROFILE.md``).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.attempts: dict[asyncio.Task[Any] | None, Attempt] = {}

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        connection = await super().connect(req, traces, timeout)
        attempt = self.attempts.get(asyncio.current_task())
        if attempt is not None:
            attempt.connected = True
        return connection


def attempts_of(session: aiohttp.ClientSession) -> dict[asyncio.Task[Any] | None, Attempt]:
    """The attempts in flight on ``session``, by the task making each: put an ``Attempt`` there
    for as long as its request runs, and the connector marks it when it takes a connection."""
    connector = session.connector
    assert isinstance(connector, _Connector), "a session made by new_session()"
    return connector.attempts


def new_session(config: ClientConfig) -> aiohttp.ClientSession:
    """The session a client's calls share, on the running event loop."""
    session = aiohttp.ClientSession(
        connector=_Connector(limit=config.max_connections),
        timeout=aiohttp.ClientTimeout(total=None),  # the call's deadline governs
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        },
        # Bodies are decompressed by _response.read_body, under the size cap.
        auto_decompress=False,
    )
    # aiohttp resends PUT/DELETE/GET once, behind our back, when a pooled connection turns out
    # to be closed, even if the server had read the request. Only the retry policy may resend
    # (pinned by a test).
    session._retry_connection = False
    return session
