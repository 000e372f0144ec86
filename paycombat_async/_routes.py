"""OPERATIONS: every PayCombat operation the SDK calls, in one table.

Each entry says how to call the operation (method, path template), whether the body is signed,
and what may be resent after an attempt that may have reached PayCombat (``resend``, see
``_retry.Resend``): reads freely, creates and money moves never, idempotent-in-effect changes
with care. ``documented`` is False where the path is our inference from the docs' naming pattern
(see the README's table); correcting an inferred path is a one-line change here.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from typing import Literal, cast, get_args
from urllib.parse import quote

import attrs

from ._exceptions import ValidationError
from ._retry import Resend
from ._validation import check_path_id

__all__ = ["OPERATIONS", "HTTPMethod", "Operation", "adhoc_operation", "operation"]

HTTPMethod = Literal["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]


@attrs.frozen(kw_only=True)
class Operation:
    """One PayCombat operation, as the docs name it."""

    title: str
    """The operation's title exactly as the PayCombat docs write it, e.g. "Create Payout"."""
    method: HTTPMethod
    path: str
    """Path template relative to the base URL, e.g. ``/api/v1/payout/retrieve-payout/{id}``."""
    resource_method: str
    """The SDK method that calls it, e.g. ``payouts.create``."""
    signed: bool = False
    """Whether the request carries a ``signature`` header (every POST/PATCH/PUT does)."""
    resend: Resend = Resend.SAFE
    """What may be resent once an attempt may have reached PayCombat (see ``Resend``)."""
    documented: bool = True
    """False when the path is inferred, not shown by the docs."""

    @property
    def moves_money(self) -> bool:
        """Creates objects or moves money: never resent once it may have arrived."""
        return self.resend is Resend.NEVER

    def render_path(self, path_params: Mapping[str, str] | None = None) -> str:
        """The path with its ``{placeholders}`` filled in, each value percent-encoded."""
        params = path_params or {}
        names = _placeholders(self.path)
        if not names:
            return self.path
        missing = [name for name in names if name not in params]
        if missing:
            raise ValidationError(f"{self.title}: missing path parameter(s) {missing}")
        return self.path.format(
            **{k: quote(check_path_id(k, str(params[k])), safe="") for k in names}
        )


@functools.cache
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def operation(
    title: str,
    method: HTTPMethod,
    path: str,
    resource_method: str,
    *,
    resend: Resend | None = None,
    documented: bool = True,
) -> Operation:
    """Build an entry; every body-carrying method is signed (PayCombat docs: Signature).

    ``resend`` defaults to ``Resend.SAFE`` for GET and to ``Resend.NEVER`` for everything else:
    a write is only ever resent where its entry says it is idempotent in effect.
    """
    if resend is None:
        resend = Resend.SAFE if method == "GET" else Resend.NEVER
    return Operation(
        title=title,
        method=method,
        path=path,
        resource_method=resource_method,
        signed=method in ("POST", "PATCH", "PUT"),
        resend=resend,
        documented=documented,
    )


def adhoc_operation(method: str, path: str) -> Operation:
    """The operation behind ``client.request(method, path)``: a path the table does not model.

    Anything but GET and HEAD is treated as moving money, so it is never resent once it may have
    arrived.
    """
    verb = method.upper()
    if verb not in get_args(HTTPMethod):
        raise ValidationError(f"unsupported HTTP method {method!r}", field="method")
    return operation(
        f"{verb} {path}",
        cast(HTTPMethod, verb),
        path if path.startswith("/") else f"/{path}",
        "request",
        resend=Resend.SAFE if verb in ("GET", "HEAD") else Resend.NEVER,
    )


_ALL = [
    # Master data and methods
    operation(
        "Get All Country & Currency Code",
        "GET",
        "/api/v1/master-data/country-currency",
        "master_data.list_country_currency_codes",
        documented=False,
    ),
    operation(
        "Get All Payout Method",
        "GET",
        "/api/v1/payout-method",
        "payout_methods.list",
        documented=False,
    ),
    operation(
        "Get Required Fields by Payout method",
        "GET",
        "/api/v1/payout-method/required-field/{payout_method_name}",
        "payout_methods.required_fields",
        documented=False,
    ),
    operation(
        "Get All Payin Method",
        "GET",
        "/api/v1/payin-method",
        "payin_methods.list",
        documented=False,
    ),
    operation(
        "Get Required Fields by Payin method",
        "GET",
        "/api/v1/payin-method/required-field/{payin_method_name}",
        "payin_methods.required_fields",
        documented=False,
    ),
    operation(
        "Get List Payment Method by Currency",
        "GET",
        "/api/v1/payment-method/{currency}",
        "payment_methods.list_by_currency",
        documented=False,
    ),
    # Payout beneficiaries
    operation(
        "Create Payout Beneficiary",
        "POST",
        "/api/v1/payout-beneficiary/create",
        "beneficiaries.create",
        documented=False,
    ),
    operation(
        "Update Payout Beneficiary",
        "PATCH",
        "/api/v1/payout-beneficiary/update",
        "beneficiaries.update",
        documented=False,
        resend=Resend.IDEMPOTENT,
    ),
    operation(
        "Get All Payout Beneficiary",
        "GET",
        "/api/v1/payout-beneficiary",
        "beneficiaries.list",
        documented=False,
    ),
    operation(
        "Get Payout Beneficiary by Id",
        "GET",
        "/api/v1/payout-beneficiary/{id}",
        "beneficiaries.retrieve",
        documented=False,
    ),
    operation(
        "Validation by Id",
        "POST",
        "/api/v1/payout-beneficiary/validate/{id}",
        "beneficiaries.validate_by_id",
        documented=False,
        resend=Resend.SAFE,
    ),
    operation(
        "Validation by Body",
        "POST",
        "/api/v1/payout-beneficiary/validate",
        "beneficiaries.validate",
        documented=False,
        resend=Resend.SAFE,
    ),
    # Payins
    operation("Create Payin", "POST", "/api/v1/payin/create", "payins.create"),
    operation(
        "Simulate Payin",
        "PATCH",
        "/api/v1/payin/simulate",
        "payins.simulate",
        documented=False,
        resend=Resend.IDEMPOTENT,
    ),
    operation("Retrieve Payin", "GET", "/api/v1/payin/retrieve-payin/{id}", "payins.retrieve"),
    operation(
        "Retrieve Payin Memo (PDF)",
        "GET",
        "/api/v1/payin/memo/{id}",
        "payins.retrieve_memo",
        documented=False,
    ),
    operation(
        "Create Virtual Account (KRW)",
        "POST",
        "/api/v1/payin/create-va",
        "payins.create_virtual_account",
    ),
    operation(
        "Simulate Create VA",
        "POST",
        "/api/v1/payin/simulate-create-va",
        "payins.simulate_virtual_account",
        documented=False,
        resend=Resend.IDEMPOTENT,
    ),
    # Payouts
    operation("Create Payout", "POST", "/api/v1/payout/create-payout", "payouts.create"),
    operation(
        "Simulate Payout",
        "PATCH",
        "/api/v1/payout/simulate",
        "payouts.simulate",
        documented=False,
        resend=Resend.IDEMPOTENT,
    ),
    operation(
        "Retrieve Payout Memo (PDF)",
        "GET",
        "/api/v1/payout/memo/{id}",
        "payouts.retrieve_memo",
        documented=False,
    ),
    # The internal mirror serves this under payout-method/, not payout/ (finmo-equivalents 5.4).
    operation(
        "Retrieve Payout",
        "GET",
        "/api/v1/payout-method/retrieve-payout/{id}",
        "payouts.retrieve",
        documented=False,
    ),
    operation("Get All Payout", "GET", "/api/v1/payout", "payouts.list", documented=False),
    # Hosted checkout
    operation(
        "Create Payment Request",
        "POST",
        "/api/v1/checkout",
        "checkouts.create_payment_request",
        documented=False,
    ),
    operation("Get All Checkout", "GET", "/api/v1/checkout", "checkouts.list", documented=False),
    operation(
        "Cancel Checkout",
        "PATCH",
        "/api/v1/checkout/cancel/{id}",
        "checkouts.cancel",
        documented=False,
        resend=Resend.IDEMPOTENT,
    ),
    operation("Get Detail Checkout", "GET", "/api/v1/checkout/retrieve/{id}", "checkouts.retrieve"),
    operation(
        "Create Virtual Account [KRW]",
        "PATCH",
        "/api/v1/checkout/create-virtual-account",
        "checkouts.create_virtual_account",
    ),
    operation(
        "Get VA Bank Information [KRW]",
        "GET",
        "/api/v1/checkout/va-bank-information",
        "checkouts.list_va_banks",
        documented=False,
    ),
    operation("Create New Checkout", "PATCH", "/api/v1/checkout", "checkouts.create"),
    # Transactions
    operation(
        "Find Transaction by Id",
        "GET",
        "/api/v1/transaction/find-transaction/{transaction_id}",
        "transactions.retrieve",
        documented=False,
    ),
    operation(
        "Get All Transaction", "GET", "/api/v1/transaction", "transactions.list", documented=False
    ),
    # Wallets
    operation(
        "Create Wallet",
        "POST",
        "/api/v1/wallet/create",
        "wallets.create",
        documented=False,
    ),
    operation("Get All Wallet", "GET", "/api/v1/wallet", "wallets.list", documented=False),
    operation(
        "Get by Wallet Id",
        "GET",
        "/api/v1/wallet/{wallet_id}",
        "wallets.retrieve",
        documented=False,
    ),
    # Customers
    operation("Create Customer", "POST", "/api/v1/customer/create", "customers.create"),
    operation(
        "Update Customer",
        "PATCH",
        "/api/v1/customer/update",
        "customers.update",
        resend=Resend.IDEMPOTENT,
    ),
    operation("Get All Customer", "GET", "/api/v1/customer", "customers.list", documented=False),
    operation(
        "Get Detail Customer by Id",
        "GET",
        "/api/v1/customer/customer/{customer_id}",
        "customers.retrieve",
    ),
    operation(
        "Check Is Customer Wallet Ready",
        "GET",
        "/api/v1/customer/is-wallet-ready/{customer_id}",
        "customers.is_wallet_ready",
        documented=False,
    ),
    operation(
        "Enable Customer",
        "PATCH",
        "/api/v1/customer/enable/{customer_id}",
        "customers.enable",
        documented=False,
        resend=Resend.IDEMPOTENT,
    ),
    operation(
        "Disable Customer",
        "PATCH",
        "/api/v1/customer/disable/{customer_id}",
        "customers.disable",
        resend=Resend.IDEMPOTENT,
    ),
    operation(
        "Delete Customer",
        "DELETE",
        "/api/v1/customer/delete/{customer_id}",
        "customers.delete",
        documented=False,
        resend=Resend.IDEMPOTENT,
    ),
    # Merchant
    operation(
        "Get Balance Payout",
        "GET",
        "/api/v1/merchant/balance/{currency}",
        "merchant.get_payout_balance",
    ),
]

OPERATIONS: Mapping[str, Operation] = {op.title: op for op in _ALL}
"""Every operation by its docs title."""
