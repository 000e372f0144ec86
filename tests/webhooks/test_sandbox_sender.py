"""The sandbox's webhook sender: what it sends, how it signs, retries, and shuts down."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest
from aiohttp import web

from paycombat_async import PayCombat
from paycombat_async._codec.signing import js_dumps, sign
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.webhooks import VirtualAccountRegistration, WebhookEvent, handler
from tests.helpers import client_for, payout_args
from tests.webhooks.helpers import Collector, serve


class Inbox:
    """A raw receiver: records each request's exact bytes and headers, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.arrived = asyncio.Event()
        self.hang = False
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((await request.read(), dict(request.headers)))
        self.arrived.set()
        if self.hang:
            await self.release.wait()
        return web.Response(status=self.status)


async def test_each_notification_is_the_row_signed_over_the_exact_bytes_sent(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    inbox = Inbox()
    async with serve(inbox.handle) as url:
        sandbox.webhooks.url = url
        payout = await client.payouts.create(**payout_args(order_id="inv-1"))
        await client.payouts.simulate(payout.id, status="SUCCESS")
        await sandbox.webhooks.drain()
    ((raw, headers),) = inbox.received
    assert headers["X-Signature"] == sign(raw, sandbox.signature_key)
    assert headers["Content-Type"] == "application/json"
    body = json.loads(raw)
    assert raw == js_dumps(body)  # already what JSON.stringify prints: both checks agree
    assert body["id"] == payout.id
    assert body["status"] == "SUCCESS"
    assert body["type"] == "PAYOUT"
    assert body["order_id"] == "inv-1"


async def test_only_the_documented_notifications_are_sent(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    inbox = Inbox()
    async with serve(inbox.handle) as url:
        sandbox.webhooks.url = url
        await client.payouts.create(**payout_args())  # PENDING: no webhook
        checkout = await client.checkouts.create_payment_request(
            amount=Decimal("20"), currency="AUD", country_code="AU"
        )
        bound = await client.checkouts.bind_payin_method(
            checkout_token=checkout.checkout_token or "", payin_method_name="au_bank_npp"
        )
        await client.checkouts.cancel(bound.id)  # the payin becomes CANCELLED: no webhook
        await sandbox.webhooks.drain()
    assert inbox.received == []


async def test_nothing_is_sent_without_a_url(sandbox: LocalSandbox, client: PayCombat) -> None:
    payout = await client.payouts.create(**payout_args())
    await client.payouts.simulate(payout.id, status="SUCCESS")
    await sandbox.webhooks.drain()
    assert sandbox.webhooks.deliveries == []


async def test_a_krw_checkout_virtual_account_sends_the_va_register_callback(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    collector = Collector()
    async with serve(
        handler(signature_key=sandbox.signature_key, on={WebhookEvent: collector})
    ) as url:
        sandbox.webhooks.url = url
        checkout = await client.checkouts.create_payment_request(
            amount=Decimal("50000"), currency="KRW", country_code="KR"
        )
        await client.checkouts.bind_virtual_account(
            checkout_token=checkout.checkout_token or "", payin_method_name="KDB산업은행"
        )
        (event,) = await collector.wait(1)
    assert isinstance(event, VirtualAccountRegistration)
    assert event.status == "APPROVED"


async def test_an_unreachable_receiver_is_retried_then_given_up(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    async with serve(Inbox().handle) as url:
        pass  # the port is closed again: connections are refused
    sandbox.webhooks.url, sandbox.webhooks.backoff, sandbox.webhooks.max_attempts = url, 0, 3
    payout = await client.payouts.create(**payout_args())
    await client.payouts.simulate(payout.id, status="FAILED")
    await sandbox.webhooks.drain()
    (delivery,) = sandbox.webhooks.deliveries
    assert len(delivery.attempts) == 3
    assert all(isinstance(a, str) for a in delivery.attempts)
    assert not delivery.delivered


async def test_closing_the_sandbox_cancels_deliveries_in_flight() -> None:
    inbox = Inbox()
    inbox.hang = True
    async with serve(inbox.handle) as url:
        sandbox = LocalSandbox(webhook_url=url)
        await sandbox.start()
        try:
            async with client_for(sandbox) as other:
                payout = await other.payouts.create(**payout_args())
                await other.payouts.simulate(payout.id, status="SUCCESS")
                await other.payouts.simulate(payout.id, status="RETURNED")
            await inbox.arrived.wait()  # the first delivery is stuck in the receiver
        finally:
            await asyncio.wait_for(sandbox.aclose(), 5)
            inbox.release.set()
    assert len(inbox.received) == 1  # the second was never sent
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[]]


@pytest.mark.parametrize("status", [200, 204, 299])
async def test_any_2xx_counts_as_delivered(
    sandbox: LocalSandbox, client: PayCombat, status: int
) -> None:
    async with serve(Inbox(status).handle) as url:
        sandbox.webhooks.url = url
        payout = await client.payouts.create(**payout_args())
        await client.payouts.simulate(payout.id, status="SUCCESS")
        await sandbox.webhooks.drain()
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[status]]


def test_the_cli_takes_a_webhook_url(capsys: pytest.CaptureFixture[str]) -> None:
    from paycombat_async import _cli
    from paycombat_async._cli.app import sandbox

    assert "webhook_url" in [param.name for param in sandbox.params]
    assert _cli.main(["sandbox", "--webhook-url"]) == 2  # the option needs a value
    assert "--webhook-url" in capsys.readouterr().err


async def test_switches_are_set_by_name_and_copies_says_how_many_alone(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    inbox = Inbox()
    async with serve(inbox.handle) as url:
        sandbox.webhooks.duplicate = True
        sandbox.webhooks.switch(url=url, copies=1)
        assert sandbox.webhooks.settings()["copies"] == 1  # duplicate no longer makes it 2
        payout = await client.payouts.create(**payout_args())
        await client.payouts.simulate(payout.id, status="SUCCESS")
        await sandbox.webhooks.drain()
    assert len(inbox.received) == 1
    with pytest.raises(TypeError, match="no webhook switch duplicates"):
        sandbox.webhooks.switch(duplicates=2)
