"""The people and companies behind customers and beneficiaries: one shape for both.

PayCombat (forwarding Finmo) describes an individual customer, an individual beneficiary and a
company's authorised user with the same fields, and companies alike. Unset fields are omitted
when sent; in Update Customer an empty string clears a field and ``None`` leaves it unchanged.
Values are kept as sent when read (no validation on what PayCombat answers); the requests that
take a ``Person`` or ``Company`` check their country codes before anything is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from .._exceptions import ValidationError
from . import _validation as _v
from ._base import Params

__all__ = ["Company", "Person"]


@attrs.frozen(kw_only=True)
class _Address(Params):
    address_line1: str | None = None
    address_line2: str | None = None
    address_city: str | None = None
    address_state: str | None = None
    address_zip_code: str | None = None
    address_country: str | None = None
    """ISO 3166-1 alpha-2 code, e.g. ``"AU"``."""
    phone_country_code: str | None = None
    phone_number: str | None = None


@attrs.frozen(kw_only=True)
class Person(_Address):
    """A natural person: an individual customer or beneficiary, or a company's authorised user.

    (``CustomerIndividual``, ``BeneficiaryIndividual`` and ``BeneficiaryIndividualParam`` are
    this class under its former names.)
    """

    first_name: str | None = None
    last_name: str | None = None
    dob: dt.date | None = None
    """Date of birth, sent as ``YYYY-MM-DD``."""
    email: str | None = None
    identification_type: str | None = None
    identification_value: str | None = None
    country_of_residence: str | None = None
    nationality: str | None = None


@attrs.frozen(kw_only=True)
class Company(_Address):
    """A company customer or beneficiary.

    (``CustomerCompany``, ``BeneficiaryCompany`` and ``BeneficiaryCompanyParam`` are this class
    under its former names.)
    """

    name: str | None = None
    registration_number: str | None = None
    incorporation_country: str | None = None
    """ISO 3166-1 alpha-2 code of the country of incorporation."""
    company_email: str | None = None
    authorized_user: Person | None = None
    """The person acting for the company (customers)."""


COUNTRY_FIELDS = ("address_country", "country_of_residence", "nationality", "incorporation_country")


def party_field(name: str, value: Any) -> Any:
    """A field of a ``Person``/``Company`` or of the dict given in its place."""
    if isinstance(value, Mapping):
        return value.get(name)
    found = getattr(value, name, None)
    return value.extra.get(name) if found is None else found


def party(cls: type[Params]) -> Any:
    """Validator of a request field taking ``cls`` or a dict: its type, its keys (see
    ``_validation.check_params``) and its country codes."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, (cls, Mapping)):
            raise ValidationError(
                f"must be a {cls.__name__} or a dict, got {type(value).__name__}",
                field=attribute.name,
            )
        _v.check_request_params(cls, instance, attribute, value)
        for name in COUNTRY_FIELDS:
            code = party_field(name, value)
            if code:  # "" clears the field in an update
                _v.check_with(_v.country_code, f"{attribute.name}.{name}", code)

    return check
