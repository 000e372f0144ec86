"""Payins: money collected from customers."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Payins"]


class Payins(Resource):
    """``client.payins``: Payins: money collected from customers."""
