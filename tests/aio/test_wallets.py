"""Wallets against the local sandbox: every operation, its errors, and the documented shape."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from paycombat_async import (
    ConflictError,
    NotFoundError,
    PayCombat,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.models.wallet import Wallet, WalletAccount
from paycombat_async.sandbox import LocalSandbox

# Finmo docs, Create Wallet: Finmo's Create Wallet `data` (field list from public client code,
# values of the listed types filled in).
WALLET_EXAMPLE: dict[str, Any] = {
    "wallet_id": "wallet_0b7e4f2a9c1d4e8f9a6b5c4d3e2f1a0b",
    "org_id": "org_59b8fb2f52254f95ac54d0e140f4e429",
    "customer_id": "customer_67d84b19d50b490a8fa75ab20bbf275a",
    "category": "PERSON",
    "scope": "CUSTOMER",
    "description": "Savings",
    "wallet_alias": "jane-aud",
    "metadata": {"plan": "basic"},
    "raw_data": None,
    "webhook_url": None,
    "created_by": "org_59b8fb2f52254f95ac54d0e140f4e429",
    "is_active": True,
    "is_deleted": False,
    "created_at": "2024-12-27T10:54:35.965Z",
    "updated_at": "2024-12-27T10:54:36.299Z",
    "deleted_at": None,
    "wallet_account": [
        {
            "wallet_account_id": "wallet_account_9f8e7d6c5b4a49382716a5b4c3d2e1f0",
            "wallet_id": "wallet_0b7e4f2a9c1d4e8f9a6b5c4d3e2f1a0b",
            "org_id": "org_59b8fb2f52254f95ac54d0e140f4e429",
            "currency": "AUD",
            "actual_balance": 150.25,
            "available_balance": 100,
            "is_active": True,
            "is_settlement_allowed": True,
            "is_deleted": False,
            "created_at": "2024-12-27T10:54:35.965Z",
            "updated_at": "2024-12-27T10:54:36.299Z",
            "deleted_at": None,
        }
    ],
}


def seed_customer(
    sandbox: LocalSandbox, customer_id: str, *, type: str = "individual", **fields: Any
) -> None:
    """A customer record as the customers group stores it (only what wallets look at)."""
    record = {"customer_id": customer_id, "type": type, "is_active": True, **fields}
    sandbox.state.objects("customer")[customer_id] = record


def test_wallet_example_round_trips() -> None:
    wallet = structure(WALLET_EXAMPLE, Wallet)
    assert wallet.wallet_account is not None
    account = wallet.wallet_account[0]
    assert isinstance(account, WalletAccount)
    assert account.actual_balance == Decimal("150.25")
    assert wallet.account("AUD") is account
    assert wallet.account("EUR") is None
    assert wallet.created_at == dt.datetime(2024, 12, 27, 10, 54, 35, 965000, dt.UTC)
    assert json.loads(js_dumps(unstructure(wallet))) == WALLET_EXAMPLE


async def test_create_and_retrieve(client: PayCombat, sandbox: LocalSandbox) -> None:
    seed_customer(sandbox, "customer_jane")
    wallet = await client.wallets.create(
        customer_id="customer_jane", currency="AUD", metadata={"plan": "basic"}
    )
    assert wallet.wallet_id.startswith("wallet_")
    assert wallet.customer_id == "customer_jane"
    assert wallet.metadata == {"plan": "basic"}
    assert wallet.is_active is True
    account = wallet.account("AUD")
    assert account is not None
    assert (account.actual_balance, account.available_balance) == (Decimal(0), Decimal(0))
    assert account.wallet_id == wallet.wallet_id
    assert wallet.extra == account.extra == {}  # the sandbox sends exactly the modelled fields
    sent = json.loads(sandbox.requests_for("Create Wallet")[0].body)
    assert sent == {
        "customer_id": "customer_jane",
        "currency": "AUD",
        "metadata": {"plan": "basic"},
    }
    assert await client.wallets.retrieve(wallet.wallet_id) == wallet


async def test_create_for_an_unknown_or_deleted_customer_is_404(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(NotFoundError, match="customer_ghost"):
        await client.wallets.create(customer_id="customer_ghost", currency="AUD")
    seed_customer(sandbox, "customer_gone", is_deleted=True)
    with pytest.raises(NotFoundError):
        await client.wallets.create(customer_id="customer_gone", currency="AUD")
    assert sandbox.state.objects("wallet") == {}


async def test_create_needs_an_active_wallet_ready_customer(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    seed_customer(sandbox, "customer_off", is_active=False)
    with pytest.raises(UnprocessableEntityError, match="disabled"):
        await client.wallets.create(customer_id="customer_off", currency="AUD")
    seed_customer(sandbox, "customer_kyc", is_wallet_ready=False)
    with pytest.raises(UnprocessableEntityError, match="wallet ready"):
        await client.wallets.create(customer_id="customer_kyc", currency="AUD")
    assert sandbox.state.objects("wallet") == {}


async def test_one_wallet_per_customer_and_currency(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    seed_customer(sandbox, "customer_jane")
    first = await client.wallets.create(customer_id="customer_jane", currency="AUD")
    with pytest.raises(ConflictError, match=first.wallet_id):
        await client.wallets.create(customer_id="customer_jane", currency="AUD")
    other = await client.wallets.create(customer_id="customer_jane", currency="SGD")
    assert other.wallet_id != first.wallet_id


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"customer_id": "", "currency": "AUD"}, "customer_id"),
        ({"customer_id": "customer_jane", "currency": "aud"}, "currency"),
    ],
)
async def test_create_rejects_bad_input_before_sending(
    client: PayCombat, sandbox: LocalSandbox, args: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.wallets.create(**args)
    assert caught.value.field == field
    assert sandbox.requests_for("Create Wallet") == []


async def test_list_pages_and_filters(client: PayCombat, sandbox: LocalSandbox) -> None:
    seed_customer(sandbox, "customer_jane")
    seed_customer(sandbox, "customer_acme", type="company")
    jane_aud = await client.wallets.create(customer_id="customer_jane", currency="AUD")
    jane_sgd = await client.wallets.create(customer_id="customer_jane", currency="SGD")
    acme = await client.wallets.create(customer_id="customer_acme", currency="AUD")

    pages = [page async for page in client.wallets.list(limit=2).pages()]
    assert [[w.wallet_id for w in p.items] for p in pages] == [
        [jane_aud.wallet_id, jane_sgd.wallet_id],
        [acme.wallet_id],
    ]
    assert len(sandbox.requests_for("Get All Wallet")) == 2
    janes = await client.wallets.list(customer_id="customer_jane").to_list()
    assert [w.wallet_id for w in janes] == [jane_aud.wallet_id, jane_sgd.wallet_id]
    companies = await client.wallets.list(category=acme.category).to_list()
    assert acme.category != jane_aud.category
    assert companies == [acme]


async def test_retrieve_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(NotFoundError):
        await client.wallets.retrieve("wallet_missing")
    with pytest.raises(ValidationError) as caught:
        await client.wallets.retrieve("")
    assert caught.value.field == "wallet_id"
    assert len(sandbox.requests_for("Get by Wallet Id")) == 1
