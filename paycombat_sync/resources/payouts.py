"""Payouts: send money from the merchant payout balance to a beneficiary."""

from __future__ import annotations

from paycombat_async.resources.payouts import Payouts as AsyncPayouts

from .._bridge import blocking, blocking_iter, blocking_stream
from ._base import Resource

__all__ = ["Payouts"]


class Payouts(Resource):
    """``client.payouts``: create, simulate (sandbox), retrieve, list, and download memos."""

    create = blocking(AsyncPayouts.create)
    create_many = blocking(AsyncPayouts.create_many)
    stream_many = blocking_stream(AsyncPayouts.stream_many)
    retrieve = blocking(AsyncPayouts.retrieve)
    simulate = blocking(AsyncPayouts.simulate)
    retrieve_memo = blocking(AsyncPayouts.retrieve_memo)
    list = blocking_iter(AsyncPayouts.list)
