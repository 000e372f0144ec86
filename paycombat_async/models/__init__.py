"""The attrs models PayCombat objects are structured into, one module per API group."""

from ._base import Model as Model
from ._base import OpenEnum as OpenEnum
from ._base import Params as Params
from .payout import CreatePayoutRequest as CreatePayoutRequest
from .payout import Individual as Individual
from .payout import Payout as Payout
from .payout import PayoutApproval as PayoutApproval
from .payout import PayoutBeneficiaryParam as PayoutBeneficiaryParam
from .payout import PayoutStatus as PayoutStatus

__all__ = [
    "CreatePayoutRequest",
    "Individual",
    "Model",
    "OpenEnum",
    "Params",
    "Payout",
    "PayoutApproval",
    "PayoutBeneficiaryParam",
    "PayoutStatus",
]
