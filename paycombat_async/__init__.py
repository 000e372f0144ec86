"""paycombat_async: the PayCombat payment gateway from asyncio.

```python
from paycombat_async import PayCombat

async with PayCombat() as client:  # PAYCOMBAT_TOKEN / PAYCOMBAT_SIGNATURE_KEY from the env
    payout = await client.payouts.create(...)
```
"""

import logging as _logging
import typing as _typing

from . import models
from ._core.config import ClientConfig as ClientConfig
from ._core.pagination import AsyncPaginator as AsyncPaginator
from ._core.pagination import Page as Page
from ._core.pagination import Paginator as Paginator
from ._core.raw import RawResponse as RawResponse
from ._core.retry import RetryPolicy as RetryPolicy
from ._core.routes import Operation as Operation
from ._exceptions import APIConnectionError as APIConnectionError
from ._exceptions import APIError as APIError
from ._exceptions import APITimeoutError as APITimeoutError
from ._exceptions import AuthenticationError as AuthenticationError
from ._exceptions import BadRequestError as BadRequestError
from ._exceptions import BatchAbortedError as BatchAbortedError
from ._exceptions import ClientStateError as ClientStateError
from ._exceptions import ConfigurationError as ConfigurationError
from ._exceptions import ConflictError as ConflictError
from ._exceptions import InvalidResponseError as InvalidResponseError
from ._exceptions import JournalError as JournalError
from ._exceptions import NotFoundError as NotFoundError
from ._exceptions import OutcomeUnknownError as OutcomeUnknownError
from ._exceptions import PaginationError as PaginationError
from ._exceptions import PayCombatError as PayCombatError
from ._exceptions import PayoutConflictError as PayoutConflictError
from ._exceptions import PermissionDeniedError as PermissionDeniedError
from ._exceptions import RateLimitError as RateLimitError
from ._exceptions import ServerError as ServerError
from ._exceptions import UnprocessableEntityError as UnprocessableEntityError
from ._exceptions import ValidationError as ValidationError
from ._exceptions import WebhookPayloadError as WebhookPayloadError
from ._exceptions import WebhookSignatureError as WebhookSignatureError
from ._lazy import LazyExports as _LazyExports
from ._version import __version__ as __version__
from .resources import OPERATIONS as OPERATIONS

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
__all__ += models.__all__

# A library only emits: the application decides where "paycombat" logs go (and without a
# configuration, Python's last-resort handler must not print them on its behalf).
_logging.getLogger("paycombat").addHandler(_logging.NullHandler())

_lazy = _LazyExports(
    __name__,
    globals(),
    # The client pulls in aiohttp (half a second): importing the package for its models,
    # errors or the pytest plugin (``paycombat_async.testing``) must not pay for it.
    {"PayCombat": "._client"}
    | {
        "Journal": "._batch.journal",
        "JournalEntry": "._batch.journal",
        "SQLiteJournal": "._batch.journal",
    }
    | {"PostgresJournal": "._batch.postgres"}  # needs the postgres extra (psycopg)
    | {"BatchResult": "._batch.reconcile", "BatchCounts": "._batch.engine"}
    | dict.fromkeys(models.__all__, ".models"),
)
"""Imported on first use (``_lazy``): the models of each API group, and the batch journals."""


def __getattr__(name: str) -> _typing.Any:
    return _lazy.load(name)


def __dir__() -> list[str]:
    return _lazy.names()


if _typing.TYPE_CHECKING:
    from ._batch.engine import BatchCounts as BatchCounts
    from ._batch.journal import Journal as Journal
    from ._batch.journal import JournalEntry as JournalEntry
    from ._batch.journal import SQLiteJournal as SQLiteJournal
    from ._batch.postgres import PostgresJournal as PostgresJournal
    from ._batch.reconcile import BatchResult as BatchResult
    from ._client import PayCombat as PayCombat
    from .models._base import FrozenMapping as FrozenMapping
    from .models._base import Model as Model
    from .models._base import OpenEnum as OpenEnum
    from .models._base import Params as Params
    from .models.beneficiary import BeneficiaryCompany as BeneficiaryCompany
    from .models.beneficiary import BeneficiaryCompanyParam as BeneficiaryCompanyParam
    from .models.beneficiary import BeneficiaryIdRequest as BeneficiaryIdRequest
    from .models.beneficiary import BeneficiaryIndividual as BeneficiaryIndividual
    from .models.beneficiary import BeneficiaryIndividualParam as BeneficiaryIndividualParam
    from .models.beneficiary import BeneficiaryType as BeneficiaryType
    from .models.beneficiary import BeneficiaryTypeName as BeneficiaryTypeName
    from .models.beneficiary import BeneficiaryValidation as BeneficiaryValidation
    from .models.beneficiary import CreatePayoutBeneficiaryRequest as CreatePayoutBeneficiaryRequest
    from .models.beneficiary import ListBeneficiariesRequest as ListBeneficiariesRequest
    from .models.beneficiary import PayeeMatch as PayeeMatch
    from .models.beneficiary import PayoutBeneficiary as PayoutBeneficiary
    from .models.beneficiary import UpdatePayoutBeneficiaryRequest as UpdatePayoutBeneficiaryRequest
    from .models.beneficiary import ValidateBeneficiaryByIdRequest as ValidateBeneficiaryByIdRequest
    from .models.beneficiary import ValidateBeneficiaryRequest as ValidateBeneficiaryRequest
    from .models.checkout import AdvancedRedirectUrl as AdvancedRedirectUrl
    from .models.checkout import Checkout as Checkout
    from .models.checkout import CheckoutIdRequest as CheckoutIdRequest
    from .models.checkout import CheckoutStatus as CheckoutStatus
    from .models.checkout import CheckoutStatusName as CheckoutStatusName
    from .models.checkout import CreateCheckoutRequest as CreateCheckoutRequest
    from .models.checkout import (
        CreateCheckoutVirtualAccountRequest as CreateCheckoutVirtualAccountRequest,
    )
    from .models.checkout import CreatePaymentRequestRequest as CreatePaymentRequestRequest
    from .models.checkout import ListCheckoutsRequest as ListCheckoutsRequest
    from .models.checkout import VaBanksRequest as VaBanksRequest
    from .models.customer import CreateCustomerRequest as CreateCustomerRequest
    from .models.customer import Customer as Customer
    from .models.customer import CustomerCompany as CustomerCompany
    from .models.customer import CustomerIdRequest as CustomerIdRequest
    from .models.customer import CustomerIndividual as CustomerIndividual
    from .models.customer import CustomerType as CustomerType
    from .models.customer import CustomerTypeName as CustomerTypeName
    from .models.customer import GcaActivationStatus as GcaActivationStatus
    from .models.customer import ListCustomersRequest as ListCustomersRequest
    from .models.customer import UpdateCustomerRequest as UpdateCustomerRequest
    from .models.customer import WalletReadiness as WalletReadiness
    from .models.master_data import CountryCurrency as CountryCurrency
    from .models.merchant import PayoutBalance as PayoutBalance
    from .models.methods import CurrencyRequest as CurrencyRequest
    from .models.methods import MethodField as MethodField
    from .models.methods import MethodFilters as MethodFilters
    from .models.methods import PayinMethod as PayinMethod
    from .models.methods import PayinMethodNameRequest as PayinMethodNameRequest
    from .models.methods import PaymentMethod as PaymentMethod
    from .models.methods import PayoutBeneficiaryFields as PayoutBeneficiaryFields
    from .models.methods import PayoutMethod as PayoutMethod
    from .models.methods import PayoutMethodNameRequest as PayoutMethodNameRequest
    from .models.party import Company as Company
    from .models.party import Person as Person
    from .models.payin import CreatePayinRequest as CreatePayinRequest
    from .models.payin import CreateVirtualAccountRequest as CreateVirtualAccountRequest
    from .models.payin import Payin as Payin
    from .models.payin import PayinIdRequest as PayinIdRequest
    from .models.payin import PayinStatus as PayinStatus
    from .models.payin import SimulatePayinRequest as SimulatePayinRequest
    from .models.payin import SimulateVirtualAccountRequest as SimulateVirtualAccountRequest
    from .models.payin import VirtualAccount as VirtualAccount
    from .models.payin import VirtualAccountStatus as VirtualAccountStatus
    from .models.payout import CreatePayoutRequest as CreatePayoutRequest
    from .models.payout import Individual as Individual
    from .models.payout import ListPayoutsRequest as ListPayoutsRequest
    from .models.payout import Payout as Payout
    from .models.payout import PayoutApproval as PayoutApproval
    from .models.payout import PayoutBeneficiaryParam as PayoutBeneficiaryParam
    from .models.payout import PayoutIdRequest as PayoutIdRequest
    from .models.payout import PayoutStatus as PayoutStatus
    from .models.payout import SimulatePayoutRequest as SimulatePayoutRequest
    from .models.transaction import Transaction as Transaction
    from .models.transaction import TransactionEventType as TransactionEventType
    from .models.transaction import TransactionFilters as TransactionFilters
    from .models.transaction import TransactionIdRequest as TransactionIdRequest
    from .models.wallet import CreateWalletRequest as CreateWalletRequest
    from .models.wallet import ListWalletsRequest as ListWalletsRequest
    from .models.wallet import Wallet as Wallet
    from .models.wallet import WalletAccount as WalletAccount
    from .models.wallet import WalletIdRequest as WalletIdRequest
