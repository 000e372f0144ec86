"""Merchant models: the payout balance payouts are drawn from."""

from __future__ import annotations

from decimal import Decimal

import attrs

from ._base import Model

__all__ = ["PayoutBalance"]


@attrs.frozen(kw_only=True)
class PayoutBalance(Model):
    """The merchant's payout balance in one currency (Get Balance Payout).

    The response is not documented; the fields are inferred from PayCombat's balance table.
    Anything else PayCombat sends is kept in ``extra``.
    """

    currency: str | None = None
    total_balance_available: Decimal | None = None
    """What can be paid out now."""
    total_hold_balance: Decimal | None = None
    """Funds reserved by payouts that have not settled yet."""
    total_balance_expected: Decimal | None = None
    """The balance including reserved funds."""
