"""The one cattrs converter the SDK owns, and its hooks.

Lenient inbound (amounts as number or string, ISO or epoch timestamps, unknown enum values kept as
str, unknown fields kept in ``extra``); exact outbound (``Decimal`` stays ``Decimal`` so the signer
prints it as JavaScript would; unset request fields are omitted).

``json_converter`` is the one other converter: it unstructures models for ``Model.to_dict``, into
what ``json.dumps`` takes as it is (amounts as decimal strings, timestamps as ISO 8601 strings).
It only unstructures; ``Model.from_dict`` structures with ``converter``, as responses are read.

A model is any ``Record`` (``_record``): ``Model`` is one that calls this module for its
``to_dict``/``from_dict``, so it is defined above this module (``_base``), not below it.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum, IntEnum, StrEnum
from typing import Any, TypeVar, Union

import attrs
from cattrs import Converter
from cattrs.gen import make_dict_unstructure_fn, override

from .._exceptions import ValidationError
from ._record import Record, frozen

__all__ = [
    "converter",
    "format_datetime",
    "json_converter",
    "structure",
    "to_json_ready",
    "unstructure",
]

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


def _container_hooks(
    conv: Converter, as_is: frozenset[object]
) -> tuple[Callable[[Mapping[Any, Any]], dict[Any, Any]], Callable[[Iterable[Any]], list[Any]]]:
    """``conv``'s hooks for dicts and lists: an item of an ``as_is`` type is copied as it is,
    any other is unstructured by ``conv`` (both converters use them, each with its own types)."""
    unstructure = conv.unstructure

    def unstructure_dict(value: Mapping[Any, Any]) -> dict[Any, Any]:
        return {
            k if type(k) is str else unstructure(k): v if type(v) in as_is else unstructure(v)
            for k, v in value.items()
        }

    def unstructure_list(value: Iterable[Any]) -> list[Any]:
        return [v if type(v) in as_is else unstructure(v) for v in value]

    return unstructure_dict, unstructure_list


_unstructure_dict, _unstructure_list = _container_hooks(converter, _AS_IS)
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
    return isinstance(tp, type) and attrs.has(tp) and issubclass(tp, Record)


_SHARED = {  # what any compiled structure function may refer to
    "as_str": _structure_str,
    "fromisoformat": _fromisoformat,
    "UTC": dt.UTC,
    "Decimal": Decimal,
}


def _compile_structure(cls: type[Record]) -> Callable[[Any, Any], Record]:
    """The structure hook of a model class: Python source written for ``cls``, compiled once.

    What cattrs' ``make_dict_structure_fn`` generates, made cheaper for the shapes responses
    have: structuring a ``Payout`` was two thirds of the SDK's own cost on a read
    (``benchmarks/PERFORMANCE.md``). Per field, a few statements read its key and convert the common
    wire values inline, without a call (see ``_conversion``); any other value goes to the
    field's hook, as cattrs would call it, so an odd value gives the same result or the same
    error. Fields with a default (other than an optional field's None) are converted first, then
    the others in field order, as before: a response with several bad fields still reports the
    same one.

    The object is built slot by slot when ``_builder`` can prove that ``cls(...)`` would build
    the same one (attrs' frozen ``__init__``, 31 keyword arguments and a method call per field,
    was 1.8 us of the 4.9 us a ``Payout`` took); otherwise the values go to ``cls(...)``.
    """
    hints = typing.get_type_hints(cls)
    builder = _builder(cls)
    extra = attrs.fields(cls).extra
    names: dict[str, Any] = {
        **_SHARED,
        "cls": cls,
        "builder": builder,
        "new": object.__new__,
        "Record": Record,
        "not_an_object": _not_an_object,
        "known": frozenset(a.name for a in attrs.fields(cls)) - {"extra"},
        "unknown": _unknown,
        # ``extra``'s converter, for the compiled function to apply as attrs' ``__init__`` would
        # (``_builder`` checked that the default converts to itself)
        "frozen": extra.converter,
        "no_extra": extra.default,
    }
    body = [
        "def structure(o, _):",
        "    if type(o) is not dict:",
        "        if isinstance(o, Record):",
        "            return o",
        "        if not isinstance(o, dict):",
        "            raise not_an_object(o, cls)",
    ]
    if builder is not None:
        body += [
            "    obj = new(builder)",
            "    obj.extra = no_extra if known.issuperset(o) else frozen(unknown(o, known))",
        ]
    else:
        body.append('    fields = {} if known.issuperset(o) else {"extra": unknown(o, known)}')
    keywords = []  # for ``cls(...)``: each field's value, held in a local until the call
    fields = [f for f in attrs.fields(cls) if f.name != "extra" and f.init]
    kinds = {f.name: _field_kind(f, hints[f.name]) for f in fields}
    # a stable sort: the fields with a default first (see above), the others in field order
    for index, field in sorted(
        enumerate(fields), key=lambda item: kinds[item[1].name] != "default"
    ):
        tp, key, kind = hints[field.name], repr(field.name), kinds[field.name]
        store = f"obj.{field.name} = v" if builder is not None else f"f{index} = v"
        convert = _conversion(tp, index, names, null_read=kind == "optional")
        if kind == "optional":  # absent and null both read as None (the default), no hook asked
            body.append(f"    v = o.get({key})")
            body += ["    if v is not None:", *_indent(convert, 2)] if convert else []
        elif kind == "required":  # a missing key is a KeyError, as in cattrs
            body += [f"    v = o[{key}]", *_indent(convert, 1)]
        elif builder is None:  # left out of the call when absent: attrs supplies the default
            body += [f"    if {key} in o:", f"        v = o[{key}]", *_indent(convert, 2)]
            body.append(f"        fields[{field.alias!r}] = v")
            continue
        else:
            body += [f"    if {key} in o:", f"        v = o[{key}]", *_indent(convert, 2)]
            body += ["    else:", f"        v = {_default(field, index, names)}"]
        body.append(f"    {store}")
        keywords.append(f"{field.alias}=f{index}")
    if builder is not None:
        body += ["    obj.__class__ = cls", "    return obj"]
    else:
        body += [
            "    return cls(",
            *(f"        {k}," for k in keywords),
            "        **fields,",
            "    )",
        ]
    source = "\n".join(body)
    exec(compile(source, f"<structure {cls.__qualname__}>", "exec"), names)  # noqa: S102
    built: Callable[[Any, Any], Record] = names["structure"]
    return built


def _field_kind(field: attrs.Attribute[Any], tp: Any) -> str:
    """``optional`` (``X | None = None``: absent and null both read as None), ``required``, or
    ``default`` (any other default: read only if the key is there)."""
    if field.default is attrs.NOTHING:
        return "required"
    if field.default is None and (tp is Any or type(None) in _union_args(tp)):
        return "optional"
    return "default"


_FACTORY: type[Any] = type(attrs.Factory(list))
"""The class of a field's ``attrs.Factory`` default (attrs' stubs type the call as its value)."""


def _default(field: attrs.Attribute[Any], index: int, names: dict[str, Any]) -> str:
    """The expression for ``field``'s default, as attrs' ``__init__`` computes it."""
    default = field.default
    if isinstance(default, _FACTORY):
        names[f"default{index}"] = default.factory
        return f"default{index}()"
    names[f"default{index}"] = default
    return f"default{index}"


def _conversion(tp: Any, index: int, names: dict[str, Any], *, null_read: bool) -> list[str]:
    """Statements that turn the wire value in ``v`` into the field's value, as its hook would.

    What PayCombat sends most is converted inline, without a call: a ``str`` as it is, an ISO
    timestamp by ``fromisoformat`` (in C; Python 3.11 reads a trailing Z), a number as an
    amount, an enum value by one lookup. Anything else (a blank, a naive or odd timestamp, an
    epoch number, an amount as a string, a value of the wrong type) goes to the field's hook,
    which decides as before. ``null_read`` says that a null ``v`` never gets here (an optional
    field reads it as None itself). ``names`` receives what the statements refer to.
    """
    names[f"hook{index}"], names[f"type{index}"] = converter.get_structure_hook(tp), tp
    hook = f"v = hook{index}(v, type{index})"
    if tp is Any:
        return []
    inner = next(a for a in _union_args(tp) if a is not type(None)) if _is_optional(tp) else tp
    inner_hook = converter.get_structure_hook(inner)
    if inner_hook is _structure_str:  # a number where a string belongs is taken as a string
        return ["if type(v) is not str:", "    v = as_str(v, str)"]
    if inner_hook is _structure_datetime:
        return [
            "if type(v) is str:",
            "    try:",
            "        v = fromisoformat(v)",
            "    except ValueError:",  # v is still the string (blank, with a space, ...)
            f"        {hook}",
            "    else:",
            "        if v.tzinfo is None:  # naive: PayCombat's timestamps are UTC",
            "            v = v.replace(tzinfo=UTC)",
            "else:",
            f"    {hook}",
        ]
    if inner_hook is _structure_decimal:
        return [
            "if type(v) is int:",
            "    v = Decimal(v)",
            "elif type(v) is float and v - v == 0:  # finite: repr() has its shortest digits",
            "    v = Decimal(repr(v))",
            "else:",
            f"    {hook}",
        ]
    if _is_open_enum(tp) and _missing_of(_enum_in(tp)) is _missing_of(Enum):
        # With Enum's own ``_missing_``, the hook keeps a string that is no member's value as is.
        names[f"members{index}"] = _enum_in(tp)._value2member_map_
        return ["if type(v) is str:", f"    v = members{index}.get(v, v)", "else:", f"    {hook}"]
    if null_read and _is_optional(tp):  # ``_optional_hook``'s work, without its call
        names[f"hook{index}"], names[f"type{index}"] = inner_hook, inner
        blank = 'None if v == "" else ' if inner in _BLANK_IS_NONE else ""
        return [f"v = {blank}hook{index}(v, type{index})"]
    return [hook]


def _indent(lines: list[str], depth: int) -> list[str]:
    return [" " * 4 * depth + line for line in lines]


def _missing_of(enum_cls: type[Enum]) -> Any:
    return getattr(enum_cls._missing_, "__func__", None)


def _builder(cls: type[Record]) -> type[Record] | None:
    """A subclass of ``cls`` whose instances take plain assignment, if ``cls``'s objects can be
    built through it; else None.

    The compiled function makes a bare builder object, stores each field by plain assignment and
    makes it a ``cls`` object by assigning ``__class__`` (for a ``Payout``, 0.3 us against 1.8 us
    for ``cls(...)``; the member descriptors' ``__set__`` bound once took 1.3 us). The builder
    adds no slot, so the layout is ``cls``'s own (Python checks that on the assignment), and from
    then on the object is as frozen as any other ``cls`` object.

    That builds what ``cls(...)`` would only if the ``__init__`` does nothing but store the values
    it is given: attrs' own, of a slotted class whose every slot is a field (no cached hash), with
    no validator, no converter but ``extra``'s ``frozen`` (the compiled function applies it), no
    ``on_setattr`` hook, no ``__attrs_pre_init__`` or ``__attrs_post_init__``, every field in the
    ``__init__`` and no default that takes ``self``.
    """
    init = getattr(cls.__dict__.get("__init__"), "__code__", None)
    if init is None or not init.co_filename.startswith("<attrs generated"):
        return None
    if "__slots__" not in cls.__dict__ or any(
        hasattr(cls, name) for name in ("__attrs_pre_init__", "__attrs_post_init__")
    ):
        return None
    fields = attrs.fields(cls)
    no_extra = fields.extra.default  # set as it is when a response has no unknown key
    if (
        no_extra is attrs.NOTHING
        or isinstance(no_extra, _FACTORY)
        or frozen(no_extra) is not no_extra
    ):
        return None
    slots = {s for c in cls.__mro__ for s in c.__dict__.get("__slots__", ())} - {"__weakref__"}
    if slots != {f.name for f in fields}:
        return None
    for field in fields:
        expected = frozen if field.name == "extra" else None
        plain_default = not (isinstance(field.default, _FACTORY) and field.default.takes_self)
        if (
            field.validator is not None
            or field.converter is not expected
            or field.on_setattr not in (None, attrs.setters.NO_OP)
            or not field.init
            or not plain_default
        ):
            return None
    return type(
        cls.__name__,
        (cls,),
        {
            "__slots__": (),
            # object's own, so that a store is a plain slot store (which the interpreter
            # specialises); both, as with either left to attrs the type keeps calling Python
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": cls.__module__,
            "__qualname__": f"{cls.__qualname__}.<builder>",
        },
    )


def _not_an_object(data: Any, cls: type[Record]) -> TypeError:
    return TypeError(f"expected an object for {cls.__name__}, got {type(data).__name__}")


def _unknown(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The keys of ``data`` that are not fields of the model (its ``extra``)."""
    return {k: data[k] for k in data.keys() - known}


def _model_unstructurer(conv: Converter) -> Callable[[type[Record]], Any]:
    """The unstructure hook factory of models for ``conv``: every field by its key (``None``
    omitted on ``Params``), then the ``extra`` fields at the top level, as they were sent."""

    def hook(cls: type[Record]) -> Any:
        dump = make_dict_unstructure_fn(
            cls, conv, extra=override(omit=True), _cattrs_omit_if_default=False
        )
        names = [a.name for a in attrs.fields(cls) if a.name != "extra"]

        def unstructure(obj: Record) -> dict[str, Any]:
            out: dict[str, Any] = dump(obj)
            if cls.omit_unset:
                out = {k: v for k, v in out.items() if v is not None}
            for key, value in obj.extra.items():
                if key not in names:
                    out[key] = conv.unstructure(value)
            return out

        return unstructure

    return hook


def _is_model_or_mapping(tp: Any) -> bool:
    """``Person | dict[str, Any] | None``: a nested request object that also takes a plain dict
    (``PayoutBeneficiaryParam.individual``)."""
    members = [a for a in _union_args(tp) if a is not type(None)]
    models = [a for a in members if _is_model(a)]
    mappings = [a for a in members if typing.get_origin(a) in (dict, Mapping)]
    return len(models) == 1 and bool(mappings) and len(models) + len(mappings) == len(members)


def _model_or_mapping_hook(tp: Any) -> Any:
    # An object is read as the model (its unknown keys go to its ``extra``): what
    # ``from_dict(model.to_dict())`` needs, the model being the field's canonical form.
    model = next(a for a in _union_args(tp) if _is_model(a))
    structure_model = converter.get_structure_hook(model)
    nullable = type(None) in _union_args(tp)

    def structure(value: Any, _: Any) -> Any:
        if value is None and nullable:
            return None
        return structure_model(value, model)

    return structure


converter.register_structure_hook_factory(_is_model, _compile_structure)
converter.register_unstructure_hook_factory(_is_model, _model_unstructurer(converter))
converter.register_structure_hook_factory(_is_model_or_mapping, _model_or_mapping_hook)


# -- JSON-ready: ``Model.to_dict`` -----------------------------------------------------------

json_converter = Converter(detailed_validation=False)
"""Unstructures into what ``json.dumps`` takes as it is (``Model.to_dict``). ``converter`` keeps
``Decimal`` and ``datetime`` objects for the signer; this one writes amounts as decimal strings
(``"25.00"``), timestamps and dates as ISO 8601 strings, enums as their values, sets as lists."""

_MAX_FIXED_PLACES = 64
"""Amounts are written in fixed-point notation up to this exponent (either way); beyond it (no
amount is), in ``str(Decimal)``'s scientific notation rather than as a wall of zeros."""


def _decimal_text(value: Decimal) -> str:
    """An amount as a decimal string: ``"25.00"``, ``"0.00000001"`` (never ``"1E-8"``).

    Fixed-point, every digit kept (``Decimal(text) == value``), so any JSON reader can parse it.
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -_MAX_FIXED_PLACES <= exponent <= _MAX_FIXED_PLACES:
        return format(value, "f")
    return str(value)


def _iso_datetime(value: dt.datetime) -> str:
    """A timestamp in ISO 8601, every microsecond and its UTC offset kept (UTC written ``Z``, as
    PayCombat writes it): ``"2024-12-30T20:12:35.484000Z"``; ``from_dict`` reads it back."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_JSON_AS_IS = frozenset({str, int, float, bool, type(None)})


_json_dict, _json_list = _container_hooks(json_converter, _JSON_AS_IS)


json_converter.register_unstructure_hook(Decimal, _decimal_text)
json_converter.register_unstructure_hook(dt.datetime, _iso_datetime)
json_converter.register_unstructure_hook(dt.date, lambda value: value.isoformat())
for _enum in (Enum, StrEnum, IntEnum):  # (a str or int enum would dispatch as str or int)
    json_converter.register_unstructure_hook(_enum, lambda member: member.value)
for _mapping in (dict, Mapping):  # ``FrozenMapping``, any other mapping: a dict
    json_converter.register_unstructure_hook(_mapping, _json_dict)
for _sequence in (list, tuple, set, frozenset):
    json_converter.register_unstructure_hook(_sequence, _json_list)
json_converter.register_unstructure_hook_factory(_is_model, _model_unstructurer(json_converter))


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


def to_json_ready(obj: Any) -> Any:
    """Unstructure a model (or data holding models) for ``json.dumps``: ``Model.to_dict``.

    Raises ``ValueError`` for a value that contains itself (``json.dumps`` could not write it).
    """
    try:
        return json_converter.unstructure(obj)
    except RecursionError:
        raise ValueError("the value contains itself, or nests too deeply") from None
