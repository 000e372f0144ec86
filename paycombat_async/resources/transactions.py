"""Transactions: the ledger entries behind payins and payouts."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Transactions"]


class Transactions(Resource):
    """``client.transactions``: Transactions: the ledger entries behind payins and payouts."""
