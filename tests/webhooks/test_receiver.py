"""The full loop: the sandbox sends signed notifications, a real aiohttp app receives them with
``handler``/``Receiver``, and the callbacks run once per notification, in lifecycle order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import attrs
import pytest

from paycombat_async import PayCombat
from paycombat_async._codec.signing import js_dumps, sign
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.webhooks import (
    PayinEvent,
    PayinExpired,
    PayinFailed,
    PayinSucceeded,
    PayoutEvent,
    PayoutFailed,
    PayoutReturned,
    PayoutSucceeded,
    Receiver,
    SQLiteStore,
    UnknownEvent,
    VirtualAccountRegistration,
    WebhookEvent,
    WebhookResponse,
    handler,
)
from tests.helpers import payout_args
from tests.webhooks.helpers import KEY, PAYOUT_SUCCESS, Collector, payload, serve


@pytest.fixture
async def hooks(sandbox: LocalSandbox) -> AsyncIterator[tuple[Collector, LocalSandbox]]:
    """A receiver with one callback for every event, and the sandbox sending to it."""
    collector = Collector()
    app_handler = handler(signature_key=sandbox.signature_key, on={WebhookEvent: collector})
    async with serve(app_handler) as url:
        sandbox.webhooks.url = url
        sandbox.webhooks.backoff = 0
        yield collector, sandbox


async def _payout(client: PayCombat, order_id: str = "order-1") -> str:
    return (await client.payouts.create(**payout_args(order_id=order_id))).id


async def _payin(client: PayCombat) -> str:
    payin = await client.payins.create(
        amount=Decimal("100"), currency="AUD", payin_method_name="au_bank_npp", transaction="t-1"
    )
    return payin.id


@pytest.mark.parametrize(
    ("status", "cls"),
    [("SUCCESS", PayoutSucceeded), ("FAILED", PayoutFailed)],
)
async def test_a_simulated_payout_reaches_the_callback(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat, status: str, cls: type[PayoutEvent]
) -> None:
    collector, sandbox = hooks
    payout_id = await _payout(client, order_id="inv-7")
    await client.payouts.simulate(payout_id, status=status)
    (event,) = await collector.wait(1)
    assert type(event) is cls
    assert isinstance(event, PayoutEvent)
    assert event.object_id == payout_id
    assert event.order_id == "inv-7"
    assert event.verified
    assert event.payout.type == "PAYOUT"  # the webhook body adds it to the payout row
    assert attrs.evolve(event.payout, type=None) == await client.payouts.retrieve(payout_id)
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[200]]


async def test_a_returned_payout_notifies_success_then_returned(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat
) -> None:
    collector, _ = hooks
    payout_id = await _payout(client)
    await client.payouts.simulate(payout_id, status="SUCCESS")
    await client.payouts.simulate(payout_id, status="RETURNED")
    events = await collector.wait(2)
    assert [type(e) for e in events] == [PayoutSucceeded, PayoutReturned]


@pytest.mark.parametrize(
    ("status", "cls"),
    [("SUCCESS", PayinSucceeded), ("FAILED", PayinFailed), ("EXPIRED", PayinExpired)],
)
async def test_a_simulated_payin_reaches_the_callback(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat, status: str, cls: type[PayinEvent]
) -> None:
    collector, _ = hooks
    payin_id = await _payin(client)
    await client.payins.simulate(payin_id, status=status)
    (event,) = await collector.wait(1)
    assert type(event) is cls
    assert isinstance(event, PayinEvent)
    assert event.payin.id == payin_id
    assert event.payin.iso_currency == "AUD"
    assert event.order_id == "t-1"


async def test_an_expiring_checkout_notifies_its_payin_expired(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat
) -> None:
    collector, sandbox = hooks
    checkout = await client.checkouts.create_payment_request(
        amount=Decimal("20"), currency="AUD", country_code="AU", description="inv-9"
    )
    checkout = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token or "", payin_method_name="au_bank_npp"
    )
    sandbox.expire_checkout(checkout.id)
    (event,) = await collector.wait(1)
    assert isinstance(event, PayinExpired)
    assert event.object_id == checkout.payin_id
    assert (await client.checkouts.retrieve(checkout.id)).status == "EXPIRED"


@pytest.mark.parametrize("status", ["APPROVED", "FAILED"])
async def test_a_virtual_account_registration_reaches_the_callback(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat, status: str
) -> None:
    collector, _ = hooks
    account = await client.payins.create_virtual_account(
        payin_method_name="KDB산업은행", amount=Decimal("50000"), user_name="홍길동"
    )
    await client.payins.simulate_virtual_account(account.id, status=status)
    (event,) = await collector.wait(1)
    assert isinstance(event, VirtualAccountRegistration)
    assert event.status == status
    assert event.object_id == account.id
    assert event.virtual_account.user_name == "홍길동"
    if status == "APPROVED":
        assert event.virtual_account.account_number


async def test_a_kind_the_sdk_does_not_know_reaches_a_catch_all_callback(
    hooks: tuple[Collector, LocalSandbox],
) -> None:
    collector, sandbox = hooks
    sandbox.webhooks.send({"id": "w-1", "type": "WALLET", "status": "CREDITED", "amount": 5})
    (event,) = await collector.wait(1)
    assert isinstance(event, UnknownEvent)
    assert event.type == "WALLET"
    assert event.payload["amount"] == 5


async def test_callbacks_are_chosen_by_the_most_specific_class(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    succeeded, any_payout, anything = Collector(), Collector(), Collector()
    receiver = Receiver(
        signature_key=sandbox.signature_key,
        on={PayoutEvent: any_payout, WebhookEvent: anything},
    )
    receiver.on(PayoutSucceeded)(succeeded)
    async with serve(receiver.handle) as url:
        sandbox.webhooks.url = url
        payout_id = await _payout(client)
        await client.payouts.simulate(payout_id, status="SUCCESS")
        await client.payouts.simulate(payout_id, status="RETURNED")
        await client.payins.simulate(await _payin(client), status="FAILED")
        await sandbox.webhooks.drain()
    assert [type(e) for e in succeeded.events] == [PayoutSucceeded]
    assert [type(e) for e in any_payout.events] == [PayoutReturned]
    assert [type(e) for e in anything.events] == [PayinFailed]


async def test_a_notification_without_a_callback_is_acknowledged(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    async with serve(handler(signature_key=sandbox.signature_key)) as url:
        sandbox.webhooks.url = url
        await client.payouts.simulate(await _payout(client), status="SUCCESS")
        await sandbox.webhooks.drain()
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[200]]


# -- redelivery, duplicates, order ---------------------------------------------------------


async def test_a_failing_callback_answers_500_and_the_redelivery_is_processed(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    collector = Collector(fail_first=2)
    async with serve(
        handler(signature_key=sandbox.signature_key, on={PayoutEvent: collector})
    ) as url:
        sandbox.webhooks.url, sandbox.webhooks.backoff = url, 0
        await client.payouts.simulate(await _payout(client), status="SUCCESS")
        (event,) = await collector.wait(1)
    assert isinstance(event, PayoutSucceeded)
    assert collector.calls == 3
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[500, 500, 200]]


async def test_retries_are_bounded_when_the_receiver_never_answers_2xx(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    collector = Collector(fail_first=100)
    async with serve(
        handler(signature_key=sandbox.signature_key, on={WebhookEvent: collector})
    ) as url:
        sandbox.webhooks.url, sandbox.webhooks.backoff, sandbox.webhooks.max_attempts = url, 0, 3
        await client.payouts.simulate(await _payout(client), status="SUCCESS")
        await sandbox.webhooks.drain()
    (delivery,) = sandbox.webhooks.deliveries
    assert delivery.attempts == [500, 500, 500]
    assert not delivery.delivered
    assert collector.events == []


async def test_a_duplicated_delivery_is_processed_once(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat
) -> None:
    collector, sandbox = hooks
    sandbox.webhooks.duplicate = True
    await client.payouts.simulate(await _payout(client), status="SUCCESS")
    await sandbox.webhooks.drain()
    assert len(collector.events) == 1
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[200], [200]]


async def test_a_delayed_delivery_still_arrives(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat
) -> None:
    collector, sandbox = hooks
    sandbox.webhooks.delay = 0.05
    await client.payouts.simulate(await _payout(client), status="FAILED")
    assert [type(e) for e in await collector.wait(1)] == [PayoutFailed]


async def test_an_older_notification_arriving_late_never_moves_the_payout_back(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat
) -> None:
    collector, sandbox = hooks
    sandbox.webhooks.out_of_order = True
    payout_id = await _payout(client)
    await client.payouts.simulate(payout_id, status="SUCCESS")
    await client.payouts.simulate(payout_id, status="RETURNED")
    await sandbox.webhooks.drain()
    statuses = [json.loads(d.body)["status"] for d in sandbox.webhooks.deliveries]
    assert statuses == ["RETURNED", "SUCCESS"]  # the sandbox swapped them
    assert all(d.attempts == [200] for d in sandbox.webhooks.deliveries)  # both acknowledged
    assert [type(e) for e in collector.events] == [PayoutReturned]  # the stale one not dispatched


async def test_unsigned_deliveries_are_refused_by_a_receiver_with_a_key(
    hooks: tuple[Collector, LocalSandbox], client: PayCombat
) -> None:
    collector, sandbox = hooks
    sandbox.webhooks.unsigned, sandbox.webhooks.max_attempts = True, 2
    await client.payouts.simulate(await _payout(client), status="SUCCESS")
    await sandbox.webhooks.drain()
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[401, 401]]
    assert sandbox.webhooks.deliveries[0].signature is None
    assert collector.events == []


async def test_unsigned_deliveries_are_dispatched_unverified_when_allowed(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    collector = Collector()
    receiver = Receiver(signature_key=None, allow_unsigned=True, on={WebhookEvent: collector})
    async with serve(receiver.handle) as url:
        sandbox.webhooks.url, sandbox.webhooks.unsigned = url, True
        await client.payouts.simulate(await _payout(client), status="SUCCESS")
        (event,) = await collector.wait(1)
    assert event.verified is False


# -- hostile deliveries straight to the receiver ---------------------------------------------


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status, json.loads(await response.read())


@pytest.fixture
async def receiver_url() -> AsyncIterator[tuple[str, Collector]]:
    collector = Collector()
    async with serve(
        handler(signature_key=KEY, on={WebhookEvent: collector}, max_body_bytes=4096)
    ) as url:
        yield url, collector


def _signed(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = js_dumps(body)
    return raw, {"X-Signature": sign(raw, KEY), "Content-Type": "application/json"}


async def test_forged_and_truncated_deliveries_get_401_and_no_dispatch(
    receiver_url: tuple[str, Collector],
) -> None:
    url, collector = receiver_url
    raw, headers = _signed(PAYOUT_SUCCESS)
    forged = {"X-Signature": sign(raw, "not the key")}
    assert (await _post(url, raw, forged))[0] == 401
    assert (await _post(url, raw[:-7], headers))[0] == 401
    assert (await _post(url, raw, {}))[0] == 401
    assert (await _post(url, raw.replace(b"50", b"99"), headers))[0] == 401
    status, answer = await _post(url, b"[" * 3000, headers)
    assert status == 401
    assert "error" in answer
    assert collector.calls == 0


async def test_a_replayed_delivery_is_acknowledged_and_not_dispatched_again(
    receiver_url: tuple[str, Collector],
) -> None:
    url, collector = receiver_url
    raw, headers = _signed(PAYOUT_SUCCESS)
    assert await _post(url, raw, headers) == (200, {"received": True, "outcome": "processed"})
    assert await _post(url, raw, headers) == (200, {"received": True, "outcome": "duplicate"})
    assert collector.calls == 1


async def test_a_re_encoded_delivery_is_verified_but_a_reordered_one_is_not(
    receiver_url: tuple[str, Collector],
) -> None:
    url, collector = receiver_url
    _, headers = _signed(PAYOUT_SUCCESS)
    assert (await _post(url, json.dumps(PAYOUT_SUCCESS, indent=1).encode(), headers))[0] == 200
    reordered = json.dumps(dict(reversed(list(PAYOUT_SUCCESS.items())))).encode()
    assert (await _post(url, reordered, headers))[0] == 401
    assert collector.calls == 1


async def test_an_older_status_posted_after_a_newer_one_is_stale(
    receiver_url: tuple[str, Collector],
) -> None:
    url, collector = receiver_url
    returned = payload(PAYOUT_SUCCESS, status="RETURNED", updated_at="2025-06-12T00:00:00.000Z")
    failed_later = payload(PAYOUT_SUCCESS, status="FAILED", updated_at="2025-06-11T00:00:00.000Z")
    assert (await _post(url, *_signed(returned)))[1]["outcome"] == "processed"
    assert (await _post(url, *_signed(PAYOUT_SUCCESS)))[1]["outcome"] == "stale"
    assert (await _post(url, *_signed(failed_later)))[1]["outcome"] == "stale"
    assert [e.status for e in collector.events] == ["RETURNED"]


async def test_oversized_and_malformed_bodies_get_413_and_400(
    receiver_url: tuple[str, Collector],
) -> None:
    url, collector = receiver_url
    big = payload(PAYOUT_SUCCESS, padding="x" * 5000)
    assert (await _post(url, *_signed(big)))[0] == 413
    raw = b'{"id": "x", "amount": NaN}'
    assert (await _post(url, raw, {"X-Signature": sign(raw, KEY)}))[0] == 400
    raw = b'{"a":' * 40 + b"1" + b"}" * 40
    assert (await _post(url, raw, {"X-Signature": sign(raw, KEY)}))[0] == 400
    assert collector.calls == 0


async def test_a_delivery_arriving_while_the_same_one_is_processed_gets_409() -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    calls: list[WebhookEvent] = []

    async def slow(event: WebhookEvent) -> None:
        calls.append(event)
        entered.set()
        await release.wait()

    raw, headers = _signed(PAYOUT_SUCCESS)
    async with serve(handler(signature_key=KEY, on={WebhookEvent: slow})) as url:
        first = asyncio.ensure_future(_post(url, raw, headers))
        await entered.wait()
        assert (await _post(url, raw, headers))[0] == 409
        release.set()
        assert (await first)[0] == 200
        assert (await _post(url, raw, headers))[1]["outcome"] == "duplicate"
    assert len(calls) == 1


async def test_the_sqlite_store_deduplicates_across_receivers(tmp_path: Path) -> None:
    database = tmp_path / "webhooks.sqlite3"
    raw, headers = _signed(PAYOUT_SUCCESS)
    first, second = Collector(), Collector()
    with SQLiteStore(database) as store:
        async with serve(handler(signature_key=KEY, on={WebhookEvent: first}, store=store)) as url:
            assert (await _post(url, raw, headers))[1]["outcome"] == "processed"
    with SQLiteStore(database) as store:  # a restarted process, or another worker
        async with serve(handler(signature_key=KEY, on={WebhookEvent: second}, store=store)) as url:
            assert (await _post(url, raw, headers))[1]["outcome"] == "duplicate"
            older = payload(PAYOUT_SUCCESS, status="FAILED", updated_at="2025-01-01T00:00:00Z")
            assert (await _post(url, *_signed(older)))[1]["outcome"] == "stale"
            returned = payload(PAYOUT_SUCCESS, status="RETURNED")
            assert (await _post(url, *_signed(returned)))[1]["outcome"] == "processed"
    assert len(first.events) == 1
    assert [e.status for e in second.events] == ["RETURNED"]


async def test_a_failed_callback_releases_its_claim_in_the_sqlite_store(tmp_path: Path) -> None:
    collector = Collector(fail_first=1)
    raw, headers = _signed(PAYOUT_SUCCESS)
    with SQLiteStore(tmp_path / "w.sqlite3") as store:
        async with serve(
            handler(signature_key=KEY, on={WebhookEvent: collector}, store=store)
        ) as url:
            assert (await _post(url, raw, headers))[0] == 500
            assert (await _post(url, raw, headers))[1]["outcome"] == "processed"
    assert collector.calls == 2
    assert len(collector.events) == 1


def test_a_receiver_needs_a_key_or_an_explicit_opt_out() -> None:
    from paycombat_async import ConfigurationError

    with pytest.raises(ConfigurationError):
        Receiver(signature_key=None)
    with pytest.raises(TypeError):
        Receiver(signature_key=KEY, on={"payout.succeeded": Collector()})  # type: ignore[dict-item]
    assert KEY not in repr(Receiver(signature_key=KEY))


async def test_the_async_receiver_also_calls_plain_functions() -> None:
    seen: list[WebhookEvent] = []
    receiver = Receiver(signature_key=KEY, on={WebhookEvent: seen.append})
    raw, headers = _signed(PAYOUT_SUCCESS)
    assert (await receiver.receive(raw, headers)).status == 200
    assert [e.object_id for e in seen] == [PAYOUT_SUCCESS["id"]]


async def test_a_cancelled_callback_releases_its_claim_and_stays_cancelled(tmp_path: Path) -> None:
    entered = asyncio.Event()
    calls: list[WebhookEvent] = []

    async def settle(event: WebhookEvent) -> None:
        calls.append(event)
        if len(calls) == 1:
            entered.set()
            await asyncio.Event().wait()  # until cancelled

    answers: list[WebhookResponse] = []
    raw, headers = _signed(PAYOUT_SUCCESS)
    with SQLiteStore(tmp_path / "w.sqlite3") as store:  # blocking: released in a worker thread
        receiver = Receiver(signature_key=KEY, on={WebhookEvent: settle}, store=store)

        async def deliver() -> None:
            answers.append(await receiver.receive(raw, headers))

        async with anyio.create_task_group() as group:
            group.start_soon(deliver)
            await entered.wait()
            group.cancel_scope.cancel()
        assert answers == []  # the cancellation went on, it was not turned into an answer
        redelivered = await receiver.receive(raw, headers)  # not 409 until the lease runs out
    assert json.loads(redelivered.body) == {"received": True, "outcome": "processed"}
    assert len(calls) == 2


async def test_a_failing_callback_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = RuntimeError("the merchant's database is down")

    async def settle(event: WebhookEvent) -> None:
        raise error

    receiver = Receiver(signature_key=KEY, on={WebhookEvent: settle})
    with caplog.at_level("ERROR", logger="paycombat.webhooks"):
        assert (await receiver.receive(*_signed(PAYOUT_SUCCESS))).status == 500
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.exc_info is not None
    assert record.exc_info[1] is error
