"""Hosted checkout: payment requests and the checkout page flow.

Flow: ``create_payment_request`` gives a checkout with a ``checkout_url`` for the customer; the
hosted page binds a payin method with ``create`` (or ``create_virtual_account`` for KRW, after
``list_va_banks``), which creates the checkout's payin. Read it back with ``retrieve``.

The ``checkout_url`` embeds your X-token: treat it as a secret (never log it).
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .._pagination import DEFAULT_LIMIT, AsyncPaginator
from .._validation import check_path_id
from ..models.checkout import (
    AdvancedRedirectUrl,
    Checkout,
    CheckoutStatus,
    CreateCheckoutRequest,
    CreateCheckoutVirtualAccountRequest,
    CreatePaymentRequestRequest,
)
from ..models.methods import PaymentMethod
from ._base import Resource

__all__ = ["Checkouts"]


class Checkouts(Resource):
    """``client.checkouts``: Create Payment Request, Get All Checkout, Cancel Checkout, Get Detail
    Checkout, Create Virtual Account [KRW], Get VA Bank Information [KRW], Create New Checkout."""

    async def create_payment_request(
        self,
        *,
        amount: Decimal | int,
        currency: str,
        country_code: str,
        description: str | None = None,
        payin_method_name: str | None = None,
        customer_id: str | None = None,
        redirect_url: str | None = None,
        advanced_redirect_url: AdvancedRedirectUrl | Mapping[str, Any] | None = None,
        webhook_url: str | None = None,
        expire_at: dt.datetime | None = None,
        order_summary: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Checkout:
        """Create Payment Request: open a checkout (a payment link) for ``amount``.

        Returns a ``PENDING`` checkout with its ``checkout_token`` and ``checkout_url``. The URL
        embeds your X-token: hand it to the paying customer only, never log it. Creates an
        object, so it is never resent once it may have reached PayCombat; pass a unique
        ``description`` (PayCombat uses it as the invoice number) to reconcile by.

        Args:
            amount: the amount to collect, in major units.
            currency: ISO 4217 code, e.g. ``"AUD"``.
            country_code: the two-letter region of the payment, e.g. ``"AU"`` (``"EU"`` for EUR).
            description: your invoice number or description.
            payin_method_name: pre-select a method; otherwise the customer picks one.
            customer_id: the PayCombat customer paying.
            redirect_url: where the hosted page sends the customer afterwards.
            advanced_redirect_url: one URL per outcome, instead of ``redirect_url``.
            webhook_url: where PayCombat sends this checkout's webhooks.
            expire_at: when the checkout stops accepting payment (timezone-aware).
            order_summary: items and fees to show on the page (free-form).
            extra: body fields this SDK does not model, sent as they are.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            OutcomeUnknownError: the checkout may or may not exist.
        """
        redirects: AdvancedRedirectUrl | dict[str, Any] | None
        if advanced_redirect_url is None or isinstance(advanced_redirect_url, AdvancedRedirectUrl):
            redirects = advanced_redirect_url
        else:
            redirects = dict(advanced_redirect_url)
        body = CreatePaymentRequestRequest(
            amount=amount,
            currency=currency,
            country_code=country_code,
            description=description,
            payin_method_name=payin_method_name,
            customer_id=customer_id,
            redirect_url=redirect_url,
            advanced_redirect_url=redirects,
            webhook_url=webhook_url,
            expire_at=expire_at,
            order_summary=dict(order_summary) if order_summary is not None else None,
            extra=dict(extra or {}),
        )
        return await self._call("Create Payment Request", body=body, cast=Checkout)

    def list(
        self,
        *,
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
        status: CheckoutStatus | str | None = None,
    ) -> AsyncPaginator[Checkout]:
        """Get All Checkout: every checkout, page by page (``async for checkout in ...``).

        Args:
            page: the first page to fetch (1-based).
            limit: checkouts per page.
            status: only checkouts in this status.
        """
        return self._paginate(
            "Get All Checkout",
            item=Checkout,
            filters={"status": status},
            page=page,
            limit=limit,
        )

    async def cancel(self, id: str) -> Checkout:
        """Cancel Checkout: close a ``PENDING`` checkout; its pending payin is cancelled too.

        Raises:
            UnprocessableEntityError: the checkout is already completed, cancelled or expired.
            NotFoundError: no such checkout.
        """
        return await self._call(
            "Cancel Checkout", path_params={"id": check_path_id("id", id)}, cast=Checkout
        )

    async def retrieve(self, id: str) -> Checkout:
        """Get Detail Checkout: one checkout by its id."""
        return await self._call(
            "Get Detail Checkout", path_params={"id": check_path_id("id", id)}, cast=Checkout
        )

    async def create_virtual_account(
        self, *, checkout_token: str, payin_method_name: str
    ) -> Checkout:
        """Create Virtual Account [KRW]: pay a KRW checkout by bank transfer to a virtual account.

        Binds the Korean bank ``payin_method_name`` (one of ``list_va_banks()``) to the checkout
        and creates its payin; the account to pay into is in ``additional_info``.

        Raises:
            ValidationError: an argument is empty; nothing was sent.
            UnprocessableEntityError: not a KRW checkout, not a Korean bank, or the checkout is
                no longer ``PENDING``.
            NotFoundError: no checkout has this token.
        """
        body = CreateCheckoutVirtualAccountRequest(
            checkout_token=checkout_token, payin_method_name=payin_method_name
        )
        return await self._call("Create Virtual Account [KRW]", body=body, cast=Checkout)

    async def list_va_banks(
        self, *, checkout_token: str | None = None
    ) -> builtins.list[PaymentMethod]:
        """Get VA Bank Information [KRW]: the Korean banks a KRW checkout can be paid through.

        Each bank's ``payment_code`` is what ``create_virtual_account`` takes as
        ``payin_method_name`` (e.g. ``"KDB산업은행"``). The response is not documented: the shape
        assumed is the one of ``payment_methods.list_by_currency``.

        Args:
            checkout_token: the checkout the banks are for (optional).
        """
        return await self._call_list(
            "Get VA Bank Information [KRW]",
            item=PaymentMethod,
            params={"checkout_token": checkout_token},
        )

    async def create(self, *, checkout_token: str, payin_method_name: str) -> Checkout:
        """Create New Checkout: bind the customer's payin method to a checkout, by its token.

        The next step after ``create_payment_request``: creates the checkout's ``PENDING`` payin
        (its id is ``checkout.payin_id``; payment instructions are in ``additional_info``).

        Args:
            checkout_token: the ``checkout_token`` of the payment request.
            payin_method_name: the method the customer chose, e.g. ``"au_bank_npp"``.

        Raises:
            ValidationError: an argument is empty; nothing was sent.
            UnprocessableEntityError: unknown method, a method in another currency, or the
                checkout is no longer ``PENDING`` (completed, cancelled or expired).
            NotFoundError: no checkout has this token.
        """
        body = CreateCheckoutRequest(
            checkout_token=checkout_token, payin_method_name=payin_method_name
        )
        return await self._call("Create New Checkout", body=body, cast=Checkout)
