"""LocalSandbox: PayCombat on 127.0.0.1, for tests, demos and integration work without credentials.

It checks what the real API checks first (``X-token``, then the body signature the way a Node
server would: parse, ``JSON.stringify``, HMAC, constant-time compare), answers with the documented
envelope, keeps state in memory, and lets tests inject faults per operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import socket
import string
import struct
from typing import Any

import attrs
from aiohttp import web

from .._lifecycle import AsyncClosing
from .._routes import Operation
from .._signing import js_dumps, signature_matches
from ..resources import OPERATIONS
from ._faults import Fault, Faults
from ._state import SandboxError, SandboxState, now_iso
from ._webhooks import WebhookSender
from .handlers import ALL_ARRIVALS, ALL_HANDLERS
from .handlers._common import Call, Handler, Reply
from .handlers.payins import expire_if_due

__all__ = ["LocalSandbox", "RecordedRequest", "serving_loop"]

logger = logging.getLogger("paycombat.sandbox")

_SERVING: dict[int, tuple[str, asyncio.AbstractEventLoop]] = {}
"""Running sandboxes by port: (host, the loop serving it)."""
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"})  # noqa: S104


def serving_loop(host: str | None, port: int | None) -> asyncio.AbstractEventLoop | None:
    """The event loop of the running sandbox that ``host:port`` reaches, if any.

    The blocking client asks, from a thread with a running loop, so that a call that loop would
    have to answer fails at once instead of waiting for its own thread until the deadline.
    """
    found = _SERVING.get(port) if port is not None else None
    if found is None or host is None:
        return None
    served_host, loop = found
    if host == served_host or (host in _LOOPBACK and served_host in _LOOPBACK):
        return loop
    return None


_HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


@attrs.frozen
class RecordedRequest:
    """A request the sandbox received (before any fault), for tests to count and inspect."""

    key: str
    """The operation's key, e.g. ``"payouts.create"``."""
    title: str
    method: str
    path: str
    body: bytes
    signature: str | None


def _parse_like_node(raw: bytes) -> Any:
    """``JSON.parse``: every number becomes a double; NaN/Infinity are not JSON."""

    def reject(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    return json.loads(raw.decode("utf-8"), parse_int=float, parse_constant=reject)


class LocalSandbox(AsyncClosing):
    """An in-process PayCombat emulator on loopback.

    ```python
    async with LocalSandbox() as sandbox:
        async with PayCombat(token=sandbox.token, signature_key=sandbox.signature_key,
                             base_url=sandbox.base_url) as client:
            ...
    ```

    Args:
        host: the interface to listen on.
        port: the port; ``0`` picks a free one.
        token: the ``X-token`` to accept (random by default).
        signature_key: the signing key to verify bodies with (random by default).
        webhook_url: where to send signed notifications on every payin, payout and virtual
            account state change (or set ``sandbox.webhooks.url`` later); ``sandbox.webhooks``
            holds the switches (duplicate, delayed, out-of-order, unsigned delivery, retries) and
            the deliveries.
        seed: seeds the generator of faults injected with a ``rate`` (reproducible tests).
        refuse_duplicate_order_id: answer 409 to a Create Payout whose ``order_id`` another
            payout carries or another request in progress carries.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        signature_key: str | None = None,
        webhook_url: str | None = None,
        seed: int | None = None,
        refuse_duplicate_order_id: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token or "snd_" + secrets.token_urlsafe(24)
        alphabet = string.ascii_letters + string.digits
        self.signature_key = signature_key or "snd_" + "".join(
            secrets.choice(alphabet) for _ in range(32)
        )
        self.state = SandboxState(refuse_duplicate_order_id=refuse_duplicate_order_id)
        self.webhooks = WebhookSender(self.signature_key, webhook_url)
        self.state.listeners.append(self.webhooks.notify)
        self.faults = Faults(seed)
        self.requests: list[RecordedRequest] = []
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"<LocalSandbox {self.base_url if self._runner else 'not started'}>"

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the sandbox is not running; use `async with LocalSandbox()`")
        return f"http://{self.host}:{self.port}"

    def inject(self, operation: str, **kwargs: Any) -> Fault:
        """Shortcut for ``faults.inject``: e.g. ``inject("payouts.create", status=503)``.

        ``operation`` is the operation's key or its docs title (``"Create Payout"``).
        """
        return self.faults.inject(operation, **kwargs)

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """The requests received for one operation (its key or its docs title)."""
        key = OPERATIONS.find(operation).key
        return [r for r in self.requests if r.key == key]

    def expire_checkout(self, checkout_id: str) -> None:
        """Make a ``PENDING`` checkout reach its ``expire_at`` now: it becomes ``EXPIRED``, and
        its pending payin too (which sends the PAYIN EXPIRED webhook)."""
        checkout = self.state.get("checkout", checkout_id)
        checkout["expire_at"] = now_iso()
        expire_if_due(self.state, checkout)

    # -- lifecycle ---------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._not_found_middleware])
        for name, handler in ALL_HANDLERS.items():
            op = OPERATIONS.find(name)  # handlers are keyed by operation key (or docs title)
            app.router.add_route(op.method, op.path, self._endpoint(op, handler))
        return app

    async def _aopen(self) -> None:
        await self.start()

    async def start(self) -> None:
        self._closing = asyncio.Event()
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        _SERVING[self.port] = (self.host, asyncio.get_running_loop())
        logger.info("PayCombat sandbox listening on %s", self.base_url)

    async def aclose(self) -> None:
        if self._closing is not None:
            self._closing.set()
        await self.webhooks.aclose()
        runner, self._runner = self._runner, None
        if runner is not None:
            if _SERVING.get(self.port, (None, None))[1] is asyncio.get_running_loop():
                del _SERVING[self.port]
            await runner.cleanup()

    # -- request handling --------------------------------------------------------------------

    @web.middleware
    async def _not_found_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except web.HTTPNotFound:
            return _error(404, f"Cannot {request.method} {request.path}")
        except web.HTTPMethodNotAllowed:
            return _error(405, f"Cannot {request.method} {request.path}")
        return response

    def _endpoint(self, op: Operation, handler: Handler) -> Any:
        arrive = ALL_ARRIVALS.get(op.key)

        async def endpoint(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            self.requests.append(
                RecordedRequest(
                    op.key,
                    op.title,
                    request.method,
                    request.path,
                    raw,
                    request.headers.get("signature"),
                )
            )
            try:
                done = arrive(self.state, _loose_json(raw)) if arrive else None
            except SandboxError as exc:
                return _error(exc.status, exc.message)
            try:
                return await self._handle(op, handler, request, raw)
            finally:
                if done is not None:
                    done()

        return endpoint

    async def _handle(
        self, op: Operation, handler: Handler, request: web.Request, raw: bytes
    ) -> web.StreamResponse:
        fault = self.faults.take(op.key)
        if fault is not None:
            if fault.latency:
                await self._pause(fault.latency)  # handled (committed) only after the delay
            if fault.reset == "before":
                return _reset(request)
            if fault.status is not None and not fault.commit:
                return _fault_response(fault)
        try:
            body = self._authenticate(request, op, raw)
            result = await handler(Call(request=request, body=body, state=self.state))
        except SandboxError as exc:
            return _error(exc.status, exc.message)
        if fault is not None and fault.reset == "after":
            return _reset(request)
        if fault is not None and fault.status is not None:
            return _fault_response(fault)  # committed, and yet an error answer
        if fault is not None and fault.malformed:
            return web.Response(
                text='{"status": true, "data": {"id": ',
                status=200,
                content_type="application/json",
            )
        if isinstance(result, Reply):
            return _json(
                result.status, {"status": True, "message": result.message, "data": result.data}
            )
        return result

    def _authenticate(self, request: web.Request, op: Operation, raw: bytes) -> dict[str, Any]:
        token = request.headers.get("X-token", "")
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            raise SandboxError(401, "Unauthenticated: invalid X-token")
        if not op.signed:
            return {}
        try:
            body = _parse_like_node(raw) if raw else {}
        except (ValueError, UnicodeDecodeError):
            raise SandboxError(400, "Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise SandboxError(400, "Request body must be a JSON object")
        signature = request.headers.get("signature", "")
        if not signature or not signature_matches(js_dumps(body), self.signature_key, signature):
            raise SandboxError(401, "Invalid signature")
        return body

    async def _pause(self, seconds: float) -> None:
        # Wait on the closing event so shutting the sandbox down never waits out a latency fault.
        assert self._closing is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)


def _loose_json(raw: bytes) -> Any:
    """The body as JSON if it is JSON (for arrival checks; authentication comes later)."""
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def _json(status: int, payload: Any) -> web.Response:
    return web.Response(body=js_dumps(payload), status=status, content_type="application/json")


def _error(status: int, message: str) -> web.Response:
    return _json(status, {"status": False, "message": message, "data": None})


def _fault_response(fault: Fault) -> web.Response:
    assert fault.status is not None
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
    if fault.html:
        return web.Response(
            text=_HTML_502, status=fault.status, content_type="text/html", headers=headers
        )
    response = _error(fault.status, f"Injected fault: HTTP {fault.status}")
    response.headers.update(headers)
    return response


def _reset(request: web.Request) -> web.Response:
    """Drop the connection with a TCP reset; the client sees no response at all."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return web.Response(status=204)
