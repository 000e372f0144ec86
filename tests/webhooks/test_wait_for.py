"""``wait_for``: resolved early by a receiver in the same process, otherwise by polling Retrieve
with backoff, and never past its deadline."""

from __future__ import annotations

import time
from decimal import Decimal

import anyio
import pytest

from paycombat_async import APITimeoutError, PayCombat, PayoutStatus, ValidationError
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.webhooks import Receiver, handler
from tests.helpers import payout_args
from tests.webhooks.helpers import serve, watch


async def _pending_payout(client: PayCombat) -> str:
    return (await client.payouts.create(**payout_args())).id


async def test_a_receiver_in_the_process_resolves_the_wait_without_polling(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payout_id = await _pending_payout(client)
    async with serve(handler(signature_key=sandbox.signature_key)) as url:
        sandbox.webhooks.url = url
        retrieved = watch(sandbox, "Retrieve Payout")
        async with anyio.create_task_group() as tg:

            async def settle() -> None:
                await retrieved.arrived.wait()  # the waiter saw it PENDING and now waits
                await client.payouts.simulate(payout_id, status="SUCCESS")

            tg.start_soon(settle)
            started = time.monotonic()
            payout = await client.payouts.wait_for(payout_id, timeout=60, poll_interval=30)
    assert payout.status is PayoutStatus.SUCCESS
    assert payout.id == payout_id
    assert time.monotonic() - started < 10  # long before the next poll was due
    assert len(sandbox.requests_for("Retrieve Payout")) == 1


async def test_a_payin_wait_is_resolved_by_the_receiver_too(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payin = await client.payins.create(
        amount=Decimal("10"), currency="AUD", payin_method_name="au_bank_npp"
    )
    async with serve(handler(signature_key=sandbox.signature_key)) as url:
        sandbox.webhooks.url = url
        retrieved = watch(sandbox, "Retrieve Payin")
        async with anyio.create_task_group() as tg:

            async def settle() -> None:
                await retrieved.arrived.wait()
                await client.payins.simulate(payin.id, status="FAILED")

            tg.start_soon(settle)
            result = await client.payins.wait_for(payin.id, timeout=60, poll_interval=30)
    assert result.status == "FAILED"
    assert len(sandbox.requests_for("Retrieve Payin")) == 1


async def test_an_unverified_notification_is_confirmed_with_retrieve(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payout_id = await _pending_payout(client)
    receiver = Receiver(signature_key=None, allow_unsigned=True)
    async with serve(receiver.handle) as url:
        sandbox.webhooks.url, sandbox.webhooks.unsigned = url, True
        retrieved = watch(sandbox, "Retrieve Payout")
        async with anyio.create_task_group() as tg:

            async def settle() -> None:
                await retrieved.arrived.wait()
                await client.payouts.simulate(payout_id, status="FAILED")

            tg.start_soon(settle)
            payout = await client.payouts.wait_for(payout_id, timeout=60, poll_interval=30)
    assert payout.status is PayoutStatus.FAILED
    assert len(sandbox.requests_for("Retrieve Payout")) == 2  # woken, then confirmed


async def test_without_a_receiver_the_wait_polls_retrieve_with_backoff(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payout_id = await _pending_payout(client)
    retrieved = watch(sandbox, "Retrieve Payout", count=3)
    async with anyio.create_task_group() as tg:

        async def settle() -> None:
            await retrieved.arrived.wait()
            await client.payouts.simulate(payout_id, status="SUCCESS")

        tg.start_soon(settle)
        payout = await client.payouts.wait_for(
            payout_id, [PayoutStatus.SUCCESS], timeout=30, poll_interval=0.01
        )
    assert payout.status is PayoutStatus.SUCCESS
    assert len(sandbox.requests_for("Retrieve Payout")) >= 4


async def test_a_status_already_reached_returns_after_one_retrieve(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payout_id = await _pending_payout(client)
    await client.payouts.simulate(payout_id, status="SUCCESS")
    payout = await client.payouts.wait_for(payout_id, "SUCCESS", timeout=5)
    assert payout.status is PayoutStatus.SUCCESS
    assert len(sandbox.requests_for("Retrieve Payout")) == 1


async def test_the_deadline_raises_a_timeout_error(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payout_id = await _pending_payout(client)
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="did not reach"):
        await client.payouts.wait_for(payout_id, timeout=0.3, poll_interval=0.05)
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 2
    assert len(sandbox.requests_for("Retrieve Payout")) >= 2


async def test_a_slow_retrieve_never_runs_past_the_deadline(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payout_id = await _pending_payout(client)
    sandbox.inject("Retrieve Payout", latency=30)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await client.payouts.wait_for(payout_id, timeout=0.3)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"statuses": []},
        {"timeout": 0},
        {"timeout": -1},
        {"poll_interval": 0},
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    sandbox: LocalSandbox, client: PayCombat, kwargs: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        await client.payouts.wait_for("some-id", **kwargs)  # type: ignore[arg-type]
    assert sandbox.requests_for("Retrieve Payout") == []
