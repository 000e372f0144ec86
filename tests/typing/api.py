"""The API as a user writes it, for both packages. Never executed: ``mypy --strict`` checks it
(``nox -s typing``), so the types users see are tested. ``# type: ignore[...]`` lines are
mistakes a type checker must catch (``warn_unused_ignores`` fails if it does not).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, assert_type

import paycombat_async
import paycombat_sync
from paycombat_async import AsyncPaginator, Page, Payout, PayoutMethod, PayoutStatus
from paycombat_async.testing import NO_WAIT, SyncWebhookInbox, WebhookInbox
from paycombat_sync import Paginator
from paycombat_sync.sandbox import Fault, LocalSandbox, RecordedRequest


def blocking_user() -> None:
    with paycombat_sync.PayCombat(token="snd_x", signature_key="k", timeout=30) as client:
        payout = client.payouts.create(
            payout_beneficiary_param={"account_number": "12345678", "bsb": "123456"},
            sender_amount=Decimal("12.50"),
            sender_currency="AUD",
            sender_country="AU",
            payout_method_name="au_bank_acct",
            order_id="inv-1",
        )
        assert_type(payout, Payout)
        assert_type(client.payouts.retrieve(payout.id), Payout)
        assert_type(client.payouts.retrieve_memo(payout.id), bytes)

        listing = client.payouts.list(status=PayoutStatus.PENDING, limit=50)
        assert_type(listing, Paginator[Payout])
        for item in listing:
            assert_type(item, Payout)
        for page in listing.pages():
            assert_type(page, Page[Payout])
        assert_type(listing.to_list(max_items=10), list[Payout])

        assert_type(client.request("GET", "/api/v1/master-data/country-currency"), Any)
        assert_type(client.is_closed, bool)
        assert_type(client.config, paycombat_async.ClientConfig)

        client.payouts.retrieve(42)  # type: ignore[arg-type]
        client.payouts.create(sender_amount=1.5)  # type: ignore[call-arg, arg-type]
        client.payouts.list(page="2")  # type: ignore[arg-type]
        client.payouts.nonexistent()  # type: ignore[attr-defined]
        assert_type(client.payout_methods.list(), Paginator[PayoutMethod])
        assert_type(client.payout_methods.list().to_list(), list[PayoutMethod])
        saved = client.payouts.create(
            payout_beneficiary_id="pb_1",
            sender_amount=Decimal("5"),
            sender_currency="AUD",
            sender_country="AU",
            payout_method_name="au_bank_acct",
            extra={"memo": "x"},
        )
        assert_type(saved, Payout)
        assert_type(hash(saved), int)
        raw = client.with_raw_response.payouts.retrieve("id")
        assert_type(raw, paycombat_async.RawResponse[Payout])
        assert_type(raw.parse(), Payout)
        assert_type(client.with_raw_response.payouts.list().parsed, list[Payout])
        assert_type(client.with_options(timeout=5).payouts.retrieve("id"), Payout)
    client.close()

    try:
        paycombat_sync.PayCombat(max_connections="many")  # type: ignore[arg-type]
    except paycombat_sync.OutcomeUnknownError as exc:
        assert_type(exc.may_have_taken_effect, bool)
    except KeyboardInterrupt as interrupt:
        if isinstance(interrupt.__cause__, paycombat_sync.OutcomeUnknownError):
            raise

    assert paycombat_sync.NotFoundError is paycombat_async.NotFoundError


def blocking_tests() -> None:
    with LocalSandbox() as sandbox:
        assert_type(sandbox.inject("Create Payout", status=503), Fault)
        assert_type(sandbox.requests_for("Create Payout"), list[RecordedRequest])
        with paycombat_sync.PayCombat(
            token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
        ) as client:
            assert_type(client.payouts.list().to_list(), list[Payout])


async def async_user() -> None:
    async with paycombat_async.PayCombat(token="snd_x", signature_key="k") as client:
        payout = await client.payouts.retrieve("id")
        assert_type(payout, Payout)
        listing = client.payouts.list(limit=5)
        assert_type(listing, AsyncPaginator[Payout])
        async for item in listing:
            assert_type(item, Payout)
        assert_type(await listing.to_list(), list[Payout])
        client.payouts.retrieve("id")  # type: ignore[unused-coroutine]
        assert_type(await client.payouts.list(), list[Payout])
        assert_type(await client.payout_methods.list(currency="AUD"), list[PayoutMethod])
        assert_type(client.payout_methods.list(), AsyncPaginator[PayoutMethod])
        await client.payouts.list(status="SUCESS")  # type: ignore[arg-type]
        await client.payouts.create(  # type: ignore[call-arg]
            sender_amount=Decimal(1), sender_currency="AUD", sender_country="AU"
        )
        await client.payouts.simulate("id", status="PENDING")  # type: ignore[arg-type]
        await client.payouts.retrieve(payout_id="id")
        await client.customers.create(description="x", type="trust")  # type: ignore[arg-type]
        await client.checkouts.create()  # type: ignore[attr-defined]
        raw = await client.with_raw_response.payouts.retrieve("id")
        assert_type(raw, paycombat_async.RawResponse[Payout])
        assert_type(await client.with_options(max_retries=0).payouts.retrieve("id"), Payout)
    await client.aclose()


def mixing_them_up() -> None:
    client = paycombat_sync.PayCombat(token="snd_x")
    payout: Payout = client.payouts.retrieve("id")
    not_awaitable = client.payouts.retrieve("id")
    assert_type(not_awaitable, Payout)
    aio = paycombat_async.PayCombat(token="snd_x")
    paycombat_async.PayCombat("snd_x")  # type: ignore[call-arg]
    wrong: Payout = aio.payouts.retrieve("id")  # type: ignore[assignment]
    del payout, wrong
    client.close()


async def webhook_user(body: bytes, headers: dict[str, str]) -> None:
    from aiohttp import web

    from paycombat_async.webhooks import (
        PayinSucceeded,
        PayoutSucceeded,
        Receiver,
        WebhookEvent,
        WebhookResponse,
        handler,
        parse_event,
    )

    event = parse_event(body, headers, signature_key="k")
    assert_type(event, WebhookEvent)
    if isinstance(event, PayoutSucceeded):
        assert_type(event.payout, Payout)
        assert_type(event.order_id, str | None)
    parse_event(body.decode(), headers, signature_key="k")  # type: ignore[arg-type]

    receiver = Receiver(signature_key="k")

    @receiver.on(PayoutSucceeded)
    async def paid(event: PayoutSucceeded) -> None:
        assert_type(event.payout, Payout)

    async def wrong(event: PayinSucceeded) -> None: ...

    receiver.on(PayoutSucceeded)(wrong)  # type: ignore[arg-type]
    assert_type(await receiver.receive(body, headers), WebhookResponse)
    app = web.Application()
    app.router.add_post("/hooks", handler(signature_key="k", on={PayoutSucceeded: paid}))

    async with paycombat_async.PayCombat(token="snd_x", signature_key="k") as client:
        assert_type(await client.payouts.wait_for("id", ["SUCCESS"], timeout=30), Payout)
        assert_type(await client.payins.wait_for("id"), paycombat_async.Payin)


def blocking_webhook_user(body: bytes, headers: dict[str, str]) -> None:
    from paycombat_sync.webhooks import PayoutSucceeded, Receiver

    receiver = Receiver(signature_key="k")

    @receiver.on(PayoutSucceeded)
    def paid(event: PayoutSucceeded) -> None: ...

    status, text = receiver.receive(body, headers)
    assert_type(status, int)
    assert_type(text, str)
    with paycombat_sync.PayCombat(token="snd_x") as client:
        assert_type(client.payouts.wait_for("id", timeout=30), Payout)
    with LocalSandbox(webhook_url="http://127.0.0.1:8000/hooks") as sandbox:
        sandbox.webhooks.duplicate = True
        sandbox.drain_webhooks()


def batch_user() -> None:
    rows: list[dict[str, Any]] = []
    with paycombat_sync.PayCombat(token="snd_x", rate_limit=50, max_in_flight=16) as client:
        results = client.payouts.create_many(rows, concurrency=8, journal="j.sqlite")
        assert_type(results, list[paycombat_sync.BatchResult])
        for result in client.payouts.stream_many(iter(rows), on_progress=print):
            assert_type(result, paycombat_sync.BatchResult)
            assert_type(result.payout, Payout | None)
        client.payouts.create_many(rows, concurrency="8")  # type: ignore[arg-type]
        client.payouts.stream_many(rows, settle="5")  # type: ignore[arg-type]
        client.payouts.create_many(rows, journal=3)  # type: ignore[arg-type]
        client.payouts.create_many(rows, on_counts=lambda counts: counts.sent, rate_limit=2.5)


async def async_batch_user() -> None:
    rows: list[paycombat_async.CreatePayoutRequest] = []
    async with paycombat_async.PayCombat(token="snd_x") as client:
        journal = paycombat_async.SQLiteJournal("j.sqlite")
        results = await client.payouts.create_many(rows, journal=journal, settle=5)
        assert_type(results, list[paycombat_async.BatchResult])
        async for result in client.payouts.stream_many(rows, resend_after_settle=True):
            assert_type(result.status, Literal["created", "rejected", "unknown", "conflict"])
        await client.payouts.create_many(rows, concurrency="8")  # type: ignore[arg-type]
        client.payouts.stream_many(rows, resend_after_settle="yes")  # type: ignore[arg-type]
        await client.payouts.create_many(rows, on_progress=lambda result: result.payout)
        reconciled = await client.payouts.create_reconciled(rows[0], settle=5)
        assert_type(reconciled, Payout)


def telemetry_user() -> None:
    from opentelemetry.metrics import NoOpMeterProvider
    from opentelemetry.trace import NoOpTracerProvider, TracerProvider

    tracer_provider, meter_provider = NoOpTracerProvider(), NoOpMeterProvider()
    with paycombat_sync.PayCombat(
        token="snd_x", tracer_provider=tracer_provider, meter_provider=meter_provider
    ) as client:
        assert_type(client.config.tracer_provider, TracerProvider | None)
    paycombat_async.PayCombat(token="snd_x", meter_provider=meter_provider)
    paycombat_async.PayCombat(token="snd_x", tracer_provider=meter_provider)  # type: ignore[arg-type]


async def merchant_tests(
    paycombat_client: paycombat_async.PayCombat,
    paycombat_sandbox: paycombat_async.sandbox.LocalSandbox,
    paycombat_webhooks: WebhookInbox,
    paycombat_sync_webhooks: SyncWebhookInbox,
) -> None:
    # The pytest plugin's fixtures, as a merchant's test annotates them.
    assert_type(paycombat_sandbox.inject("Create Payout", status=503), Fault)
    assert_type(await paycombat_webhooks.next(), list[paycombat_async.webhooks.WebhookEvent])
    assert_type(paycombat_webhooks.events, list[paycombat_async.webhooks.WebhookEvent])
    assert_type(paycombat_webhooks.url, str)
    assert_type(
        paycombat_sync_webhooks.next(2, timeout=5), list[paycombat_sync.webhooks.WebhookEvent]
    )
    assert_type(NO_WAIT, paycombat_async.RetryPolicy)
    await paycombat_webhooks.next("2")  # type: ignore[arg-type]
