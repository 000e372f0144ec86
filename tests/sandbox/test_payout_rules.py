"""Sandbox emulation of payouts: how simulated statuses move the payout balance."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from paycombat_async import (
    PayCombat,
    PayoutApproval,
    PayoutStatus,
    UnprocessableEntityError,
)
from paycombat_async.models.merchant import PayoutBalance
from paycombat_async.sandbox import LocalSandbox
from tests.aio.test_payouts import make_payout
from tests.helpers import pay_out


async def test_success_then_returned_moves_the_balance(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    start = sandbox.state.balances["AUD"]
    payout = await make_payout(client, Decimal("12.50"))
    assert sandbox.state.balances["AUD"] == start - Decimal("12.50")

    succeeded = await client.payouts.simulate(payout.id, status=PayoutStatus.SUCCESS)
    assert succeeded.status is PayoutStatus.SUCCESS
    assert sandbox.state.balances["AUD"] == start - Decimal("12.50")
    sent = json.loads(sandbox.requests_for("Simulate Payout")[0].body)
    assert sent == {"payout_id": payout.id, "status": "SUCCESS"}

    returned = await client.payouts.simulate(payout.id, status="RETURNED")
    assert returned.status is PayoutStatus.RETURNED
    assert sandbox.state.balances["AUD"] == start
    assert (await client.payouts.retrieve(payout.id)).status is PayoutStatus.RETURNED


async def test_failed_credits_the_balance_back(client: PayCombat, sandbox: LocalSandbox) -> None:
    start = sandbox.state.balances["AUD"]
    payout = await make_payout(client, Decimal("100.05"))
    assert payout.payout_id_finmo is not None
    # The Finmo id is accepted as well as PayCombat's.
    failed = await client.payouts.simulate(payout.payout_id_finmo, status="FAILED")
    assert failed.id == payout.id
    assert failed.status is PayoutStatus.FAILED
    assert failed.approval is PayoutApproval.FAILED
    assert failed.reason_for_failure
    assert sandbox.state.balances["AUD"] == start


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "RETURNED"),  # PENDING -> RETURNED skips the payout itself
        (["SUCCESS"], "SUCCESS"),
        (["SUCCESS"], "FAILED"),
        (["FAILED"], "SUCCESS"),
        (["FAILED"], "RETURNED"),
        (["SUCCESS", "RETURNED"], "RETURNED"),
    ],
)
async def test_impossible_transitions_raise(
    client: PayCombat, sandbox: LocalSandbox, path: list[str], target: str
) -> None:
    payout = await make_payout(client)
    for status in path:
        await client.payouts.simulate(payout.id, status=status)
    balance = sandbox.state.balances["AUD"]
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.payouts.simulate(payout.id, status=target)
    assert caught.value.status == 406
    assert target in caught.value.message
    assert sandbox.state.balances["AUD"] == balance
    current = await client.payouts.retrieve(payout.id)
    assert current.status == (path[-1] if path else "PENDING")


async def test_balance_moves_with_a_payout(client: PayCombat) -> None:
    before = await client.merchant.get_payout_balance("AUD")
    assert isinstance(before, PayoutBalance)
    assert before.currency == "AUD"
    assert before.total_balance_available is not None
    assert before.total_hold_balance == 0

    await pay_out(client, Decimal("12.50"))

    after = await client.merchant.get_payout_balance("AUD")
    assert after.total_balance_available is not None
    assert before.total_balance_available - after.total_balance_available == Decimal("12.50")
    assert after.total_hold_balance == Decimal("12.50")  # the payout is still PENDING
    assert after.total_balance_expected == before.total_balance_available
    # Another currency's balance is untouched.
    sgd = await client.merchant.get_payout_balance("SGD")
    assert sgd.total_balance_available == Decimal(1000000)


async def test_balance_reports_the_sandbox_state_exactly(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.state.balances["AUD"] = Decimal("20.05")
    balance = await client.merchant.get_payout_balance("AUD")
    assert balance.total_balance_available == Decimal("20.05")
    # A payout larger than the balance is refused, and the balance is unchanged.
    with pytest.raises(UnprocessableEntityError):
        await pay_out(client, Decimal("20.06"))
    again = await client.merchant.get_payout_balance("AUD")
    assert again.total_balance_available == Decimal("20.05")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"order_id": ["o-1"]}, "order_id must be a string"),
        ({"order_id": 123}, "order_id must be a string"),
        (
            {"payout_beneficiary_param": {"individual": "Ana", "account_number": "1", "bsb": "1"}},
            "payout_beneficiary_param.individual must be an object",
        ),
        (
            {"payout_beneficiary_param": {"company": [1], "account_number": "1", "bsb": "1"}},
            "payout_beneficiary_param.company must be an object",
        ),
    ],
)
async def test_a_create_payout_of_the_wrong_shape_is_a_400(
    sandbox: LocalSandbox, overrides: dict[str, Any], message: str
) -> None:
    from tests.sandbox.test_hostile_requests import send, signed_body

    async with aiohttp.ClientSession() as http:
        body = signed_body(**overrides)
        status, payload = await send(
            http, sandbox, "POST", "/api/v1/payout/create-payout", body, signed=True
        )
    assert (status, payload["message"]) == (400, message)
    assert sandbox.state.objects("payout") == {}
