"""Transaction models: the report line behind each payin, payout or refund.

The shape is the one the internal docs mirror shows for Find Transaction by Id (a Finmo
transaction-report object passed through; Finmo docs: Find Transaction by Id). Whatever else
PayCombat sends is kept in ``extra``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import attrs

from . import _validation as _v
from ._base import PATH, Model, OpenEnum, PageRequest, Request

__all__ = [
    "Transaction",
    "TransactionEventType",
    "TransactionFilters",
    "TransactionIdRequest",
]


class TransactionEventType(OpenEnum):
    """What moved the money: the kind of object ``event_id`` names."""

    PAYIN = "PAYIN"
    PAYOUT = "PAYOUT"
    REFUND = "REFUND"


@attrs.frozen(kw_only=True)
class Transaction(Model):
    """One transaction (Find Transaction by Id, Get All Transaction).

    Amounts are in major units of ``currency``; fees are in ``fees_currency``.
    """

    transaction_id: str
    org_id: str | None = None
    amount: Decimal | None = None
    fees_currency: str | None = None
    fees_without_tax: Decimal | None = None
    tax_on_fees: Decimal | None = None
    fees_including_tax: Decimal | None = None
    net_amount: Decimal | None = None
    """The amount after fees: what was credited (payins) or debited in total (payouts)."""
    currency: str | None = None
    event_id: str | None = None
    """The id of the payin, payout or refund behind this transaction."""
    event_type: TransactionEventType | str | None = None
    event_name: str | None = None
    event_description: str | None = None
    scope: str | None = None
    customer_id: str | None = None
    invoice_id: str | None = None
    is_settled: bool | None = None
    settlement_id: str | None = None
    is_reconciled: bool | None = None
    additional_data: dict[str, Any] | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class TransactionFilters(PageRequest):
    """The filters of Get All Transaction (after ``page`` and ``limit``), validated before
    anything is sent."""

    event_type: Literal["PAYIN", "PAYOUT", "REFUND"] | TransactionEventType | None = attrs.field(
        default=None, validator=_v.one_of(TransactionEventType)
    )
    currency: str | None = attrs.field(default=None, validator=_v.currency_code)
    created_at: dt.date | None = None
    """Only transactions created on this (UTC) day."""


@attrs.frozen
class TransactionIdRequest(Request):
    """One transaction, by its id (``txn_...``, in the path)."""

    transaction_id: str = attrs.field(validator=_v.path_id, metadata=PATH)
