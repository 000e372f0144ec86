"""Hosted checkout: payment requests and the checkout page flow."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Checkouts"]


class Checkouts(Resource):
    """``client.checkouts``: Hosted checkout: payment requests and the checkout page flow."""
