"""The merchant account: payout balance."""

from __future__ import annotations

from ..models.merchant import PayoutBalance
from ..models.methods import CurrencyRequest
from ._base import M, Resource
from ._declare import endpoint

__all__ = ["Merchant"]


class Merchant(Resource[M]):
    """``client.merchant``: The merchant account: payout balance."""

    client_attribute = "merchant"

    get_payout_balance = endpoint(
        doc="""Get Balance Payout: the merchant's payout balance in one currency.

        Payouts are drawn from this balance: ``total_balance_available`` drops when a payout is
        created.

        Args:
            currency: ISO 4217 code, e.g. ``"AUD"``.

        Raises:
            ValidationError: ``currency`` is not a valid code; nothing was sent.
            NotFoundError: the merchant has no balance in that currency.
        """,
        method="GET",
        path="/api/v1/merchant/balance/{currency}",
        request=CurrencyRequest,
        returns=PayoutBalance,
    )
