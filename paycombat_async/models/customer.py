"""Customer models: the end customers (individuals or companies) payins and wallets belong to.

PayCombat passes Finmo's customer objects through (ids ``customer_<hex>``, organisations
``org_<hex>``). The nested person and company objects are the same in requests and responses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from .._exceptions import ValidationError
from . import _validation as _v
from ._base import PATH, Model, OpenEnum, PageRequest, Request
from .party import Company, Person, party, party_field

__all__ = [
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
]


class CustomerType(OpenEnum):
    """Whether a customer is a natural person or a company."""

    INDIVIDUAL = "individual"
    COMPANY = "company"


class GcaActivationStatus(OpenEnum):
    """Where the customer's global currency account activation stands (only one value seen)."""

    NOT_STARTED = "NOT_STARTED"


CustomerIndividual = Person
"""Former name of ``Person`` (kept so existing code runs)."""
CustomerCompany = Company
"""Former name of ``Company`` (kept so existing code runs)."""


@attrs.frozen(kw_only=True)
class Customer(Model):
    """A customer as PayCombat returns it (Get Detail Customer by Id, Create/Update/Enable/Disable).

    ``is_deleted`` is Finmo's soft-delete flag (inferred from its ``include_deleted`` filter); it is
    not in PayCombat's documented field list.
    """

    customer_id: str
    org_id: str | None = None
    type: CustomerType | str | None = None
    description: str | None = None
    webhook_url: str | None = None
    metadata: dict[str, Any] | None = None
    is_active: bool | None = None
    is_wallet_ready: bool | None = None
    organization_reference_id: str | None = None
    is_gca_enabled: bool | None = None
    gca_activation_status: GcaActivationStatus | str | None = None
    gca_activated_at: dt.datetime | None = None
    is_sender_validation_enabled: bool | None = None
    payin_sender_id_list: list[Any] | None = None
    company_domain: str | None = None
    individual: Person | None = None
    company: Company | None = None
    is_deleted: bool | None = None
    created_by: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class WalletReadiness(Model):
    """Check Is Customer Wallet Ready: whether a wallet can be issued, and what is missing.

    ``is_wallet_ready`` false with an empty ``missing_field`` means the customer is disabled.
    """

    is_wallet_ready: bool | None = None
    missing_field: list[str] | None = None
    """Names of the customer fields still needed, e.g. ``"individual.dob"``."""


# The fields each customer type must carry (PayCombat docs: Create Customer, "required when sent").
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    CustomerType.INDIVIDUAL.value: ("first_name", "last_name", "address_country"),
    CustomerType.COMPANY.value: (
        "name",
        "registration_number",
        "incorporation_country",
        "address_country",
    ),
}


def _customer_type(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None and attribute.default is None:
        return
    # str(): a str-Enum member hashes by its name, so look its value up instead.
    if not isinstance(value, str) or str(value) not in REQUIRED_FIELDS:
        raise ValidationError(
            f"must be one of {sorted(REQUIRED_FIELDS)} (CustomerType), got {value!r}",
            field=attribute.name,
        )


CustomerTypeName = Literal["individual", "company"]
"""A customer type as an argument takes it (a ``CustomerType`` member works too)."""


@attrs.frozen(kw_only=True)
class _CustomerDetails(Request):
    """The fields Create and Update Customer share, all optional here."""

    description: str | None = None
    type: CustomerTypeName | CustomerType | None = attrs.field(
        default=None, validator=_customer_type
    )
    individual: Person | Mapping[str, Any] | None = attrs.field(
        default=None, validator=party(Person)
    )
    company: Company | Mapping[str, Any] | None = attrs.field(
        default=None, validator=party(Company)
    )
    organization_reference_id: str | None = None
    metadata: dict[str, Any] | None = None
    extra: Mapping[str, Any] | None = None
    """Body fields the SDK does not model, sent as they are (never overriding the above)."""


@attrs.frozen(kw_only=True)
class CreateCustomerRequest(_CustomerDetails):
    """The body of Create Customer, validated on construction.

    An ``individual`` customer needs ``individual`` with ``first_name``, ``last_name`` and
    ``address_country``; a ``company`` customer needs ``company`` with ``name``,
    ``registration_number``, ``incorporation_country`` and ``address_country``.
    """

    description: str = attrs.field(validator=_v.non_empty)
    type: CustomerTypeName | CustomerType = attrs.field(validator=_customer_type)

    def __attrs_post_init__(self) -> None:
        kind = str(self.type)
        holder = self.individual if kind == CustomerType.INDIVIDUAL else self.company
        if holder is None:
            raise ValidationError(f"is required for {kind} customers", field=kind)
        for name in REQUIRED_FIELDS[kind]:
            value = party_field(name, holder)
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"is required for {kind} customers", field=f"{kind}.{name}")


@attrs.frozen
class UpdateCustomerRequest(_CustomerDetails):
    """The body of Update Customer: ``customer_id`` and only the fields to change."""

    customer_id: str = attrs.field(validator=_v.non_empty)

    def __attrs_post_init__(self) -> None:
        changes = [
            a.name for a in attrs.fields(type(self)) if a.name not in ("customer_id", "extra")
        ]
        if all(getattr(self, name) is None for name in changes) and not self.extra:
            raise ValidationError("nothing to update: pass at least one field", field="customer_id")


@attrs.frozen(kw_only=True)
class ListCustomersRequest(PageRequest):
    """The filters of Get All Customer (after ``page`` and ``limit``)."""

    type: CustomerTypeName | CustomerType | None = attrs.field(
        default=None, validator=_customer_type
    )
    include_deleted: bool | None = None
    """Also list deleted customers."""


@attrs.frozen
class CustomerIdRequest(Request):
    """One customer, by its ``customer_<hex>`` id (in the path)."""

    customer_id: str = attrs.field(validator=_v.path_id, metadata=PATH)
