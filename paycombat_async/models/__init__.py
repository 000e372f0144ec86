"""The attrs models PayCombat objects are structured into, one module per API group.

Each group's module is imported the first time one of its names is used (see ``_lazy``).
"""

from typing import TYPE_CHECKING, Any

from .._lazy import LazyExports
from ._base import FrozenMapping as FrozenMapping
from ._base import Model as Model
from ._base import OpenEnum as OpenEnum
from ._base import Params as Params

_GROUPS: dict[str, tuple[str, ...]] = {
    ".beneficiary": (
        "BeneficiaryCompany",
        "BeneficiaryCompanyParam",
        "BeneficiaryIdRequest",
        "BeneficiaryIndividual",
        "BeneficiaryIndividualParam",
        "BeneficiaryType",
        "BeneficiaryTypeName",
        "BeneficiaryValidation",
        "CreatePayoutBeneficiaryRequest",
        "ListBeneficiariesRequest",
        "PayeeMatch",
        "PayoutBeneficiary",
        "UpdatePayoutBeneficiaryRequest",
        "ValidateBeneficiaryByIdRequest",
        "ValidateBeneficiaryRequest",
    ),
    ".checkout": (
        "AdvancedRedirectUrl",
        "Checkout",
        "CheckoutIdRequest",
        "CheckoutStatus",
        "CheckoutStatusName",
        "CreateCheckoutRequest",
        "CreateCheckoutVirtualAccountRequest",
        "CreatePaymentRequestRequest",
        "ListCheckoutsRequest",
        "VaBanksRequest",
    ),
    ".customer": (
        "CreateCustomerRequest",
        "Customer",
        "CustomerCompany",
        "CustomerIdRequest",
        "CustomerIndividual",
        "CustomerType",
        "CustomerTypeName",
        "GcaActivationStatus",
        "ListCustomersRequest",
        "UpdateCustomerRequest",
        "WalletReadiness",
    ),
    ".master_data": ("CountryCurrency",),
    ".merchant": ("PayoutBalance",),
    ".methods": (
        "CurrencyRequest",
        "MethodField",
        "MethodFilters",
        "PayinMethod",
        "PayinMethodNameRequest",
        "PaymentMethod",
        "PayoutBeneficiaryFields",
        "PayoutMethod",
        "PayoutMethodNameRequest",
    ),
    ".party": ("Company", "Person"),
    ".payin": (
        "CreatePayinRequest",
        "CreateVirtualAccountRequest",
        "Payin",
        "PayinIdRequest",
        "PayinStatus",
        "SimulatePayinRequest",
        "SimulateVirtualAccountRequest",
        "VirtualAccount",
        "VirtualAccountStatus",
    ),
    ".payout": (
        "CreatePayoutRequest",
        "Individual",
        "ListPayoutsRequest",
        "Payout",
        "PayoutApproval",
        "PayoutBeneficiaryParam",
        "PayoutIdRequest",
        "PayoutStatus",
        "SimulatePayoutRequest",
    ),
    ".transaction": (
        "Transaction",
        "TransactionEventType",
        "TransactionFilters",
        "TransactionIdRequest",
    ),
    ".wallet": (
        "CreateWalletRequest",
        "ListWalletsRequest",
        "Wallet",
        "WalletAccount",
        "WalletIdRequest",
    ),
}
"""Each group module and the names it exports (its ``__all__``; a test holds them equal)."""

_lazy = LazyExports(
    __name__,
    globals(),
    {name: module for module, names in _GROUPS.items() for name in names}
    | {module[1:]: module for module in _GROUPS},  # ``models.payout``, as before
)

__all__ = ["FrozenMapping", "Model", "OpenEnum", "Params"]
__all__ += [name for names in _GROUPS.values() for name in names]


def __getattr__(name: str) -> Any:
    return _lazy.load(name)


def __dir__() -> list[str]:
    return _lazy.names()


if TYPE_CHECKING:
    from .beneficiary import *  # noqa: F403
    from .checkout import *  # noqa: F403
    from .customer import *  # noqa: F403
    from .master_data import *  # noqa: F403
    from .merchant import *  # noqa: F403
    from .methods import *  # noqa: F403
    from .party import *  # noqa: F403
    from .payin import *  # noqa: F403
    from .payout import *  # noqa: F403
    from .transaction import *  # noqa: F403
    from .wallet import *  # noqa: F403
