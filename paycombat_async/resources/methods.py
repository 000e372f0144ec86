"""Payin, payout and payment methods: how money can move, and what each method needs."""

from __future__ import annotations

import builtins

from .._converter import unstructure
from .._validation import check_path_id
from ..models.methods import MethodFilters, PayinMethod, PaymentMethod, PayoutMethod
from ._base import Resource
from .master_data import check_currency

__all__ = ["PayinMethods", "PaymentMethods", "PayoutMethods"]


class PayinMethods(Resource):
    """``client.payin_methods``: Payin methods: how customers can pay in, and what each needs."""

    async def list(
        self, *, currency: str | None = None, country: str | None = None
    ) -> builtins.list[PayinMethod]:
        """Get All Payin Method: the payin methods available to the merchant.

        The list is short and not paginated. Pick a ``payin_method_name`` here, then ask
        ``required_fields`` what Create Payin needs for it.

        Args:
            currency: only methods paying in this ISO 4217 currency (``"AUD"``).
            country: only methods of this ISO 3166-1 alpha-2 country (``"AU"``).

        Raises:
            ValidationError: a filter is not a valid code; nothing was sent.
        """
        query = unstructure(MethodFilters(currency=currency, country=country))
        return await self._call_list("Get All Payin Method", item=PayinMethod, params=query)

    async def required_fields(self, payin_method_name: str) -> PayinMethod:
        """Get Required Fields by Payin method: one method with the fields a payin needs.

        Args:
            payin_method_name: the method, e.g. ``"au_bank_npp"``.

        Returns:
            The method; ``payin_method_param`` lists the extra fields (with their regexes),
            ``min_amount``/``max_amount`` the accepted range.

        Raises:
            ValidationError: ``payin_method_name`` is blank; nothing was sent.
            NotFoundError: PayCombat has no such method.
        """
        name = check_path_id("payin_method_name", payin_method_name)
        return await self._call(
            "Get Required Fields by Payin method",
            path_params={"payin_method_name": name},
            cast=PayinMethod,
        )


class PayoutMethods(Resource):
    """``client.payout_methods``: the rails payouts go out on, and what each needs."""

    async def list(
        self, *, currency: str | None = None, country: str | None = None
    ) -> builtins.list[PayoutMethod]:
        """Get All Payout Method: the payout methods available to the merchant.

        The list is short and not paginated. Pick a ``payout_method_name`` here, then ask
        ``required_fields`` what ``payout_beneficiary_param`` must hold for it.

        Args:
            currency: only methods paying out in this ISO 4217 currency (``"SGD"``).
            country: only methods paying into this ISO 3166-1 alpha-2 country (``"SG"``).

        Raises:
            ValidationError: a filter is not a valid code; nothing was sent.
        """
        query = unstructure(MethodFilters(currency=currency, country=country))
        return await self._call_list("Get All Payout Method", item=PayoutMethod, params=query)

    async def required_fields(self, payout_method_name: str) -> PayoutMethod:
        """Get Required Fields by Payout method: one method with the beneficiary fields it needs.

        Args:
            payout_method_name: the method, e.g. ``"au_bank_acct"``.

        Returns:
            The method; ``payout_beneficiary_param`` lists the fields for Create Payout's
            ``payout_beneficiary_param``: ``base_param`` at its top level, ``individual`` or
            ``company`` in the nested object.

        Raises:
            ValidationError: ``payout_method_name`` is blank; nothing was sent.
            NotFoundError: PayCombat has no such method.
        """
        name = check_path_id("payout_method_name", payout_method_name)
        return await self._call(
            "Get Required Fields by Payout method",
            path_params={"payout_method_name": name},
            cast=PayoutMethod,
        )


class PaymentMethods(Resource):
    """``client.payment_methods``: the payment methods offered for a currency."""

    async def list_by_currency(self, currency: str) -> list[PaymentMethod]:
        """Get List Payment Method by Currency: the payment methods a customer can use.

        These are what the hosted checkout offers; ``payment_code`` is the
        ``payin_method_name`` the checkout calls take. The list is short and not paginated.

        Args:
            currency: ISO 4217 code, e.g. ``"EUR"``.

        Raises:
            ValidationError: ``currency`` is not a valid code; nothing was sent.
            NotFoundError: PayCombat does not support the currency.
        """
        return await self._call_list(
            "Get List Payment Method by Currency",
            item=PaymentMethod,
            path_params={"currency": check_currency(currency)},
        )
