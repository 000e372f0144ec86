"""A canned PayCombat server for benchmarks: ``python -m benchmarks._server``.

An ``aiohttp.web`` app on 127.0.0.1 answering Create Payout (POST) and Retrieve Payout (GET) with
fixed bytes shaped like the real envelope, so the client's parsing and structuring work counts but
the server does as little as it can (no signature check, no state). It prints its base URL on one
line and serves until its stdin closes. It runs in its own process so it never competes with the
client under test for the GIL.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from aiohttp import web

# Imported for the paths only; the route table is the single source of truth for them.
from paycombat_async import OPERATIONS

from ._payloads import PAYOUT_ID

CREATE = OPERATIONS["payouts.create"]
RETRIEVE = OPERATIONS["payouts.retrieve"]

# One payout as the local sandbox serves it (PayCombat docs: Retrieve Payout), field for field.
PAYOUT: dict[str, Any] = {
    "id": PAYOUT_ID,
    "payout_id_finmo": "payout_0d1f62dca4ff4f388621c39cd01b285c",
    "merchant_id": "64399988-003b-4ef1-a778-ea3b010593eb",
    "reply_code_id_pg": "payout_0d1f62dca4ff4f388621c39cd01b285c",
    "status": "PENDING",
    "wire_id": "100000",
    "order_id": "bench-1",
    "due_date": "2026-11-25T16:39:36.484Z",
    "last_action": None,
    "wire_amount": 1.25,
    "fee_taken": 0,
    "fee_expected": 0,
    "payee_name": "Bench 1",
    "currency": "AUD",
    "beneficiary": "",
    "beneficiary_bank": "au_bank_acct",
    "beneficiary_account_number": "12345678",
    "beneficiary_account_iban": None,
    "wire_origin": None,
    "conversion": None,
    "process": None,
    "approval": "APPROVED",
    "created_at": "2026-11-25T16:39:36.484Z",
    "updated_at": "2026-11-25T16:39:36.484Z",
    "approved_at": "2026-11-25T16:39:36.484Z",
    "denied_at": None,
    "pending_at": "2026-11-25T16:39:36.484Z",
}


def envelope(message: str) -> bytes:
    """The success envelope around the payout, as bytes ready to send."""
    return json.dumps({"status": True, "message": message, "data": PAYOUT}).encode()


CREATED = envelope("Created")
RETRIEVED = envelope("Success retrieve payout")


async def create_payout(request: web.Request) -> web.Response:
    await request.read()  # a real server reads the whole signed body before answering
    return web.Response(body=CREATED, content_type="application/json")


async def retrieve_payout(request: web.Request) -> web.Response:
    return web.Response(body=RETRIEVED, content_type="application/json")


def app() -> web.Application:
    application = web.Application()
    application.router.add_route(CREATE.method, CREATE.path, create_payout)
    application.router.add_route(RETRIEVE.method, RETRIEVE.path, retrieve_payout)
    return application


async def serve() -> None:
    runner = web.AppRunner(app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    print(f"http://127.0.0.1:{port}", flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve())
