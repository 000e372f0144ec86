"""Payin, payout and payment methods: how money can move, and what each method needs."""

from __future__ import annotations

from ..models.methods import (
    CurrencyRequest,
    MethodFilters,
    PayinMethod,
    PayinMethodNameRequest,
    PaymentMethod,
    PayoutMethod,
    PayoutMethodNameRequest,
)
from ._base import M, Resource, many
from ._declare import endpoint

__all__ = ["PayinMethods", "PaymentMethods", "PayoutMethods"]

_FILTERS = """
        Args:
            currency: only methods in this ISO 4217 currency (``"AUD"``).
            country: only methods of this ISO 3166-1 alpha-2 country (``"AU"``).

        Raises:
            ValidationError: a filter is not a valid code; nothing was sent.
        """

_NOT_FOUND = """
        Raises:
            ValidationError: the method name is blank; nothing was sent.
            NotFoundError: PayCombat has no such method.
        """


class PayinMethods(Resource[M]):
    """``client.payin_methods``: Payin methods: how customers can pay in, and what each needs."""

    client_attribute = "payin_methods"

    list = endpoint(
        doc="""Get All Payin Method: the payin methods available to the merchant.

        The list is short and not paginated (``await`` it for a list). Pick a
        ``payin_method_name`` here, then ask ``required_fields`` what Create Payin needs for it.
        """
        + _FILTERS,
        method="GET",
        path="/api/v1/payin-method",
        request=MethodFilters,
        returns=many(PayinMethod),
        documented=False,
    )

    required_fields = endpoint(
        doc="""Get Required Fields by Payin method: one method with the fields a payin needs.

        ``payin_method_param`` lists the extra fields (with their regexes), ``min_amount`` and
        ``max_amount`` the accepted range.
        """
        + _NOT_FOUND,
        method="GET",
        path="/api/v1/payin-method/required-field/{payin_method_name}",
        request=PayinMethodNameRequest,
        returns=PayinMethod,
        documented=False,
    )


class PayoutMethods(Resource[M]):
    """``client.payout_methods``: the rails payouts go out on, and what each needs."""

    client_attribute = "payout_methods"

    list = endpoint(
        doc="""Get All Payout Method: the payout methods available to the merchant.

        The list is short and not paginated (``await`` it for a list). Pick a
        ``payout_method_name`` here, then ask ``required_fields`` what
        ``payout_beneficiary_param`` must hold for it.
        """
        + _FILTERS,
        method="GET",
        path="/api/v1/payout-method",
        request=MethodFilters,
        returns=many(PayoutMethod),
        documented=False,
    )

    required_fields = endpoint(
        doc="""Get Required Fields by Payout method: a method with the beneficiary fields it needs.

        ``payout_beneficiary_param`` lists the fields for Create Payout's
        ``payout_beneficiary_param``: ``base_param`` at its top level, ``individual`` or
        ``company`` in the nested object.
        """
        + _NOT_FOUND,
        method="GET",
        path="/api/v1/payout-method/required-field/{payout_method_name}",
        request=PayoutMethodNameRequest,
        returns=PayoutMethod,
        documented=False,
    )


class PaymentMethods(Resource[M]):
    """``client.payment_methods``: the payment methods offered for a currency."""

    client_attribute = "payment_methods"

    list_by_currency = endpoint(
        doc="""Get List Payment Method by Currency: the payment methods a customer can use.

        These are what the hosted checkout offers; ``payment_code`` is the
        ``payin_method_name`` the checkout calls take. The list is short and not paginated.

        Args:
            currency: ISO 4217 code, e.g. ``"EUR"``.

        Raises:
            ValidationError: ``currency`` is not a valid code; nothing was sent.
            NotFoundError: PayCombat does not support the currency.
        """,
        method="GET",
        path="/api/v1/payment-method/{currency}",
        request=CurrencyRequest,
        returns=many(PaymentMethod),
        documented=False,
    )
