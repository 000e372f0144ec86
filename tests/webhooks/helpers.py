"""Webhook test helpers: documented payloads, a receiver on loopback, and event collectors."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from paycombat_async.sandbox import LocalSandbox, RecordedRequest
from paycombat_async.webhooks import WebhookEvent
from tests.helpers import PAYIN_SUCCESS_WEBHOOK, serve_app

KEY = "snd_webhook_signature_key_0123456789"

# PayCombat docs: Webhook PAYOUT SUCCESS (example payload).
PAYOUT_SUCCESS: dict[str, Any] = {
    "id": "e1409c69-2b71-4137-8651-4d09b2ed723d",
    "merchant_id": "577311c7-9788-4ec1-8501-86ae69b134e6",
    "status": "SUCCESS",
    "wire_id": "w_txn_e0354283426b44489840d9b8800901ec",
    "order_id": "27862467",
    "due_date": "2025-06-11T00:00:00.000Z",
    "last_action": None,
    "original_amount": "50",
    "payee_name": "Devtes",
    "currency": "SGD",
    "beneficiary": "Devtes",
    "beneficiary_bank": "sg_bank_fastpayment_sgd",
    "beneficiary_account_number": None,
    "beneficiary_account_iban": None,
    "wire_origin": None,
    "conversion": None,
    "approval": "APPROVED",
    "created_at": "2025-06-10T01:09:44.000Z",
    "updated_at": "2025-06-10T01:09:45.000Z",
    "approved_at": None,
    "denied_at": None,
    "pending_at": None,
    "type": "PAYOUT",
}

PAYIN_SUCCESS = PAYIN_SUCCESS_WEBHOOK  # PayCombat docs: Webhook PAYIN SUCCESS

VA_APPROVED: dict[str, Any] = {
    "id": "9b0f3c7e-8f57-4e0a-9a35-0f6f1d3c2b11",
    "status": "APPROVED",
    "payin_method_name": "KDB산업은행",
    "amount": 50000,
    "currency": "KRW",
    "user_name": "홍길동",
    "account_bankname": "KDB산업은행",
    "account_number": "00212345678901",
    "account_holder": "홍길동",
    "created_at": "2025-06-10T01:09:44.000Z",
    "updated_at": "2025-06-10T01:09:45.000Z",
}


def payload(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    body.update(changes)
    return body


class Collector:
    """An async callback that records events and lets a test wait for a number of them."""

    def __init__(self, fail_first: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.calls = 0
        self.fail_first = fail_first
        self._changed = asyncio.Condition()

    async def __call__(self, event: WebhookEvent) -> None:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise RuntimeError("the merchant's database is down")
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def wait(self, count: int) -> list[WebhookEvent]:
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.events) >= count)
        return self.events


@asynccontextmanager
async def serve(
    handler: Callable[[web.Request], Any], path: str = "/paycombat/webhooks"
) -> AsyncIterator[str]:
    """Serve ``handler`` at ``path`` on loopback; yields the URL."""
    app = web.Application()
    app.router.add_post(path, handler)
    async with serve_app(app) as base_url:
        yield base_url + path


class Requests(list[RecordedRequest]):
    """A sandbox request log that signals when ``count`` requests titled ``title`` arrived."""

    def __init__(self, title: str, count: int = 1) -> None:
        super().__init__()
        self.title, self.count = title, count
        self.arrived = asyncio.Event()

    def append(self, request: RecordedRequest) -> None:
        super().append(request)
        if len([r for r in self if r.title == self.title]) >= self.count:
            self.arrived.set()


def watch(sandbox: LocalSandbox, title: str, count: int = 1) -> Requests:
    recorded = Requests(title, count)
    sandbox.requests = recorded
    return recorded
