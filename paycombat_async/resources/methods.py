"""Payin methods: how customers can pay in, and what each needs."""

from __future__ import annotations

from ._base import Resource

__all__ = ["PayinMethods", "PaymentMethods", "PayoutMethods"]


class PayinMethods(Resource):
    """``client.payin_methods``: Payin methods: how customers can pay in, and what each needs."""


class PayoutMethods(Resource):
    """``client.payout_methods``: the rails payouts go out on, and what each needs."""


class PaymentMethods(Resource):
    """``client.payment_methods``: the payment methods offered for a currency."""
