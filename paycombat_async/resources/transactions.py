"""Transactions: the report line behind each payin, payout and refund."""

from __future__ import annotations

from ..models.transaction import Transaction, TransactionFilters, TransactionIdRequest
from ._base import M, Resource, paged
from ._declare import endpoint

__all__ = ["Transactions"]


class Transactions(Resource[M]):
    """``client.transactions``: the report line behind each payin, payout and refund."""

    client_attribute = "transactions"

    retrieve = endpoint(
        doc="""Find Transaction by Id: one transaction, with its fees and settlement state.

        Args:
            transaction_id: the transaction's id (``txn_...``).

        Raises:
            ValidationError: ``transaction_id`` is blank; nothing was sent.
            NotFoundError: no such transaction.
        """,
        method="GET",
        path="/api/v1/transaction/find-transaction/{transaction_id}",
        request=TransactionIdRequest,
        returns=Transaction,
        documented=False,
    )

    list = endpoint(
        doc="""Get All Transaction: every transaction, page by page.

        Args:
            page: the first page to fetch (1-based).
            limit: transactions per page.
            event_type: only ``PAYIN``, ``PAYOUT`` or ``REFUND`` transactions.
            currency: only transactions in this ISO 4217 currency.
            created_at: only transactions created on this (UTC) day.

        Raises:
            ValidationError: a filter, ``page`` or ``limit`` is invalid; raised here, before
                any page is fetched.
        """,
        method="GET",
        path="/api/v1/transaction",
        request=TransactionFilters,
        returns=paged(Transaction),
        documented=False,
    )
