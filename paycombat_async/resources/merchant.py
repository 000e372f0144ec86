"""The merchant account: payout balance."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Merchant"]


class Merchant(Resource):
    """``client.merchant``: The merchant account: payout balance."""
