"""PayCombat webhooks from blocking code (Flask, Django, any WSGI app).

The same names as ``paycombat_async.webhooks`` (events, ``parse_event``, stores, errors are the
very same objects); ``Receiver`` calls plain (blocking) callbacks, and ``handler`` builds a WSGI
application instead of an aiohttp handler.

Flask:

```python
from paycombat_sync.webhooks import PayoutSucceeded, Receiver

receiver = Receiver(signature_key=KEY)

@receiver.on(PayoutSucceeded)
def settle(event: PayoutSucceeded) -> None:
    mark_paid(event.order_id)

@app.post("/paycombat/webhooks")
def paycombat_webhook():
    status, body = receiver.receive(request.get_data(), request.headers)
    return body, status, {"Content-Type": "application/json"}
```

Django: ``status, body = receiver.receive(request.body, request.headers)`` then
``HttpResponse(body, status=status, content_type="application/json")`` (exempt the view from CSRF).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from paycombat_async import webhooks as _async_webhooks
from paycombat_async.webhooks import MAX_BODY_BYTES as MAX_BODY_BYTES
from paycombat_async.webhooks import EventKind as EventKind
from paycombat_async.webhooks import MemoryStore as MemoryStore
from paycombat_async.webhooks import PayinEvent as PayinEvent
from paycombat_async.webhooks import PayinExpired as PayinExpired
from paycombat_async.webhooks import PayinFailed as PayinFailed
from paycombat_async.webhooks import PayinSucceeded as PayinSucceeded
from paycombat_async.webhooks import PayoutEvent as PayoutEvent
from paycombat_async.webhooks import PayoutFailed as PayoutFailed
from paycombat_async.webhooks import PayoutReturned as PayoutReturned
from paycombat_async.webhooks import PayoutSucceeded as PayoutSucceeded
from paycombat_async.webhooks import SQLiteStore as SQLiteStore
from paycombat_async.webhooks import UnknownEvent as UnknownEvent
from paycombat_async.webhooks import Verdict as Verdict
from paycombat_async.webhooks import VirtualAccountRegistration as VirtualAccountRegistration
from paycombat_async.webhooks import WebhookEvent as WebhookEvent
from paycombat_async.webhooks import WebhookPayloadError as WebhookPayloadError
from paycombat_async.webhooks import WebhookResponse as WebhookResponse
from paycombat_async.webhooks import WebhookSignatureError as WebhookSignatureError
from paycombat_async.webhooks import WebhookStore as WebhookStore
from paycombat_async.webhooks import parse_event as parse_event
from paycombat_async.webhooks._receiver import ReceiverBase, Step, StoreStep, drive, wsgi_body

# The same names, by contract: the shared ones are imported above, ``Receiver`` and ``handler``
# are this module's own.
__all__ = list(_async_webhooks.__all__)

E = TypeVar("E", bound=WebhookEvent)
Callback = Callable[[Any], object]
Headers = Mapping[str, str] | Iterable[tuple[str, str]]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 409: "Conflict"}
_REASONS.update({411: "Length Required", 413: "Payload Too Large", 500: "Internal Server Error"})


class Receiver(ReceiverBase):
    """Receives PayCombat notifications in blocking code and calls your callbacks.

    The blocking twin of ``paycombat_async.webhooks.Receiver`` (same arguments and rules), for
    Flask, Django and other blocking frameworks: call :meth:`receive` from your view with the raw
    body and the headers, and answer with the status and body it returns. Safe to share between
    threads. A ``client.payouts.wait_for(...)`` in the same process returns as soon as a
    notification for its payout is processed here.

    Args:
        signature_key: your signature key (see ``parse_event`` for ``None``).
        on: callbacks by event class (the most specific registered class wins).
        store: where processed notifications are remembered (default: a ``MemoryStore``).
        allow_unsigned: accept notifications without ``X-Signature`` (confirm them with a
            Retrieve call: see ``parse_event``).
        max_body_bytes: refuse larger bodies.
    """

    _label = "Receiver (blocking)"

    def on(self, event_type: type[E]) -> Callable[[Callable[[E], object]], Callable[[E], object]]:
        """Register the decorated function for ``event_type`` (and its subclasses)."""

        def register(func: Callable[[E], object]) -> Callable[[E], object]:
            self._intake.callbacks[event_type] = func
            return func

        return register

    def receive(self, raw_body: bytes, headers: Headers) -> WebhookResponse:
        """Process one notification and return ``(status, body)`` to answer with.

        Never raises for bad input: a bad signature is 401, a bad body 400, a callback that
        raised 500 (so PayCombat redelivers), a duplicate or stale notification 200.
        """
        return drive(self._intake.receive(raw_body, headers), _run)

    def wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """A WSGI application receiving notifications (mount it at your webhook URL).

        Chunked bodies are read from servers that decode them (``wsgi.input_terminated``:
        gunicorn, waitress...); ``max_body_bytes`` holds for them too (413).
        """
        raw = wsgi_body(environ, self._intake.max_body_bytes)
        if isinstance(raw, WebhookResponse):
            result = raw
        else:
            headers = [(k, v) for k, v in environ.items() if isinstance(v, str)]
            result = self.receive(raw, headers)
        body = result.body.encode("utf-8")
        start_response(
            f"{result.status} {_REASONS.get(result.status, 'Unknown')}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]


def _run(step: Step) -> Any:
    if isinstance(step, StoreStep):
        return step.call(*step.args)
    result = step.callback(step.event)
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()
        raise TypeError(
            f"{step.callback!r} is async: paycombat_sync.webhooks.Receiver calls plain "
            "functions (use paycombat_async.webhooks.Receiver for async callbacks)"
        )
    return None


def handler(
    *,
    signature_key: str | None,
    on: Mapping[type[WebhookEvent], Callback] | None = None,
    store: WebhookStore | None = None,
    allow_unsigned: bool = False,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> WSGIApp:
    """A WSGI application that verifies, parses, deduplicates and dispatches notifications.

    The arguments are :class:`Receiver`'s; this is ``Receiver(...).wsgi``.
    """
    return Receiver(
        signature_key=signature_key,
        on=on,
        store=store,
        allow_unsigned=allow_unsigned,
        max_body_bytes=max_body_bytes,
    ).wsgi
