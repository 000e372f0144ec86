"""Sandbox payout beneficiaries, and a deterministic confirmation of payee.

The sandbox bank remembers the account holder's name of every account a beneficiary was first
saved with (state kind ``"bank_account"``); later updates of the beneficiary's name do not change
it. Validation compares a name with that record:

- an account number, IBAN or PayID ending in ``0000`` -> ``Account Closed``;
- one ending in ``9999``, or an account the bank has never seen -> ``Unable to Verify``;
- the same words (ignoring case and punctuation) -> ``Match``;
- the same words in another order, or a near spelling (similarity >= 0.8) -> ``Close Match``;
- anything else -> ``No Match``.

The bank's name is revealed only for ``Match`` and ``Close Match``.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from .._catalogue import KNOWN_PAYOUT_METHODS
from .._state import SandboxState, new_prefixed_id, now_iso
from ._common import Call, Handler, Reply, SandboxError, paginate, require_code, require_str

TYPES = ("individual", "company")
ACCOUNT_FIELDS = ("account_number", "iban", "pay_id", "proxy_value")
STRING_FIELDS = (
    "beneficiary_name",
    "currency",
    "nickname",
    "description",
    "bank_country",
    "bank_name",
    "account_number",
    "bsb",
    "iban",
    "bic_swift",
    "intermediary_bic_swift",
    "aba",
    "sort_code",
    "ifsc",
    "branch_code",
    "bank_code",
    "pay_id",
    "pay_id_type",
    "proxy_type",
    "proxy_value",
    "organization_reference_id",
)
OBJECT_FIELDS = ("individual", "company", "metadata", "payout_beneficiary_controls")
# Fields a beneficiary record carries that the request never sets.
RECORD_ONLY_FIELDS = (
    "bank_city",
    "bank_state",
    "account_type",
    "upi_id",
    "interac_email",
    "biller_code",
    "customer_reference_number",
    "duitnow_proxy_type",
    "duitnow_proxy_value",
    "fps_proxy_type",
    "fps_proxy_value",
    "additional_data",
)
CREATE_FIELDS = frozenset({"type", *STRING_FIELDS, *OBJECT_FIELDS})
UPDATE_FIELDS = frozenset({"payout_beneficiary_id", *STRING_FIELDS, *OBJECT_FIELDS})

CLOSED_SUFFIX = "0000"
UNVERIFIABLE_SUFFIX = "9999"
CLOSE_MATCH_RATIO = 0.8


def _check_fields(body: dict[str, Any], allowed: frozenset[str]) -> None:
    """Reject what a strict (NestJS-style whitelisting) server would."""
    for key, value in body.items():
        if key not in allowed:
            raise SandboxError(400, f"property {key} should not exist")
        if value is None:
            continue
        if key in OBJECT_FIELDS and not isinstance(value, dict):
            raise SandboxError(400, f"{key} must be an object")
        if key in STRING_FIELDS and not isinstance(value, str):
            raise SandboxError(400, f"{key} must be a string")


def _check_beneficiary(record: dict[str, Any], state: SandboxState) -> None:
    """The rules a saved beneficiary must satisfy, after a create or an update."""
    if record["type"] == "individual" and record.get("company"):
        raise SandboxError(400, "company must not be set for an individual beneficiary")
    if record["type"] == "company" and record.get("individual"):
        raise SandboxError(400, "individual must not be set for a company beneficiary")
    if not str(record.get("beneficiary_name") or "").strip():
        raise SandboxError(400, "beneficiary_name is required")
    currency = require_code(record, "currency", 3)
    if currency not in state.balances:
        raise SandboxError(422, f"Beneficiaries in {currency} are not supported")
    bsb = record.get("bsb")
    if bsb and not re.fullmatch(r"\d{6}", bsb):
        raise SandboxError(400, "bsb must be 6 digits")
    if currency == "AUD":
        if not (record.get("account_number") and bsb) and not record.get("pay_id"):
            raise SandboxError(400, "AUD beneficiaries need account_number and bsb, or pay_id")
    elif currency == "EUR":
        if not record.get("iban"):
            raise SandboxError(400, "EUR beneficiaries need an iban")
    elif not any(record.get(name) for name in ACCOUNT_FIELDS):
        raise SandboxError(400, f"one of {', '.join(ACCOUNT_FIELDS)} is required")


# -- the sandbox bank -----------------------------------------------------------------------


def _account_key(details: dict[str, Any]) -> str | None:
    if details.get("iban"):
        return "iban:" + str(details["iban"]).replace(" ", "").upper()
    if details.get("account_number"):
        return f"acct:{details.get('bsb') or ''}:{details['account_number']}"
    if details.get("pay_id"):
        return "payid:" + str(details["pay_id"]).lower()
    return None


def _remember_account(state: SandboxState, record: dict[str, Any]) -> None:
    key = _account_key(record)
    if key is not None:
        state.objects("bank_account").setdefault(key, {"account_name": record["beneficiary_name"]})


def _words(name: str) -> list[str]:
    return re.findall(r"\w+", name.casefold())


def _compare(sent: str, on_file: str) -> str:
    a, b = _words(sent), _words(on_file)
    if a == b:
        return "Match"
    ratio = difflib.SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
    if sorted(a) == sorted(b) or ratio >= CLOSE_MATCH_RATIO:
        return "Close Match"
    return "No Match"


def _confirm_payee(state: SandboxState, details: dict[str, Any], name: str) -> dict[str, Any]:
    identifier = str(details.get("iban") or details.get("account_number") or details.get("pay_id"))
    account = state.objects("bank_account").get(_account_key(details) or "")
    account_name: str | None = None
    if identifier.endswith(CLOSED_SUFFIX):
        result, message = "Account Closed", "The account is closed"
    elif identifier.endswith(UNVERIFIABLE_SUFFIX) or account is None:
        result, message = "Unable to Verify", "The bank could not verify the account name"
    else:
        result = _compare(name, account["account_name"])
        message = {
            "Match": "The name matches the account",
            "Close Match": "The name is close to the account name",
            "No Match": "The name does not match the account",
        }[result]
        if result != "No Match":
            account_name = account["account_name"]
    return {
        "result": result,
        "payout_beneficiary_id": None,
        "payout_method_name": None,
        "beneficiary_name": name,
        "account_name": account_name,
        "account_number": details.get("account_number"),
        "bsb": details.get("bsb"),
        "iban": details.get("iban"),
        "message": message,
        "validated_at": now_iso(),
    }


def _method_currency(body: dict[str, Any]) -> tuple[str, str]:
    method = require_str(body, "payout_method_name")
    currency = KNOWN_PAYOUT_METHODS.get(method)
    if currency is None:
        raise SandboxError(422, f"Unknown payout method {method}")
    return method, currency


# -- handlers -------------------------------------------------------------------------------


async def create_beneficiary(call: Call) -> Reply:
    body, state = call.body, call.state
    _check_fields(body, CREATE_FIELDS)
    kind = require_str(body, "type")
    if kind not in TYPES:
        raise SandboxError(400, "type must be one of individual, company")
    require_str(body, "beneficiary_name")
    require_code(body, "currency", 3)
    stamp = now_iso()
    record: dict[str, Any] = {
        "payout_beneficiary_id": new_prefixed_id("payout_beneficiary"),
        "org_id": state.org_id,
        "type": kind,
        **{name: body.get(name) for name in (*STRING_FIELDS, *OBJECT_FIELDS)},
        **dict.fromkeys(RECORD_ONLY_FIELDS),
        "is_active": True,
        "created_by": state.org_id,
        "created_at": stamp,
        "updated_at": stamp,
    }
    _check_beneficiary(record, state)
    state.objects("beneficiary")[record["payout_beneficiary_id"]] = record
    _remember_account(state, record)
    return Reply(record, message="Created")


async def update_beneficiary(call: Call) -> Reply:
    body, state = call.body, call.state
    _check_fields(body, UPDATE_FIELDS)
    record = state.get("beneficiary", require_str(body, "payout_beneficiary_id"))
    if "currency" in body:
        require_code(body, "currency", 3)
    changed = dict(record)
    for key, value in body.items():
        if key == "payout_beneficiary_id":
            continue
        if key in ("individual", "company") and isinstance(value, dict):
            changed[key] = {**(record.get(key) or {}), **value}  # only the sub-fields given
        else:
            changed[key] = value
    _check_beneficiary(changed, state)
    changed["updated_at"] = now_iso()
    record.update(changed)
    _remember_account(state, record)
    return Reply(record, message="Updated")


async def list_beneficiaries(call: Call) -> Reply:
    items = list(call.state.objects("beneficiary").values())
    kind = call.query("type")
    if kind:
        items = [b for b in items if b["type"] == kind]
    day = call.query("created_at")
    if day:
        items = [b for b in items if str(b["created_at"]).startswith(day)]
    return Reply(paginate(call, items))


async def retrieve_beneficiary(call: Call) -> Reply:
    return Reply(call.state.get("beneficiary", call.path("id")))


async def validate_by_id(call: Call) -> Reply:
    body, state = call.body, call.state
    _check_fields(body, frozenset({"payout_method_name"}))
    method, currency = _method_currency(body)
    record = state.get("beneficiary", call.path("id"))
    if record["currency"] != currency:
        raise SandboxError(
            422, f"{method} pays out in {currency}; this beneficiary is in {record['currency']}"
        )
    if method == "au_bank_acct" and not (record.get("account_number") and record.get("bsb")):
        raise SandboxError(422, "au_bank_acct needs a beneficiary with account_number and bsb")
    result = _confirm_payee(state, record, record["beneficiary_name"])
    result["payout_beneficiary_id"] = record["payout_beneficiary_id"]
    result["payout_method_name"] = method
    return Reply(result)


async def validate_by_body(call: Call) -> Reply:
    body, state = call.body, call.state
    _check_fields(body, frozenset({"payout_method_name", "payout_beneficiary_param"}))
    method, _ = _method_currency(body)
    details = body.get("payout_beneficiary_param")
    if not isinstance(details, dict) or not details:
        raise SandboxError(400, "payout_beneficiary_param is required")
    if not details.get("account_number") and not details.get("iban"):
        raise SandboxError(400, "payout_beneficiary_param.account_number is required")
    if method == "au_bank_acct" and not details.get("bsb"):
        raise SandboxError(400, "payout_beneficiary_param.bsb is required for au_bank_acct")
    individual = details.get("individual") or {}
    company = details.get("company") or {}
    name = " ".join(
        str(individual[k]) for k in ("first_name", "last_name") if individual.get(k)
    ) or str(company.get("name") or details.get("beneficiary_name") or "")
    if not name.strip():
        raise SandboxError(
            400, "payout_beneficiary_param needs individual.first_name/last_name or company.name"
        )
    result = _confirm_payee(state, details, name)
    result["payout_method_name"] = method
    return Reply(result)


HANDLERS: dict[str, Handler] = {
    "beneficiaries.create": create_beneficiary,
    "beneficiaries.update": update_beneficiary,
    "beneficiaries.list": list_beneficiaries,
    "beneficiaries.retrieve": retrieve_beneficiary,
    "beneficiaries.validate_by_id": validate_by_id,
    "beneficiaries.validate": validate_by_body,
}
