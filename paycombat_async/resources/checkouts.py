"""Hosted checkout: payment requests and the checkout page flow.

Flow: ``create_payment_request`` gives a checkout with a ``checkout_url`` for the customer; the
hosted page binds a payin method with ``bind_payin_method`` (or ``bind_virtual_account`` for KRW,
after ``list_va_banks``), which creates the checkout's payin. Read it back with ``retrieve``.

The ``checkout_url`` embeds your X-token: treat it as a secret (never log it).
"""

from __future__ import annotations

from .._core.retry import Resend
from ..models.checkout import (
    Checkout,
    CheckoutIdRequest,
    CreateCheckoutRequest,
    CreateCheckoutVirtualAccountRequest,
    CreatePaymentRequestRequest,
    ListCheckoutsRequest,
    VaBanksRequest,
)
from ..models.methods import PaymentMethod
from ._base import M, Resource, many, paged
from ._declare import endpoint

__all__ = ["Checkouts"]


class Checkouts(Resource[M]):
    """``client.checkouts``: Create Payment Request, Get All Checkout, Cancel Checkout, Get Detail
    Checkout, Create Virtual Account [KRW], Get VA Bank Information [KRW], Create New Checkout."""

    client_attribute = "checkouts"

    create_payment_request = endpoint(
        doc="""Create Payment Request: open a checkout (a payment link) for ``amount``.

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
        """,
        method="POST",
        path="/api/v1/checkout",
        request=CreatePaymentRequestRequest,
        returns=Checkout,
        documented=False,
    )

    list = endpoint(
        doc="""Get All Checkout: every checkout, page by page.

        ``async for checkout in client.checkouts.list(status="PENDING")``, ``await`` it for a
        list, or ``.pages()`` for pages.

        Args:
            page: the first page to fetch (1-based).
            limit: checkouts per page.
            status: only checkouts in this status.
        """,
        method="GET",
        path="/api/v1/checkout",
        request=ListCheckoutsRequest,
        returns=paged(Checkout),
        documented=False,
    )

    cancel = endpoint(
        doc="""Cancel Checkout: close a ``PENDING`` checkout; its pending payin is cancelled too.

        Raises:
            UnprocessableEntityError: the checkout is already completed, cancelled or expired.
            NotFoundError: no such checkout.
        """,
        method="PATCH",
        path="/api/v1/checkout/cancel/{checkout_id}",
        request=CheckoutIdRequest,
        returns=Checkout,
        resend=Resend.IDEMPOTENT,
        documented=False,
    )

    retrieve = endpoint(
        doc="Get Detail Checkout: one checkout by its id.",
        method="GET",
        path="/api/v1/checkout/retrieve/{checkout_id}",
        request=CheckoutIdRequest,
        returns=Checkout,
    )

    bind_virtual_account = endpoint(
        doc="""Create Virtual Account [KRW]: pay a KRW checkout by transfer to a virtual account.

        Binds the Korean bank ``payin_method_name`` (one of ``list_va_banks()``) to the checkout
        and creates its payin; the account to pay into is in ``additional_info``.

        Raises:
            ValidationError: an argument is empty; nothing was sent.
            UnprocessableEntityError: not a KRW checkout, not a Korean bank, or the checkout is
                no longer ``PENDING``.
            NotFoundError: no checkout has this token.
        """,
        method="PATCH",
        path="/api/v1/checkout/create-virtual-account",
        request=CreateCheckoutVirtualAccountRequest,
        returns=Checkout,
    )

    list_va_banks = endpoint(
        doc="""Get VA Bank Information [KRW]: the Korean banks a KRW checkout can be paid through.

        Each bank's ``payment_code`` is what ``bind_virtual_account`` takes as
        ``payin_method_name`` (e.g. ``"KDB산업은행"``). The response is not documented: the shape
        assumed is the one of ``payment_methods.list_by_currency``.

        Args:
            checkout_token: the checkout the banks are for (optional).
        """,
        method="GET",
        path="/api/v1/checkout/va-bank-information",
        request=VaBanksRequest,
        returns=many(PaymentMethod),
        documented=False,
    )

    bind_payin_method = endpoint(
        doc="""Create New Checkout: bind the customer's payin method to a checkout, by its token.

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
        """,
        method="PATCH",
        path="/api/v1/checkout",
        request=CreateCheckoutRequest,
        returns=Checkout,
    )
