"""Customers: the end customers payins and wallets belong to."""

from __future__ import annotations

from paycombat_async.resources.customers import Customers as AsyncCustomers

from .._bridge import blocking, blocking_iter
from ._base import Resource

__all__ = ["Customers"]


class Customers(Resource):
    """``client.customers``: create, update, list, read, enable, disable and delete customers."""

    create = blocking(AsyncCustomers.create)
    update = blocking(AsyncCustomers.update)
    list = blocking_iter(AsyncCustomers.list)
    retrieve = blocking(AsyncCustomers.retrieve)
    is_wallet_ready = blocking(AsyncCustomers.is_wallet_ready)
    enable = blocking(AsyncCustomers.enable)
    disable = blocking(AsyncCustomers.disable)
    delete = blocking(AsyncCustomers.delete)
