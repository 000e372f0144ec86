"""Sandbox master data, payin/payout/payment methods and the merchant balance."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

from .._catalogue import (
    COUNTRIES,
    PAYIN_METHODS,
    PAYMENT_METHODS,
    PAYOUT_METHODS,
    SUPPORTED_CURRENCIES,
)
from ._common import Call, Handler, Reply, SandboxError, number

__all__ = ["HANDLERS"]


def _code(value: str, name: str, length: int) -> str:
    if not re.fullmatch(f"[A-Z]{{{length}}}", value):
        raise SandboxError(400, f"{name} must be a {length}-letter upper-case code")
    return value


def _filter(call: Call, name: str, length: int) -> str | None:
    value = call.query(name)
    return None if value is None else _code(value, name, length)


def _supported_currency(call: Call) -> str:
    currency = _code(call.path("currency"), "currency", 3)
    if currency not in SUPPORTED_CURRENCIES:
        raise SandboxError(404, f"Currency {currency} is not supported")
    return currency


async def list_country_currency(call: Call) -> Reply:
    return Reply(copy.deepcopy(COUNTRIES))


async def list_payin_methods(call: Call) -> Reply:
    currency = _filter(call, "currency", 3)
    country = _filter(call, "country", 2)
    methods = [
        m
        for m in PAYIN_METHODS.values()
        if currency in (None, m["currency"]) and country in (None, m["country"])
    ]
    return Reply(copy.deepcopy(methods))


def _by_name(catalogue: dict[str, dict[str, Any]], name: str, what: str) -> Reply:
    method = catalogue.get(name)
    if method is None:
        raise SandboxError(404, f"{what} method {name} not found")
    return Reply(copy.deepcopy(method))


async def payin_required_fields(call: Call) -> Reply:
    return _by_name(PAYIN_METHODS, call.path("payin_method_name"), "Payin")


async def list_payout_methods(call: Call) -> Reply:
    currency = _filter(call, "currency", 3)
    country = _filter(call, "country", 2)
    methods = [
        m
        for m in PAYOUT_METHODS.values()
        if currency in (None, m["beneficiary_currency"])
        and country in (None, m["beneficiary_country"])
    ]
    return Reply(copy.deepcopy(methods))


async def payout_required_fields(call: Call) -> Reply:
    return _by_name(PAYOUT_METHODS, call.path("payout_method_name"), "Payout")


async def list_payment_methods_by_currency(call: Call) -> Reply:
    return Reply(copy.deepcopy(PAYMENT_METHODS[_supported_currency(call)]))


async def payout_balance(call: Call) -> Reply:
    """The balance row for one currency.

    Create Payout debits ``state.balances`` at once, so that is what is available. The sandbox
    reads the other two fields as Finmo's reserve model suggests: payouts still ``PENDING`` hold
    funds, and the expected balance is the available one plus what they hold.
    """
    currency = _code(call.path("currency"), "currency", 3)
    available = call.state.balances.get(currency)
    if available is None:
        raise SandboxError(404, f"No {currency} payout balance")
    held = call.state.held.get(currency, Decimal(0))
    row: dict[str, Any] = {
        "currency": currency,
        "total_balance_available": number(available),
        "total_hold_balance": number(held),
        "total_balance_expected": number(available + held),
    }
    return Reply(row)


HANDLERS: dict[str, Handler] = {
    "master_data.list_country_currency_codes": list_country_currency,
    "payin_methods.list": list_payin_methods,
    "payin_methods.required_fields": payin_required_fields,
    "payout_methods.list": list_payout_methods,
    "payout_methods.required_fields": payout_required_fields,
    "payment_methods.list_by_currency": list_payment_methods_by_currency,
    "merchant.get_payout_balance": payout_balance,
}
