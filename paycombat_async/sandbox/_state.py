"""The sandbox's in-memory world: objects by kind, the merchant payout balance, and helpers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["SandboxError", "SandboxState", "new_prefixed_id", "new_uuid", "now_iso"]


class SandboxError(Exception):
    """Raised by a handler to answer with a PayCombat error envelope."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def now_iso() -> str:
    """The current time as PayCombat writes it: ``2024-12-30T20:12:35.000Z``."""
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def new_uuid() -> str:
    return str(uuid.uuid4())


def new_prefixed_id(prefix: str) -> str:
    """A Finmo-style id such as ``payout_c13bc860a32c48d5a1af991197ced0cb``."""
    return f"{prefix}_{uuid.uuid4().hex}"


DEFAULT_BALANCES = {
    "AUD": Decimal("1000000"),
    "SGD": Decimal("1000000"),
    "NZD": Decimal("1000000"),
    "PHP": Decimal("50000000"),
    "EUR": Decimal("1000000"),
    "KRW": Decimal("1000000000"),
}


@attrs.define
class SandboxState:
    """Everything the sandbox remembers. Records are stored as the JSON PayCombat would send."""

    merchant_id: str = attrs.field(factory=new_uuid)
    balances: dict[str, Decimal] = attrs.field(factory=lambda: dict(DEFAULT_BALANCES))
    refuse_duplicate_order_id: bool = False
    """Answer 409 to a Create Payout whose ``order_id`` is taken (or being processed)."""
    _objects: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict)
    listeners: list[Callable[[str, dict[str, Any]], None]] = attrs.field(factory=list, repr=False)
    """Called with ``(kind, record)`` after a record changes status (the webhook sender)."""
    # Indexes, so that the cost of a call stays flat as payouts pile up (100,000 in a batch).
    held: dict[str, Decimal] = attrs.field(factory=dict)
    """What ``PENDING`` payouts hold, by currency."""
    payouts_by_order_id: dict[str, list[str]] = attrs.field(factory=dict)
    payouts_by_finmo_id: dict[str, str] = attrs.field(factory=dict)
    order_ids_in_flight: set[str] = attrs.field(factory=set)
    """``order_id`` of creates received and not answered yet (see ``refuse_duplicate_order_id``)."""

    @property
    def org_id(self) -> str:
        """The merchant's Finmo organisation id (``org_...``), stable for the sandbox's life."""
        return "org_" + self.merchant_id.replace("-", "")

    def changed(self, kind: str, record: dict[str, Any]) -> None:
        """Report that ``record`` (of ``kind``: ``"payin"``, ``"payout"``...) changed status."""
        for listener in self.listeners:
            listener(kind, record)

    def objects(self, kind: str) -> dict[str, dict[str, Any]]:
        """The records of one kind (``"payout"``, ``"payin"``...) by id, in creation order."""
        return self._objects.setdefault(kind, {})

    def get(self, kind: str, object_id: str) -> dict[str, Any]:
        """One record, or a 404 the way PayCombat answers it."""
        record = self.objects(kind).get(object_id)
        if record is None:
            raise SandboxError(404, f"{kind.replace('_', ' ').capitalize()} {object_id} not found")
        return record

    def add_payout(self, payout: dict[str, Any]) -> None:
        """Store a new ``PENDING`` payout and index it."""
        self.objects("payout")[payout["id"]] = payout
        self.payouts_by_finmo_id[payout["payout_id_finmo"]] = payout["id"]
        if payout.get("order_id") is not None:
            self.payouts_by_order_id.setdefault(payout["order_id"], []).append(payout["id"])
        self.hold(payout, +1)

    def hold(self, payout: dict[str, Any], sign: int) -> None:
        """Add (``+1``) or release (``-1``) a ``PENDING`` payout's amount to what is held."""
        currency, amount = payout["currency"], Decimal(str(payout["wire_amount"]))
        self.held[currency] = self.held.get(currency, Decimal(0)) + sign * amount

    def find(self, kind: str, **match: Any) -> list[dict[str, Any]]:
        """Records whose fields equal ``match``."""
        return [
            r for r in self.objects(kind).values() if all(r.get(k) == v for k, v in match.items())
        ]
