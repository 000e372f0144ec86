"""attrs validators for what we send: a ``ValidationError`` naming the field, before any I/O."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from enum import Enum
from typing import Any

import attrs

from .._codec.iso import COUNTRIES, CURRENCIES
from .._codec.signing import js_number
from .._exceptions import ValidationError

__all__ = ["amount", "check_path_id", "country_code", "currency_code", "non_empty"]
__all__ += ["check_with", "one_of", "optional_text", "path_id", "region_code"]
__all__ += ["check_params", "order_id", "order_id_text", "params"]

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
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError(
            f"must be a non-empty string when given, got {value!r}", field=attribute.name
        )


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


# -- order ids -----------------------------------------------------------------------------------


def order_id(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An optional ``order_id``: a string when given (a lookup compares it as one).

    ``order_id=123`` (an int from a spreadsheet or a DataFrame) would be stored by PayCombat, but
    every lookup compares strings, so that payout could never be found again.
    """
    if value is not None and not isinstance(value, str):
        raise ValidationError(
            f"must be a string, got {type(value).__name__} {value!r}: pass str(order_id) (lookups "
            "compare order ids as strings, so a number could never be found again)",
            field=attribute.name,
        )


def order_id_text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``order_id`` of a payout to create: a string when given, and not blank."""
    if type(value) is str and value and not value.isspace():  # the common case: one test
        return
    order_id(_, attribute, value)
    optional_text(_, attribute, value)


# -- nested request objects: a mapping given for a ``Params`` model ------------------------------


_Nested = tuple[str, type[Any], frozenset[str], bool]
"""A field of a ``Params`` class typed as another ``Params`` class: its name, that class, that
class's keys (see ``_Shape``) and whether that class has no such field itself (``Person``). A
valid dict there is checked without a call. (Plain tuples: they unpack fastest.)"""
_Shape = tuple[frozenset[str], tuple[_Nested, ...]]
"""What a mapping standing for a ``Params`` class may hold: its keys (the class's field names,
``extra`` included), and its fields typed as a ``Params`` class."""

_SHAPES: dict[type[Any], _Shape] = {}
"""Each ``Params`` class's ``_Shape``, made the first time a value is checked against it."""


def _shape(cls: type[Any]) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _make_shape(cls)
    return shape


def _make_shape(cls: type[Any]) -> _Shape:
    # Imported here: the models import this module, so it cannot import them at its top.
    from ._base import Params

    hints = typing.get_type_hints(cls)
    nested: list[_Nested] = []
    for field in attrs.fields(cls):
        hint = hints.get(field.name)
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        for member in typing.get_args(hint) if union else (hint,):
            if isinstance(member, type) and issubclass(member, Params):
                # (no Params class holds itself, not even deeper down: this recursion ends)
                inner_known, inner_nested = _shape(member)
                nested.append((field.name, member, inner_known, not inner_nested))
                break
    return frozenset(field.name for field in attrs.fields(cls)), tuple(nested)


def check_params(cls: type[Any], value: Any, path: str) -> None:
    """Check ``value``, given for a ``cls`` (a ``Params`` class) at ``path``, before it is sent.

    A mapping may hold only ``cls``'s field names as keys (``str``); what the SDK does not
    model goes under its ``extra`` key (merged into it when sent). A value for a field typed as a
    ``Params`` class must be that class or a mapping, checked the same way at any depth, and so
    are the mappings inside a ``cls`` object (``PayoutBeneficiaryParam(individual={...})``). A
    ``ValidationError`` names the dotted path of what is wrong
    (``payout_beneficiary_param.individual.firstname``) and the closest field name.

    Create Payout runs this on every call: a mapping costs a frozenset test of its keys and a
    look at each nested field; a valid dict for a class without nested fields (``individual``)
    costs no call.
    """
    if type(value) is dict or isinstance(value, Mapping):
        known, nested = _SHAPES.get(cls) or _shape(cls)
        if not known.issuperset(value):
            raise _unknown_key(cls, known, value, path)
        for name, inner, inner_known, inner_is_leaf in nested:
            item = value.get(name)
            if item is None or (
                inner_is_leaf and type(item) is dict and inner_known.issuperset(item)
            ):
                continue
            check_params(inner, item, f"{path}.{name}")
    elif isinstance(value, cls):
        for name, inner, _known, _leaf in _shape(type(value))[1]:
            item = getattr(value, name)
            if item is not None:
                check_params(inner, item, f"{path}.{name}")
    else:
        raise ValidationError(
            f"must be a {cls.__name__} or a dict, got {type(value).__name__}", field=path
        )


def check_request_params(
    cls: type[Any], instance: Any, attribute: attrs.Attribute[Any], value: Any
) -> None:
    """``check_params`` for a request field, then the field holds what will be sent: a mapping
    whose ``extra`` (at any depth) is merged into it, as a ``cls`` object's ``extra`` is.

    The request is frozen, so the merged copy is set as attrs' own ``__init__`` sets fields.
    """
    check_params(cls, value, attribute.name)
    merged = merge_extra(cls, value)
    if merged is not value:
        object.__setattr__(instance, attribute.name, merged)


def merge_extra(cls: type[Any], value: Any) -> Any:
    """A mapping given for ``cls`` as it is sent: its ``extra`` merged into it (a modelled key
    wins, as for a model's ``extra``), in nested mappings too; ``value`` itself when there is
    nothing to merge (the common case: no copy)."""
    if not (type(value) is dict or isinstance(value, Mapping)):
        return value
    merged: dict[str, Any] | None = None
    for name, inner, _known, _leaf in _shape(cls)[1]:
        item = value.get(name)
        flat = merge_extra(inner, item) if item is not None else item
        if flat is not item:
            merged = merged if merged is not None else dict(value)
            merged[name] = flat
    extra = value.get("extra")
    if extra is not None:
        merged = merged if merged is not None else dict(value)
        del merged["extra"]
        for key, item in extra.items():
            merged.setdefault(key, item)
    return value if merged is None else merged


def _unknown_key(
    cls: type[Any], known: frozenset[str], value: Mapping[Any, Any], path: str
) -> ValidationError:
    """The error for the first key of ``value`` that a ``cls`` does not have."""
    for key in value:
        if not isinstance(key, str):
            # An enum member or a number: a JSON key is a name. (A str enum member is a str: it
            # equals and hashes as its value, and is sent as it.)
            text = str(key.value) if isinstance(key, Enum) else str(key)
            return ValidationError(
                f"a key must be a str field name of {cls.__name__}, got {key!r} "
                f"({type(key).__name__}); use {text!r}",
                field=f"{path}.{text}",
            )
        if key not in known:
            name = str.__str__(key)  # the text of a str subclass (a str enum member) too
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            return ValidationError(
                f"unknown field {name!r} of {cls.__name__}; {hint}(a field the SDK does not "
                "model goes under the 'extra' key)",
                field=f"{path}.{name}",
            )
    raise AssertionError("no unknown key")  # pragma: no cover - only called when there is one


def params(cls: type[Any]) -> Any:
    """Validator of an optional request field that takes a ``cls`` or a mapping standing for one
    (see ``check_params``)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            check_request_params(cls, instance, attribute, value)

    return check
