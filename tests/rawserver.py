"""A raw asyncio socket server for faults that must be exact, byte for byte.

Unlike ``aiohttp.web`` (or the sandbox), nothing here is HTTP-correct on purpose: a test scripts
what happens after each request is read (answer, reset, close, stall, drip, stream forever) and
sees every request exactly as it arrived, with the connection it came on::

    async with RawServer() as server, client_for(server) as client:
        server.then(reset())
        ...
        assert len(server.requests) == 1

Requests beyond the script get ``server.default`` (a 200 with an empty ``data`` object). On exit
every stalled action is released, every connection closed and awaited, so nothing leaks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

__all__ = [
    "Action",
    "Exchange",
    "RawRequest",
    "RawServer",
    "chunked",
    "close",
    "drip",
    "endless_chunked",
    "envelope",
    "reset",
    "respond",
    "send_raw",
    "stall",
]


@attrs.frozen
class RawRequest:
    """One request as the server read it off the socket."""

    method: str
    target: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes
    connection: int
    """The number of the connection it arrived on (0 for the first accepted)."""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)


@attrs.define
class Exchange:
    """What an action gets: the request just read, and the connection to answer it on."""

    request: RawRequest
    writer: asyncio.StreamWriter
    server: RawServer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


Action = Callable[[Exchange], Awaitable[bool]]
"""Answers one request; returns whether the connection stays open for the next one."""


def envelope(data: Any = None, **fields: Any) -> bytes:
    """A PayCombat success envelope around ``data`` (``status`` etc. overridable)."""
    document = {"status": True, "message": "OK", "data": {} if data is None else data}
    document.update(fields)
    return json.dumps(document).encode()


def _head(status: int, headers: dict[str, str], reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(
    status: int = 200,
    body: bytes | str = b"",
    *,
    headers: dict[str, str] | None = None,
    keep_alive: bool = True,
) -> Action:
    """A complete response with a Content-Length (JSON content type unless given)."""
    raw = body.encode() if isinstance(body, str) else body
    fields = {"Content-Type": "application/json", "Content-Length": str(len(raw))}
    fields.update(headers or {})
    fields["Connection"] = "keep-alive" if keep_alive else "close"

    async def action(exchange: Exchange) -> bool:
        await exchange.send(_head(status, fields) + raw)
        return keep_alive

    return action


def send_raw(data: bytes) -> Action:
    """Exactly these bytes, then the connection is closed."""

    async def action(exchange: Exchange) -> bool:
        await exchange.send(data)
        return False

    return action


def reset() -> Action:
    """A TCP reset (RST) after the request was read in full: it arrived, nothing answered."""

    async def action(exchange: Exchange) -> bool:
        sock = exchange.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        exchange.writer.transport.abort()
        return False

    return action


def close() -> Action:
    """A clean close (FIN) after the request was read in full, without an answer."""

    async def action(exchange: Exchange) -> bool:
        return False

    return action


def stall(then: Action | None = None, *, until: asyncio.Event | None = None) -> Action:
    """No answer until ``until`` is set (or the server shuts down); then ``then``, if given."""

    async def action(exchange: Exchange) -> bool:
        waits = [asyncio.ensure_future(exchange.server.released.wait())]
        if until is not None:
            waits.append(asyncio.ensure_future(until.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
        if then is None or exchange.server.released.is_set():
            return False
        return await then(exchange)

    return action


def drip(status: int, body: bytes, *, every: float) -> Action:
    """The whole response (status line included), one byte per ``every`` seconds."""
    raw = _head(status, {"Content-Type": "application/json", "Content-Length": str(len(body))})
    raw += body

    async def action(exchange: Exchange) -> bool:
        for position in range(len(raw)):
            await exchange.send(raw[position : position + 1])
            await asyncio.sleep(every)  # the fault itself: a slow server, not a wait in a test
        return True

    return action


def chunked(status: int, body: bytes, *, size: int = 100) -> Action:
    """A complete body in chunks of ``size`` bytes, with no Content-Length."""
    head = _head(status, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    frames = [body[i : i + size] for i in range(0, len(body), size)]
    raw = b"".join(f"{len(frame):x}\r\n".encode() + frame + b"\r\n" for frame in frames)

    async def action(exchange: Exchange) -> bool:
        await exchange.send(head + raw + b"0\r\n\r\n")
        return True

    return action


def endless_chunked(status: int = 200, chunk: bytes = b" " * 65536) -> Action:
    """A chunked body that never ends (until the client hangs up or the server shuts down)."""
    head = _head(status, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"

    async def action(exchange: Exchange) -> bool:
        exchange.server.streams += 1
        await exchange.send(head + b"1\r\n{\r\n")
        while not exchange.writer.is_closing():
            await exchange.send(frame)
        return False

    return action


class RawServer:
    """A loopback HTTP/1.1 server that follows a script, one action per request."""

    def __init__(self) -> None:
        self.script: list[Action] = []
        self.default: Action = respond(200, envelope())
        self.requests: list[RawRequest] = []
        self.connections = 0
        self.streams = 0
        self.base_url = ""
        self.released = asyncio.Event()
        self._arrived = asyncio.Condition()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None

    def then(self, *actions: Action) -> RawServer:
        """Queue actions for the next requests, in order."""
        self.script.extend(actions)
        return self

    async def wait_for_requests(self, count: int) -> None:
        """Until ``count`` requests have been read in full."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self.requests) >= count)

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.released.set()
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        number, self.connections = self.connections, self.connections + 1
        try:
            while True:
                request = await _read_request(reader, number)
                if request is None:
                    break
                async with self._arrived:
                    self.requests.append(request)
                    self._arrived.notify_all()
                action = self.script.pop(0) if self.script else self.default
                if not await action(Exchange(request, writer, self)):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up: that is what several faults provoke
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader, connection: int) -> RawRequest | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        return None  # the client closed an idle keep-alive connection
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return RawRequest(method, target, headers, body, connection)
