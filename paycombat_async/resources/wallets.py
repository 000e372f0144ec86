"""Customer wallets."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Wallets"]


class Wallets(Resource):
    """``client.wallets``: Customer wallets."""
