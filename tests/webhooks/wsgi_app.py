"""The WSGI app that ``test_servers.py`` serves with real gunicorn and waitress processes.

``/hooks`` is the SDK's WSGI receiver as is; ``/read-first/hooks`` puts it behind a middleware
that reads the whole body first and hands a copy on (as audit and logging middlewares do). Each
event the callback gets is appended to the file ``PAYCOMBAT_TEST_EVENTS`` names, and every answer
says which ``Transfer-Encoding`` and ``Content-Length`` the app saw (``X-Seen-*`` headers).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import Any

from paycombat_sync.webhooks import Receiver, WebhookEvent
from tests.webhooks.helpers import KEY

CAP = 4096
"""The receiver's ``max_body_bytes``: a documented payout row fits, a padded one does not."""

StartResponse = Any
WSGIApp = Any


def record(event: WebhookEvent) -> None:
    with open(os.environ["PAYCOMBAT_TEST_EVENTS"], "a", encoding="utf-8") as events:
        events.write(f"{event.object_id}\n")


receiver = Receiver(signature_key=KEY, on={WebhookEvent: record}, max_body_bytes=CAP)


def read_first(inner: WSGIApp) -> WSGIApp:
    """A middleware that reads the body before the app does, and puts a copy back."""

    def middleware(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read()  # to the end: the servers here terminate the input
        environ["wsgi.input"] = io.BytesIO(body)
        return inner(environ, start_response)  # type: ignore[no-any-return]

    return middleware


def seen(inner: WSGIApp) -> WSGIApp:
    """Tell the test what the app was handed: ``X-Seen-Transfer-Encoding``, ``-Content-Length``."""

    def middleware(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            headers = [
                *headers,
                ("X-Seen-Transfer-Encoding", environ.get("HTTP_TRANSFER_ENCODING", "")),
                ("X-Seen-Content-Length", environ.get("CONTENT_LENGTH", "")),
            ]
            return start_response(status, headers, *exc_info)

        return inner(environ, start)  # type: ignore[no-any-return]

    return middleware


ROUTES: dict[str, WSGIApp] = {
    "/hooks": receiver.wsgi,
    "/read-first/hooks": read_first(receiver.wsgi),
}


@seen
def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    route = ROUTES.get(environ.get("PATH_INFO", ""))
    if route is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    return route(environ, start_response)  # type: ignore[no-any-return]
