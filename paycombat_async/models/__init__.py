"""The attrs models PayCombat objects are structured into, one module per API group."""

from ._base import Model as Model
from ._base import OpenEnum as OpenEnum
from ._base import Params as Params
from .beneficiary import BeneficiaryCompany as BeneficiaryCompany
from .beneficiary import BeneficiaryCompanyParam as BeneficiaryCompanyParam
from .beneficiary import BeneficiaryIndividual as BeneficiaryIndividual
from .beneficiary import BeneficiaryIndividualParam as BeneficiaryIndividualParam
from .beneficiary import BeneficiaryType as BeneficiaryType
from .beneficiary import BeneficiaryValidation as BeneficiaryValidation
from .beneficiary import CreatePayoutBeneficiaryRequest as CreatePayoutBeneficiaryRequest
from .beneficiary import PayeeMatch as PayeeMatch
from .beneficiary import PayoutBeneficiary as PayoutBeneficiary
from .beneficiary import UpdatePayoutBeneficiaryRequest as UpdatePayoutBeneficiaryRequest
from .beneficiary import ValidateBeneficiaryByIdRequest as ValidateBeneficiaryByIdRequest
from .beneficiary import ValidateBeneficiaryRequest as ValidateBeneficiaryRequest
from .checkout import AdvancedRedirectUrl as AdvancedRedirectUrl
from .checkout import Checkout as Checkout
from .checkout import CheckoutStatus as CheckoutStatus
from .checkout import CreateCheckoutRequest as CreateCheckoutRequest
from .checkout import CreateCheckoutVirtualAccountRequest as CreateCheckoutVirtualAccountRequest
from .checkout import CreatePaymentRequestRequest as CreatePaymentRequestRequest
from .customer import CreateCustomerRequest as CreateCustomerRequest
from .customer import Customer as Customer
from .customer import CustomerCompany as CustomerCompany
from .customer import CustomerIndividual as CustomerIndividual
from .customer import CustomerType as CustomerType
from .customer import GcaActivationStatus as GcaActivationStatus
from .customer import UpdateCustomerRequest as UpdateCustomerRequest
from .customer import WalletReadiness as WalletReadiness
from .master_data import CountryCurrency as CountryCurrency
from .merchant import PayoutBalance as PayoutBalance
from .methods import MethodField as MethodField
from .methods import MethodFilters as MethodFilters
from .methods import PayinMethod as PayinMethod
from .methods import PaymentMethod as PaymentMethod
from .methods import PayoutBeneficiaryFields as PayoutBeneficiaryFields
from .methods import PayoutMethod as PayoutMethod
from .payin import CreatePayinRequest as CreatePayinRequest
from .payin import CreateVirtualAccountRequest as CreateVirtualAccountRequest
from .payin import Payin as Payin
from .payin import PayinStatus as PayinStatus
from .payin import SimulatePayinRequest as SimulatePayinRequest
from .payin import SimulateVirtualAccountRequest as SimulateVirtualAccountRequest
from .payin import VirtualAccount as VirtualAccount
from .payin import VirtualAccountStatus as VirtualAccountStatus
from .payout import CreatePayoutRequest as CreatePayoutRequest
from .payout import Individual as Individual
from .payout import Payout as Payout
from .payout import PayoutApproval as PayoutApproval
from .payout import PayoutBeneficiaryParam as PayoutBeneficiaryParam
from .payout import PayoutStatus as PayoutStatus
from .payout import SimulatePayoutRequest as SimulatePayoutRequest
from .transaction import Transaction as Transaction
from .transaction import TransactionEventType as TransactionEventType
from .transaction import TransactionFilters as TransactionFilters
from .wallet import CreateWalletRequest as CreateWalletRequest
from .wallet import Wallet as Wallet
from .wallet import WalletAccount as WalletAccount

__all__ = [
    "AdvancedRedirectUrl",
    "BeneficiaryCompany",
    "BeneficiaryCompanyParam",
    "BeneficiaryIndividual",
    "BeneficiaryIndividualParam",
    "BeneficiaryType",
    "BeneficiaryValidation",
    "Checkout",
    "CheckoutStatus",
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
    "MethodField",
    "MethodFilters",
    "Model",
    "OpenEnum",
    "Params",
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
    "SimulatePayinRequest",
    "SimulatePayoutRequest",
    "SimulateVirtualAccountRequest",
    "Transaction",
    "TransactionEventType",
    "TransactionFilters",
    "UpdateCustomerRequest",
    "UpdatePayoutBeneficiaryRequest",
    "ValidateBeneficiaryByIdRequest",
    "ValidateBeneficiaryRequest",
    "VirtualAccount",
    "VirtualAccountStatus",
    "Wallet",
    "WalletAccount",
    "WalletReadiness",
]
