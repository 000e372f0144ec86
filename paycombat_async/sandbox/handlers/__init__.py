"""Sandbox handlers by API group; each module exports ``HANDLERS`` keyed by operation key.

The server takes them all from here, with what a handler is given and answers (``Call``,
``Reply``, ``Handler``).
"""

from __future__ import annotations

from ._common import Arrival, Call, Handler, Reply
from .beneficiaries import HANDLERS as _BENEFICIARIES
from .checkouts import HANDLERS as _CHECKOUTS
from .customers import HANDLERS as _CUSTOMERS
from .methods import HANDLERS as _METHODS
from .payins import HANDLERS as _PAYINS
from .payouts import ARRIVALS as _PAYOUT_ARRIVALS
from .payouts import HANDLERS as _PAYOUTS
from .transactions import HANDLERS as _TRANSACTIONS
from .wallets import HANDLERS as _WALLETS

__all__ = ["ALL_ARRIVALS", "ALL_HANDLERS", "Arrival", "Call", "Handler", "Reply"]

ALL_HANDLERS: dict[str, Handler] = {
    **_BENEFICIARIES,
    **_CHECKOUTS,
    **_CUSTOMERS,
    **_METHODS,
    **_PAYINS,
    **_PAYOUTS,
    **_TRANSACTIONS,
    **_WALLETS,
}

ALL_ARRIVALS: dict[str, Arrival] = {**_PAYOUT_ARRIVALS}
