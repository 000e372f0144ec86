"""Customer wallets: balances PayCombat holds for a customer, one account per currency."""

from __future__ import annotations

from ..models.wallet import CreateWalletRequest, ListWalletsRequest, Wallet, WalletIdRequest
from ._base import M, Resource, paged
from ._declare import endpoint

__all__ = ["Wallets"]


class Wallets(Resource[M]):
    """``client.wallets``: customer wallets."""

    client_attribute = "wallets"

    create = endpoint(
        doc="""Create Wallet: open a wallet in ``currency`` for an existing customer.

        The customer must be active and wallet ready (``customers.is_wallet_ready``). Creates an
        object, so it is never resent once it may have reached PayCombat: a timeout raises
        ``OutcomeUnknownError``; list the customer's wallets before trying again.

        Args:
            customer_id: the customer who will own the wallet.
            currency: ISO 4217 code of the wallet's first account.
            description: free text shown with the wallet.
            metadata: your own key/value data, returned unchanged.
            extra: body fields this SDK does not model, sent as they are.

        Raises:
            ValidationError: an argument is invalid; nothing was sent.
            NotFoundError: no such customer.
            ConflictError: the customer already has a wallet in ``currency``.
            UnprocessableEntityError: the customer is disabled or not wallet ready.
            OutcomeUnknownError: the wallet may or may not exist.
        """,
        method="POST",
        path="/api/v1/wallet/create",
        request=CreateWalletRequest,
        returns=Wallet,
        documented=False,
    )

    list = endpoint(
        doc="""Get All Wallet: every wallet, page by page.

        Args:
            page: the first page to fetch (1-based).
            limit: wallets per page.
            category: only wallets of this category.
            customer_id: only this customer's wallets.
        """,
        method="GET",
        path="/api/v1/wallet",
        request=ListWalletsRequest,
        returns=paged(Wallet),
        documented=False,
    )

    retrieve = endpoint(
        doc="""Get by Wallet Id: one wallet, with its accounts and their balances.

        Raises:
            ValidationError: ``wallet_id`` is blank; nothing was sent.
            NotFoundError: no such wallet.
        """,
        method="GET",
        path="/api/v1/wallet/{wallet_id}",
        request=WalletIdRequest,
        returns=Wallet,
        documented=False,
    )
