"""Hosted checkout: payment requests and the checkout page flow."""

from __future__ import annotations

from paycombat_async.resources.checkouts import Checkouts as AsyncCheckouts

from .._bridge import blocking, blocking_iter
from ._base import Resource

__all__ = ["Checkouts"]


class Checkouts(Resource):
    """``client.checkouts``: Create Payment Request, Get All Checkout, Cancel Checkout, Get Detail
    Checkout, Create Virtual Account [KRW], Get VA Bank Information [KRW], Create New Checkout.
    """

    create_payment_request = blocking(AsyncCheckouts.create_payment_request)
    list = blocking_iter(AsyncCheckouts.list)
    cancel = blocking(AsyncCheckouts.cancel)
    retrieve = blocking(AsyncCheckouts.retrieve)
    create_virtual_account = blocking(AsyncCheckouts.create_virtual_account)
    list_va_banks = blocking(AsyncCheckouts.list_va_banks)
    create = blocking(AsyncCheckouts.create)
