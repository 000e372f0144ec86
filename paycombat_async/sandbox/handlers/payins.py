"""Sandbox payins and KRW virtual accounts.

State machines:

- payin: ``PENDING`` -> ``SUCCESS`` | ``FAILED`` | ``EXPIRED`` through Simulate Payin (anything but
  ``PENDING`` answers 422, like Finmo's 406); a pending payin of a cancelled or expired checkout
  becomes ``CANCELLED`` / ``EXPIRED``. A payin that succeeds completes the checkout it belongs to.
- virtual account (KRW): ``PENDING`` -> ``APPROVED`` | ``FAILED`` through Simulate Create VA. A KRW
  payin takes the VA id in ``payer_id`` and needs it ``APPROVED``.

The checkout helpers live here too (checkouts import payins, not the other way round).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal
from typing import Any

from aiohttp import web

from .._catalogue import COUNTRIES, PAYIN_METHODS
from .._pdf import make_pdf
from .._state import SandboxState, new_prefixed_id, new_uuid, now_iso
from ._common import (
    Call,
    Handler,
    Reply,
    SandboxError,
    number,
    optional,
    require_amount,
    require_code,
    require_id,
    require_one_of,
    require_str,
)

# Standard Korean bank codes: the first digits of the account numbers the sandbox issues.
_BANK_CODES = {
    "KDB산업은행": "002",
    "IBK기업은행": "003",
    "KB국민은행": "004",
    "NH농협은행": "011",
    "우리은행": "020",
    "SC제일은행": "023",
    "하나은행": "081",
    "신한은행": "088",
}

# The methods Get All Payin Method lists are exactly the ones payins accept.
KOREAN_BANKS = [name for name, m in PAYIN_METHODS.items() if m["currency"] == "KRW"]
COUNTRY_NAMES: dict[str, str] = {c["country_code"]: c["country_name"] for c in COUNTRIES}

PAYIN_SIMULATE_TARGETS = ("SUCCESS", "FAILED", "EXPIRED")
VA_SIMULATE_TARGETS = ("APPROVED", "FAILED")


def payin_method(
    name: str, currency: str | None = None, amount: Decimal | None = None
) -> tuple[str, str]:
    """The method's (currency, region); a 422 for an unknown method, another currency, or an
    amount outside the method's limits."""
    method = PAYIN_METHODS.get(name)
    if method is None:
        raise SandboxError(422, f"Unknown payin method {name}")
    if currency is not None and method["currency"] != currency:
        raise SandboxError(422, f"{name} collects {method['currency']}, not {currency}")
    if amount is not None and not method["min_amount"] <= amount <= method["max_amount"]:
        raise SandboxError(
            422,
            f"{name} takes amounts from {method['min_amount']} to {method['max_amount']} "
            f"{method['currency']}",
        )
    return method["currency"], method["country"]


def parse_iso(value: str) -> dt.datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def new_payin(
    state: SandboxState,
    *,
    amount: Decimal,
    currency: str,
    method: str,
    country: str,
    trx_type: str,
    body: dict[str, Any] | None = None,
    payer_id: str | None = None,
) -> dict[str, Any]:
    """Store and return a ``PENDING`` payin row shaped like the PAYIN webhook payload."""
    fields = body or {}
    stamp = now_iso()
    reference = optional(fields, "transaction") or optional(fields, "order_reference")
    payin: dict[str, Any] = {
        "id": new_uuid(),
        "payin_id_finmo": new_prefixed_id("payin"),
        "merchant_id": state.merchant_id,
        "status": "PENDING",
        "amount": number(amount),
        "original_amount": number(amount),
        "amount_type": currency,
        "transaction": reference,
        "transaction_date": stamp,
        "payment_method": method,
        "order_reference": optional(fields, "order_reference"),
        "customer_full_name": optional(fields, "customer_full_name"),
        "reply_code": None,
        "brand": None,
        "currency": "FIAT",
        "credit_type": "PAYIN",
        "payer_id": payer_id,
        "recon_id": None,
        "order_reference_1": None,
        "order_reference_2": None,
        "platform_identifier": None,
        "trx_type": trx_type,
        "customer_email": optional(fields, "customer_email"),
        "customer_phone": optional(fields, "customer_phone"),
        "customer_personal_number": None,
        "fee_taken": 0,
        "fee_expected": 0,
        "charge_back": 0,
        "rolling_serve": 0,
        "retrieval": 0,
        "is_black_list": 0,
        "ip_address": None,
        "billing_address_country": country,
        "billing_address_city": None,
        "billing_address_zip_code": None,
        "billing_address": None,
        "bin": None,
        "is_3ds": None,
        "bank_psp": None,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
        "payment_date": None,
        "type": "PAYIN",
    }
    state.objects("payin")[payin["id"]] = payin
    return payin


def find_payin(state: SandboxState, payin_id: str) -> dict[str, Any]:
    """A payin by its PayCombat id or its Finmo id, or a 404."""
    payins = state.objects("payin")
    record = payins.get(payin_id) or next(
        (p for p in payins.values() if p["payin_id_finmo"] == payin_id), None
    )
    if record is None:
        raise SandboxError(404, f"Payin {payin_id} not found")
    return record


def set_status(record: dict[str, Any], status: str) -> None:
    record["status"] = status
    record["updated_at"] = now_iso()


def checkout_of(state: SandboxState, payin_id: str) -> dict[str, Any] | None:
    """The checkout a payin was created for, if any."""
    return next(
        (
            c
            for c in state.objects("checkout").values()
            if (c.get("additional_info") or {}).get("payin_id") == payin_id
        ),
        None,
    )


def close_pending_payin(state: SandboxState, checkout: dict[str, Any], status: str) -> None:
    """Move the checkout's payin to ``status`` if it is still ``PENDING``."""
    payin_id = (checkout.get("additional_info") or {}).get("payin_id")
    payin = state.objects("payin").get(payin_id) if isinstance(payin_id, str) else None
    if payin is not None and payin["status"] == "PENDING":
        set_status(payin, status)
        state.changed("payin", payin)


def expire_if_due(state: SandboxState, checkout: dict[str, Any]) -> None:
    """A pending checkout whose ``expire_at`` has passed is ``EXPIRED`` (and so is its payin)."""
    if checkout["status"] != "PENDING" or not checkout.get("expire_at"):
        return
    if parse_iso(checkout["expire_at"]) <= dt.datetime.now(dt.UTC):
        set_status(checkout, "EXPIRED")
        close_pending_payin(state, checkout, "EXPIRED")


# -- payins -------------------------------------------------------------------------------------


async def create_payin(call: Call) -> Reply:
    body, state = call.body, call.state
    amount = require_amount(body, "amount")
    currency = require_code(body, "currency", 3)
    method = require_str(body, "payin_method_name")
    country = require_code(body, "country", 2) if body.get("country") is not None else None
    _, region = payin_method(method, currency, amount)
    params = body.get("payin_method_param")
    if params is not None and not isinstance(params, dict):
        raise SandboxError(400, "payin_method_param must be an object")
    payer_id = optional(body, "payer_id")
    if currency == "KRW":
        if not payer_id:
            raise SandboxError(400, "payer_id (the virtual account id) is required for KRW")
        _virtual_account(state, payer_id, "APPROVED", "a KRW payin needs an APPROVED one")
    payin = new_payin(
        state,
        amount=amount,
        currency=currency,
        method=method,
        country=country or region,
        trx_type="DIRECT_PAYIN",
        body=body,
        payer_id=payer_id,
    )
    return Reply(payin, message="Created")


async def simulate_payin(call: Call) -> Reply:
    body, state = call.body, call.state
    payin_id = require_id(body, "payin_id", "id")
    status = require_one_of(body, "status", PAYIN_SIMULATE_TARGETS)
    payin = find_payin(state, payin_id)
    checkout = checkout_of(state, payin["id"])
    if checkout is not None:
        expire_if_due(state, checkout)
    if payin["status"] != "PENDING":
        raise SandboxError(
            422, f"Payin {payin_id} is {payin['status']}; only a PENDING payin can be simulated"
        )
    set_status(payin, status)
    if status == "SUCCESS":
        payin["payment_date"] = payin["updated_at"]
        if checkout is not None:
            set_status(checkout, "COMPLETED")
    state.changed("payin", payin)
    return Reply(payin, message="Success simulate payin")


async def retrieve_payin(call: Call) -> Reply:
    payin = find_payin(call.state, call.path("id"))
    checkout = checkout_of(call.state, payin["id"])
    if checkout is not None:
        expire_if_due(call.state, checkout)
    return Reply(payin, message="OK")


async def retrieve_payin_memo(call: Call) -> web.Response:
    payin = find_payin(call.state, call.path("id"))
    lines = [
        f"Payin: {payin['id']}",
        f"Finmo id: {payin['payin_id_finmo']}",
        f"Status: {payin['status']}",
        f"Amount: {payin['amount']} {payin['amount_type']}",
        f"Method: {payin['payment_method']}",
        f"Reference: {payin['transaction'] or '-'}",
        f"Created: {payin['created_at']}",
    ]
    return web.Response(
        body=make_pdf("PayCombat payin memo", lines), content_type="application/pdf"
    )


# -- KRW virtual accounts -----------------------------------------------------------------------


def korean_bank(name: str) -> str:
    if name not in KOREAN_BANKS:
        raise SandboxError(422, f"{name} is not a Korean bank that issues virtual accounts")
    return name


def new_account_number(bank: str) -> str:
    return _BANK_CODES.get(bank, "000") + "".join(secrets.choice("0123456789") for _ in range(11))


async def create_virtual_account(call: Call) -> Reply:
    body, state = call.body, call.state
    bank = korean_bank(require_str(body, "payin_method_name"))
    amount = require_amount(body, "amount")
    payin_method(bank, "KRW", amount)
    currency = require_code(body, "currency", 3) if body.get("currency") is not None else "KRW"
    if currency != "KRW":
        raise SandboxError(422, f"Virtual accounts are KRW only, not {currency}")
    country = require_code(body, "country", 2) if body.get("country") is not None else "KR"
    user_name = require_str(body, "user_name")
    birth = optional(body, "user_yymmdd")
    if birth is not None and not re.fullmatch(r"\d{6}", birth):
        raise SandboxError(400, "user_yymmdd must be six digits (YYMMDD)")
    account = new_virtual_account(
        state,
        bank,
        number(amount),
        country=country,
        user_name=user_name,
        user_yymmdd=birth,
        **{name: optional(body, name) for name in _VA_ACCOUNT_FIELDS},
    )
    return Reply(account, message="Created")


def _virtual_account(state: SandboxState, account_id: str, status: str, why: str) -> dict[str, Any]:
    """A stored virtual account in ``status``, or a 422 saying ``why`` it must be."""
    account = state.get("virtual_account", account_id)
    if account["status"] != status:
        raise SandboxError(422, f"Virtual account {account_id} is {account['status']}; {why}")
    return account


_VA_ACCOUNT_FIELDS = ("account_bankname", "account_number", "account_holder", "customer_id")


def new_virtual_account(
    state: SandboxState, bank: str, amount: Any, **fields: Any
) -> dict[str, Any]:
    """A ``PENDING`` KRW virtual account, stored; ``fields`` fill in what the caller knows."""
    stamp = now_iso()
    account: dict[str, Any] = {
        "id": new_uuid(),
        "merchant_id": state.merchant_id,
        "status": "PENDING",
        "payin_method_name": bank,
        "amount": amount,
        "currency": "KRW",
        "country": "KR",
        "user_name": None,
        "user_yymmdd": None,
        **dict.fromkeys(_VA_ACCOUNT_FIELDS),
        "additional_info": {},
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
    }
    account.update(fields)
    state.objects("virtual_account")[account["id"]] = account
    return account


def approve(account: dict[str, Any]) -> None:
    """Issue the account the customer pays into."""
    set_status(account, "APPROVED")
    bank = account["payin_method_name"]
    account["account_bankname"] = account["account_bankname"] or bank
    account["account_number"] = account["account_number"] or new_account_number(bank)
    account["account_holder"] = account["account_holder"] or account["user_name"]


async def simulate_create_va(call: Call) -> Reply:
    body, state = call.body, call.state
    account_id = require_id(body, "virtual_account_id", "id")
    status = require_one_of(body, "status", VA_SIMULATE_TARGETS)
    account = _virtual_account(
        state, account_id, "PENDING", "only a PENDING registration can be simulated"
    )
    if status == "APPROVED":
        approve(account)
    else:
        set_status(account, "FAILED")
    state.changed("virtual_account", account)
    return Reply(account, message="Success simulate create virtual account")


HANDLERS: dict[str, Handler] = {
    "payins.create": create_payin,
    "payins.simulate": simulate_payin,
    "payins.retrieve": retrieve_payin,
    "payins.retrieve_memo": retrieve_payin_memo,
    "payins.create_virtual_account": create_virtual_account,
    "payins.simulate_virtual_account": simulate_create_va,
}
