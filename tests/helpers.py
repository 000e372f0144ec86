"""Test helpers: a payout request that the sandbox accepts, and a scripted loopback server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
from aiohttp import web

from paycombat_async import PayCombat
from paycombat_async.testing import NO_WAIT as NO_WAIT  # resends without waiting: never sleeps

if TYPE_CHECKING:
    from tests.rawserver import RawServer


def payout_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "payout_beneficiary_param": {
            "individual": {"first_name": "Ana", "last_name": "Lima"},
            "account_number": "12345678",
            "bsb": "123456",
        },
        "sender_amount": Decimal("25.00"),
        "sender_currency": "AUD",
        "sender_country": "AU",
        "beneficiary_amount": Decimal("25.00"),
        "beneficiary_currency": "AUD",
        "payout_method_name": "au_bank_acct",
        "purpose_code": "SELF",
        "order_id": "order-1",
    }
    args.update(overrides)
    return args


@attrs.define
class Scripted:
    """A loopback server that answers every request with the next scripted response."""

    base_url: str = ""
    responses: list[tuple[int, bytes, dict[str, str]]] = attrs.Factory(list)
    seen: list[web.Request] = attrs.Factory(list)
    bodies: list[bytes] = attrs.Factory(list)

    def reply(self, status: int, body: bytes | str, **headers: str) -> None:
        raw = body.encode() if isinstance(body, str) else body
        self.responses.append((status, raw, headers))

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(request)
        self.bodies.append(await request.read())
        status, body, headers = (
            self.responses.pop(0) if self.responses else (200, b'{"status":true,"data":{}}', {})
        )
        return web.Response(
            status=status,
            body=body,
            headers=headers,
            content_type=headers.pop("content_type", "application/json"),
        )


@asynccontextmanager
async def serve_app(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def scripted_server() -> AsyncIterator[Scripted]:
    scripted = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", scripted.handle)
    async with serve_app(app) as base_url:
        scripted.base_url = base_url
        yield scripted


CREATE_PATH = "/api/v1/payout/create-payout"


def client_of(server: RawServer, **kwargs: Any) -> PayCombat:
    """A client of a raw socket server: a 2 s deadline unless told, resends without waiting."""
    kwargs.setdefault("timeout", 2)
    return client_for(server.base_url, **kwargs)


def client_for(base_url: str, **kwargs: Any) -> PayCombat:
    kwargs.setdefault("retry", NO_WAIT)
    kwargs.setdefault("timeout", 10)
    return PayCombat(
        token="snd_test_token_value",
        signature_key="snd_test_signature_key",
        base_url=base_url,
        **kwargs,
    )
