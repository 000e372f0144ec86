"""The public names of ``paycombat_async`` and ``paycombat_sync``, declared once (``PUBLIC``), and
imported on first use (PEP 562) so that importing either package stays cheap.

Building the ~75 attrs model classes is most of what importing every API group costs (attrs
compiles each class's generated methods), the client pulls in aiohttp (half a second) and the
journals sqlite3: a program that only sends payouts, or only catches errors, should not pay for
checkouts, customers or journals. Touching a name imports the module that defines it, in the
caller's thread, and caches the value in the package.

A new public name is one line here, and for a type checker (which does not run ``__getattr__``)
one import in ``_static`` (or the defining module's ``__all__``, for a model):
``tests/unit/test_public_api.py`` holds what type checkers see, each module's ``__all__`` and
both packages' ``__all__`` and ``dir()`` equal to this table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["PUBLIC", "SUBPACKAGES", "LazyExports", "exports"]

PUBLIC: Mapping[str, str] = {
    # the client, its configuration, and what its calls return
    "PayCombat": "paycombat_async._client",
    "ClientConfig": "paycombat_async._core.config",
    "RetryPolicy": "paycombat_async._core.retry",
    "AsyncPaginator": "paycombat_async._core.pagination",
    "Page": "paycombat_async._core.pagination",
    "Paginator": "paycombat_async._core.pagination",
    "RawResponse": "paycombat_async._core.raw",
    "Operation": "paycombat_async._core.routes",
    "OPERATIONS": "paycombat_async.resources",
    "__version__": "paycombat_async._version",
    # errors
    "APIConnectionError": "paycombat_async._exceptions",
    "APIError": "paycombat_async._exceptions",
    "APITimeoutError": "paycombat_async._exceptions",
    "AuthenticationError": "paycombat_async._exceptions",
    "BadRequestError": "paycombat_async._exceptions",
    "BatchAbortedError": "paycombat_async._exceptions",
    "ClientStateError": "paycombat_async._exceptions",
    "ConfigurationError": "paycombat_async._exceptions",
    "ConflictError": "paycombat_async._exceptions",
    "InvalidResponseError": "paycombat_async._exceptions",
    "JournalError": "paycombat_async._exceptions",
    "NotFoundError": "paycombat_async._exceptions",
    "OutcomeUnknownError": "paycombat_async._exceptions",
    "PaginationError": "paycombat_async._exceptions",
    "PayCombatError": "paycombat_async._exceptions",
    "PayoutConflictError": "paycombat_async._exceptions",
    "PermissionDeniedError": "paycombat_async._exceptions",
    "RateLimitError": "paycombat_async._exceptions",
    "ServerError": "paycombat_async._exceptions",
    "UnprocessableEntityError": "paycombat_async._exceptions",
    "ValidationError": "paycombat_async._exceptions",
    "WebhookPayloadError": "paycombat_async._exceptions",
    "WebhookSignatureError": "paycombat_async._exceptions",
    # batches and their journals
    "BatchCounts": "paycombat_async._batch.engine",
    "BatchResult": "paycombat_async._batch.reconcile",
    "Journal": "paycombat_async._batch.journal",
    "JournalEntry": "paycombat_async._batch.journal",
    "SQLiteJournal": "paycombat_async._batch.journal",
    "PostgresJournal": "paycombat_async._batch.postgres",  # needs the postgres extra (psycopg)
    # models: what they share, then one module per API group
    "FrozenMapping": "paycombat_async.models._record",
    "Model": "paycombat_async.models._base",
    "OpenEnum": "paycombat_async.models._base",
    "Params": "paycombat_async.models._base",
    "BeneficiaryCompany": "paycombat_async.models.beneficiary",
    "BeneficiaryCompanyParam": "paycombat_async.models.beneficiary",
    "BeneficiaryIdRequest": "paycombat_async.models.beneficiary",
    "BeneficiaryIndividual": "paycombat_async.models.beneficiary",
    "BeneficiaryIndividualParam": "paycombat_async.models.beneficiary",
    "BeneficiaryType": "paycombat_async.models.beneficiary",
    "BeneficiaryTypeName": "paycombat_async.models.beneficiary",
    "BeneficiaryValidation": "paycombat_async.models.beneficiary",
    "CreatePayoutBeneficiaryRequest": "paycombat_async.models.beneficiary",
    "ListBeneficiariesRequest": "paycombat_async.models.beneficiary",
    "PayeeMatch": "paycombat_async.models.beneficiary",
    "PayoutBeneficiary": "paycombat_async.models.beneficiary",
    "UpdatePayoutBeneficiaryRequest": "paycombat_async.models.beneficiary",
    "ValidateBeneficiaryByIdRequest": "paycombat_async.models.beneficiary",
    "ValidateBeneficiaryRequest": "paycombat_async.models.beneficiary",
    "AdvancedRedirectUrl": "paycombat_async.models.checkout",
    "Checkout": "paycombat_async.models.checkout",
    "CheckoutIdRequest": "paycombat_async.models.checkout",
    "CheckoutStatus": "paycombat_async.models.checkout",
    "CheckoutStatusName": "paycombat_async.models.checkout",
    "CreateCheckoutRequest": "paycombat_async.models.checkout",
    "CreateCheckoutVirtualAccountRequest": "paycombat_async.models.checkout",
    "CreatePaymentRequestRequest": "paycombat_async.models.checkout",
    "ListCheckoutsRequest": "paycombat_async.models.checkout",
    "VaBanksRequest": "paycombat_async.models.checkout",
    "CreateCustomerRequest": "paycombat_async.models.customer",
    "Customer": "paycombat_async.models.customer",
    "CustomerCompany": "paycombat_async.models.customer",
    "CustomerIdRequest": "paycombat_async.models.customer",
    "CustomerIndividual": "paycombat_async.models.customer",
    "CustomerType": "paycombat_async.models.customer",
    "CustomerTypeName": "paycombat_async.models.customer",
    "GcaActivationStatus": "paycombat_async.models.customer",
    "ListCustomersRequest": "paycombat_async.models.customer",
    "UpdateCustomerRequest": "paycombat_async.models.customer",
    "WalletReadiness": "paycombat_async.models.customer",
    "CountryCurrency": "paycombat_async.models.master_data",
    "PayoutBalance": "paycombat_async.models.merchant",
    "CurrencyRequest": "paycombat_async.models.methods",
    "MethodField": "paycombat_async.models.methods",
    "MethodFilters": "paycombat_async.models.methods",
    "PayinMethod": "paycombat_async.models.methods",
    "PayinMethodNameRequest": "paycombat_async.models.methods",
    "PaymentMethod": "paycombat_async.models.methods",
    "PayoutBeneficiaryFields": "paycombat_async.models.methods",
    "PayoutMethod": "paycombat_async.models.methods",
    "PayoutMethodNameRequest": "paycombat_async.models.methods",
    "Company": "paycombat_async.models.party",
    "Person": "paycombat_async.models.party",
    "CreatePayinRequest": "paycombat_async.models.payin",
    "CreateVirtualAccountRequest": "paycombat_async.models.payin",
    "Payin": "paycombat_async.models.payin",
    "PayinIdRequest": "paycombat_async.models.payin",
    "PayinStatus": "paycombat_async.models.payin",
    "SimulatePayinRequest": "paycombat_async.models.payin",
    "SimulateVirtualAccountRequest": "paycombat_async.models.payin",
    "VirtualAccount": "paycombat_async.models.payin",
    "VirtualAccountStatus": "paycombat_async.models.payin",
    "CreatePayoutRequest": "paycombat_async.models.payout",
    "Individual": "paycombat_async.models.payout",
    "ListPayoutsRequest": "paycombat_async.models.payout",
    "Payout": "paycombat_async.models.payout",
    "PayoutApproval": "paycombat_async.models.payout",
    "PayoutBeneficiaryParam": "paycombat_async.models.payout",
    "PayoutIdRequest": "paycombat_async.models.payout",
    "PayoutStatus": "paycombat_async.models.payout",
    "SimulatePayoutRequest": "paycombat_async.models.payout",
    "Transaction": "paycombat_async.models.transaction",
    "TransactionEventType": "paycombat_async.models.transaction",
    "TransactionFilters": "paycombat_async.models.transaction",
    "TransactionIdRequest": "paycombat_async.models.transaction",
    "CreateWalletRequest": "paycombat_async.models.wallet",
    "ListWalletsRequest": "paycombat_async.models.wallet",
    "Wallet": "paycombat_async.models.wallet",
    "WalletAccount": "paycombat_async.models.wallet",
    "WalletIdRequest": "paycombat_async.models.wallet",
}
"""Every public name of ``paycombat_async`` and the module that defines it: the one list.

``paycombat_async.models`` exports the names defined under it; ``paycombat_sync`` exports them
all, its own blocking ``PayCombat`` in place of the async one."""

SUBPACKAGES: Mapping[str, tuple[str, ...]] = {
    "paycombat_async": ("models", "resources", "sandbox", "webhooks"),
    "paycombat_async.models": tuple(
        module.rpartition(".")[2]
        for module in dict.fromkeys(PUBLIC.values())
        if module.startswith("paycombat_async.models.") and "._" not in module
    ),
    "paycombat_sync": ("sandbox", "webhooks"),
}
"""The public subpackages (or modules) each package also shows as attributes, imported on first
use too (``paycombat_async.models.payout``); they are in ``dir()``, not in ``__all__``."""


class LazyExports:
    """The lazily imported names of one package: ``name -> module`` (absolute, or relative to the
    package); a name that maps to the module of the same name is that module."""

    def __init__(self, package: str, namespace: dict[str, Any], modules: Mapping[str, str]):
        self._package = package
        self._namespace = namespace
        self.modules = dict(modules)

    def load(self, name: str) -> Any:
        """The value of ``name`` (for the package's ``__getattr__``), imported now if need be."""
        module = self.modules.get(name)
        if module is None:
            raise AttributeError(f"module {self._package!r} has no attribute {name!r}")
        imported = importlib.import_module(module, self._package)
        value = imported if module.rpartition(".")[2] == name else getattr(imported, name)
        self._namespace[name] = value  # later look-ups are plain module attributes
        return value

    def names(self) -> list[str]:
        """What ``dir(package)`` lists: every public name, and the public subpackages."""
        return sorted(self.modules)


def exports(
    namespace: dict[str, Any], names: Iterable[str], modules: Mapping[str, str] = PUBLIC
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__all__``, ``__getattr__`` and ``__dir__``: ``names`` (each from its module
    in ``modules``), and the package's ``SUBPACKAGES``.

    ``namespace`` is the package's ``globals()``: each value is cached there when first loaded.
    """
    package = namespace["__name__"]
    public = sorted(names)
    subpackages = {name: f"{package}.{name}" for name in SUBPACKAGES.get(package, ())}
    lazy = LazyExports(package, namespace, {name: modules[name] for name in public} | subpackages)
    return public, lazy.load, lazy.names
