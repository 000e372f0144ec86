"""Payins: money collected from customers, and the KRW virtual accounts they need."""

from __future__ import annotations

from paycombat_async.resources.payins import Payins as AsyncPayins

from .._bridge import blocking
from ._base import Resource

__all__ = ["Payins"]


class Payins(Resource):
    """``client.payins``: Create Payin, Simulate Payin, Retrieve Payin, Retrieve Payin Memo (PDF),
    Create Virtual Account (KRW), Simulate Create VA.
    """

    create = blocking(AsyncPayins.create)
    simulate = blocking(AsyncPayins.simulate)
    retrieve = blocking(AsyncPayins.retrieve)
    retrieve_memo = blocking(AsyncPayins.retrieve_memo)
    wait_for = blocking(AsyncPayins.wait_for)
    create_virtual_account = blocking(AsyncPayins.create_virtual_account)
    simulate_virtual_account = blocking(AsyncPayins.simulate_virtual_account)
