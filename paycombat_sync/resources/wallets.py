"""Customer wallets: balances PayCombat holds for a customer, one account per currency."""

from __future__ import annotations

from paycombat_async.resources.wallets import Wallets as AsyncWallets

from .._bridge import blocking, blocking_iter
from ._base import Resource

__all__ = ["Wallets"]


class Wallets(Resource):
    """``client.wallets``: customer wallets."""

    create = blocking(AsyncWallets.create)
    list = blocking_iter(AsyncWallets.list)
    retrieve = blocking(AsyncWallets.retrieve)
