"""The merchant account: payout balance."""

from __future__ import annotations

from paycombat_async.resources.merchant import Merchant as AsyncMerchant

from .._bridge import blocking
from ._base import Resource

__all__ = ["Merchant"]


class Merchant(Resource):
    """``client.merchant``: The merchant account: payout balance."""

    get_payout_balance = blocking(AsyncMerchant.get_payout_balance)
