"""Every resource, and the client attributes that hold them (shared by both clients).

A resource's module (and with it its models) is imported the first time a client's attribute
for it is read, in the reading thread: ``client.payouts`` costs nothing until it is used, and a
program that never touches checkouts never builds their classes. ``OPERATIONS`` imports every
resource module the first time it is asked for something it does not hold yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic

from .._core.lifecycle import OneProcess
from .._lazy import LazyExports
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

if TYPE_CHECKING:
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
    "DECLARED",
    "OPERATIONS",
    "AsyncMode",
    "AsyncRawMode",
    "BlockingMode",
    "BlockingRawMode",
    "ClientResources",
    "Slot",
    "resource_classes",
]

DECLARED: tuple[tuple[str, str, str], ...] = (
    ("beneficiaries", ".beneficiaries", "Beneficiaries"),
    ("checkouts", ".checkouts", "Checkouts"),
    ("customers", ".customers", "Customers"),
    ("master_data", ".master_data", "MasterData"),
    ("merchant", ".merchant", "Merchant"),
    ("payin_methods", ".methods", "PayinMethods"),
    ("payout_methods", ".methods", "PayoutMethods"),
    ("payment_methods", ".methods", "PaymentMethods"),
    ("payins", ".payins", "Payins"),
    ("payouts", ".payouts", "Payouts"),
    ("transactions", ".transactions", "Transactions"),
    ("wallets", ".wallets", "Wallets"),
)
"""Every resource: ``(client attribute, module, class)``, in the order ``OPERATIONS`` lists them."""


_CLASSES = LazyExports(__name__, {}, {name: module for _, module, name in DECLARED})


def resource_classes() -> tuple[type[Resource[Any]], ...]:
    """Every resource class (importing every resource module)."""
    return tuple(_CLASSES.load(name) for _, _, name in DECLARED)


OPERATIONS.complete_with(resource_classes, order=[attribute for attribute, _, _ in DECLARED])


class Slot:
    """``client.payouts``: the resource, created on first read on the client's transport.

    As ``help(PayCombat)`` lists it, a data descriptor with the resource's docstring. The
    resource object itself lives in the client's ``__dict__``.
    """

    def __init__(self, name: str, resource: type[Resource[Any]] | str) -> None:
        self.name = name
        self._resource = resource  # the class, or its name in ``DECLARED`` until first read

    @property
    def resource(self) -> type[Resource[Any]]:
        """The resource class (its module imported now if need be)."""
        resource = self._resource
        if isinstance(resource, str):
            resource = self._resource = _CLASSES.load(resource)
        return resource

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]  # what help() shows
        return self.resource.__doc__

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        found = instance.__dict__.get(self.name)
        if found is None:
            transport: Transport = instance.__dict__["_resource_transport"]
            created = transport.resource_class(self.resource)(transport)
            # Two threads reading it first at once: both get the one that was stored first.
            found = instance.__dict__.setdefault(self.name, created)
        return found

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
        """Serve every resource on ``transport`` (each one is created when first read)."""
        self.__dict__["_resource_transport"] = transport


for _attribute, _, _name in DECLARED:
    setattr(ClientResources, _attribute, Slot(_attribute, _name))
