"""Customers: the end customers payins and wallets belong to."""

from __future__ import annotations

from typing import Any

from .._pagination import DEFAULT_LIMIT, AsyncPaginator
from .._routes import OPERATIONS
from .._validation import check_path_id
from ..models.customer import (
    CreateCustomerRequest,
    Customer,
    CustomerCompany,
    CustomerIndividual,
    CustomerType,
    UpdateCustomerRequest,
    WalletReadiness,
)
from ._base import Resource

__all__ = ["Customers"]


class Customers(Resource):
    """``client.customers``: create, update, list, read, enable, disable and delete customers.

    PayCombat answers these with Finmo's envelope nested inside ``data``; the SDK unwraps it.
    """

    async def create(
        self,
        *,
        description: str,
        type: CustomerType | str,
        individual: CustomerIndividual | dict[str, Any] | None = None,
        company: CustomerCompany | dict[str, Any] | None = None,
        organization_reference_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Customer:
        """Create Customer: register an individual or a company end customer.

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

        Raises:
            ValidationError: a required field is missing or malformed; nothing was sent.
            OutcomeUnknownError: the customer may or may not exist.
        """
        body = CreateCustomerRequest(
            description=description,
            type=type,
            individual=individual,
            company=company,
            organization_reference_id=organization_reference_id,
            metadata=metadata,
        )
        return await self._call("Create Customer", body=body, cast=Customer)

    async def update(
        self,
        customer_id: str,
        *,
        description: str | None = None,
        type: CustomerType | str | None = None,
        individual: CustomerIndividual | dict[str, Any] | None = None,
        company: CustomerCompany | dict[str, Any] | None = None,
        organization_reference_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Customer:
        """Update Customer: change only the fields given (``None`` leaves a field unchanged).

        An empty string clears a field, e.g. ``individual={"address_line2": ""}``.

        Raises:
            ValidationError: no field to change, or a malformed one; nothing was sent.
            NotFoundError: no such customer.
        """
        body = UpdateCustomerRequest(
            customer_id=customer_id,
            description=description,
            type=type,
            individual=individual,
            company=company,
            organization_reference_id=organization_reference_id,
            metadata=metadata,
        )
        return await self._call("Update Customer", body=body, cast=Customer)

    def list(
        self,
        *,
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
        type: CustomerType | str | None = None,
        include_deleted: bool | None = None,
    ) -> AsyncPaginator[Customer]:
        """Get All Customer: every customer, page by page (``async for c in ...list()``).

        Args:
            page: the first page to fetch (1-based).
            limit: customers per page.
            type: only ``"individual"`` or only ``"company"`` customers.
            include_deleted: also list deleted customers.
        """
        return self._paginate(
            "Get All Customer",
            item=Customer,
            filters={"type": type, "include_deleted": include_deleted},
            page=page,
            limit=limit,
        )

    async def retrieve(self, customer_id: str) -> Customer:
        """Get Detail Customer by Id: one customer by its ``customer_<hex>`` id.

        Raises:
            NotFoundError: no such customer (or it was deleted).
        """
        return await self._call(
            "Get Detail Customer by Id",
            path_params={"customer_id": check_path_id("customer_id", customer_id)},
            cast=Customer,
        )

    async def is_wallet_ready(self, customer_id: str) -> WalletReadiness:
        """Check Is Customer Wallet Ready: whether a wallet can be issued, and what is missing.

        Returns:
            ``is_wallet_ready`` and the names of the missing fields in ``missing_field``.
        """
        return await self._call(
            "Check Is Customer Wallet Ready",
            path_params={"customer_id": check_path_id("customer_id", customer_id)},
            cast=WalletReadiness,
        )

    async def enable(self, customer_id: str) -> Customer:
        """Enable Customer: re-activate a disabled customer (``is_active`` becomes true).

        Raises:
            ConflictError: the customer is already enabled.
        """
        return await self._call(
            "Enable Customer",
            path_params={"customer_id": check_path_id("customer_id", customer_id)},
            cast=Customer,
        )

    async def disable(self, customer_id: str) -> Customer:
        """Disable Customer: mark a customer dormant (``is_active`` becomes false).

        Raises:
            ConflictError: the customer is already disabled.
        """
        return await self._call(
            "Disable Customer",
            path_params={"customer_id": check_path_id("customer_id", customer_id)},
            cast=Customer,
        )

    async def delete(self, customer_id: str) -> None:
        """Delete Customer: remove a customer; it is then listed only with ``include_deleted``.

        The response body is undocumented, so nothing is returned.

        Raises:
            NotFoundError: no such customer, or it was already deleted.
        """
        await self._pipeline.call(
            OPERATIONS["Delete Customer"],
            path_params={"customer_id": check_path_id("customer_id", customer_id)},
        )
