"""The one cattrs converter the SDK owns, and its hooks.

Lenient inbound (amounts as number or string, ISO or epoch timestamps, unknown enum values kept as
str, unknown fields kept in ``extra``); exact outbound (``Decimal`` stays ``Decimal`` so the signer
prints it as JavaScript would; unset request fields are omitted).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar, Union

import attrs
from cattrs import Converter
from cattrs.gen import make_dict_unstructure_fn, override

from ._exceptions import ValidationError
from .models._base import Model

__all__ = ["converter", "format_datetime", "structure", "unstructure"]

T = TypeVar("T")

converter = Converter(detailed_validation=False)


def _structure_decimal(value: Any, _: Any) -> Decimal:
    kind = type(value)
    if kind is int:  # exact and finite: the common case of a whole amount
        return Decimal(value)
    if kind is float and value - value == 0:  # finite: repr() is its shortest exact digits
        return Decimal(repr(value))
    if kind is bool or not isinstance(value, (int, float, str, Decimal)):
        raise TypeError(f"expected an amount, got {type(value).__name__}")
    try:
        # str() first: Decimal(0.1) would carry the binary float's noise into the amount.
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{str(value)[:40]!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{str(value)[:40]!r} is not a finite amount")
    return amount


def _structure_str(value: Any, _: Any) -> str:
    # Lenient for an id or code sent as a number; a null, an object or a list is not a string.
    if type(value) is str:
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


_fromisoformat = dt.datetime.fromisoformat  # bound once: each lookup makes a method object


def _structure_datetime(value: Any, _: Any) -> dt.datetime:
    if type(value) is str:
        try:  # the common case, in C (Python 3.11+ reads the trailing Z itself)
            parsed = _fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value  # epoch milliseconds or seconds
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    else:
        raise TypeError(f"expected a timestamp, got {type(value).__name__}")
    # PayCombat timestamps are UTC; a naive one is read as UTC rather than as local time.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    """A timestamp as JavaScript's ``Date.toJSON`` writes it: UTC, milliseconds, ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _structure_date(value: Any, _: Any) -> dt.date:
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
    raise TypeError(f"expected a date, got {type(value).__name__}")


converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_structure_hook(str, _structure_str)
converter.register_unstructure_hook(Decimal, lambda value: value)
converter.register_structure_hook(dt.datetime, _structure_datetime)
converter.register_unstructure_hook(dt.datetime, format_datetime)
converter.register_structure_hook(dt.date, _structure_date)
converter.register_unstructure_hook(dt.date, lambda value: value.isoformat())
converter.register_structure_hook(Any, lambda value, _: value)

_AS_IS = frozenset({str, int, float, bool, type(None), Decimal})
"""Values that unstructure to themselves: a dict or list of them is copied without a hook call
per item (a beneficiary given as a plain dict, for instance)."""


def _unstructure_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    # A loop, not a comprehension: on Python 3.11 that is one function object less per dict.
    out = {}
    for k, v in value.items():
        out[k if type(k) is str else converter.unstructure(k)] = (
            v if type(v) in _AS_IS else converter.unstructure(v)
        )
    return out


def _unstructure_list(value: list[Any]) -> list[Any]:
    return [v if type(v) in _AS_IS else converter.unstructure(v) for v in value]


converter.register_unstructure_hook(dict, _unstructure_dict)
converter.register_unstructure_hook(list, _unstructure_list)


def _union_args(tp: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(tp)
    return ()


def _is_open_enum(tp: Any) -> bool:
    args = _union_args(tp)
    members = [a for a in args if a is not type(None)]
    return (
        str in members
        and len(members) == 2
        and any(isinstance(a, type) and issubclass(a, Enum) for a in members)
    )


def _enum_in(tp: Any) -> type[Enum]:
    """The enum class of an open enum's union."""
    found: type[Enum] = next(
        a for a in _union_args(tp) if isinstance(a, type) and issubclass(a, Enum)
    )
    return found


def _open_enum_hook(tp: Any) -> Any:
    enum_cls = _enum_in(tp)
    nullable = type(None) in _union_args(tp)
    members = enum_cls._value2member_map_  # a dict lookup: cheaper than calling the enum

    def structure(value: Any, _: Any) -> Any:
        if value is None and nullable:
            return None
        try:
            member = members.get(value)
        except TypeError:  # unhashable: not a member
            member = None
        if member is not None:
            return member
        try:
            return enum_cls(value)
        except ValueError:
            return str(value)  # a status this SDK version does not know yet: keep it, do not fail

    return structure


converter.register_structure_hook_factory(_is_open_enum, _open_enum_hook)


def _is_optional(tp: Any) -> bool:
    args = _union_args(tp)
    return type(None) in args and len(args) == 2 and not _is_open_enum(tp)


_BLANK_IS_NONE = (dt.date, dt.datetime, Decimal)
"""PayCombat clears a field by sending "" (Update Customer); for a date or an amount that means
"no value", not a malformed response."""


def _optional_hook(tp: Any) -> Any:
    inner = next(a for a in _union_args(tp) if a is not type(None))
    if inner is Any:
        return lambda value, _: value
    if inner is str:  # the most common field type: skip the inner hook for what is already str
        return lambda value, _: (
            value if value is None or type(value) is str else _structure_str(value, str)
        )
    structure_inner = converter.get_structure_hook(inner)
    blank_is_none = inner in _BLANK_IS_NONE

    def structure(value: Any, _: Any) -> Any:
        if value is None or (blank_is_none and value == ""):
            return None
        return structure_inner(value, inner)

    return structure


converter.register_structure_hook_factory(_is_optional, _optional_hook)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp) and issubclass(tp, Model)


def _compile_structure(cls: type[Model]) -> Callable[[dict[str, Any], dict[str, Any]], Model]:
    """``structure(data, fields)``: ``cls`` built from the known keys of ``data``, plus ``fields``.

    What cattrs' ``make_dict_structure_fn`` generates, with the common shapes written inline:
    responses are mostly optional strings, and a hook call per field made structuring a
    ``Payout`` a fifth of a whole Retrieve Payout call (``benchmarks/PROFILE.md``). An optional
    ``str`` or ``Any`` field costs a dict lookup; a known member of an open enum, one more; an
    optional field of another type, its inner type's hook on a value that is not null (or
    blank, where ``_optional_hook`` reads blank as null); any other field goes through its hook
    as cattrs would call it, in field order.
    """
    hints = typing.get_type_hints(cls)
    names: dict[str, Any] = {"cls": cls, "as_str": _structure_str}
    keywords: list[str] = []  # the constructor's arguments, one expression each
    body = ["def structure(o, fields):"]
    for index, field in enumerate(attrs.fields(cls)):
        if field.name == "extra" or not field.init:
            continue
        tp, key, arg = hints[field.name], repr(field.name), field.alias
        optional = field.default is None and (tp is Any or type(None) in _union_args(tp))
        if optional:
            keywords.append(f"{arg}={_optional_value(tp, key, index, names)}")
            continue
        hook = names[f"hook{index}"] = converter.get_structure_hook(tp)
        names[f"type{index}"] = tp
        if field.default is not attrs.NOTHING:  # attrs supplies the default when the key is absent
            body += [
                f"    if {key} in o:",
                f"        fields[{arg!r}] = hook{index}(o[{key}], type{index})",
            ]
        elif hook is _structure_str:  # required: a missing key is a KeyError, as in cattrs
            keywords.append(f"{arg}=v if type(v := o[{key}]) is str else as_str(v, str)")
        else:
            keywords.append(f"{arg}=hook{index}(o[{key}], type{index})")
    body += ["    return cls(", *(f"        {k}," for k in keywords), "        **fields,", "    )"]
    source = "\n".join(body)
    exec(compile(source, f"<structure {cls.__qualname__}>", "exec"), names)  # noqa: S102
    built: Callable[[dict[str, Any], dict[str, Any]], Model] = names["structure"]
    return built


def _optional_value(tp: Any, key: str, index: int, names: dict[str, Any]) -> str:
    """The expression for an optional field (``X | None = None``), as its hook would structure
    it; ``names`` receives what the expression refers to. ``o.get`` is called, not bound once:
    binding it would be one more object for the garbage collector per structured object."""
    value = f"o.get({key})"
    if tp is Any:
        return value
    if tp == str | None:  # a number where a string belongs is taken, as _structure_str does
        return f"v if (v := {value}) is None or type(v) is str else as_str(v, str)"
    call = f"hook{index}(v, type{index})"
    if _is_optional(tp):  # ``_optional_hook``'s work, without its call
        inner = next(a for a in _union_args(tp) if a is not type(None))
        names[f"hook{index}"], names[f"type{index}"] = converter.get_structure_hook(inner), inner
        blank = ' or v == ""' if inner in _BLANK_IS_NONE else ""
        return f"None if (v := {value}) is None{blank} else {call}"
    names[f"hook{index}"], names[f"type{index}"] = converter.get_structure_hook(tp), tp
    if _is_open_enum(tp):  # a known member by one lookup; the hook decides the rest
        names[f"members{index}"] = _enum_in(tp)._value2member_map_
        known = f"(m := members{index}.get(v)) is not None"
        return f"None if (v := {value}) is None else m if type(v) is str and {known} else {call}"
    return f"None if (v := {value}) is None else {call}"


def _model_structure_hook(cls: type[Model]) -> Any:
    known = frozenset(a.name for a in attrs.fields(cls)) - {"extra"}
    build = _compile_structure(cls)

    def structure(data: Any, _: Any) -> Model:
        if isinstance(data, Model):
            return data
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {cls.__name__}, got {type(data).__name__}")
        if known.issuperset(data):  # the common case: nothing to keep in ``extra``
            return build(data, {})
        return build(data, {"extra": _unknown(data, known)})

    return structure


def _unknown(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    # Not inline in the hook: its comprehension would make ``data`` a cell on every call.
    return {k: data[k] for k in data.keys() - known}


def _model_unstructure_hook(cls: type[Model]) -> Any:
    dump = make_dict_unstructure_fn(
        cls, converter, extra=override(omit=True), _cattrs_omit_if_default=False
    )
    names = [a.name for a in attrs.fields(cls) if a.name != "extra"]

    def unstructure(obj: Model) -> dict[str, Any]:
        out: dict[str, Any] = dump(obj)
        if cls.omit_unset:
            out = {k: v for k, v in out.items() if v is not None}
        for key, value in obj.extra.items():
            if key not in names:
                out[key] = converter.unstructure(value)
        return out

    return unstructure


converter.register_structure_hook_factory(_is_model, _model_structure_hook)
converter.register_unstructure_hook_factory(_is_model, _model_unstructure_hook)


def structure(data: Any, cls: type[T]) -> T:
    """Structure JSON data into ``cls`` with the SDK's converter."""
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """Unstructure a model (or a dict/list holding models) into plain JSON-ready data.

    Raises ``ValidationError`` for a value that contains itself (it could never be sent).
    """
    try:
        return converter.unstructure(obj)
    except RecursionError:
        raise ValidationError("a request value contains itself, or nests too deeply") from None
