"""Sandbox hosted checkout.

A checkout (``payment_request``) starts ``PENDING`` with a ``checkout_token`` and a
``checkout_url`` that embeds the caller's X-token, as PayCombat's does. Create New Checkout (or
Create Virtual Account [KRW]) binds a payin method and creates the checkout's ``PENDING`` payin;
binding another method replaces that payin (the old one is ``CANCELLED``), binding the same one
again changes nothing. Simulating the payin to ``SUCCESS`` completes the checkout. Cancel Checkout
moves a ``PENDING`` checkout to ``CANCELLED``; a checkout whose ``expire_at`` has passed is
reported ``EXPIRED``. Anything else on a non-``PENDING`` checkout answers 422.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from .._catalogue import PAYMENT_METHODS
from .._state import SandboxError, SandboxState, new_uuid, now_iso
from . import payins as _payins
from ._common import (
    Call,
    Handler,
    Reply,
    number,
    optional,
    paginate,
    require_amount,
    require_code,
    require_str,
)

CHECKOUT_PAGE = "https://checkout.paycombat.com/"
DEFAULT_EXPIRY = dt.timedelta(seconds=172800)  # au_bank_npp's default_expiry_time_seconds


def _object_or_none(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise SandboxError(400, f"{name} must be an object")
    return value


def _format(value: dt.datetime) -> str:
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _expire_at(body: dict[str, Any]) -> str:
    value = body.get("expire_at")
    now = dt.datetime.now(dt.UTC)
    if value is None:
        return _format(now + DEFAULT_EXPIRY)
    if not isinstance(value, str):
        raise SandboxError(400, "expire_at must be an ISO 8601 timestamp")
    try:
        when = _payins.parse_iso(value)
    except ValueError:
        raise SandboxError(400, "expire_at must be an ISO 8601 timestamp") from None
    if when <= now:
        raise SandboxError(422, "expire_at must be in the future")
    return _format(when)


def _by_token(state: SandboxState, token: str) -> dict[str, Any]:
    found = state.find("checkout", checkout_token=token)
    if not found:
        raise SandboxError(404, "Checkout not found for this checkout_token")
    return found[0]


def _require_pending(state: SandboxState, checkout: dict[str, Any], action: str) -> None:
    _payins.expire_if_due(state, checkout)
    if checkout["status"] != "PENDING":
        raise SandboxError(
            422, f"Checkout {checkout['id']} is {checkout['status']} and cannot be {action}"
        )


async def create_payment_request(call: Call) -> Reply:
    body, state = call.body, call.state
    amount = require_amount(body, "amount")
    currency = require_code(body, "currency", 3)
    country = require_code(body, "country_code", 2)
    method = body.get("payin_method_name")
    if method is not None:
        _payins.payin_method(require_str(body, "payin_method_name"), currency, amount)
    token = secrets.token_hex(32)
    identifier = call.request.headers.get("X-token", "")
    stamp = now_iso()
    checkout: dict[str, Any] = {
        "id": new_uuid(),
        "checkout_token": token,
        "amount": number(amount),
        "currency": currency,
        "country_code": country,
        "country_name": _payins.COUNTRY_NAMES.get(country, country),
        "payin_method_name": method,
        "payin_type": None,
        "customer_id": optional(body, "customer_id"),
        "checkout_url": f"{CHECKOUT_PAGE}?token={token}&identifier={identifier}",
        "advanced_redirect_url": _object_or_none(body, "advanced_redirect_url"),
        "expire_at": _expire_at(body),
        "additional_info": _object_or_none(body, "additional_info") or {},
        "order_summary": _object_or_none(body, "order_summary"),
        "description": optional(body, "description"),
        "merchant_id": state.merchant_id,
        "redirect_url": optional(body, "redirect_url"),
        "webhook_url": optional(body, "webhook_url"),
        "status": "PENDING",
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
    }
    state.objects("checkout")[checkout["id"]] = checkout
    return Reply(checkout, message="Created")


async def list_checkouts(call: Call) -> Reply:
    state = call.state
    status = call.query("status")
    items = list(state.objects("checkout").values())
    for checkout in items:
        _payins.expire_if_due(state, checkout)
    if status:
        items = [c for c in items if c["status"] == status]
    return Reply(paginate(call, items))


async def cancel_checkout(call: Call) -> Reply:
    state = call.state
    checkout = state.get("checkout", call.path("id"))
    _require_pending(state, checkout, "cancelled")
    _payins.set_status(checkout, "CANCELLED")
    _payins.close_pending_payin(state, checkout, "CANCELLED")
    return Reply(checkout, message="Checkout cancelled")


async def retrieve_checkout(call: Call) -> Reply:
    checkout = call.state.get("checkout", call.path("id"))
    _payins.expire_if_due(call.state, checkout)
    return Reply(checkout)


def _bind(
    state: SandboxState,
    checkout: dict[str, Any],
    method: str,
    payer_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Give the checkout a ``PENDING`` payin for ``method`` (replacing a pending one)."""
    info: dict[str, Any] = dict(checkout.get("additional_info") or {})
    current = state.objects("payin").get(info.get("payin_id", ""))
    if current is not None and current["status"] == "PENDING":
        if current["payment_method"] == method:
            return  # the same choice again: nothing new to create
        _payins.set_status(current, "CANCELLED")
    currency = checkout["currency"]
    payin = _payins.new_payin(
        state,
        amount=Decimal(str(checkout["amount"])),
        currency=currency,
        method=method,
        country=checkout["country_code"],
        trx_type="CHECKOUT",
        body={"transaction": checkout.get("description")},
        payer_id=payer_id,
    )
    info.update(
        {
            "payin_id": payin["id"],
            "transaction_date": payin["transaction_date"],
            "trx_type": "CHECKOUT",
            "fee_taken": 0,
            "fee_expected": 0,
            "charge_back": 0,
            "rolling_serve": 0,
            "retrieval": 0,
        }
    )
    if method == "au_bank_npp":
        info["payid_reference"] = checkout.get("description") or payin["payin_id_finmo"]
    info.update(details or {})
    checkout["additional_info"] = info
    checkout["payin_method_name"] = method
    checkout["updated_at"] = now_iso()


async def create_new_checkout(call: Call) -> Reply:
    body, state = call.body, call.state
    token = require_str(body, "checkout_token")
    method = require_str(body, "payin_method_name")
    checkout = _by_token(state, token)
    _require_pending(state, checkout, "checked out")
    currency, _ = _payins.payin_method(
        method, checkout["currency"], Decimal(str(checkout["amount"]))
    )
    if currency == "KRW":
        raise SandboxError(
            422, "KRW checkouts are paid by virtual account: use Create Virtual Account [KRW]"
        )
    _bind(state, checkout, method)
    return Reply(checkout)


async def create_checkout_virtual_account(call: Call) -> Reply:
    body, state = call.body, call.state
    token = require_str(body, "checkout_token")
    bank = _payins.korean_bank(require_str(body, "payin_method_name"))
    checkout = _by_token(state, token)
    _require_pending(state, checkout, "checked out")
    if checkout["currency"] != "KRW":
        raise SandboxError(422, f"Checkout {checkout['id']} is in {checkout['currency']}, not KRW")
    _payins.payin_method(bank, "KRW", Decimal(str(checkout["amount"])))
    info = checkout.get("additional_info") or {}
    current = state.objects("payin").get(info.get("payin_id", ""))
    if current is not None and current["status"] == "PENDING" and current["payment_method"] == bank:
        return Reply(checkout)  # the same bank again: keep the account already issued
    account = _payins.new_virtual_account(
        state,
        bank,
        checkout["amount"],
        user_name="PayCombat checkout",
        customer_id=checkout.get("customer_id"),
        additional_info={"checkout_id": checkout["id"]},
    )
    _payins.approve(account)
    state.changed("virtual_account", account)
    details = {
        "virtual_account_id": account["id"],
        "account_bankname": account["account_bankname"],
        "account_number": account["account_number"],
        "account_holder": account["account_holder"],
    }
    _bind(state, checkout, bank, payer_id=account["id"], details=details)
    return Reply(checkout)


async def va_bank_information(call: Call) -> Reply:
    token = call.query("checkout_token")
    if token:
        checkout = _by_token(call.state, token)
        if checkout["currency"] != "KRW":
            raise SandboxError(422, f"Checkout {checkout['id']} is not a KRW checkout")
    banks = [m for m in PAYMENT_METHODS.get("KRW", []) if m["is_va_allowed"]]
    return Reply(copy.deepcopy(banks))


HANDLERS: dict[str, Handler] = {
    "checkouts.create_payment_request": create_payment_request,
    "checkouts.list": list_checkouts,
    "checkouts.cancel": cancel_checkout,
    "checkouts.retrieve": retrieve_checkout,
    "checkouts.bind_virtual_account": create_checkout_virtual_account,
    "checkouts.list_va_banks": va_bank_information,
    "checkouts.bind_payin_method": create_new_checkout,
}
