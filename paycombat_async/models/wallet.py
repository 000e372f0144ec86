"""Wallet models: a customer's wallet and its per-currency accounts.

PayCombat does not document these shapes; the fields follow Finmo's wallet, which PayCombat
forwards (Finmo docs: Create Wallet). Whatever else PayCombat sends is kept in ``extra``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from . import _validation as _v
from ._base import PATH, Model, PageRequest, Request

__all__ = [
    "CreateWalletRequest",
    "ListWalletsRequest",
    "Wallet",
    "WalletAccount",
    "WalletIdRequest",
]


@attrs.frozen(kw_only=True)
class WalletAccount(Model):
    """One currency inside a wallet, with its balances in major units."""

    wallet_account_id: str
    wallet_id: str | None = None
    org_id: str | None = None
    currency: str | None = None
    actual_balance: Decimal | None = None
    """Everything booked to the account."""
    available_balance: Decimal | None = None
    """What can be spent now (the actual balance minus reserved funds)."""
    is_active: bool | None = None
    is_settlement_allowed: bool | None = None
    is_deleted: bool | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class Wallet(Model):
    """A wallet (Create Wallet, Get All Wallet, Get by Wallet Id).

    List items may come without ``wallet_account``; retrieve the wallet for its balances.
    """

    wallet_id: str
    org_id: str | None = None
    customer_id: str | None = None
    """The customer who owns the wallet (``None`` for the organisation's own wallets)."""
    category: str | None = None
    """What kind of wallet this is; the value set is not documented."""
    scope: str | None = None
    description: str | None = None
    wallet_alias: str | None = None
    metadata: dict[str, Any] | None = None
    raw_data: Any = None
    webhook_url: str | None = None
    created_by: str | None = None
    is_active: bool | None = None
    is_deleted: bool | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    wallet_account: list[WalletAccount] | None = None
    """The wallet's accounts, one per currency."""

    def account(self, currency: str) -> WalletAccount | None:
        """The wallet's account in ``currency``, if it has one."""
        return next((a for a in self.wallet_account or () if a.currency == currency), None)


@attrs.frozen(kw_only=True)
class CreateWalletRequest(Request):
    """The body of Create Wallet, validated on construction."""

    customer_id: str = attrs.field(validator=_v.non_empty)
    currency: str = attrs.field(validator=[_v.non_empty, _v.currency_code])
    description: str | None = None
    metadata: dict[str, Any] | None = None
    extra: Mapping[str, Any] | None = None
    """Body fields the SDK does not model, sent as they are (never overriding the above)."""


@attrs.frozen
class WalletIdRequest(Request):
    """One wallet, by its id (in the path)."""

    wallet_id: str = attrs.field(validator=_v.path_id, metadata=PATH)


@attrs.frozen(kw_only=True)
class ListWalletsRequest(PageRequest):
    """The filters of Get All Wallet (after ``page`` and ``limit``)."""

    category: str | None = None
    customer_id: str | None = attrs.field(default=None, validator=_v.optional_text)
