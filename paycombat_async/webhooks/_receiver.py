"""Receiving notifications: verify, parse, deduplicate, dispatch, and answer.

The answer is what makes PayCombat's redelivery (and the sandbox's) work: 2xx only once the
notification is safely processed (the callback returned, or it was a duplicate or stale), 401 for
a bad signature, 400 for a body that is not a notification, 409 while the same notification is
being processed by another delivery, 500 when the callback raised; 413 for a body over
``max_body_bytes`` (chunked or not: it is read in bounded pieces, never in full), and, from the
WSGI receiver only, 411 for a chunked body the WSGI server passes on undecoded.

:class:`Intake` is the framework-neutral part shared with ``paycombat_sync.webhooks``: its
``receive`` is the one receive flow, a generator of I/O steps (store calls, the callback) that
each receiver drives its own way; this module adds the asyncio :class:`Receiver`, which awaits
them, and the aiohttp :func:`handler`. The blocking receiver calls them, through :func:`drive`.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from typing import Any, ClassVar, NamedTuple, TypeVar

import anyio.to_thread
import attrs
from aiohttp import web

from .._exceptions import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from . import _waiting
from ._events import (
    PayinEvent,
    PayoutEvent,
    UnknownEvent,
    VirtualAccountRegistration,
    WebhookEvent,
)
from ._parse import MAX_BODY_BYTES, parse_event
from ._stores import EventKey, MemoryStore, ObjectKey, Position, Verdict, WebhookStore

__all__ = [
    "AsyncCallback",
    "CallbackStep",
    "Intake",
    "Receiver",
    "ReceiverBase",
    "StoreStep",
    "WebhookResponse",
    "aiohttp_body",
    "drive",
    "handler",
    "length_required",
    "resume",
    "wsgi_body",
]

logger = logging.getLogger("paycombat.webhooks")

E = TypeVar("E", bound=WebhookEvent)
AsyncCallback = Callable[[Any], Awaitable[object] | object]
Headers = Mapping[str, str] | Iterable[tuple[str, str]]

# Where each status sits in its object's life: a notification may not move an object back.
_RANK = {"PENDING": 0, "RETURNED": 2}


class WebhookResponse(NamedTuple):
    """What to answer PayCombat: ``status, body = receiver.receive(...)``. ``body`` is JSON."""

    status: int
    body: str


def _answer(status: int, **fields: Any) -> WebhookResponse:
    return WebhookResponse(status, json.dumps(fields, separators=(",", ":")))


def _safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@attrs.frozen
class Claim:
    """A notification the store handed to this delivery to process."""

    event: WebhookEvent
    key: EventKey
    obj: ObjectKey
    position: Position


class Intake:
    """Verify, parse, look callbacks up, and the receive flow; framework- and I/O-neutral."""

    def __init__(
        self,
        *,
        signature_key: str | None,
        on: Mapping[type[WebhookEvent], Callable[[Any], Any]] | None,
        store: WebhookStore | None,
        allow_unsigned: bool,
        max_body_bytes: int,
    ) -> None:
        if signature_key is None and not allow_unsigned:
            raise ConfigurationError(
                "a webhook receiver needs signature_key; pass allow_unsigned=True to accept "
                "unsigned notifications (and confirm each with a Retrieve call)"
            )
        self._key = signature_key
        self._allow_unsigned = allow_unsigned
        self.max_body_bytes = max_body_bytes
        self.store: WebhookStore = store if store is not None else MemoryStore()
        self.callbacks: dict[type[WebhookEvent], Callable[[Any], Any]] = dict(on or {})
        for event_type in self.callbacks:
            if not (isinstance(event_type, type) and issubclass(event_type, WebhookEvent)):
                raise TypeError(f"callbacks are keyed by event class, not {event_type!r}")

    def __repr__(self) -> str:
        kinds = ", ".join(sorted(t.__name__ for t in self.callbacks))
        return f"<{type(self).__name__} on=[{kinds}] store={self.store!r}>"

    def parse(self, raw_body: bytes, headers: Headers) -> WebhookEvent | WebhookResponse:
        """The event, or the error answer for a notification that is not one."""
        sized = isinstance(raw_body, (bytes, bytearray, memoryview))
        if sized and len(raw_body) > self.max_body_bytes:  # 413, as from the receivers' reads
            return self.too_large(self.max_body_bytes)
        try:
            return parse_event(
                raw_body,
                headers,
                signature_key=self._key,
                allow_unsigned=self._allow_unsigned,
                max_body_bytes=self.max_body_bytes,
            )
        except WebhookSignatureError as exc:
            logger.warning("Webhook refused: %s", exc.message)
            return _answer(401, error=exc.message)
        except WebhookPayloadError as exc:
            logger.warning("Webhook refused: %s", exc.message)
            return _answer(400, error=exc.message)

    def callback_for(self, event: WebhookEvent) -> Callable[[Any], Any] | None:
        """The callback of the most specific registered class ``event`` is an instance of."""
        for klass in type(event).__mro__:
            if klass in self.callbacks:
                return self.callbacks[klass]
        return None

    @staticmethod
    def claim_for(event: WebhookEvent) -> Claim | None:
        """The store keys of ``event``; ``None`` for an unknown body without an id."""
        if not event.object_id:
            return None
        kind = event.kind.value
        object_type = event.object_type
        if isinstance(event, UnknownEvent):
            object_type = _safe(event.type or "")
            kind = f"{kind}:{object_type}"
        status = _safe(event.status or "")
        when = event.updated_at.timestamp() if event.updated_at is not None else None
        key = (kind, _safe(event.object_id), status)
        return Claim(event, key, (object_type, key[1]), (when, _RANK.get(status, 1)))

    @staticmethod
    def settled(event: WebhookEvent) -> None:
        """The event is processed (or was before): wake ``wait_for`` calls on its object."""
        if isinstance(event, (PayinEvent, PayoutEvent, VirtualAccountRegistration)):
            _waiting.notify(event)

    @staticmethod
    def too_large(limit: int) -> WebhookResponse:
        """The answer to a body over ``max_body_bytes``, refused before it is read in full."""
        logger.warning("Webhook refused: larger than %d bytes", limit)
        return _answer(413, error=f"Webhook body is larger than {limit} bytes")

    def receive(self, raw_body: bytes, headers: Headers) -> Flow:
        """The receive flow, without I/O: a generator of the steps a receiver drives.

        The receiver runs each step it is handed and sends its result back (``send``), or throws
        in what the step raised (``throw``), at the ``yield`` that asked for it; the generator's
        return value is the answer. Both receivers drive this one flow: the asyncio one awaits
        (store calls in a worker thread when ``store.blocking``), the blocking one calls.
        """
        event = self.parse(raw_body, headers)
        if isinstance(event, WebhookResponse):
            return event
        callback = self.callback_for(event)
        claim = self.claim_for(event)
        store = self.store
        verdict = Verdict.NEW
        if claim is not None:
            verdict = yield StoreStep(store.claim, (claim.key, claim.obj, claim.position))
        if verdict is not Verdict.NEW:
            if verdict is Verdict.DUPLICATE:
                self.settled(event)
            if verdict is Verdict.BUSY:
                return _answer(409, error="This notification is being processed; retry later")
            if verdict is Verdict.STALE:
                logger.info(
                    "Webhook %s %s is older than one processed", event.kind, event.object_id
                )
            return _answer(200, received=True, outcome=verdict.value)
        try:
            if callback is not None:
                yield CallbackStep(callback, event)
        except Exception:  # whatever the merchant's code raised: answer 500
            if claim is not None:
                yield StoreStep(store.release, (claim.key,))
            logger.exception("Webhook callback for %s %s raised", event.kind, event.object_id)
            return _answer(500, error="The callback failed; PayCombat should redeliver")
        except BaseException:
            if claim is not None:
                # Cancelled or interrupted: the claim is released all the same, or every
                # redelivery would be answered 409 until the lease ran out.
                yield StoreStep(store.release, (claim.key,), shielded=True)
            raise
        if claim is not None:
            yield StoreStep(store.complete, (claim.key, claim.obj, claim.position))
        self.settled(event)
        return _answer(
            200, received=True, outcome="processed" if callback is not None else "no callback"
        )


@attrs.frozen
class StoreStep:
    """Call ``call(*args)`` on the store and send back its result.

    ``shielded``: run it even though the task is being cancelled (the release after a
    ``BaseException``).
    """

    call: Callable[..., Any]
    args: tuple[Any, ...]
    shielded: bool = False


@attrs.frozen
class CallbackStep:
    """Call the merchant's ``callback`` with ``event`` (its result is not sent back)."""

    callback: Callable[[Any], Any]
    event: WebhookEvent


Step = StoreStep | CallbackStep
Flow = Generator[Step, Any, WebhookResponse]


def drive(flow: Flow, run: Callable[[Step], Any]) -> WebhookResponse:
    """Run ``flow`` to its answer, each step by ``run`` (the blocking receiver's driver)."""
    step = resume(flow)
    while not isinstance(step, WebhookResponse):
        try:
            sent = run(step)
        except BaseException as exc:  # noqa: BLE001  # the flow handles it, at the step's yield
            step = resume(flow, thrown=exc)
        else:
            step = resume(flow, sent)
    return step


def resume(
    flow: Flow, sent: Any = None, thrown: BaseException | None = None
) -> Step | WebhookResponse:
    """The flow's next step, or its answer once it returns."""
    try:
        return flow.send(sent) if thrown is None else flow.throw(thrown)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


_PIECE = 1 << 16  # bodies are read in pieces of at most 64 KiB


def length_required() -> WebhookResponse:
    """The answer to a chunked body the WSGI server hands over undecoded (411)."""
    return _answer(
        411,
        error="Chunked body, but this WSGI server does not decode chunked requests "
        "(no wsgi.input_terminated): serve the receiver with gunicorn, waitress...",
    )


async def aiohttp_body(request: web.Request, limit: int) -> bytes | WebhookResponse:
    """An aiohttp request's body, or the 413 answer if it is larger than ``limit``.

    Read from the connection in pieces, never more than ``limit`` + 1 bytes of it, whether it
    has a ``Content-Length`` or is chunked. When a middleware already read it (``await
    request.read()``, ``text()`` or ``json()``), the connection has nothing left to give:
    the bytes are aiohttp's copy, which ``request.read()`` returns.
    """
    if request.content_length is not None and request.content_length > limit:
        return Intake.too_large(limit)
    if not request.can_read_body:
        body = await request.read()  # aiohttp's copy, or b"" if there is no body at all
        if not body and request.content_length:
            logger.warning(
                "Webhook body was consumed before the receiver ran (read it in middlewares "
                "with await request.read(), which keeps a copy)"
            )
    else:
        read = bytearray()
        while len(read) <= limit:
            piece = await request.content.read(min(_PIECE, limit + 1 - len(read)))
            if not piece:
                break
            read += piece
        body = bytes(read)
    return Intake.too_large(limit) if len(body) > limit else body


def wsgi_body(environ: Mapping[str, Any], limit: int) -> bytes | WebhookResponse:
    """A WSGI request's body, or the answer that refuses it: 413 if larger than ``limit``.

    ``wsgi.input`` is read in pieces, never more than ``limit`` + 1 bytes of it. A server that
    sets ``wsgi.input_terminated`` (gunicorn, waitress, Werkzeug...) ends the stream with the
    body, so it is read to its end, chunked or not; otherwise ``CONTENT_LENGTH`` bytes are
    read, and a chunked body (which such a server passes on undecoded) is answered 411.
    """
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    length = int(declared) if declared.isascii() and declared.isdigit() else None
    if length is not None and length > limit:
        return Intake.too_large(limit)
    if environ.get("wsgi.input_terminated"):
        wanted = limit + 1  # to the end of the stream, or one byte past the cap
    elif length is not None:
        wanted = length
    elif "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
        return length_required()
    else:
        wanted = 0
    stream = environ["wsgi.input"]
    body = bytearray()
    while len(body) < wanted:
        piece = stream.read(min(_PIECE, wanted - len(body)))
        if not piece:
            break
        body += piece
    return Intake.too_large(limit) if len(body) > limit else bytes(body)


class ReceiverBase:
    """What both receivers share: their arguments (see ``Receiver``), the store, the repr."""

    _label: ClassVar[str] = "Receiver"

    def __init__(
        self,
        *,
        signature_key: str | None,
        on: Mapping[type[WebhookEvent], Callable[[Any], object]] | None = None,
        store: WebhookStore | None = None,
        allow_unsigned: bool = False,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._intake = Intake(
            signature_key=signature_key,
            on=on,
            store=store,
            allow_unsigned=allow_unsigned,
            max_body_bytes=max_body_bytes,
        )

    def __repr__(self) -> str:
        return repr(self._intake).replace("Intake", self._label, 1)

    @property
    def store(self) -> WebhookStore:
        """The store deduplicating notifications."""
        return self._intake.store


class Receiver(ReceiverBase):
    """Receives PayCombat notifications in asyncio code and calls your async callbacks.

    ```python
    receiver = Receiver(signature_key=KEY)

    @receiver.on(PayoutSucceeded)
    async def settle(event: PayoutSucceeded) -> None:
        await mark_paid(event.order_id, event.payout)

    app.router.add_post("/paycombat/webhooks", receiver.handle)  # aiohttp
    ```

    Other frameworks call :meth:`receive` with the raw body and headers. Starlette or FastAPI
    (plain or chunked bodies, also after a middleware read the body):

    ```python
    @app.post("/paycombat/webhooks")  # Starlette: Route(path, paycombat_webhook, methods=["POST"])
    async def paycombat_webhook(request: Request) -> Response:
        status, body = await receiver.receive(await request.body(), request.headers)
        return Response(body, status_code=status, media_type="application/json")
    ```

    (``request.body()`` reads the whole body before :meth:`receive` applies
    ``max_body_bytes``: cap request sizes in front of the app, as proxies do.)

    A callback is chosen by the most specific event class it is registered for (``PayoutEvent``
    catches the three payout kinds, ``WebhookEvent`` everything); a notification with no
    callback is acknowledged. A callback that raises makes the answer 500, so PayCombat
    redelivers it; a notification already processed, or older than one processed for the same
    object (by ``updated_at``), is acknowledged with 200 and not dispatched.

    Args:
        signature_key: your signature key (see ``parse_event`` for ``None``).
        on: callbacks by event class.
        store: where processed notifications are remembered (default: a ``MemoryStore``).
        allow_unsigned: accept notifications without ``X-Signature`` (confirm them with a
            Retrieve call: see ``parse_event``).
        max_body_bytes: refuse larger bodies (413).
    """

    def on(
        self, event_type: type[E]
    ) -> Callable[[Callable[[E], Awaitable[object]]], Callable[[E], Awaitable[object]]]:
        """Register the decorated async function for ``event_type`` (and its subclasses)."""

        def register(func: Callable[[E], Awaitable[object]]) -> Callable[[E], Awaitable[object]]:
            self._intake.callbacks[event_type] = func
            return func

        return register

    async def receive(self, raw_body: bytes, headers: Headers) -> WebhookResponse:
        """Process one notification and return what to answer (never raises for bad input)."""
        flow = self._intake.receive(raw_body, headers)
        step = resume(flow)
        while not isinstance(step, WebhookResponse):
            try:
                sent = await self._run(step)
            except BaseException as exc:  # noqa: BLE001  # the flow handles it, at the step's yield
                step = resume(flow, thrown=exc)
            else:
                step = resume(flow, sent)
        return step

    async def _run(self, step: Step) -> Any:
        if isinstance(step, CallbackStep):
            result = step.callback(step.event)
            if inspect.isawaitable(result):  # async callbacks, and plain ones too
                await result
            return None
        if not self._intake.store.blocking:
            return step.call(*step.args)
        with anyio.CancelScope(shield=step.shielded):
            return await anyio.to_thread.run_sync(step.call, *step.args)

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler: ``app.router.add_post(path, receiver.handle)``.

        The body is read however aiohttp has it: from the connection in pieces (413 as soon as
        it is over ``max_body_bytes``, chunked or not), or from aiohttp's copy when a middleware
        already read it with ``await request.read()`` (or ``text()``, ``json()``).
        """
        body = await aiohttp_body(request, self._intake.max_body_bytes)
        if isinstance(body, WebhookResponse):
            result = body
        else:
            result = await self.receive(body, request.headers)
        return web.Response(status=result.status, text=result.body, content_type="application/json")


def handler(
    *,
    signature_key: str | None,
    on: Mapping[type[WebhookEvent], AsyncCallback] | None = None,
    store: WebhookStore | None = None,
    allow_unsigned: bool = False,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An aiohttp handler that verifies, parses, deduplicates and dispatches notifications.

    ```python
    app.router.add_post(
        "/paycombat/webhooks",
        handler(signature_key=KEY, on={PayoutSucceeded: settle, PayoutFailed: retry_later}),
    )
    ```

    The arguments are :class:`Receiver`'s; this is ``Receiver(...).handle``.
    """
    return Receiver(
        signature_key=signature_key,
        on=on,
        store=store,
        allow_unsigned=allow_unsigned,
        max_body_bytes=max_body_bytes,
    ).handle
