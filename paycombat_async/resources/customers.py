"""Customers: the end customers payins and wallets belong to."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Customers"]


class Customers(Resource):
    """``client.customers``: Customers: the end customers payins and wallets belong to."""
