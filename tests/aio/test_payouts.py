"""Payouts against the local sandbox: simulate, list, memo, and the documented payout payloads."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from paycombat_async import (
    NotFoundError,
    PayCombat,
    Payout,
    PayoutApproval,
    PayoutStatus,
    ValidationError,
)
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.sandbox import LocalSandbox
from tests.webhooks.helpers import PAYOUT_SUCCESS

# PayCombat docs, Create Payout: `data` of the internal mirror's example.
CREATE_EXAMPLE: dict[str, Any] = {
    "id": "8ad77bda-9337-411a-aa3f-bf787b9026e6",
    "payout_id_finmo": "payout_c13bc860a32c48d5a1af991197ced0cb",
    "merchant_id": "5a741ab5-a506-4d38-ade7-b039e38134a6",
    "reply_code_id_pg": "payout_c13bc860a32c48d5a1af991197ced0cb",
    "status": "PENDING",
    "wire_id": "123123",
    "order_id": None,
    "due_date": "2024-12-31T00:00:00.000Z",
    "last_action": None,
    "wire_amount": 5,
    "fee_taken": 0,
    "fee_expected": 0,
    "payee_name": "JohnDoe",
    "currency": "AUD",
    "beneficiary": "",
    "beneficiary_bank": "au_bank_acct",
    "beneficiary_account_number": "98765456",
    "beneficiary_account_iban": None,
    "wire_origin": None,
    "conversion": None,
    "process": None,
    "approval": "APPROVED",
    "created_at": None,
    "updated_at": "2024-12-30T20:12:35.000Z",
    "approved_at": None,
    "denied_at": None,
    "pending_at": None,
}

SUCCESS_WEBHOOK = PAYOUT_SUCCESS  # PayCombat docs, Webhooks: the PAYOUT SUCCESS example

# PayCombat docs, Webhooks: the payout object printed on the PAYIN FAILED page (a failed payout).
FAILED_WEBHOOK: dict[str, Any] = {
    "id": "e3e229ca-a38f-4af0-95a0-89732c815045",
    "merchant_id": "a1fe780b-94cb-4f6a-966c-ceefeb6ca3b0",
    "status": "FAILED",
    "wire_id": "w_txn_59376ed600464042b37e53625297fb00",
    "order_id": None,
    "due_date": "2025-05-16T00:00:00.000Z",
    "last_action": None,
    "original_amount": "31",
    "payee_name": "Fajar NZD",
    "currency": "NZD",
    "beneficiary": "Fajar NZD",
    "beneficiary_bank": "nz_bank_directcredit_nzd",
    "beneficiary_account_number": None,
    "beneficiary_account_iban": None,
    "wire_origin": None,
    "conversion": None,
    "approval": "FAILED",
    "created_at": "2025-05-15T04:15:38.000Z",
    "updated_at": "2025-05-15T04:16:08.000Z",
    "approved_at": None,
    "denied_at": None,
    "pending_at": None,
    "type": "PAYOUT",
}

AU_BENEFICIARY = {
    "individual": {"first_name": "Ana"},
    "account_number": "12345678",
    "bsb": "123456",
}


def compare(example: dict[str, Any], payout: Payout) -> dict[str, Any]:
    """The payout as JSON, checked against the example; keys the example lacks must be null."""
    out: dict[str, Any] = json.loads(js_dumps(unstructure(payout)))
    assert all(out[k] is None for k in out.keys() - example.keys())
    return {k: out[k] for k in example}


def test_create_example_round_trips() -> None:
    payout = structure(CREATE_EXAMPLE, Payout)
    assert payout.status is PayoutStatus.PENDING
    assert payout.wire_amount == Decimal(5)
    assert payout.extra == {}
    assert compare(CREATE_EXAMPLE, payout) == CREATE_EXAMPLE


@pytest.mark.parametrize(
    ("example", "status", "approval"),
    [
        (SUCCESS_WEBHOOK, PayoutStatus.SUCCESS, PayoutApproval.APPROVED),
        (FAILED_WEBHOOK, PayoutStatus.FAILED, PayoutApproval.FAILED),
    ],
)
def test_webhook_payloads_round_trip(
    example: dict[str, Any], status: PayoutStatus, approval: PayoutApproval
) -> None:
    payout = structure(example, Payout)
    assert payout.status is status
    assert payout.approval is approval
    assert payout.type == "PAYOUT"
    assert payout.original_amount == Decimal(example["original_amount"])
    assert payout.extra == {}
    out = compare(example, payout)
    # The one documented difference: the webhook's string amount comes back as a JSON number.
    assert out.pop("original_amount") == int(example["original_amount"])
    assert out == {k: v for k, v in example.items() if k != "original_amount"}


async def make_payout(
    client: PayCombat,
    amount: Decimal = Decimal("12.50"),
    order_id: str | None = None,
    method: str = "au_bank_acct",
) -> Payout:
    if method == "au_bank_acct":
        return await client.payouts.create(
            payout_beneficiary_param=AU_BENEFICIARY,
            sender_amount=amount,
            sender_currency="AUD",
            sender_country="AU",
            payout_method_name=method,
            order_id=order_id,
        )
    return await client.payouts.create(
        payout_beneficiary_param={"individual": {"first_name": "Lee"}, "account_number": "998"},
        sender_amount=amount,
        sender_currency="SGD",
        sender_country="SG",
        payout_method_name=method,
        order_id=order_id,
    )


async def test_simulate_validates_before_sending(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.payouts.simulate("some-id", status="COMPLETED")
    assert caught.value.field == "status"
    with pytest.raises(ValidationError) as caught:
        await client.payouts.simulate("some-id", status="PENDING")
    assert caught.value.field == "status"
    with pytest.raises(ValidationError) as caught:
        await client.payouts.simulate(" ", status="SUCCESS")
    assert caught.value.field == "payout_id"
    assert sandbox.requests_for("Simulate Payout") == []
    with pytest.raises(NotFoundError):
        await client.payouts.simulate("00000000-0000-4000-8000-000000000000", status="SUCCESS")


async def test_list_pages_in_creation_order(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = [await make_payout(client, order_id=f"ord-{i:02d}") for i in range(25)]
    pages = [page async for page in client.payouts.list().pages()]
    assert [len(page.items) for page in pages] == [10, 10, 5]
    assert [page.page for page in pages] == [1, 2, 3]
    assert [p.id for page in pages for p in page.items] == [p.id for p in created]
    assert len(sandbox.requests_for("Get All Payout")) == 3

    every = [p.order_id async for p in client.payouts.list(limit=7)]
    assert every == [f"ord-{i:02d}" for i in range(25)]
    from_third = await client.payouts.list(page=3).to_list()
    assert [p.id for p in from_third] == [p.id for p in created[20:]]


async def test_list_filters(client: PayCombat) -> None:
    first = await make_payout(client, order_id="a")
    second = await make_payout(client, order_id="b")
    sgd = await make_payout(client, Decimal(20), order_id="c", method="sg_bank_fastpayment_sgd")
    await client.payouts.simulate(second.id, status="SUCCESS")

    succeeded = await client.payouts.list(status=PayoutStatus.SUCCESS).to_list()
    assert [p.id for p in succeeded] == [second.id]
    pending = await client.payouts.list(status="PENDING").to_list()
    assert [p.id for p in pending] == [first.id, sgd.id]
    by_method = await client.payouts.list(payout_method_name="sg_bank_fastpayment_sgd").to_list()
    assert [p.id for p in by_method] == [sgd.id]
    by_order = await client.payouts.list(order_id="a").to_list()
    assert [p.id for p in by_order] == [first.id]
    assert await client.payouts.list(order_id="nope").to_list() == []


async def test_retrieve_memo(client: PayCombat, sandbox: LocalSandbox) -> None:
    payout = await make_payout(client, order_id="memo-1")
    memo = await client.payouts.retrieve_memo(payout.id)
    assert memo.startswith(b"%PDF-")
    assert memo.rstrip().endswith(b"%%EOF")
    assert payout.id.encode() in memo
    assert b"memo-1" in memo

    with pytest.raises(NotFoundError):
        await client.payouts.retrieve_memo("00000000-0000-4000-8000-000000000000")
    with pytest.raises(ValidationError):
        await client.payouts.retrieve_memo("")
    assert len(sandbox.requests_for("Retrieve Payout Memo (PDF)")) == 2
