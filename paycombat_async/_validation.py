"""attrs validators for what we send: a ``ValidationError`` naming the field, before any I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

import attrs

from ._exceptions import ValidationError
from ._iso import COUNTRIES, CURRENCIES
from ._signing import js_number

__all__ = ["amount", "check_path_id", "country_code", "currency_code", "non_empty"]
__all__ += ["check_with", "one_of", "optional_text", "path_id", "region_code"]

_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_REGIONS = frozenset({"EU"})  # checkout country_code: "EU" for EUR methods (PayCombat docs)
_DOT_SEGMENTS = (".", "..")
_EXACT_BELOW_ADJUSTED = 13  # amounts below 10**13 with 2 decimals have at most 15 digits
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])
"""Rounds an amount to cents with no digit lost above them and no signal raised, whatever the
caller's own decimal context: a cheaper test of "at most 2 decimals" than ``normalize()``."""


def amount(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A positive amount in major units with at most 2 decimal places, as ``Decimal`` or ``int``."""
    if value is None:
        return
    number = value
    if type(value) is not Decimal:
        if isinstance(value, float):
            raise ValidationError(
                f"got the float {value!r}; pass amounts as Decimal (e.g. Decimal('12.50')) so "
                "no binary rounding reaches a payment",
                field=attribute.name,
            )
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise ValidationError(
                f"expected a Decimal or int amount, got {type(value).__name__}",
                field=attribute.name,
            )
        number = Decimal(value)
    if not number.is_finite() or number <= _ZERO:
        raise ValidationError(f"must be a positive amount, got {value}", field=attribute.name)
    if number.adjusted() < _EXACT_BELOW_ADJUSTED:  # the common case, checked by one quantize
        # (arguments by position: C methods parse keywords at twice the cost of the quantize)
        if number.quantize(_CENT, None, _EXACT) != number:
            raise _too_precise(value, attribute)
        return
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise _too_precise(value, attribute)
    # Up to 15 significant digits always survive the trip through a double (DBL_DIG); only
    # larger amounts need the exact check.
    try:
        js_number(number)
    except ValueError as exc:
        raise ValidationError(str(exc), field=attribute.name) from None


def _too_precise(value: Any, attribute: attrs.Attribute[Any]) -> ValidationError:
    return ValidationError(
        f"has more than 2 decimal places ({value}); PayCombat amounts are major units "
        "with at most 2 decimals",
        field=attribute.name,
    )


def _pattern(
    regex: re.Pattern[str], what: str, example: str, known: frozenset[str] | None = None
) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if known is not None and type(value) is str and value in known:
            return  # every known code has the pattern's shape
        if not isinstance(value, str) or not regex.fullmatch(value):
            raise ValidationError(
                f"must be an upper-case {what} such as {example!r}, got {value!r}",
                field=attribute.name,
            )
        if known is not None and value not in known:
            raise ValidationError(f"{value!r} is not an {what}", field=attribute.name)

    return check


currency_code = _pattern(_CURRENCY, "ISO 4217 currency code", "AUD", CURRENCIES)
country_code = _pattern(_COUNTRY, "ISO 3166-1 alpha-2 country code", "AU", COUNTRIES)
region_code = _pattern(_COUNTRY, "ISO 3166-1 alpha-2 country code", "AU", COUNTRIES | _REGIONS)
"""A country code, or ``"EU"`` (the region of EUR payment methods)."""


def optional_text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An optional string: absent (None) or not blank."""
    if value is not None:
        non_empty(_, attribute, value)


def path_id(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An id that goes into a URL path (see ``check_path_id``)."""
    check_path_id(attribute.name, value)


def one_of(values: Iterable[Any]) -> Any:
    """An optional argument from a closed set (an enum's values, or strings)."""
    allowed = [str(getattr(v, "value", v)) for v in values]

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and str(getattr(value, "value", value)) not in allowed:
            raise ValidationError(f"must be one of {allowed}, got {value!r}", field=attribute.name)

    return check


def non_empty(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A required string: present and not blank."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"is required and must be a non-empty string, got {value!r}", field=attribute.name
        )


@attrs.frozen
class _Named:
    """Just enough of an ``attrs.Attribute`` for a validator's message: its name."""

    name: str


def check_with(validator: Any, field: str, value: Any) -> None:
    """Run an attrs validator on a value that is not an attrs field (a nested dict's entry)."""
    validator(None, _Named(field), value)


def check_path_id(name: str, value: Any) -> str:
    """An id that goes into a URL path segment.

    A blank id, or a dot segment (``.``, ``..``) that URL normalisation resolves, would send the
    signed request to another route, so both are refused.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"must be a non-empty string, got {value!r}", field=name)
    if value in _DOT_SEGMENTS:
        raise ValidationError(f"{value!r} is not an id (it is a URL dot segment)", field=name)
    return value
