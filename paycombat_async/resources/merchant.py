"""The merchant account: payout balance."""

from __future__ import annotations

from ..models.merchant import PayoutBalance
from ._base import Resource
from .master_data import check_currency

__all__ = ["Merchant"]


class Merchant(Resource):
    """``client.merchant``: The merchant account: payout balance."""

    async def get_payout_balance(self, currency: str) -> PayoutBalance:
        """Get Balance Payout: the merchant's payout balance in one currency.

        Payouts are drawn from this balance: ``total_balance_available`` drops when a payout is
        created.

        Args:
            currency: ISO 4217 code, e.g. ``"AUD"``.

        Raises:
            ValidationError: ``currency`` is not a valid code; nothing was sent.
            NotFoundError: the merchant has no balance in that currency.
        """
        return await self._call(
            "Get Balance Payout",
            path_params={"currency": check_currency(currency)},
            cast=PayoutBalance,
        )
