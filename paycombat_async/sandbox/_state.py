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
    _objects: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict)
    listeners: list[Callable[[str, dict[str, Any]], None]] = attrs.field(factory=list, repr=False)
    """Called with ``(kind, record)`` after a record changes status (the webhook sender)."""

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

    def find(self, kind: str, **match: Any) -> list[dict[str, Any]]:
        """Records whose fields equal ``match``."""
        return [
            r for r in self.objects(kind).values() if all(r.get(k) == v for k, v in match.items())
        ]
