"""The attrs models PayCombat objects are structured into, one module per API group."""

from ._base import FrozenMapping as FrozenMapping
from ._base import Model as Model
from ._base import OpenEnum as OpenEnum
from ._base import PageRequest as PageRequest
from ._base import Params as Params
from ._base import Request as Request
from .beneficiary import BeneficiaryCompany as BeneficiaryCompany
from .beneficiary import BeneficiaryCompanyParam as BeneficiaryCompanyParam
from .beneficiary import BeneficiaryIdRequest as BeneficiaryIdRequest
from .beneficiary import BeneficiaryIndividual as BeneficiaryIndividual
from .beneficiary import BeneficiaryIndividualParam as BeneficiaryIndividualParam
from .beneficiary import BeneficiaryType as BeneficiaryType
from .beneficiary import BeneficiaryTypeName as BeneficiaryTypeName
from .beneficiary import BeneficiaryValidation as BeneficiaryValidation
from .beneficiary import CreatePayoutBeneficiaryRequest as CreatePayoutBeneficiaryRequest
from .beneficiary import ListBeneficiariesRequest as ListBeneficiariesRequest
from .beneficiary import PayeeMatch as PayeeMatch
from .beneficiary import PayoutBeneficiary as PayoutBeneficiary
from .beneficiary import UpdatePayoutBeneficiaryRequest as UpdatePayoutBeneficiaryRequest
from .beneficiary import ValidateBeneficiaryByIdRequest as ValidateBeneficiaryByIdRequest
from .beneficiary import ValidateBeneficiaryRequest as ValidateBeneficiaryRequest
from .checkout import AdvancedRedirectUrl as AdvancedRedirectUrl
from .checkout import Checkout as Checkout
from .checkout import CheckoutIdRequest as CheckoutIdRequest
from .checkout import CheckoutStatus as CheckoutStatus
from .checkout import CheckoutStatusName as CheckoutStatusName
from .checkout import CreateCheckoutRequest as CreateCheckoutRequest
from .checkout import CreateCheckoutVirtualAccountRequest as CreateCheckoutVirtualAccountRequest
from .checkout import CreatePaymentRequestRequest as CreatePaymentRequestRequest
from .checkout import ListCheckoutsRequest as ListCheckoutsRequest
from .checkout import VaBanksRequest as VaBanksRequest
from .customer import CreateCustomerRequest as CreateCustomerRequest
from .customer import Customer as Customer
from .customer import CustomerCompany as CustomerCompany
from .customer import CustomerIdRequest as CustomerIdRequest
from .customer import CustomerIndividual as CustomerIndividual
from .customer import CustomerType as CustomerType
from .customer import CustomerTypeName as CustomerTypeName
from .customer import GcaActivationStatus as GcaActivationStatus
from .customer import ListCustomersRequest as ListCustomersRequest
from .customer import UpdateCustomerRequest as UpdateCustomerRequest
from .customer import WalletReadiness as WalletReadiness
from .master_data import CountryCurrency as CountryCurrency
from .merchant import PayoutBalance as PayoutBalance
from .methods import CurrencyRequest as CurrencyRequest
from .methods import MethodField as MethodField
from .methods import MethodFilters as MethodFilters
from .methods import PayinMethod as PayinMethod
from .methods import PayinMethodNameRequest as PayinMethodNameRequest
from .methods import PaymentMethod as PaymentMethod
from .methods import PayoutBeneficiaryFields as PayoutBeneficiaryFields
from .methods import PayoutMethod as PayoutMethod
from .methods import PayoutMethodNameRequest as PayoutMethodNameRequest
from .payin import CreatePayinRequest as CreatePayinRequest
from .payin import CreateVirtualAccountRequest as CreateVirtualAccountRequest
from .payin import Payin as Payin
from .payin import PayinIdRequest as PayinIdRequest
from .payin import PayinStatus as PayinStatus
from .payin import SimulatePayinRequest as SimulatePayinRequest
from .payin import SimulateVirtualAccountRequest as SimulateVirtualAccountRequest
from .payin import VirtualAccount as VirtualAccount
from .payin import VirtualAccountStatus as VirtualAccountStatus
from .payout import CreatePayoutRequest as CreatePayoutRequest
from .payout import Individual as Individual
from .payout import ListPayoutsRequest as ListPayoutsRequest
from .payout import Payout as Payout
from .payout import PayoutApproval as PayoutApproval
from .payout import PayoutBeneficiaryParam as PayoutBeneficiaryParam
from .payout import PayoutIdRequest as PayoutIdRequest
from .payout import PayoutStatus as PayoutStatus
from .payout import SimulatePayoutRequest as SimulatePayoutRequest
from .transaction import Transaction as Transaction
from .transaction import TransactionEventType as TransactionEventType
from .transaction import TransactionFilters as TransactionFilters
from .transaction import TransactionIdRequest as TransactionIdRequest
from .wallet import CreateWalletRequest as CreateWalletRequest
from .wallet import ListWalletsRequest as ListWalletsRequest
from .wallet import Wallet as Wallet
from .wallet import WalletAccount as WalletAccount
from .wallet import WalletIdRequest as WalletIdRequest

__all__ = [
    "AdvancedRedirectUrl",
    "BeneficiaryCompany",
    "BeneficiaryCompanyParam",
    "BeneficiaryIdRequest",
    "BeneficiaryIndividual",
    "BeneficiaryIndividualParam",
    "BeneficiaryType",
    "BeneficiaryTypeName",
    "BeneficiaryValidation",
    "Checkout",
    "CheckoutIdRequest",
    "CheckoutStatus",
    "CheckoutStatusName",
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
    "CurrencyRequest",
    "Customer",
    "CustomerCompany",
    "CustomerIdRequest",
    "CustomerIndividual",
    "CustomerType",
    "CustomerTypeName",
    "FrozenMapping",
    "GcaActivationStatus",
    "Individual",
    "ListBeneficiariesRequest",
    "ListCheckoutsRequest",
    "ListCustomersRequest",
    "ListPayoutsRequest",
    "ListWalletsRequest",
    "MethodField",
    "MethodFilters",
    "Model",
    "OpenEnum",
    "PageRequest",
    "Params",
    "PayeeMatch",
    "Payin",
    "PayinIdRequest",
    "PayinMethod",
    "PayinMethodNameRequest",
    "PayinStatus",
    "PaymentMethod",
    "Payout",
    "PayoutApproval",
    "PayoutBalance",
    "PayoutBeneficiary",
    "PayoutBeneficiaryFields",
    "PayoutBeneficiaryParam",
    "PayoutIdRequest",
    "PayoutMethod",
    "PayoutMethodNameRequest",
    "PayoutStatus",
    "Request",
    "SimulatePayinRequest",
    "SimulatePayoutRequest",
    "SimulateVirtualAccountRequest",
    "Transaction",
    "TransactionEventType",
    "TransactionFilters",
    "TransactionIdRequest",
    "UpdateCustomerRequest",
    "UpdatePayoutBeneficiaryRequest",
    "VaBanksRequest",
    "ValidateBeneficiaryByIdRequest",
    "ValidateBeneficiaryRequest",
    "VirtualAccount",
    "VirtualAccountStatus",
    "Wallet",
    "WalletAccount",
    "WalletIdRequest",
    "WalletReadiness",
]
