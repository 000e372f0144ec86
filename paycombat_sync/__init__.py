"""paycombat_sync: the PayCombat payment gateway from blocking code.

```python
from paycombat_sync import PayCombat

with PayCombat() as client:  # PAYCOMBAT_TOKEN / PAYCOMBAT_SIGNATURE_KEY from the env
    payout = client.payouts.create(...)
```

The API is identical to ``paycombat_async`` (documented there), but blocking: methods return
values instead of coroutines, and lists are plain iterators. Models, errors and configuration
classes are the very same objects, so ``except paycombat_sync.NotFoundError`` catches what the
async core raised. ``paycombat_sync.sandbox.LocalSandbox`` runs the local sandbox in the
background, for tests with no async code.
"""

from paycombat_async import OPERATIONS as OPERATIONS
from paycombat_async import AdvancedRedirectUrl as AdvancedRedirectUrl
from paycombat_async import APIConnectionError as APIConnectionError
from paycombat_async import APIError as APIError
from paycombat_async import APITimeoutError as APITimeoutError
from paycombat_async import AsyncPaginator as AsyncPaginator
from paycombat_async import AuthenticationError as AuthenticationError
from paycombat_async import BadRequestError as BadRequestError
from paycombat_async import BatchResult as BatchResult
from paycombat_async import BeneficiaryCompany as BeneficiaryCompany
from paycombat_async import BeneficiaryCompanyParam as BeneficiaryCompanyParam
from paycombat_async import BeneficiaryIndividual as BeneficiaryIndividual
from paycombat_async import BeneficiaryIndividualParam as BeneficiaryIndividualParam
from paycombat_async import BeneficiaryType as BeneficiaryType
from paycombat_async import BeneficiaryValidation as BeneficiaryValidation
from paycombat_async import Checkout as Checkout
from paycombat_async import CheckoutStatus as CheckoutStatus
from paycombat_async import ClientConfig as ClientConfig
from paycombat_async import ClientStateError as ClientStateError
from paycombat_async import ConfigurationError as ConfigurationError
from paycombat_async import ConflictError as ConflictError
from paycombat_async import CountryCurrency as CountryCurrency
from paycombat_async import CreateCheckoutRequest as CreateCheckoutRequest
from paycombat_async import (
    CreateCheckoutVirtualAccountRequest as CreateCheckoutVirtualAccountRequest,
)
from paycombat_async import CreateCustomerRequest as CreateCustomerRequest
from paycombat_async import CreatePayinRequest as CreatePayinRequest
from paycombat_async import CreatePaymentRequestRequest as CreatePaymentRequestRequest
from paycombat_async import CreatePayoutBeneficiaryRequest as CreatePayoutBeneficiaryRequest
from paycombat_async import CreatePayoutRequest as CreatePayoutRequest
from paycombat_async import CreateVirtualAccountRequest as CreateVirtualAccountRequest
from paycombat_async import CreateWalletRequest as CreateWalletRequest
from paycombat_async import Customer as Customer
from paycombat_async import CustomerCompany as CustomerCompany
from paycombat_async import CustomerIndividual as CustomerIndividual
from paycombat_async import CustomerType as CustomerType
from paycombat_async import GcaActivationStatus as GcaActivationStatus
from paycombat_async import Individual as Individual
from paycombat_async import InvalidResponseError as InvalidResponseError
from paycombat_async import Journal as Journal
from paycombat_async import JournalEntry as JournalEntry
from paycombat_async import MethodField as MethodField
from paycombat_async import MethodFilters as MethodFilters
from paycombat_async import NotFoundError as NotFoundError
from paycombat_async import Operation as Operation
from paycombat_async import OutcomeUnknownError as OutcomeUnknownError
from paycombat_async import Page as Page
from paycombat_async import PayCombatError as PayCombatError
from paycombat_async import PayeeMatch as PayeeMatch
from paycombat_async import Payin as Payin
from paycombat_async import PayinMethod as PayinMethod
from paycombat_async import PayinStatus as PayinStatus
from paycombat_async import PaymentMethod as PaymentMethod
from paycombat_async import Payout as Payout
from paycombat_async import PayoutApproval as PayoutApproval
from paycombat_async import PayoutBalance as PayoutBalance
from paycombat_async import PayoutBeneficiary as PayoutBeneficiary
from paycombat_async import PayoutBeneficiaryFields as PayoutBeneficiaryFields
from paycombat_async import PayoutBeneficiaryParam as PayoutBeneficiaryParam
from paycombat_async import PayoutMethod as PayoutMethod
from paycombat_async import PayoutStatus as PayoutStatus
from paycombat_async import PermissionDeniedError as PermissionDeniedError
from paycombat_async import RateLimitError as RateLimitError
from paycombat_async import RetryPolicy as RetryPolicy
from paycombat_async import ServerError as ServerError
from paycombat_async import SimulatePayinRequest as SimulatePayinRequest
from paycombat_async import SimulatePayoutRequest as SimulatePayoutRequest
from paycombat_async import SimulateVirtualAccountRequest as SimulateVirtualAccountRequest
from paycombat_async import SQLiteJournal as SQLiteJournal
from paycombat_async import Transaction as Transaction
from paycombat_async import TransactionEventType as TransactionEventType
from paycombat_async import TransactionFilters as TransactionFilters
from paycombat_async import UnprocessableEntityError as UnprocessableEntityError
from paycombat_async import UpdateCustomerRequest as UpdateCustomerRequest
from paycombat_async import UpdatePayoutBeneficiaryRequest as UpdatePayoutBeneficiaryRequest
from paycombat_async import ValidateBeneficiaryByIdRequest as ValidateBeneficiaryByIdRequest
from paycombat_async import ValidateBeneficiaryRequest as ValidateBeneficiaryRequest
from paycombat_async import ValidationError as ValidationError
from paycombat_async import VirtualAccount as VirtualAccount
from paycombat_async import VirtualAccountStatus as VirtualAccountStatus
from paycombat_async import Wallet as Wallet
from paycombat_async import WalletAccount as WalletAccount
from paycombat_async import WalletReadiness as WalletReadiness
from paycombat_async import __version__ as __version__

from ._client import PayCombat as PayCombat

# The blocking twin of AsyncPaginator, for annotations (not in __all__, which mirrors the
# async package name for name).
from ._pagination import Paginator as Paginator

__all__ = [
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AdvancedRedirectUrl",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BatchResult",
    "BeneficiaryCompany",
    "BeneficiaryCompanyParam",
    "BeneficiaryIndividual",
    "BeneficiaryIndividualParam",
    "BeneficiaryType",
    "BeneficiaryValidation",
    "Checkout",
    "CheckoutStatus",
    "ClientConfig",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "CountryCurrency",
    "CreateCheckoutRequest",
    "CreateCheckoutVirtualAccountRequest",
    "CreateCustomerRequest",
    "CreatePayinRequest",
    "CreatePaymentRequestRequest",
    "CreatePayoutBeneficiaryRequest",
    "CreatePayoutRequest",
    "CreateVirtualAccountRequest",
    "CreateWalletRequest",
    "Customer",
    "CustomerCompany",
    "CustomerIndividual",
    "CustomerType",
    "GcaActivationStatus",
    "Individual",
    "InvalidResponseError",
    "Journal",
    "JournalEntry",
    "MethodField",
    "MethodFilters",
    "NotFoundError",
    "Operation",
    "OutcomeUnknownError",
    "Page",
    "PayCombat",
    "PayCombatError",
    "PayeeMatch",
    "Payin",
    "PayinMethod",
    "PayinStatus",
    "PaymentMethod",
    "Payout",
    "PayoutApproval",
    "PayoutBalance",
    "PayoutBeneficiary",
    "PayoutBeneficiaryFields",
    "PayoutBeneficiaryParam",
    "PayoutMethod",
    "PayoutStatus",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "SQLiteJournal",
    "ServerError",
    "SimulatePayinRequest",
    "SimulatePayoutRequest",
    "SimulateVirtualAccountRequest",
    "Transaction",
    "TransactionEventType",
    "TransactionFilters",
    "UnprocessableEntityError",
    "UpdateCustomerRequest",
    "UpdatePayoutBeneficiaryRequest",
    "ValidateBeneficiaryByIdRequest",
    "ValidateBeneficiaryRequest",
    "ValidationError",
    "VirtualAccount",
    "VirtualAccountStatus",
    "Wallet",
    "WalletAccount",
    "WalletReadiness",
    "__version__",
]
