"""Sandbox transactions, derived at read time from the payin and payout records.

Each payin and payout is one transaction whose id is ``txn_`` plus a hash of the source's id,
so it is the same on every read. ``net_amount`` is what the merchant was credited (payins:
amount minus fees) or debited in total (payouts: amount plus fees). A transaction is settled
once its source reached ``SUCCESS``.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from .._state import SandboxState
from ._common import Call, Handler, Reply, SandboxError, number, paginate


def transaction_id(kind: str, source_id: str) -> str:
    """The stable id of the transaction behind a payin or payout."""
    return "txn_" + hashlib.sha256(f"{kind}:{source_id}".encode()).hexdigest()[:32]


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _transaction(state: SandboxState, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    payin = kind == "PAYIN"
    amount = _decimal(record.get("amount") if payin else record.get("wire_amount"))
    fees = _decimal(record.get("fee_taken"))
    currency = record.get("amount_type") if payin else record.get("currency")
    status = str(record.get("status") or "PENDING")
    settled = status == "SUCCESS"
    source_id = str(record["id"])
    txn_id = transaction_id(kind, source_id)
    if payin:
        description = f"Payin {record.get('transaction') or source_id}"
    else:
        description = f"Payout to {record.get('payee_name') or 'beneficiary'}"
    return {
        "transaction_id": txn_id,
        "org_id": state.org_id,
        "amount": number(amount),
        "fees_currency": currency,
        "fees_without_tax": number(fees),
        "tax_on_fees": 0,
        "fees_including_tax": number(fees),
        "net_amount": number(amount - fees if payin else amount + fees),
        "currency": currency,
        "event_id": record.get(f"{kind.lower()}_id_finmo") or source_id,
        "event_type": kind,
        "event_name": f"{kind}_{status}",
        "event_description": description,
        "scope": "CUSTOMER" if record.get("customer_id") else "ORGANIZATION",
        "customer_id": record.get("customer_id"),
        "invoice_id": record.get("transaction") if payin else record.get("order_id"),
        "is_settled": settled,
        "settlement_id": "stl_" + txn_id[4:] if settled else None,
        "is_reconciled": False,
        "additional_data": None,
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at") or record.get("created_at"),
    }


def all_transactions(state: SandboxState) -> list[dict[str, Any]]:
    """Every transaction, oldest first (payins before payouts created in the same millisecond)."""
    items = [_transaction(state, "PAYIN", r) for r in state.objects("payin").values()]
    items += [_transaction(state, "PAYOUT", r) for r in state.objects("payout").values()]
    items.sort(key=lambda t: str(t["created_at"] or ""))
    return items


async def find_transaction(call: Call) -> Reply:
    wanted = call.path("transaction_id")
    for item in all_transactions(call.state):
        if item["transaction_id"] == wanted:
            return Reply(item)
    raise SandboxError(404, f"Transaction {wanted} not found")


async def list_transactions(call: Call) -> Reply:
    items = all_transactions(call.state)
    for name in ("event_type", "currency"):
        wanted = call.query(name)
        if wanted:
            items = [t for t in items if t[name] == wanted]
    day = call.query("created_at")
    if day:
        items = [t for t in items if str(t["created_at"] or "").startswith(day)]
    return Reply(paginate(call, items))


HANDLERS: dict[str, Handler] = {
    "transactions.retrieve": find_transaction,
    "transactions.list": list_transactions,
}
