"""Every resource, and the client attributes that hold them (shared by both clients)."""

from __future__ import annotations

from typing import Any, Generic

from .._lifecycle import OneProcess
from ._base import (
    OPERATIONS,
    AsyncMode,
    AsyncRawMode,
    BlockingMode,
    BlockingRawMode,
    M,
    Resource,
    Transport,
)
from .beneficiaries import Beneficiaries
from .checkouts import Checkouts
from .customers import Customers
from .master_data import MasterData
from .merchant import Merchant
from .methods import PayinMethods, PaymentMethods, PayoutMethods
from .payins import Payins
from .payouts import Payouts
from .transactions import Transactions
from .wallets import Wallets

__all__ = [
    "OPERATIONS",
    "RESOURCES",
    "AsyncMode",
    "AsyncRawMode",
    "BlockingMode",
    "BlockingRawMode",
    "ClientResources",
]

RESOURCES: tuple[type[Resource[Any]], ...] = (
    MasterData,
    PayinMethods,
    PayoutMethods,
    PaymentMethods,
    Beneficiaries,
    Payins,
    Payouts,
    Checkouts,
    Transactions,
    Wallets,
    Customers,
    Merchant,
)
"""Every resource class; each one is ``client.<its client_attribute>`` on both clients."""


class _Slot:
    """``client.payouts`` as ``help(PayCombat)`` lists it: a data descriptor with the resource's
    docstring. The resource object itself lives in the client's ``__dict__``."""

    def __init__(self, resource: type[Resource[Any]]) -> None:
        self.name = resource.client_attribute
        self.__doc__ = resource.__doc__

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        try:
            return instance.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, instance: object, value: Any) -> None:
        instance.__dict__[self.name] = value


class ClientResources(OneProcess, Generic[M]):
    """The resources of a client, in its mode: ``PayCombat`` (async) and its blocking twin."""

    master_data: MasterData[M]
    payin_methods: PayinMethods[M]
    payout_methods: PayoutMethods[M]
    payment_methods: PaymentMethods[M]
    beneficiaries: Beneficiaries[M]
    payins: Payins[M]
    payouts: Payouts[M]
    checkouts: Checkouts[M]
    transactions: Transactions[M]
    wallets: Wallets[M]
    customers: Customers[M]
    merchant: Merchant[M]

    def _attach(self, transport: Transport) -> None:
        """Create every resource on ``transport``."""
        for resource in RESOURCES:
            setattr(self, resource.client_attribute, transport.resource_class(resource)(transport))


for _resource in RESOURCES:
    setattr(ClientResources, _resource.client_attribute, _Slot(_resource))
