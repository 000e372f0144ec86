"""The Starlette app that ``test_servers.py`` serves with a real uvicorn process.

``/hooks`` is the README's two-line recipe; ``/read-first/hooks`` is the same endpoint behind a
middleware that reads the body first. Each event the callback gets is appended to the file
``PAYCOMBAT_TEST_EVENTS`` names; every answer says which ``Transfer-Encoding`` the app saw.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from paycombat_async.webhooks import Receiver, WebhookEvent
from tests.webhooks.helpers import KEY

CAP = 4096


def record(event: WebhookEvent) -> None:
    with open(os.environ["PAYCOMBAT_TEST_EVENTS"], "a", encoding="utf-8") as events:
        events.write(f"{event.object_id}\n")


receiver = Receiver(signature_key=KEY, on={WebhookEvent: record}, max_body_bytes=CAP)


async def paycombat_webhook(request: Request) -> Response:
    # The recipe: these two lines.
    status, body = await receiver.receive(await request.body(), request.headers)
    response = Response(body, status_code=status, media_type="application/json")
    response.headers["X-Seen-Transfer-Encoding"] = request.headers.get("transfer-encoding", "")
    return response


class ReadFirst(BaseHTTPMiddleware):
    """Reads the body before the endpoint does (as audit and logging middlewares do)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        await request.body()
        return await call_next(request)


routes = [Route("/hooks", paycombat_webhook, methods=["POST"])]
app = Starlette(
    routes=[
        *routes,
        Mount("/read-first", Starlette(routes=routes, middleware=[Middleware(ReadFirst)])),
    ]
)
