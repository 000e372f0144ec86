"""Transactions against the local sandbox: derived from payins and payouts, found by a stable id."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from paycombat_async import NotFoundError, PayCombat, Payout, ValidationError
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.models.transaction import Transaction, TransactionEventType
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import payout_args

# Finmo docs, Find Transaction by Id (internal mirror): the schema-style example
# with its "string"/number/boolean placeholders replaced by values of those types.
TRANSACTION_EXAMPLE: dict[str, Any] = {
    "transaction_id": "txn_4b6c2e8f0a1d4c3b9e7f6a5d4c3b2a19",
    "org_id": "org_59b8fb2f52254f95ac54d0e140f4e429",
    "amount": 100.5,
    "fees_currency": "AUD",
    "fees_without_tax": 1.5,
    "tax_on_fees": 0.15,
    "fees_including_tax": 1.65,
    "net_amount": 98.85,
    "currency": "AUD",
    "event_id": "payin_1344b7c5a4d74575ac5d08dc05051dd3",
    "event_type": "PAYIN",
    "event_name": "PAYIN_COMPLETED",
    "event_description": "Payin invoice_13032025_002",
    "scope": "ORGANIZATION",
    "customer_id": "customer_67d84b19d50b490a8fa75ab20bbf275a",
    "invoice_id": "invoice_13032025_002",
    "is_settled": True,
    "settlement_id": "stl_0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "is_reconciled": False,
    "additional_data": None,
    "created_at": "2024-12-27T10:54:35.965Z",
    "updated_at": "2024-12-27T10:54:36.299Z",
}

# A payin row as the payins group stores it (PayCombat docs: the PAYIN SUCCESS webhook): the ISO
# currency is in `amount_type`, `currency` holds the class "FIAT".
PAYIN_ID = "86db9204-c547-47b2-a9f9-589176a6f981"
PAYIN: dict[str, Any] = {
    "id": PAYIN_ID,
    "payin_id_finmo": "payin_1344b7c5a4d74575ac5d08dc05051dd3",
    "status": "SUCCESS",
    "amount": 100.5,
    "amount_type": "AUD",
    "currency": "FIAT",
    "transaction": "invoice_13032025_002",
    "fee_taken": 1.5,
    "created_at": "2025-03-19T13:18:09.000Z",
    "updated_at": "2025-03-19T13:20:00.000Z",
}


def seed_payin(sandbox: LocalSandbox, **overrides: Any) -> dict[str, Any]:
    record = {**PAYIN, **overrides}
    sandbox.state.objects("payin")[record["id"]] = record
    return record


async def create_payout(client: PayCombat, **overrides: Any) -> Payout:
    amount = Decimal("12.50")
    args = payout_args(sender_amount=amount, beneficiary_amount=amount, order_id="inv-1")
    return await client.payouts.create(**{**args, **overrides})


def test_transaction_example_round_trips() -> None:
    transaction = structure(TRANSACTION_EXAMPLE, Transaction)
    assert transaction.event_type is TransactionEventType.PAYIN
    assert transaction.net_amount == Decimal("98.85")
    assert transaction.is_settled is True
    assert transaction.created_at == dt.datetime(2024, 12, 27, 10, 54, 35, 965000, dt.UTC)
    assert json.loads(js_dumps(unstructure(transaction))) == TRANSACTION_EXAMPLE


async def test_a_payout_is_a_transaction_found_by_its_id(client: PayCombat) -> None:
    payout = await create_payout(client)
    [transaction] = await client.transactions.list().to_list()
    assert transaction.transaction_id.startswith("txn_")
    assert transaction.event_type is TransactionEventType.PAYOUT
    assert transaction.event_id == payout.payout_id_finmo
    assert (transaction.amount, transaction.currency) == (Decimal("12.5"), "AUD")
    assert transaction.net_amount == Decimal("12.5")  # no fee in the sandbox
    assert transaction.invoice_id == "inv-1"
    assert transaction.is_settled is False
    assert transaction.created_at == payout.created_at
    assert transaction.extra == {}  # the sandbox sends exactly the modelled fields
    found = await client.transactions.retrieve(transaction.transaction_id)
    assert found == transaction


async def test_a_payin_is_a_transaction_in_its_iso_currency(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    seed_payin(sandbox)
    [transaction] = await client.transactions.list().to_list()
    assert transaction.event_type is TransactionEventType.PAYIN
    assert transaction.event_id == PAYIN["payin_id_finmo"]
    assert transaction.currency == "AUD"  # from amount_type, not the "FIAT" class
    assert transaction.amount == Decimal("100.5")
    assert transaction.fees_including_tax == Decimal("1.5")
    assert transaction.net_amount == Decimal("99")
    assert transaction.invoice_id == "invoice_13032025_002"
    assert transaction.is_settled is True
    assert transaction.settlement_id is not None


async def test_transactions_follow_their_source_under_the_same_id(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payin = seed_payin(sandbox, status="PENDING")
    [before] = await client.transactions.list().to_list()
    assert before.is_settled is False
    payin["status"] = "SUCCESS"
    after = await client.transactions.retrieve(before.transaction_id)
    assert after.transaction_id == before.transaction_id
    assert after.is_settled is True
    assert after.event_name != before.event_name


async def test_list_pages_and_filters(client: PayCombat, sandbox: LocalSandbox) -> None:
    seed_payin(sandbox)
    seed_payin(sandbox, id="payin-sgd", payin_id_finmo=None, amount_type="SGD", amount=7)
    payout = await create_payout(client)
    pages = [page async for page in client.transactions.list(limit=2).pages()]
    assert [[t.event_id for t in p.items] for p in pages] == [
        [PAYIN["payin_id_finmo"], "payin-sgd"],
        [payout.payout_id_finmo],
    ]
    assert len(sandbox.requests_for("Get All Transaction")) == 2

    payouts = await client.transactions.list(event_type=TransactionEventType.PAYOUT).to_list()
    assert [t.event_id for t in payouts] == [payout.payout_id_finmo]
    sgd = await client.transactions.list(currency="SGD").to_list()
    assert [t.event_id for t in sgd] == ["payin-sgd"]  # falls back to the PayCombat id
    assert payout.created_at is not None
    today = await client.transactions.list(created_at=payout.created_at.date()).to_list()
    assert [t.event_id for t in today] == [payout.payout_id_finmo]


async def test_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(NotFoundError):
        await client.transactions.retrieve("txn_00000000000000000000000000000000")
    with pytest.raises(ValidationError) as caught:
        await client.transactions.retrieve("  ")
    assert caught.value.field == "transaction_id"
    assert len(sandbox.requests_for("Find Transaction by Id")) == 1
    with pytest.raises(ValidationError) as caught:
        client.transactions.list(currency="usd")
    assert caught.value.field == "currency"
    assert sandbox.requests_for("Get All Transaction") == []
