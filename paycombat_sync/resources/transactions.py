"""Transactions: the report line behind each payin, payout and refund."""

from __future__ import annotations

from paycombat_async.resources.transactions import Transactions as AsyncTransactions

from .._bridge import blocking, blocking_iter
from ._base import Resource

__all__ = ["Transactions"]


class Transactions(Resource):
    """``client.transactions``: the report line behind each payin, payout and refund."""

    retrieve = blocking(AsyncTransactions.retrieve)
    list = blocking_iter(AsyncTransactions.list)
