"""paycombat_async: the PayCombat payment gateway from asyncio.

```python
from paycombat_async import PayCombat

async with PayCombat() as client:  # PAYCOMBAT_TOKEN / PAYCOMBAT_SIGNATURE_KEY from the env
    payout = await client.payouts.create(...)
```
"""

import logging as _logging

from . import models
from ._client import PayCombat as PayCombat
from ._config import ClientConfig as ClientConfig
from ._exceptions import APIConnectionError as APIConnectionError
from ._exceptions import APIError as APIError
from ._exceptions import APITimeoutError as APITimeoutError
from ._exceptions import AuthenticationError as AuthenticationError
from ._exceptions import BadRequestError as BadRequestError
from ._exceptions import ClientStateError as ClientStateError
from ._exceptions import ConfigurationError as ConfigurationError
from ._exceptions import ConflictError as ConflictError
from ._exceptions import InvalidResponseError as InvalidResponseError
from ._exceptions import NotFoundError as NotFoundError
from ._exceptions import OutcomeUnknownError as OutcomeUnknownError
from ._exceptions import PayCombatError as PayCombatError
from ._exceptions import PermissionDeniedError as PermissionDeniedError
from ._exceptions import RateLimitError as RateLimitError
from ._exceptions import ServerError as ServerError
from ._exceptions import UnprocessableEntityError as UnprocessableEntityError
from ._exceptions import ValidationError as ValidationError
from ._exceptions import WebhookPayloadError as WebhookPayloadError
from ._exceptions import WebhookSignatureError as WebhookSignatureError
from ._journal import Journal as Journal
from ._journal import JournalEntry as JournalEntry
from ._journal import SQLiteJournal as SQLiteJournal
from ._pagination import AsyncPaginator as AsyncPaginator
from ._pagination import Page as Page
from ._pagination import Paginator as Paginator
from ._raw import RawResponse as RawResponse
from ._reconcile import BatchResult as BatchResult
from ._retry import RetryPolicy as RetryPolicy
from ._routes import Operation as Operation
from ._version import __version__ as __version__
from .models import AdvancedRedirectUrl as AdvancedRedirectUrl
from .models import BeneficiaryCompany as BeneficiaryCompany
from .models import BeneficiaryCompanyParam as BeneficiaryCompanyParam
from .models import BeneficiaryIdRequest as BeneficiaryIdRequest
from .models import BeneficiaryIndividual as BeneficiaryIndividual
from .models import BeneficiaryIndividualParam as BeneficiaryIndividualParam
from .models import BeneficiaryType as BeneficiaryType
from .models import BeneficiaryTypeName as BeneficiaryTypeName
from .models import BeneficiaryValidation as BeneficiaryValidation
from .models import Checkout as Checkout
from .models import CheckoutIdRequest as CheckoutIdRequest
from .models import CheckoutStatus as CheckoutStatus
from .models import CheckoutStatusName as CheckoutStatusName
from .models import Company as Company
from .models import CountryCurrency as CountryCurrency
from .models import CreateCheckoutRequest as CreateCheckoutRequest
from .models import CreateCheckoutVirtualAccountRequest as CreateCheckoutVirtualAccountRequest
from .models import CreateCustomerRequest as CreateCustomerRequest
from .models import CreatePayinRequest as CreatePayinRequest
from .models import CreatePaymentRequestRequest as CreatePaymentRequestRequest
from .models import CreatePayoutBeneficiaryRequest as CreatePayoutBeneficiaryRequest
from .models import CreatePayoutRequest as CreatePayoutRequest
from .models import CreateVirtualAccountRequest as CreateVirtualAccountRequest
from .models import CreateWalletRequest as CreateWalletRequest
from .models import CurrencyRequest as CurrencyRequest
from .models import Customer as Customer
from .models import CustomerCompany as CustomerCompany
from .models import CustomerIdRequest as CustomerIdRequest
from .models import CustomerIndividual as CustomerIndividual
from .models import CustomerType as CustomerType
from .models import CustomerTypeName as CustomerTypeName
from .models import FrozenMapping as FrozenMapping
from .models import GcaActivationStatus as GcaActivationStatus
from .models import Individual as Individual
from .models import ListBeneficiariesRequest as ListBeneficiariesRequest
from .models import ListCheckoutsRequest as ListCheckoutsRequest
from .models import ListCustomersRequest as ListCustomersRequest
from .models import ListPayoutsRequest as ListPayoutsRequest
from .models import ListWalletsRequest as ListWalletsRequest
from .models import MethodField as MethodField
from .models import MethodFilters as MethodFilters
from .models import Model as Model
from .models import OpenEnum as OpenEnum
from .models import Params as Params
from .models import PayeeMatch as PayeeMatch
from .models import Payin as Payin
from .models import PayinIdRequest as PayinIdRequest
from .models import PayinMethod as PayinMethod
from .models import PayinMethodNameRequest as PayinMethodNameRequest
from .models import PayinStatus as PayinStatus
from .models import PaymentMethod as PaymentMethod
from .models import Payout as Payout
from .models import PayoutApproval as PayoutApproval
from .models import PayoutBalance as PayoutBalance
from .models import PayoutBeneficiary as PayoutBeneficiary
from .models import PayoutBeneficiaryFields as PayoutBeneficiaryFields
from .models import PayoutBeneficiaryParam as PayoutBeneficiaryParam
from .models import PayoutIdRequest as PayoutIdRequest
from .models import PayoutMethod as PayoutMethod
from .models import PayoutMethodNameRequest as PayoutMethodNameRequest
from .models import PayoutStatus as PayoutStatus
from .models import Person as Person
from .models import SimulatePayinRequest as SimulatePayinRequest
from .models import SimulatePayoutRequest as SimulatePayoutRequest
from .models import SimulateVirtualAccountRequest as SimulateVirtualAccountRequest
from .models import Transaction as Transaction
from .models import TransactionEventType as TransactionEventType
from .models import TransactionFilters as TransactionFilters
from .models import TransactionIdRequest as TransactionIdRequest
from .models import UpdateCustomerRequest as UpdateCustomerRequest
from .models import UpdatePayoutBeneficiaryRequest as UpdatePayoutBeneficiaryRequest
from .models import VaBanksRequest as VaBanksRequest
from .models import ValidateBeneficiaryByIdRequest as ValidateBeneficiaryByIdRequest
from .models import ValidateBeneficiaryRequest as ValidateBeneficiaryRequest
from .models import VirtualAccount as VirtualAccount
from .models import VirtualAccountStatus as VirtualAccountStatus
from .models import Wallet as Wallet
from .models import WalletAccount as WalletAccount
from .models import WalletIdRequest as WalletIdRequest
from .models import WalletReadiness as WalletReadiness
from .resources import OPERATIONS as OPERATIONS

__all__ = [
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BatchResult",
    "ClientConfig",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "InvalidResponseError",
    "Journal",
    "JournalEntry",
    "NotFoundError",
    "Operation",
    "OutcomeUnknownError",
    "Page",
    "Paginator",
    "PayCombat",
    "PayCombatError",
    "PermissionDeniedError",
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
__all__ += models.__all__

# A library only emits: the application decides where "paycombat" logs go (and without a
# configuration, Python's last-resort handler must not print them on its behalf).
_logging.getLogger("paycombat").addHandler(_logging.NullHandler())
