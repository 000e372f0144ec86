"""Sandbox payouts: create against the merchant balance, simulate, retrieve, list, memo.

Simulate Payout's body is undocumented: it takes ``payout_id`` (the PayCombat or the Finmo id)
and a target ``status``, as Finmo's simulate calls do. ``PENDING`` -> ``SUCCESS`` | ``FAILED``,
``SUCCESS`` -> ``RETURNED``; any other move is a 406, as Finmo answers a simulate on an object in
the wrong state. ``FAILED`` and ``RETURNED`` credit the amount back to the payout balance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from aiohttp import web

from .._catalogue import KNOWN_PAYOUT_METHODS
from .._pdf import make_pdf
from .._state import SandboxState, new_prefixed_id, new_uuid, now_iso
from ._common import (
    Arrival,
    Call,
    Handler,
    Reply,
    SandboxError,
    number,
    paginate,
    require_amount,
    require_code,
    require_str,
)

# What a saved beneficiary contributes to a payout sent by ``payout_beneficiary_id``.
_SAVED_FIELDS = ("account_number", "bsb", "iban", "individual", "company")


def _beneficiary(call: Call) -> dict[str, Any]:
    """The payout's beneficiary: given in full, or a saved one by id (exactly one of them)."""
    given, saved_id = (
        call.body.get("payout_beneficiary_param"),
        call.body.get("payout_beneficiary_id"),
    )
    if given is not None and saved_id is not None:
        raise SandboxError(400, "pass payout_beneficiary_param or payout_beneficiary_id, not both")
    if saved_id is not None:
        record = call.state.get("beneficiary", require_str(call.body, "payout_beneficiary_id"))
        return {k: record[k] for k in _SAVED_FIELDS if record.get(k)}
    if not isinstance(given, dict) or not given:
        raise SandboxError(400, "payout_beneficiary_param is required")
    return given


async def create_payout(call: Call) -> Reply:
    body, state = call.body, call.state
    beneficiary = _beneficiary(call)
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
    for name, part in (("individual", individual), ("company", company)):
        if not isinstance(part, dict):
            raise SandboxError(400, f"payout_beneficiary_param.{name} must be an object")
    order_id = body.get("order_id")
    if order_id is not None and not isinstance(order_id, str):
        raise SandboxError(400, "order_id must be a string")
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
        "order_id": order_id,
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
    state.add_payout(payout)
    return Reply(payout, message="Created")


def arrive_create_payout(state: SandboxState, body: Any) -> Callable[[], None]:
    """On arrival, before any latency: refuse a taken ``order_id`` when the sandbox is asked to.

    An ``order_id`` counts as taken from the moment its create arrives, so a resend made while
    the first request is still being processed (a late commit) is refused too. Returns what to
    call once the request is answered.
    """
    order_id = body.get("order_id") if isinstance(body, dict) else None
    if not state.refuse_duplicate_order_id or not isinstance(order_id, str):
        return lambda: None
    if order_id in state.payouts_by_order_id or order_id in state.order_ids_in_flight:
        raise SandboxError(409, f"Duplicate order_id {order_id}")
    state.order_ids_in_flight.add(order_id)
    return lambda: state.order_ids_in_flight.discard(order_id)


def _find(call: Call, payout_id: str) -> dict[str, Any]:
    payouts = call.state.objects("payout")
    # Accept the PayCombat id or the Finmo id, as the API's two versions do.
    record = payouts.get(payout_id) or payouts.get(
        call.state.payouts_by_finmo_id.get(payout_id, "")
    )
    if record is None:
        raise SandboxError(404, f"Payout {payout_id} not found")
    return record


async def retrieve_payout(call: Call) -> Reply:
    return Reply(_find(call, call.path("id")), message="Success retrieve payout")


# Which statuses a simulation may move a payout to, from each status.
TRANSITIONS = {"PENDING": ("SUCCESS", "FAILED"), "SUCCESS": ("RETURNED",)}
TARGETS = ("SUCCESS", "FAILED", "RETURNED")


async def simulate_payout(call: Call) -> Reply:
    body, state = call.body, call.state
    record = _find(call, require_str(body, "payout_id"))
    target = require_str(body, "status")
    if target not in TARGETS:
        raise SandboxError(400, f"status must be one of {', '.join(TARGETS)}")
    current = record["status"]
    allowed = TRANSITIONS.get(current, ())
    if target not in allowed:
        moves = f"it can only move to {' or '.join(allowed)}" if allowed else "it is final"
        raise SandboxError(406, f"Payout {record['id']} is {current}: {moves}, not to {target}")
    stamp = now_iso()
    if current == "PENDING":
        state.hold(record, -1)
    record["status"] = target
    record["updated_at"] = stamp
    if target == "FAILED":
        record["approval"] = "FAILED"
        record["reason_for_failure"] = "Simulated failure"
    if target in ("FAILED", "RETURNED"):
        currency = record["currency"]
        amount = Decimal(str(record["wire_amount"]))
        state.balances[currency] = state.balances.get(currency, Decimal(0)) + amount
    state.changed("payout", record)
    return Reply(record, message="Success simulate payout")


async def list_payouts(call: Call) -> Reply:
    status = call.query("status")
    method = call.query("payout_method_name")
    order_id = call.query("order_id")
    payouts = call.state.objects("payout")
    candidates: Iterable[dict[str, Any]] = (
        payouts.values()
        if order_id is None
        else [payouts[i] for i in call.state.payouts_by_order_id.get(order_id, ())]
    )
    items = (
        p
        for p in candidates
        if status in (None, p["status"]) and method in (None, p["beneficiary_bank"])
    )
    return Reply(paginate(call, items))


async def payout_memo(call: Call) -> web.StreamResponse:
    record = _find(call, call.path("id"))
    lines = [
        f"Payout id: {record['id']}",
        f"Finmo id: {record['payout_id_finmo']}",
        f"Status: {record['status']}",
        f"Amount: {record['wire_amount']} {record['currency']}",
        f"Payee: {record['payee_name']}",
        f"Payout method: {record['beneficiary_bank']}",
        f"Account: {record['beneficiary_account_number'] or record['beneficiary_account_iban']}",
        f"Order id: {record['order_id'] or '-'}",
        f"Created: {record['created_at']}",
    ]
    return web.Response(body=make_pdf("Payout memo", lines), content_type="application/pdf")


ARRIVALS: dict[str, Arrival] = {"payouts.create": arrive_create_payout}

HANDLERS: dict[str, Handler] = {
    "payouts.create": create_payout,
    "payouts.simulate": simulate_payout,
    "payouts.retrieve": retrieve_payout,
    "payouts.retrieve_memo": payout_memo,
    "payouts.list": list_payouts,
}
