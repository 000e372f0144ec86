"""The attrs models PayCombat objects are structured into, one module per API group.

Each group's module is imported the first time one of its names is used (``paycombat_async._lazy``
declares every public name and the module that defines it).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers and IDEs read: each group module's ``__all__``, typed
    from ._base import Model as Model
    from ._base import OpenEnum as OpenEnum
    from ._base import Params as Params
    from ._record import FrozenMapping as FrozenMapping
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
else:
    from .._lazy import PUBLIC as _PUBLIC
    from .._lazy import exports as _exports

    __all__, __getattr__, __dir__ = _exports(
        globals(), [name for name, module in _PUBLIC.items() if module.startswith(f"{__name__}.")]
    )
