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

import typing as _typing

import paycombat_async.models
from paycombat_async import OPERATIONS as OPERATIONS
from paycombat_async import APIConnectionError as APIConnectionError
from paycombat_async import APIError as APIError
from paycombat_async import APITimeoutError as APITimeoutError
from paycombat_async import AsyncPaginator as AsyncPaginator
from paycombat_async import AuthenticationError as AuthenticationError
from paycombat_async import BadRequestError as BadRequestError
from paycombat_async import BatchAbortedError as BatchAbortedError
from paycombat_async import BatchCounts as BatchCounts
from paycombat_async import BatchResult as BatchResult
from paycombat_async import ClientConfig as ClientConfig
from paycombat_async import ClientStateError as ClientStateError
from paycombat_async import ConfigurationError as ConfigurationError
from paycombat_async import ConflictError as ConflictError
from paycombat_async import InvalidResponseError as InvalidResponseError
from paycombat_async import Journal as Journal
from paycombat_async import JournalEntry as JournalEntry
from paycombat_async import JournalError as JournalError
from paycombat_async import NotFoundError as NotFoundError
from paycombat_async import Operation as Operation
from paycombat_async import OutcomeUnknownError as OutcomeUnknownError
from paycombat_async import Page as Page
from paycombat_async import PaginationError as PaginationError
from paycombat_async import Paginator as Paginator
from paycombat_async import PayCombatError as PayCombatError
from paycombat_async import PayoutConflictError as PayoutConflictError
from paycombat_async import PermissionDeniedError as PermissionDeniedError
from paycombat_async import RateLimitError as RateLimitError
from paycombat_async import RawResponse as RawResponse
from paycombat_async import RetryPolicy as RetryPolicy
from paycombat_async import ServerError as ServerError
from paycombat_async import SQLiteJournal as SQLiteJournal
from paycombat_async import UnprocessableEntityError as UnprocessableEntityError
from paycombat_async import ValidationError as ValidationError
from paycombat_async import WebhookPayloadError as WebhookPayloadError
from paycombat_async import WebhookSignatureError as WebhookSignatureError
from paycombat_async import __version__ as __version__
from paycombat_async.models import AdvancedRedirectUrl as AdvancedRedirectUrl
from paycombat_async.models import BeneficiaryCompany as BeneficiaryCompany
from paycombat_async.models import BeneficiaryCompanyParam as BeneficiaryCompanyParam
from paycombat_async.models import BeneficiaryIdRequest as BeneficiaryIdRequest
from paycombat_async.models import BeneficiaryIndividual as BeneficiaryIndividual
from paycombat_async.models import BeneficiaryIndividualParam as BeneficiaryIndividualParam
from paycombat_async.models import BeneficiaryType as BeneficiaryType
from paycombat_async.models import BeneficiaryTypeName as BeneficiaryTypeName
from paycombat_async.models import BeneficiaryValidation as BeneficiaryValidation
from paycombat_async.models import Checkout as Checkout
from paycombat_async.models import CheckoutIdRequest as CheckoutIdRequest
from paycombat_async.models import CheckoutStatus as CheckoutStatus
from paycombat_async.models import CheckoutStatusName as CheckoutStatusName
from paycombat_async.models import Company as Company
from paycombat_async.models import CountryCurrency as CountryCurrency
from paycombat_async.models import CreateCheckoutRequest as CreateCheckoutRequest
from paycombat_async.models import (
    CreateCheckoutVirtualAccountRequest as CreateCheckoutVirtualAccountRequest,
)
from paycombat_async.models import CreateCustomerRequest as CreateCustomerRequest
from paycombat_async.models import CreatePayinRequest as CreatePayinRequest
from paycombat_async.models import CreatePaymentRequestRequest as CreatePaymentRequestRequest
from paycombat_async.models import CreatePayoutBeneficiaryRequest as CreatePayoutBeneficiaryRequest
from paycombat_async.models import CreatePayoutRequest as CreatePayoutRequest
from paycombat_async.models import CreateVirtualAccountRequest as CreateVirtualAccountRequest
from paycombat_async.models import CreateWalletRequest as CreateWalletRequest
from paycombat_async.models import CurrencyRequest as CurrencyRequest
from paycombat_async.models import Customer as Customer
from paycombat_async.models import CustomerCompany as CustomerCompany
from paycombat_async.models import CustomerIdRequest as CustomerIdRequest
from paycombat_async.models import CustomerIndividual as CustomerIndividual
from paycombat_async.models import CustomerType as CustomerType
from paycombat_async.models import CustomerTypeName as CustomerTypeName
from paycombat_async.models import FrozenMapping as FrozenMapping
from paycombat_async.models import GcaActivationStatus as GcaActivationStatus
from paycombat_async.models import Individual as Individual
from paycombat_async.models import ListBeneficiariesRequest as ListBeneficiariesRequest
from paycombat_async.models import ListCheckoutsRequest as ListCheckoutsRequest
from paycombat_async.models import ListCustomersRequest as ListCustomersRequest
from paycombat_async.models import ListPayoutsRequest as ListPayoutsRequest
from paycombat_async.models import ListWalletsRequest as ListWalletsRequest
from paycombat_async.models import MethodField as MethodField
from paycombat_async.models import MethodFilters as MethodFilters
from paycombat_async.models import Model as Model
from paycombat_async.models import OpenEnum as OpenEnum
from paycombat_async.models import Params as Params
from paycombat_async.models import PayeeMatch as PayeeMatch
from paycombat_async.models import Payin as Payin
from paycombat_async.models import PayinIdRequest as PayinIdRequest
from paycombat_async.models import PayinMethod as PayinMethod
from paycombat_async.models import PayinMethodNameRequest as PayinMethodNameRequest
from paycombat_async.models import PayinStatus as PayinStatus
from paycombat_async.models import PaymentMethod as PaymentMethod
from paycombat_async.models import Payout as Payout
from paycombat_async.models import PayoutApproval as PayoutApproval
from paycombat_async.models import PayoutBalance as PayoutBalance
from paycombat_async.models import PayoutBeneficiary as PayoutBeneficiary
from paycombat_async.models import PayoutBeneficiaryFields as PayoutBeneficiaryFields
from paycombat_async.models import PayoutBeneficiaryParam as PayoutBeneficiaryParam
from paycombat_async.models import PayoutIdRequest as PayoutIdRequest
from paycombat_async.models import PayoutMethod as PayoutMethod
from paycombat_async.models import PayoutMethodNameRequest as PayoutMethodNameRequest
from paycombat_async.models import PayoutStatus as PayoutStatus
from paycombat_async.models import Person as Person
from paycombat_async.models import SimulatePayinRequest as SimulatePayinRequest
from paycombat_async.models import SimulatePayoutRequest as SimulatePayoutRequest
from paycombat_async.models import SimulateVirtualAccountRequest as SimulateVirtualAccountRequest
from paycombat_async.models import Transaction as Transaction
from paycombat_async.models import TransactionEventType as TransactionEventType
from paycombat_async.models import TransactionFilters as TransactionFilters
from paycombat_async.models import TransactionIdRequest as TransactionIdRequest
from paycombat_async.models import UpdateCustomerRequest as UpdateCustomerRequest
from paycombat_async.models import UpdatePayoutBeneficiaryRequest as UpdatePayoutBeneficiaryRequest
from paycombat_async.models import VaBanksRequest as VaBanksRequest
from paycombat_async.models import ValidateBeneficiaryByIdRequest as ValidateBeneficiaryByIdRequest
from paycombat_async.models import ValidateBeneficiaryRequest as ValidateBeneficiaryRequest
from paycombat_async.models import VirtualAccount as VirtualAccount
from paycombat_async.models import VirtualAccountStatus as VirtualAccountStatus
from paycombat_async.models import Wallet as Wallet
from paycombat_async.models import WalletAccount as WalletAccount
from paycombat_async.models import WalletIdRequest as WalletIdRequest
from paycombat_async.models import WalletReadiness as WalletReadiness

from ._client import PayCombat as PayCombat

__all__ = [
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BatchAbortedError",
    "BatchCounts",
    "BatchResult",
    "ClientConfig",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "InvalidResponseError",
    "Journal",
    "JournalEntry",
    "JournalError",
    "NotFoundError",
    "Operation",
    "OutcomeUnknownError",
    "Page",
    "PaginationError",
    "Paginator",
    "PayCombat",
    "PayCombatError",
    "PayoutConflictError",
    "PermissionDeniedError",
    "PostgresJournal",
    "RateLimitError",
    "RawResponse",
    "RetryPolicy",
    "SQLiteJournal",
    "ServerError",
    "UnprocessableEntityError",
    "ValidationError",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "__version__",
]
__all__ += paycombat_async.models.__all__


def __getattr__(name: str) -> _typing.Any:
    if name == "PostgresJournal":  # imported on first use: it needs the postgres extra
        value = paycombat_async.PostgresJournal
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if _typing.TYPE_CHECKING:
    from paycombat_async import PostgresJournal as PostgresJournal
