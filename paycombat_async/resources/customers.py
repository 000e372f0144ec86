"""Customers: the end customers payins and wallets belong to."""

from __future__ import annotations

from .._core.retry import Resend
from ..models.customer import (
    CreateCustomerRequest,
    Customer,
    CustomerIdRequest,
    ListCustomersRequest,
    UpdateCustomerRequest,
    WalletReadiness,
)
from ._base import M, Resource, paged
from ._declare import NoContent, endpoint

__all__ = ["Customers"]


class Customers(Resource[M]):
    """``client.customers``: create, update, list, read, enable, disable and delete customers.

    PayCombat answers these with Finmo's envelope nested inside ``data``; the SDK unwraps it.
    """

    client_attribute = "customers"

    create = endpoint(
        doc="""Create Customer: register an individual or a company end customer.

        Creates an object, so it is never resent once it may have reached PayCombat: a timeout
        raises ``OutcomeUnknownError``. Pass ``organization_reference_id`` to recognise the
        customer when listing afterwards.

        Args:
            description: free text describing the customer (required).
            type: ``"individual"`` or ``"company"``.
            individual: the person; required for ``individual`` customers, with ``first_name``,
                ``last_name`` and ``address_country``.
            company: the company; required for ``company`` customers, with ``name``,
                ``registration_number``, ``incorporation_country`` and ``address_country``.
            organization_reference_id: your own reference for the customer.
            metadata: free-form key/value data kept on the customer.
            extra: body fields this SDK does not model, sent as they are.

        Raises:
            ValidationError: a required field is missing or malformed; nothing was sent.
            OutcomeUnknownError: the customer may or may not exist.
        """,
        method="POST",
        path="/api/v1/customer/create",
        request=CreateCustomerRequest,
        returns=Customer,
    )

    update = endpoint(
        doc="""Update Customer: change only the fields given (``None`` leaves a field unchanged).

        An empty string clears a field, e.g. ``individual={"address_line2": ""}``.

        Raises:
            ValidationError: no field to change, or a malformed one; nothing was sent.
            NotFoundError: no such customer.
        """,
        method="PATCH",
        path="/api/v1/customer/update",
        request=UpdateCustomerRequest,
        returns=Customer,
        resend=Resend.IDEMPOTENT,
    )

    list = endpoint(
        doc="""Get All Customer: every customer, page by page.

        ``async for customer in client.customers.list(type="company")``, ``await`` it for a
        list, or ``.pages()`` for pages.

        Args:
            page: the first page to fetch (1-based).
            limit: customers per page.
            type: only ``"individual"`` or only ``"company"`` customers.
            include_deleted: also list deleted customers.
        """,
        method="GET",
        path="/api/v1/customer",
        request=ListCustomersRequest,
        returns=paged(Customer),
        documented=False,
    )

    retrieve = endpoint(
        doc="""Get Detail Customer by Id: one customer by its ``customer_<hex>`` id.

        Raises:
            NotFoundError: no such customer (or it was deleted).
        """,
        method="GET",
        path="/api/v1/customer/customer/{customer_id}",
        request=CustomerIdRequest,
        returns=Customer,
    )

    is_wallet_ready = endpoint(
        doc="""Check Is Customer Wallet Ready: whether a wallet can be issued, and what is missing.

        Returns:
            ``is_wallet_ready`` and the names of the missing fields in ``missing_field``.
        """,
        method="GET",
        path="/api/v1/customer/is-wallet-ready/{customer_id}",
        request=CustomerIdRequest,
        returns=WalletReadiness,
        documented=False,
    )

    enable = endpoint(
        doc="""Enable Customer: re-activate a disabled customer (``is_active`` becomes true).

        Raises:
            ConflictError: the customer is already enabled.
        """,
        method="PATCH",
        path="/api/v1/customer/enable/{customer_id}",
        request=CustomerIdRequest,
        returns=Customer,
        resend=Resend.IDEMPOTENT,
        documented=False,
    )

    disable = endpoint(
        doc="""Disable Customer: mark a customer dormant (``is_active`` becomes false).

        Raises:
            ConflictError: the customer is already disabled.
        """,
        method="PATCH",
        path="/api/v1/customer/disable/{customer_id}",
        request=CustomerIdRequest,
        returns=Customer,
        resend=Resend.IDEMPOTENT,
    )

    delete = endpoint(
        doc="""Delete Customer: remove a customer; it is then listed only with ``include_deleted``.

        The response body is undocumented, so nothing is returned.

        Raises:
            NotFoundError: no such customer, or it was already deleted.
        """,
        method="DELETE",
        path="/api/v1/customer/delete/{customer_id}",
        request=CustomerIdRequest,
        returns=NoContent,
        resend=Resend.IDEMPOTENT,
        documented=False,
    )
