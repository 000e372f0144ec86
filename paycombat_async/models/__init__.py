"""The attrs models PayCombat objects are structured into, one module per API group."""

from . import (
    beneficiary,
    checkout,
    customer,
    master_data,
    merchant,
    methods,
    party,
    payin,
    payout,
    transaction,
    wallet,
)
from ._base import FrozenMapping as FrozenMapping
from ._base import Model as Model
from ._base import OpenEnum as OpenEnum
from ._base import Params as Params
from .beneficiary import *  # noqa: F403 - each module lists its exports in __all__
from .checkout import *  # noqa: F403 - each module lists its exports in __all__
from .customer import *  # noqa: F403 - each module lists its exports in __all__
from .master_data import *  # noqa: F403 - each module lists its exports in __all__
from .merchant import *  # noqa: F403 - each module lists its exports in __all__
from .methods import *  # noqa: F403 - each module lists its exports in __all__
from .party import *  # noqa: F403 - each module lists its exports in __all__
from .payin import *  # noqa: F403 - each module lists its exports in __all__
from .payout import *  # noqa: F403 - each module lists its exports in __all__
from .transaction import *  # noqa: F403 - each module lists its exports in __all__
from .wallet import *  # noqa: F403 - each module lists its exports in __all__

__all__ = ["FrozenMapping", "Model", "OpenEnum", "Params"]
__all__ += beneficiary.__all__
__all__ += checkout.__all__
__all__ += customer.__all__
__all__ += master_data.__all__
__all__ += merchant.__all__
__all__ += methods.__all__
__all__ += party.__all__
__all__ += payin.__all__
__all__ += payout.__all__
__all__ += transaction.__all__
__all__ += wallet.__all__
