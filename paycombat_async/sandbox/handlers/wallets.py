"""Sandbox wallets: one per customer and currency, for active, wallet-ready customers.

Wallets are opened empty. ``category`` is ``PERSON`` for individual customers and ``COMPANY``
for company customers, ``scope`` is ``CUSTOMER`` (Finmo's wallet kinds; the exact values
PayCombat sends are not documented).
"""

from __future__ import annotations

from typing import Any

from .._state import new_prefixed_id, now_iso
from ._common import Call, Handler, Reply, SandboxError, paginate, require_code, require_str

CREATE_FIELDS = frozenset({"customer_id", "currency", "description", "metadata"})
CATEGORIES = {"individual": "PERSON", "company": "COMPANY"}


async def create_wallet(call: Call) -> Reply:
    body, state = call.body, call.state
    for key in body:
        if key not in CREATE_FIELDS:
            raise SandboxError(400, f"property {key} should not exist")
    customer_id = require_str(body, "customer_id")
    currency = require_code(body, "currency", 3)
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise SandboxError(400, "metadata must be an object")
    customer = state.objects("customer").get(customer_id)
    if customer is None or customer.get("is_deleted"):
        raise SandboxError(404, f"Customer {customer_id} not found")
    if customer.get("is_active") is False:
        raise SandboxError(422, f"Customer {customer_id} is disabled")
    if customer.get("is_wallet_ready") is False:
        raise SandboxError(422, f"Customer {customer_id} is not wallet ready")
    if currency not in state.balances:
        raise SandboxError(422, f"Wallets in {currency} are not supported")
    for existing in state.find("wallet", customer_id=customer_id):
        if any(a["currency"] == currency for a in existing["wallet_account"]):
            raise SandboxError(
                409,
                f"Customer {customer_id} already has a {currency} wallet {existing['wallet_id']}",
            )
    stamp = now_iso()
    org = state.org_id
    wallet_id = new_prefixed_id("wallet")
    account: dict[str, Any] = {
        "wallet_account_id": new_prefixed_id("wallet_account"),
        "wallet_id": wallet_id,
        "org_id": org,
        "currency": currency,
        "actual_balance": 0,
        "available_balance": 0,
        "is_active": True,
        "is_settlement_allowed": True,
        "is_deleted": False,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
    }
    wallet: dict[str, Any] = {
        "wallet_id": wallet_id,
        "org_id": org,
        "customer_id": customer_id,
        "category": CATEGORIES.get(str(customer.get("type")), "PERSON"),
        "scope": "CUSTOMER",
        "description": body.get("description"),
        "wallet_alias": None,
        "metadata": metadata,
        "raw_data": None,
        "webhook_url": None,
        "created_by": org,
        "is_active": True,
        "is_deleted": False,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
        "wallet_account": [account],
    }
    state.objects("wallet")[wallet_id] = wallet
    return Reply(wallet, message="Created")


async def list_wallets(call: Call) -> Reply:
    items = list(call.state.objects("wallet").values())
    for name in ("category", "customer_id"):
        wanted = call.query(name)
        if wanted:
            items = [w for w in items if w.get(name) == wanted]
    return Reply(paginate(call, items))


async def retrieve_wallet(call: Call) -> Reply:
    return Reply(call.state.get("wallet", call.path("wallet_id")))


HANDLERS: dict[str, Handler] = {
    "wallets.create": create_wallet,
    "wallets.list": list_wallets,
    "wallets.retrieve": retrieve_wallet,
}
