"""Sandbox payouts: create against the merchant balance, retrieve."""

from __future__ import annotations

from typing import Any

from .._state import new_prefixed_id, new_uuid, now_iso
from ._common import (
    Call,
    Handler,
    Reply,
    SandboxError,
    number,
    require_amount,
    require_code,
    require_str,
)

KNOWN_PAYOUT_METHODS = {
    "au_bank_acct": "AUD",
    "sg_bank_fastpayment_sgd": "SGD",
    "nz_bank_directcredit_nzd": "NZD",
    "ph_bank_robinson_php": "PHP",
}


async def create_payout(call: Call) -> Reply:
    body, state = call.body, call.state
    beneficiary = body.get("payout_beneficiary_param")
    if not isinstance(beneficiary, dict) or not beneficiary:
        raise SandboxError(400, "payout_beneficiary_param is required")
    amount = require_amount(body, "sender_amount")
    currency = require_code(body, "sender_currency", 3)
    require_code(body, "sender_country", 2)
    method = require_str(body, "payout_method_name")
    if method not in KNOWN_PAYOUT_METHODS:
        raise SandboxError(422, f"Unknown payout method {method}")
    if KNOWN_PAYOUT_METHODS[method] != currency:
        raise SandboxError(
            422, f"{method} pays out in {KNOWN_PAYOUT_METHODS[method]}, not {currency}"
        )
    if not beneficiary.get("account_number"):
        raise SandboxError(400, "payout_beneficiary_param.account_number is required")
    if method == "au_bank_acct" and not beneficiary.get("bsb"):
        raise SandboxError(400, "payout_beneficiary_param.bsb is required for au_bank_acct")
    balance = state.balances.get(currency)
    if balance is None or balance < amount:
        raise SandboxError(422, f"Insufficient {currency} payout balance")
    state.balances[currency] = balance - amount
    individual = beneficiary.get("individual") or {}
    company = beneficiary.get("company") or {}
    payee = " ".join(
        str(individual.get(k, "")) for k in ("first_name", "last_name") if individual.get(k)
    ) or str(company.get("name", ""))
    finmo_id = new_prefixed_id("payout")
    stamp = now_iso()
    payout: dict[str, Any] = {
        "id": new_uuid(),
        "payout_id_finmo": finmo_id,
        "merchant_id": state.merchant_id,
        "reply_code_id_pg": finmo_id,
        "status": "PENDING",
        "wire_id": str(100000 + len(state.objects("payout"))),
        "order_id": body.get("order_id"),
        "due_date": stamp,
        "last_action": None,
        "wire_amount": number(amount),
        "fee_taken": 0,
        "fee_expected": 0,
        "payee_name": payee,
        "currency": currency,
        "beneficiary": "",
        "beneficiary_bank": method,
        "beneficiary_account_number": beneficiary.get("account_number"),
        "beneficiary_account_iban": beneficiary.get("iban"),
        "wire_origin": None,
        "conversion": None,
        "process": None,
        "approval": "APPROVED",
        "created_at": stamp,
        "updated_at": stamp,
        "approved_at": stamp,
        "denied_at": None,
        "pending_at": stamp,
    }
    state.objects("payout")[payout["id"]] = payout
    return Reply(payout, message="Created")


async def retrieve_payout(call: Call) -> Reply:
    payout_id = call.path("id")
    payouts = call.state.objects("payout")
    # Accept the PayCombat id or the Finmo id, as the API's two versions do.
    record = payouts.get(payout_id) or next(
        (p for p in payouts.values() if p["payout_id_finmo"] == payout_id), None
    )
    if record is None:
        raise SandboxError(404, f"Payout {payout_id} not found")
    return Reply(record, message="Success retrieve payout")


HANDLERS: dict[str, Handler] = {
    "Create Payout": create_payout,
    "Retrieve Payout": retrieve_payout,
}
