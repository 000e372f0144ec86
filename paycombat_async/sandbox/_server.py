"""LocalSandbox: PayCombat on 127.0.0.1, for tests, demos and integration work without credentials.

It checks what the real API checks first (``X-token``, then the body signature the way a Node
server would: parse, ``JSON.stringify``, HMAC, constant-time compare), answers with the documented
envelope, keeps state in memory, and lets tests inject faults per operation.

It is meant for loopback, yet it holds up against hostile requests: it authenticates a request
before it records it (an unauthenticated one is only counted, in ``refused``), keeps the last
``max_recorded`` requests (at most ``max_recorded_bytes`` of bodies), refuses a body larger than
``max_body_size`` (413), and answers a body it cannot take (nested deeper than
``max_json_depth``, a number out of a double's range, ``NaN``, not an object, not UTF-8) or a
query it cannot read with a 4xx PayCombat envelope, never a 500 with a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import json
import logging
import math
import re
import secrets
import socket
import string
import struct
from collections import Counter
from typing import Any, ClassVar

import attrs
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from .._codec.signing import js_dumps, signature_matches
from .._core.lifecycle import AsyncClosing
from .._core.routes import Operation
from ..resources import OPERATIONS
from ._faults import Fault, Faults
from ._state import SandboxError, SandboxState, now_iso
from ._webhooks import SWITCHES, WebhookSender
from .handlers import ALL_ARRIVALS, ALL_HANDLERS, Call, Handler, Reply
from .handlers.payins import expire_if_due

__all__ = ["LocalSandbox", "RecordedRequest", "serving_loop"]

logger = logging.getLogger("paycombat.sandbox")

_SERVING: dict[int, tuple[str, asyncio.AbstractEventLoop]] = {}
"""Running sandboxes by port: (host, the loop serving it)."""
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"})  # noqa: S104
_SWITCH_TYPES: dict[str, tuple[type, ...]] = {
    "url": (str, type(None)),
    "copies": (int,),
    "delay": (int, float),
    "out_of_order": (bool,),
    "unsigned": (bool,),
    "wrong_signature": (bool,),
}


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


class _ProtocolLog(logging.LoggerAdapter[logging.Logger]):
    """The logger aiohttp's protocol writes to, for the sandbox (``RequestHandler(logger=)``).

    A request aiohttp cannot parse (a bad request line, a header over 8190 bytes, a broken
    ``Content-Length`` or chunk) never reaches the app: aiohttp answers it a ``400`` in plain
    text itself, and logs it with its traceback at ERROR (DEBUG for a bad method). Here that is
    one line, at WARNING at most and without the traceback: the client's fault, not the
    sandbox's. Anything else aiohttp reports keeps its traceback.
    """

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info")
        if isinstance(exc, HttpProcessingError):
            kwargs["exc_info"] = None
            detail = " ".join(str(exc.message).split())
            super().log(min(level, logging.WARNING), f"{msg}: %s", *args, detail, **kwargs)
            return
        super().log(level, msg, *args, **kwargs)


_HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


@attrs.frozen
class RecordedRequest:
    """An authenticated request the sandbox received (recorded before any fault), for tests to
    count and inspect."""

    key: str
    """The operation's key, e.g. ``"payouts.create"``."""
    title: str
    method: str
    path: str
    body: bytes
    signature: str | None


class _BadBody(Exception):
    """A body the sandbox refuses to take (answered 400 with this message)."""


def _reject_constant(name: str) -> Any:
    raise _BadBody(f"Request body is not valid JSON: {name} is not a JSON value")


def _finite(text: str) -> float:
    """A JSON number as ``JSON.parse`` reads it: a double, refused when it overflows to
    Infinity (``1e999``, an integer of thousands of digits)."""
    number = float(text)
    if not math.isfinite(number):
        raise _BadBody("Request body holds a number out of range")
    return number


# A JSON string (to skip its brackets), or what is left of an unterminated one: it always matches
# from a quote on, so scanning stays linear whatever the body.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEPS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")  # +1, -1 as signed bytes


def _json_depth(raw: bytes, limit: int) -> int:
    """How deep ``raw``'s arrays and objects nest (at most its count of ``[`` and ``{``,
    returned as is when that is within ``limit``), found without parsing or recursing."""
    opened = raw.count(b"[") + raw.count(b"{")
    if opened <= limit:
        return opened
    steps = _JSON_STRING.sub(b"", raw).translate(_BRACKET_STEPS, _NOT_BRACKETS)
    return max(itertools.accumulate(memoryview(steps).cast("b")), default=0)


def _parse_like_node(raw: bytes, max_depth: int) -> Any:
    """``JSON.parse``: every number becomes a double; NaN/Infinity are not JSON.

    Raises ``_BadBody`` for what the sandbox will not take: not UTF-8, not JSON, nested deeper
    than ``max_depth`` (checked before parsing, so nothing recurses that deep), a number that
    overflows a double.
    """
    if _json_depth(raw, max_depth) > max_depth:
        raise _BadBody(f"Request body is nested deeper than {max_depth} levels")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadBody("Request body is not valid UTF-8") from None
    try:
        return json.loads(
            text, parse_int=_finite, parse_float=_finite, parse_constant=_reject_constant
        )
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise _BadBody("Request body is not valid JSON") from None


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

    Limits (class attributes: set them on the instance before ``start()``, or on a subclass;
    the blocking sandbox's are on its ``async_sandbox``):

    - ``max_recorded`` (10,000) and ``max_recorded_bytes`` (64 MiB of bodies): ``requests``
      keeps the most recent authenticated requests within both (the newest one always);
      ``dropped`` counts those let go.
    - ``max_body_size`` (1 MiB): a larger body is answered 413, before it is all read.
    - ``max_json_depth`` (64): a body nested deeper is answered 400, before it is parsed.

    A request that fails authentication (no or a wrong ``X-token``, a body that cannot be
    verified, a wrong signature) is answered 401 or 4xx and only counted in ``refused``, by
    status: it never reaches ``requests``, the faults or the handlers.
    """

    max_recorded: int = 10_000
    max_recorded_bytes: int = 64 * 1024 * 1024
    max_body_size: int = 1024 * 1024
    max_json_depth: int = 64
    webhooks_path: ClassVar[str] = "/sandbox/webhooks"
    """The sandbox's own control route (not a PayCombat operation): ``GET`` the webhook URL and
    switches, ``PATCH`` any of them (``paycombat trigger`` does, around the event it fires)."""

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
        new_token, new_key = self.new_credentials()
        self.token = token or new_token
        self.signature_key = signature_key or new_key
        self.state = SandboxState(refuse_duplicate_order_id=refuse_duplicate_order_id)
        self.webhooks = WebhookSender(self.signature_key, webhook_url)
        self.state.listeners.append(self.webhooks.notify)
        self.faults = Faults(seed)
        self.requests: list[RecordedRequest] = []
        """The authenticated requests received, oldest first (within ``max_recorded`` and
        ``max_recorded_bytes``). A test may put its own ``list`` subclass here (to be told of
        arrivals through its ``append``): the limits hold for it too."""
        self._recorded: tuple[list[RecordedRequest], int, int] = (self.requests, 0, 0)
        """The log as last seen: (the list, its length, the bytes of its bodies)."""
        self._dropped = 0
        self._refused: Counter[int] = Counter()
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"<LocalSandbox {self.base_url if self._runner else 'not started'}>"

    @staticmethod
    def new_credentials() -> tuple[str, str]:
        """A random ``(token, signature key)``, what a sandbox given neither uses (``paycombat
        listen`` keeps one pair for every run)."""
        alphabet = string.ascii_letters + string.digits
        key = "snd_" + "".join(secrets.choice(alphabet) for _ in range(32))
        return "snd_" + secrets.token_urlsafe(24), key

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

    @property
    def refused(self) -> Counter[int]:
        """Requests answered with an error before they were recorded, by status: 401 (no or a
        wrong ``X-token`` or signature), 400 (a body the sandbox cannot take), 413 (too large)."""
        return self._refused

    @property
    def dropped(self) -> int:
        """Recorded requests let go from ``requests`` to stay within the limits."""
        return self._dropped

    def expire_checkout(self, checkout_id: str) -> None:
        """Make a ``PENDING`` checkout reach its ``expire_at`` now: it becomes ``EXPIRED``, and
        its pending payin too (which sends the PAYIN EXPIRED webhook)."""
        checkout = self.state.get("checkout", checkout_id)
        checkout["expire_at"] = now_iso()
        expire_if_due(self.state, checkout)

    # -- lifecycle ---------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(
            middlewares=[self._envelope_middleware], client_max_size=self.max_body_size
        )
        for name, handler in ALL_HANDLERS.items():
            op = OPERATIONS.find(name)  # handlers are keyed by operation key (or docs title)
            app.router.add_route(op.method, op.path, self._endpoint(op, handler))
        app.router.add_get(self.webhooks_path, self._webhook_settings)
        app.router.add_patch(self.webhooks_path, self._webhook_settings)
        return app

    async def _aopen(self) -> None:
        await self.start()

    async def start(self) -> None:
        self._closing = asyncio.Event()
        runner = web.AppRunner(
            self.make_app(),
            access_log=None,
            shutdown_timeout=1.0,
            logger=_ProtocolLog(logging.getLogger("aiohttp.server")),
        )
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
    async def _envelope_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Every answer in the PayCombat envelope: aiohttp's own errors (no route, method not
        allowed, body too large) and, as a last line, any exception a handler let through."""
        try:
            response: web.StreamResponse = await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
            return _error(exc.status, f"Cannot {request.method} {request.path}")
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return _error(exc.status, exc.reason)
        except Exception as exc:  # a sandbox bug: a 500 envelope, no traceback in the log
            logger.error(
                "sandbox: %s %s failed: %s: %s",
                request.method,
                request.path,
                type(exc).__name__,
                exc,
            )
            logger.debug("sandbox: the failure's traceback", exc_info=exc)
            return _error(500, "Internal server error")
        return response

    def _endpoint(self, op: Operation, handler: Handler) -> Any:
        arrive = ALL_ARRIVALS.get(op.key)

        async def endpoint(request: web.Request) -> web.StreamResponse:
            try:
                raw, body = await self._authenticate(request, op)
            except SandboxError as exc:
                self._refused[exc.status] += 1
                return _error(exc.status, exc.message)
            self._record(
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
                done = arrive(self.state, body) if arrive else None
            except SandboxError as exc:
                return _error(exc.status, exc.message)
            try:
                return await self._handle(op, handler, request, body)
            finally:
                if done is not None:
                    done()

        return endpoint

    def _record(self, entry: RecordedRequest) -> None:
        """Append ``entry`` to ``requests``, then let the oldest go beyond the limits."""
        log = self.requests
        seen, seen_length, kept = self._recorded
        log.append(entry)
        if log is seen and len(log) == seen_length + 1:
            kept += len(entry.body)
        else:  # a test put in its own list, or changed this one: count again
            kept = sum(len(r.body) for r in log)
        drop = max(0, len(log) - max(1, self.max_recorded))
        budget = kept - max(0, self.max_recorded_bytes)
        released = sum(len(r.body) for r in itertools.islice(log, drop))
        while released < budget and drop < len(log) - 1:  # the newest one always stays
            released += len(log[drop].body)
            drop += 1
        if drop:
            del log[:drop]
            self._dropped += drop
        self._recorded = (log, len(log), kept - released)

    async def _handle(
        self, op: Operation, handler: Handler, request: web.Request, body: dict[str, Any]
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

    async def _authenticate(
        self, request: web.Request, op: Operation
    ) -> tuple[bytes, dict[str, Any]]:
        """The body (raw, and parsed for a signed operation) of an authenticated request.

        The ``X-token`` is checked before the body is read; a signed body is then parsed the way
        ``JSON.parse`` would (within the limits) and its signature checked. Raises
        ``SandboxError`` (401, 400, 413) otherwise.
        """
        token = request.headers.get("X-token", "")
        expected = self.token.encode()
        if not hmac.compare_digest(token.encode("utf-8", "replace"), expected):
            raise SandboxError(401, "Unauthenticated: invalid X-token")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise SandboxError(
                413, f"Request body is larger than {self.max_body_size} bytes"
            ) from None
        if not op.signed:
            return raw, {}
        try:
            body = _parse_like_node(raw, self.max_json_depth) if raw else {}
        except _BadBody as exc:
            raise SandboxError(400, str(exc)) from None
        if not isinstance(body, dict):
            raise SandboxError(400, "Request body must be a JSON object")
        signature = request.headers.get("signature", "")
        if not signature or not signature_matches(js_dumps(body), self.signature_key, signature):
            raise SandboxError(401, "Invalid signature")
        return raw, body

    async def _webhook_settings(self, request: web.Request) -> web.Response:
        """``GET``/``PATCH /sandbox/webhooks``: the webhook URL and switches (X-token only)."""
        token = request.headers.get("X-token", "").encode("utf-8", "replace")
        if not hmac.compare_digest(token, self.token.encode()):
            self._refused[401] += 1
            return _error(401, "Unauthenticated: invalid X-token")
        sender = self.webhooks
        if request.method == "PATCH":
            try:
                changes = _parse_like_node(await request.read(), self.max_json_depth)
            except _BadBody as exc:
                return _error(400, str(exc))
            problem = _bad_switches(changes)
            if problem:
                return _error(400, problem)
            if "copies" in changes:  # JSON.parse made every number a float
                changes["copies"] = int(changes["copies"])
            sender.switch(**changes)
        data = {**sender.settings(), "deliveries": len(sender.deliveries)}
        return _json(200, {"status": True, "message": "OK", "data": data})

    async def _pause(self, seconds: float) -> None:
        # Wait on the closing event so shutting the sandbox down never waits out a latency fault.
        assert self._closing is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)


def _bad_switches(changes: Any) -> str | None:
    """Why a ``PATCH /sandbox/webhooks`` body cannot be applied, or ``None``."""
    if not isinstance(changes, dict):
        return "Request body must be a JSON object"
    for name, value in changes.items():
        kinds = _SWITCH_TYPES.get(name)
        if kinds is None:
            return f"unknown webhook setting {name!r}; use {', '.join(('url', *SWITCHES))}"
        whole = isinstance(value, float) and value.is_integer() and name == "copies"
        if not (isinstance(value, kinds) or whole) or (bool in kinds) != isinstance(value, bool):
            return f"{name} must be {' or '.join(k.__name__ for k in kinds)}"
    if changes.get("copies", 1) < 1 or changes.get("delay", 0) < 0:
        return "copies must be 1 or more and delay 0 or more seconds"
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
