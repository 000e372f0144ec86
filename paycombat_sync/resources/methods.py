"""Payin, payout and payment methods: how money can move, and what each method needs."""

from __future__ import annotations

from paycombat_async.resources.methods import PayinMethods as AsyncPayinMethods
from paycombat_async.resources.methods import PaymentMethods as AsyncPaymentMethods
from paycombat_async.resources.methods import PayoutMethods as AsyncPayoutMethods

from .._bridge import blocking
from ._base import Resource

__all__ = ["PayinMethods", "PaymentMethods", "PayoutMethods"]


class PayinMethods(Resource):
    """``client.payin_methods``: Payin methods: how customers can pay in, and what each needs."""

    list = blocking(AsyncPayinMethods.list)
    required_fields = blocking(AsyncPayinMethods.required_fields)


class PayoutMethods(Resource):
    """``client.payout_methods``: the rails payouts go out on, and what each needs."""

    list = blocking(AsyncPayoutMethods.list)
    required_fields = blocking(AsyncPayoutMethods.required_fields)


class PaymentMethods(Resource):
    """``client.payment_methods``: the payment methods offered for a currency."""

    list_by_currency = blocking(AsyncPaymentMethods.list_by_currency)
