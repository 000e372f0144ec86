"""The receivers under their real servers, with plain, chunked and middleware-read deliveries.

aiohttp's ``handler()`` runs in this process, behind middlewares that read the body first; the
WSGI receiver runs in real gunicorn and waitress processes (``wsgi_app.py``), the Starlette
recipe in a real uvicorn process (``asgi_app.py``). Every delivery is written to the socket by
hand, so a chunked one is chunked on the wire whatever the client library would do.
"""

from __future__ import annotations

import functools
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import anyio
import anyio.to_thread
import attrs
import pytest
from aiohttp import web

from paycombat_async import PayCombat
from paycombat_async._codec.signing import js_dumps, sign
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.webhooks import PayoutSucceeded, WebhookEvent, WebhookResponse
from paycombat_async.webhooks import handler as webhook_handler
from paycombat_async.webhooks._receiver import wsgi_body
from tests.helpers import payout_args, serve_app
from tests.webhooks import asgi_app, wsgi_app
from tests.webhooks.helpers import KEY, PAYOUT_SUCCESS, Collector, payload

ROOT = Path(__file__).resolve().parents[2]
CAP = wsgi_app.CAP
assert asgi_app.CAP == CAP
STARTUP = 60.0  # seconds a server gets to listen: bounded, generous for a loaded machine
PATHS = ["/hooks", "/read-first/hooks"]


# -- deliveries, written to the socket by hand ----------------------------------------------


class Answer(NamedTuple):
    status: int
    body: dict[str, Any]
    headers: http.client.HTTPMessage


def delivery(object_id: str, **changes: Any) -> tuple[bytes, str]:
    """A documented payout row with its own id, and its signature."""
    raw = js_dumps(payload(PAYOUT_SUCCESS, id=object_id, **changes))
    return raw, sign(raw, KEY)


def post(
    port: int, path: str, raw: bytes, signature: str | None, *, chunked: bool, piece: int = 300
) -> Answer:
    """POST ``raw`` over a new connection: with a ``Content-Length``, or chunked in pieces."""
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        "Connection: close",
    ]
    if signature is not None:
        head.append(f"X-Signature: {signature}")
    if chunked:
        head.append("Transfer-Encoding: chunked")
        pieces = [raw[i : i + piece] for i in range(0, len(raw), piece)]
        frames = [b"%x\r\n%s\r\n" % (len(p), p) for p in pieces] + [b"0\r\n\r\n"]
    else:
        head.append(f"Content-Length: {len(raw)}")
        frames = [raw]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall("\r\n".join([*head, "", ""]).encode("latin-1"))
            for frame in frames:
                sock.sendall(frame)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole body was sent (413): its answer is still there
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
            data = response.read()
        finally:
            response.close()
    return Answer(response.status, json.loads(data), response.headers)


# -- real servers in subprocesses ------------------------------------------------------------


@attrs.frozen
class Server:
    name: str
    port: int
    events: Path
    dechunks: bool
    """Whether the server hands the app a dechunked body with a ``Content-Length`` (waitress)."""

    def seen(self) -> list[str]:
        """The object ids the callback was called with, in order."""
        return self.events.read_text(encoding="utf-8").split() if self.events.exists() else []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Poll the port until the server accepts connections (at most ``STARTUP`` seconds)."""
    deadline = time.monotonic() + STARTUP
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            pass
        else:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"not listening on {port} after {STARTUP}s:\n{log.read_text()}")
        try:
            process.wait(timeout=0.05)  # the pause between two polls, and a check it still runs
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"exited with {process.returncode}:\n{log.read_text()}")


COMMANDS: dict[str, Callable[[int], list[str]]] = {
    "gunicorn": lambda port: [
        *("-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"),
        *("--graceful-timeout", "5", "tests.webhooks.wsgi_app:app"),
    ],
    "waitress": lambda port: [
        *("-m", "waitress", "--listen", f"127.0.0.1:{port}", "tests.webhooks.wsgi_app:app"),
    ],
    "uvicorn": lambda port: [
        *("-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)),
        *("--no-access-log", "tests.webhooks.asgi_app:app"),
    ],
}


def run_server(name: str, workdir: Path) -> Iterator[Server]:
    port = free_port()
    events, log_path = workdir / f"{name}-events.txt", workdir / f"{name}.log"
    env = {
        **os.environ,
        "PAYCOMBAT_TEST_EVENTS": str(events),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603  # this interpreter, fixed arguments
            [sys.executable, *COMMANDS[name](port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_listening(process, port, log_path)
            yield Server(name, port, events, dechunks=name == "waitress")
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module", params=["gunicorn", "waitress", "uvicorn"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    yield from run_server(request.param, tmp_path_factory.mktemp(request.param))


# -- gunicorn, waitress, uvicorn -------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
@pytest.mark.parametrize("path", PATHS)
def test_a_signed_delivery_reaches_the_callback_once(
    server: Server, path: str, chunked: bool
) -> None:
    object_id = f"{server.name}{path}/{'chunked' if chunked else 'plain'}"
    raw, signature = delivery(object_id)
    answer = post(server.port, path, raw, signature, chunked=chunked)
    assert (answer.status, answer.body) == (200, {"received": True, "outcome": "processed"})
    if chunked and server.dechunks:
        assert answer.headers["X-Seen-Content-Length"] == str(len(raw))
    elif chunked:
        assert answer.headers["X-Seen-Transfer-Encoding"] == "chunked"
    else:
        assert answer.headers["X-Seen-Transfer-Encoding"] == ""
    again = post(server.port, path, raw, signature, chunked=not chunked)
    assert (again.status, again.body["outcome"]) == (200, "duplicate")
    assert server.seen().count(object_id) == 1


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
@pytest.mark.parametrize("path", PATHS)
def test_a_forged_delivery_gets_401(server: Server, path: str, chunked: bool) -> None:
    object_id = f"{server.name}{path}/forged/{chunked}"
    raw, _ = delivery(object_id)
    answer = post(server.port, path, raw, sign(raw, "not the key"), chunked=chunked)
    assert answer.status == 401
    assert "does not match" in answer.body["error"]
    assert post(server.port, path, raw[:-9], sign(raw, KEY), chunked=chunked).status == 401
    assert object_id not in server.seen()


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
@pytest.mark.parametrize("path", PATHS)
def test_a_body_over_the_cap_gets_413(server: Server, path: str, chunked: bool) -> None:
    object_id = f"{server.name}{path}/oversized/{chunked}"
    raw, signature = delivery(object_id, padding="x" * (5 * CAP))
    answer = post(server.port, path, raw, signature, chunked=chunked, piece=1024)
    assert answer.status == 413
    assert answer.body == {"error": f"Webhook body is larger than {CAP} bytes"}
    assert object_id not in server.seen()
    # The server still serves the next delivery.
    raw, signature = delivery(f"{object_id}/after")
    assert post(server.port, path, raw, signature, chunked=chunked).status == 200


# -- aiohttp: handler() after middlewares that read the body ---------------------------------

Reader = Callable[[web.Request], Awaitable[object]]
READERS: dict[str, Reader | None] = {
    "none": None,
    "read": web.Request.read,
    "text": web.Request.text,
    "json": web.Request.json,
}


def aiohttp_app(read: Reader | None, hooks: Callable[[web.Request], Any]) -> web.Application:
    """``hooks`` at ``/hooks``, behind a middleware that first reads the body with ``read``."""

    @web.middleware
    async def read_first(request: web.Request, handler: Any) -> web.StreamResponse:
        if read is not None:
            await read(request)
        response: web.StreamResponse = await handler(request)
        response.headers["X-Seen-Transfer-Encoding"] = request.headers.get("Transfer-Encoding", "")
        return response

    app = web.Application(middlewares=[read_first])
    app.router.add_post("/hooks", hooks)
    return app


@pytest.fixture(params=list(READERS), ids=[f"middleware-{name}" for name in READERS])
async def aiohttp_server(request: pytest.FixtureRequest) -> AsyncIterator[tuple[int, Collector]]:
    collector = Collector()
    hooks = webhook_handler(signature_key=KEY, on={WebhookEvent: collector}, max_body_bytes=CAP)
    async with serve_app(aiohttp_app(READERS[request.param], hooks)) as base_url:
        yield int(base_url.rsplit(":", 1)[1]), collector


async def apost(port: int, raw: bytes, signature: str | None, **options: Any) -> Answer:
    return await anyio.to_thread.run_sync(
        functools.partial(post, port, "/hooks", raw, signature, **options)
    )


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
async def test_aiohttp_handler_takes_the_body_however_it_arrives(
    aiohttp_server: tuple[int, Collector], chunked: bool
) -> None:
    port, collector = aiohttp_server
    raw, signature = delivery("aiohttp")
    answer = await apost(port, raw, signature, chunked=chunked)
    assert (answer.status, answer.body) == (200, {"received": True, "outcome": "processed"})
    assert answer.headers["X-Seen-Transfer-Encoding"] == ("chunked" if chunked else "")
    assert [e.object_id for e in collector.events] == ["aiohttp"]
    assert (await apost(port, raw, sign(raw, "forged"), chunked=chunked)).status == 401
    big, big_signature = delivery("aiohttp-big", padding="x" * (5 * CAP))
    assert (await apost(port, big, big_signature, chunked=chunked, piece=1024)).status == 413
    assert collector.calls == 1


async def test_a_body_a_middleware_consumed_without_a_copy_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def consume(request: web.Request) -> None:
        await request.content.read()  # the stream itself: aiohttp keeps no copy

    collector = Collector()
    hooks = webhook_handler(signature_key=KEY, on={WebhookEvent: collector})
    raw, signature = delivery("consumed")
    with caplog.at_level("WARNING", logger="paycombat.webhooks"):
        async with serve_app(aiohttp_app(consume, hooks)) as base_url:
            port = int(base_url.rsplit(":", 1)[1])
            assert (await apost(port, raw, signature, chunked=False)).status == 401
    assert "consumed before the receiver ran" in caplog.text
    assert collector.calls == 0


async def test_the_sandbox_delivers_through_a_middleware_that_read_the_body(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    collector = Collector()
    hooks = webhook_handler(signature_key=sandbox.signature_key, on={WebhookEvent: collector})
    with anyio.fail_after(30):  # a refused delivery is redelivered, then given up: never hang
        async with serve_app(aiohttp_app(web.Request.read, hooks)) as base_url:
            sandbox.webhooks.url, sandbox.webhooks.backoff = base_url + "/hooks", 0
            payout = await client.payouts.create(**payout_args())
            await client.payouts.simulate(payout.id, status="SUCCESS")
            await sandbox.webhooks.drain()
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[200]]
    (event,) = collector.events
    assert isinstance(event, PayoutSucceeded)


# -- the WSGI body reader on its own ---------------------------------------------------------


class Endless:
    """A ``wsgi.input`` that never ends; records the size of every read."""

    def __init__(self) -> None:
        self.reads: list[int] = []

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "the whole stream was asked for"
        self.reads.append(size)
        return b"x" * size


def test_a_terminated_wsgi_input_is_read_in_bounded_pieces_up_to_the_cap() -> None:
    stream = Endless()
    environ = {"wsgi.input": stream, "wsgi.input_terminated": True}
    answer = wsgi_body(environ, 200_000)
    assert isinstance(answer, WebhookResponse)
    assert answer.status == 413
    assert sum(stream.reads) == 200_001
    assert max(stream.reads) <= 1 << 16


def test_a_wsgi_server_that_does_not_dechunk_gets_411_not_a_signature_error() -> None:
    environ = {"wsgi.input": Endless(), "HTTP_TRANSFER_ENCODING": "chunked"}
    answer = wsgi_body(environ, CAP)
    assert isinstance(answer, WebhookResponse)
    assert answer.status == 411


@pytest.mark.parametrize(
    ("content_length", "terminated", "expected"),
    [
        ("5", False, b"12345"),
        ("5", True, b"1234567890"),
        ("", True, b"1234567890"),
        ("", False, b""),
        ("nope", False, b""),
        ("-3", False, b""),
        ("", None, b""),
    ],
)
def test_the_wsgi_body_is_content_length_bytes_or_the_terminated_stream(
    content_length: str, terminated: bool | None, expected: bytes
) -> None:
    environ: dict[str, Any] = {
        "wsgi.input": io.BytesIO(b"1234567890"),
        "CONTENT_LENGTH": content_length,
    }
    if terminated is not None:
        environ["wsgi.input_terminated"] = terminated
    assert wsgi_body(environ, CAP) == expected
    too_large = wsgi_body({**environ, "CONTENT_LENGTH": str(CAP + 1)}, CAP)
    assert isinstance(too_large, WebhookResponse)
    assert too_large.status == 413


async def test_receive_refuses_a_body_over_the_cap_with_413_in_any_framework() -> None:
    raw, signature = delivery("big", padding="x" * CAP)
    for answer in (
        await asgi_app.receiver.receive(raw, {"X-Signature": signature}),
        wsgi_app.receiver.receive(raw, {"X-Signature": signature}),
    ):
        assert answer.status == 413
        assert json.loads(answer.body) == {"error": f"Webhook body is larger than {CAP} bytes"}
