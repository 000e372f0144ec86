"""Sandbox customers: create, update, list, read, wallet readiness, enable/disable, delete.

Like PayCombat (PayCombat docs: Disable Customer, its example), every answer nests Finmo's envelope
(``request_id``, ``request_time``, ``success``, ``status_code``, ``status_text``, ``data``) inside
``data``. New customers start active; delete is a soft delete (``is_deleted``), after which the
customer is found only by Get All Customer with ``include_deleted=true``.
"""

from __future__ import annotations

import uuid
from typing import Any

from .._state import new_prefixed_id, now_iso
from ._common import (
    Call,
    Handler,
    Reply,
    SandboxError,
    optional,
    paginate,
    require_str,
)

KIND = "customer"
TYPES = ("individual", "company")
# The fields a customer of each type must have (mirrors the SDK's CreateCustomerRequest).
REQUIRED = {
    "individual": ("first_name", "last_name", "address_country"),
    "company": ("name", "registration_number", "incorporation_country", "address_country"),
}
# What Finmo wants before it issues a wallet (KYC), beyond the required fields (inferred).
KYC = {
    "individual": (*REQUIRED["individual"], "dob", "address_line1", "address_city"),
    "company": (*REQUIRED["company"], "address_line1", "address_city"),
}
_TOP_LEVEL = ("description", "type", "organization_reference_id", "metadata")


def finmo(data: Any, status_text: str = "OK") -> dict[str, Any]:
    """Finmo's success envelope, as PayCombat passes it through inside its own ``data``."""
    return {
        "request_id": uuid.uuid4().hex,
        "request_time": now_iso(),
        "success": True,
        "status_code": 200,
        "status_text": status_text,
        "data": data,
    }


def _validate(record: dict[str, Any]) -> None:
    """A customer (new, or after an update) has the fields its type requires."""
    kind = record.get("type")
    if kind not in TYPES:
        raise SandboxError(400, f"type must be one of {', '.join(TYPES)}")
    holder = record.get(kind)
    if not isinstance(holder, dict):
        raise SandboxError(400, f"{kind} is required for a {kind} customer")
    for name in REQUIRED[kind]:
        value = holder.get(name)
        if not isinstance(value, str) or not value.strip():
            raise SandboxError(400, f"{kind}.{name} is required")


def _missing(record: dict[str, Any]) -> list[str]:
    kind = record["type"]
    holder = record.get(kind) or {}
    return [f"{kind}.{name}" for name in KYC[kind] if not holder.get(name)]


def _refresh(record: dict[str, Any]) -> None:
    record["is_wallet_ready"] = bool(record["is_active"]) and not _missing(record)
    record["updated_at"] = now_iso()


def _live(call: Call) -> dict[str, Any]:
    """The customer named in the path; deleted customers are not found."""
    customer_id = call.path("customer_id")
    record = call.state.get(KIND, customer_id)
    if record["is_deleted"]:
        raise SandboxError(404, f"Customer {customer_id} not found")
    return record


async def create_customer(call: Call) -> Reply:
    body, state = call.body, call.state
    require_str(body, "description")
    individual = optional(body, "individual", dict)
    company = optional(body, "company", dict)
    stamp = now_iso()
    record: dict[str, Any] = {
        "customer_id": new_prefixed_id("customer"),
        "org_id": state.org_id,
        "type": body.get("type"),
        "description": body["description"],
        "webhook_url": None,
        "metadata": body.get("metadata"),
        "is_active": True,
        "is_wallet_ready": False,
        "organization_reference_id": body.get("organization_reference_id"),
        "is_gca_enabled": False,
        "gca_activation_status": "NOT_STARTED",
        "gca_activated_at": None,
        "is_sender_validation_enabled": False,
        "payin_sender_id_list": None,
        "company_domain": None,
    }
    if individual is not None:
        record["individual"] = dict(individual)
    if company is not None:
        record["company"] = dict(company)
    record.update({"is_deleted": False, "created_by": state.merchant_id, "created_at": stamp})
    _validate(record)
    _refresh(record)
    state.objects(KIND)[record["customer_id"]] = record
    return Reply(finmo(record, "Created"), message="Created")


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    """Apply an update to a nested object: an empty string clears a field."""
    for key, value in changes.items():
        if value == "":
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


async def update_customer(call: Call) -> Reply:
    body, state = call.body, call.state
    customer_id = require_str(body, "customer_id")
    current = state.get(KIND, customer_id)
    if current["is_deleted"]:
        raise SandboxError(404, f"Customer {customer_id} not found")
    updated = {**current}
    for name in _TOP_LEVEL:
        if name in body:
            updated[name] = None if body[name] == "" else body[name]
    for name in ("individual", "company"):
        changes = optional(body, name, dict)
        if changes is not None:
            nested = dict(updated.get(name) or {})
            _merge(nested, changes)
            updated[name] = nested
    if not isinstance(updated.get("description"), str) or not updated["description"].strip():
        raise SandboxError(400, "description is required")
    _validate(updated)
    _refresh(updated)
    current.clear()
    current.update(updated)
    return Reply(finmo(current))


async def list_customers(call: Call) -> Reply:
    include_deleted = call.query("include_deleted", "false")
    if include_deleted not in ("true", "false"):
        raise SandboxError(400, "include_deleted must be true or false")
    kind = call.query("type")
    if kind is not None and kind not in TYPES:
        raise SandboxError(400, f"type must be one of {', '.join(TYPES)}")
    items = [
        c
        for c in call.state.objects(KIND).values()
        if (include_deleted == "true" or not c["is_deleted"]) and kind in (None, c["type"])
    ]
    return Reply(finmo(paginate(call, items)))


async def retrieve_customer(call: Call) -> Reply:
    return Reply(finmo(_live(call)))


async def is_wallet_ready(call: Call) -> Reply:
    record = _live(call)
    missing = _missing(record)
    ready = bool(record["is_active"]) and not missing
    return Reply(finmo({"is_wallet_ready": ready, "missing_field": missing}))


def _set_active(call: Call, active: bool) -> Reply:
    record = _live(call)
    if record["is_active"] == active:
        state = "enabled" if active else "disabled"
        raise SandboxError(409, f"Customer {record['customer_id']} is already {state}")
    record["is_active"] = active
    _refresh(record)
    return Reply(finmo(record))


async def enable_customer(call: Call) -> Reply:
    return _set_active(call, True)


async def disable_customer(call: Call) -> Reply:
    return _set_active(call, False)


async def delete_customer(call: Call) -> Reply:
    record = _live(call)
    record["is_deleted"] = True
    record["is_active"] = False
    _refresh(record)
    return Reply(finmo(record))


HANDLERS: dict[str, Handler] = {
    "customers.create": create_customer,
    "customers.update": update_customer,
    "customers.list": list_customers,
    "customers.retrieve": retrieve_customer,
    "customers.is_wallet_ready": is_wallet_ready,
    "customers.enable": enable_customer,
    "customers.disable": disable_customer,
    "customers.delete": delete_customer,
}
