"""Transactions: the report line behind each payin, payout and refund."""

from __future__ import annotations

import datetime as dt

from .._converter import unstructure
from .._pagination import DEFAULT_LIMIT, AsyncPaginator
from .._validation import check_path_id
from ..models.transaction import Transaction, TransactionEventType, TransactionFilters
from ._base import Resource

__all__ = ["Transactions"]


class Transactions(Resource):
    """``client.transactions``: the report line behind each payin, payout and refund."""

    async def retrieve(self, transaction_id: str) -> Transaction:
        """Find Transaction by Id: one transaction, with its fees and settlement state.

        Args:
            transaction_id: the transaction's id (``txn_...``).

        Raises:
            ValidationError: ``transaction_id`` is blank; nothing was sent.
            NotFoundError: no such transaction.
        """
        return await self._call(
            "Find Transaction by Id",
            path_params={"transaction_id": check_path_id("transaction_id", transaction_id)},
            cast=Transaction,
        )

    def list(
        self,
        *,
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
        event_type: TransactionEventType | str | None = None,
        currency: str | None = None,
        created_at: dt.date | None = None,
    ) -> AsyncPaginator[Transaction]:
        """Get All Transaction: every transaction, page by page.

        Args:
            page: the first page to fetch (1-based).
            limit: transactions per page.
            event_type: only ``PAYIN``, ``PAYOUT`` or ``REFUND`` transactions.
            currency: only transactions in this ISO 4217 currency.
            created_at: only transactions created on this (UTC) day.

        Raises:
            ValidationError: ``currency`` is not an ISO 4217 code; raised here, before any
                page is fetched.
        """
        filters = TransactionFilters(
            event_type=event_type, currency=currency, created_at=created_at
        )
        return self._paginate(
            "Get All Transaction",
            item=Transaction,
            filters=unstructure(filters),
            page=page,
            limit=limit,
        )
