"""Customer wallets: balances PayCombat holds for a customer, one account per currency."""

from __future__ import annotations

from typing import Any

from .._pagination import DEFAULT_LIMIT, AsyncPaginator
from .._validation import check_path_id
from ..models.wallet import CreateWalletRequest, Wallet
from ._base import Resource

__all__ = ["Wallets"]


class Wallets(Resource):
    """``client.wallets``: customer wallets."""

    async def create(
        self,
        *,
        customer_id: str,
        currency: str,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Wallet:
        """Create Wallet: open a wallet in ``currency`` for an existing customer.

        The customer must be active and wallet ready (``customers.is_wallet_ready``). Creates an
        object, so it is never resent once it may have reached PayCombat: a timeout raises
        ``OutcomeUnknownError``; list the customer's wallets before trying again.

        Args:
            customer_id: the customer who will own the wallet.
            currency: ISO 4217 code of the wallet's first account.
            description: free text shown with the wallet.
            metadata: your own key/value data, returned unchanged.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            NotFoundError: no such customer.
            ConflictError: the customer already has a wallet in ``currency``.
            UnprocessableEntityError: the customer is disabled or not wallet ready.
            OutcomeUnknownError: the wallet may or may not exist.
        """
        body = CreateWalletRequest(
            customer_id=customer_id, currency=currency, description=description, metadata=metadata
        )
        return await self._call("Create Wallet", body=body, cast=Wallet)

    def list(
        self,
        *,
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
        category: str | None = None,
        customer_id: str | None = None,
    ) -> AsyncPaginator[Wallet]:
        """Get All Wallet: every wallet, page by page.

        Args:
            page: the first page to fetch (1-based).
            limit: wallets per page.
            category: only wallets of this category.
            customer_id: only this customer's wallets.
        """
        return self._paginate(
            "Get All Wallet",
            item=Wallet,
            filters={"category": category, "customer_id": customer_id},
            page=page,
            limit=limit,
        )

    async def retrieve(self, wallet_id: str) -> Wallet:
        """Get by Wallet Id: one wallet, with its accounts and their balances.

        Raises:
            ValidationError: ``wallet_id`` is blank; nothing was sent.
            NotFoundError: no such wallet.
        """
        return await self._call(
            "Get by Wallet Id",
            path_params={"wallet_id": check_path_id("wallet_id", wallet_id)},
            cast=Wallet,
        )
