"""What every model shares: frozen, slotted, keyword-only attrs classes that keep unknown fields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any, ClassVar, Self

import attrs

__all__ = [
    "PATH",
    "QUERY",
    "FrozenMapping",
    "Model",
    "OpenEnum",
    "PageRequest",
    "Params",
    "Request",
]

PATH: Mapping[str, str] = {"in": "path"}
"""Request field metadata: the field fills the ``{placeholder}`` of the same name in the path."""
QUERY: Mapping[str, str] = {"in": "query"}
"""Request field metadata: the field goes in the query string, even on a POST."""


class FrozenMapping(Mapping[str, Any]):
    """A read-only mapping: ``Model.extra``. Equal to a dict with the same items; picklable."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMapping({self._data!r})"

    def __eq__(self, other: object) -> bool:
        return dict(self._data) == other if isinstance(other, Mapping) else NotImplemented

    def __hash__(self) -> int:
        return hash(_frozen_value(self._data))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMapping, (self._data,))


def _frozen_value(value: Any) -> Any:
    """A hashable value equal wherever ``value`` is equal: dicts, lists and sets made immutable.

    Scalars keep their own hash, which agrees with ``==`` (``Decimal("1.0")`` and
    ``Decimal("1.00")`` hash alike, as do equal datetimes in different time zones).
    """
    if isinstance(value, Mapping):
        items = [(key, _frozen_value(item)) for key, item in value.items()]
        return frozenset(items)
    if isinstance(value, (list, tuple)):
        return tuple(_frozen_value(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(_frozen_value(item) for item in value)
    return value


_NO_EXTRA = FrozenMapping()
"""What most models hold in ``extra``: one shared empty mapping (it is read-only) rather than a
new one per object (0.5 us of the 7 us that structuring a ``Payout`` takes)."""


def _frozen(value: Mapping[str, Any] | None) -> FrozenMapping:
    if isinstance(value, FrozenMapping):
        return value
    return FrozenMapping(value) if value else _NO_EXTRA


def _hash_model(self: Model) -> int:
    # A model's fields may hold lists and dicts (as PayCombat sends them): they are hashed as
    # their immutable equivalents, so equal models hash alike, as ``==`` requires.
    fields = tuple(_frozen_value(getattr(self, a.name)) for a in attrs.fields(type(self)))
    return hash((type(self), fields))


@attrs.frozen(kw_only=True)
class Model:
    """Base of every object PayCombat sends back. Frozen and hashable.

    Fields the SDK does not know yet are kept in ``extra`` (a read-only mapping, sent back
    unchanged when the model is unstructured), so a new server field never breaks a caller and is
    never lost. ``to_dict()`` gives JSON-ready data (amounts as decimal strings) and
    ``from_dict()`` reads it back.
    """

    extra: Mapping[str, Any] = attrs.field(default=_NO_EXTRA, converter=_frozen, repr=False)

    # Response models unstructure every field (None included) so a round trip loses nothing.
    omit_unset: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # attrs generates a field-tuple hash, which fails on list and dict fields: replace it.
        setattr(cls, "__hash__", _hash_model)  # noqa: B010

    def to_dict(self) -> dict[str, Any]:
        """This object as JSON-ready data: ``json.dumps(payout.to_dict())`` works as it is.

        The keys are PayCombat's field names, each field with its value (``None`` as null; a
        ``Params`` object leaves its unset fields out, as it is sent). The fields the server sent
        that this SDK does not model (``extra``) are back at the top level, as they were sent.
        Amounts (``Decimal``) are decimal strings with every digit kept (``"25.00"``, never a
        float); timestamps are ISO 8601 strings with their UTC offset
        (``"2024-12-30T20:12:35.484000Z"``), dates ``"2024-12-30"``; enums are their values;
        nested objects are dicts. ``from_dict`` reads it back into an equal object.
        """
        from ._converter import to_json_ready  # (that module imports this one)

        data: dict[str, Any] = to_json_ready(self)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """An object of this class from a mapping: ``to_dict``'s output, or an object as
        PayCombat sends it (read as leniently as a response is: amounts as numbers or strings,
        ISO or epoch timestamps, an unknown status kept as a string). Keys that are not fields
        go to ``extra``. A nested object given as a dict where a model or a dict is accepted
        (``PayoutBeneficiaryParam.individual``) is read as the model.

        Raises:
            ValidationError: ``data`` is not a mapping, lacks a required field, or holds a
                value that does not fit its field.
        """
        from .._exceptions import ValidationError
        from ._converter import structure

        if not isinstance(data, Mapping):
            raise ValidationError(
                f"{cls.__name__}.from_dict takes a mapping, got {type(data).__name__}"
            )
        try:
            return structure(data if type(data) is dict else dict(data), cls)
        except KeyError as error:
            missing = f"{error.args[0]!r} is required" if error.args else "a field is missing"
            raise ValidationError(f"not a {cls.__name__}: {missing}") from error
        except (TypeError, ValueError) as error:
            raise ValidationError(f"not a {cls.__name__}: {error}") from error


setattr(Model, "__hash__", _hash_model)  # noqa: B010


@attrs.frozen(kw_only=True)
class Params(Model):
    """Base of nested request objects: unset (``None``) fields are omitted, not sent as null.

    ``extra`` carries fields the SDK does not model (method-specific bank fields, for instance).
    A request that takes a mapping in place of one checks its keys (at any depth) when it is
    built: a key that is not a field name (``extra`` included) is a ``ValidationError``
    (``_validation.check_params``).
    """

    omit_unset: ClassVar[bool] = True


@attrs.frozen
class Request:
    """Base of an operation's request: its fields are the SDK method's parameters.

    Validated on construction (a ``ValidationError`` naming the field, before anything is sent).
    See ``paycombat_async.resources._base`` for how fields map to path, query and body.
    """


def _page_number(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    from .._core.pagination import check_page

    check_page(value, 1) if attribute.name == "page" else check_page(1, value)


@attrs.frozen(kw_only=True)
class PageRequest(Request):
    """The paging parameters every paged list takes first; its filters follow."""

    page: int = attrs.field(default=1, validator=_page_number, metadata=QUERY)
    """The first page to fetch (1-based)."""
    limit: int = attrs.field(default=10, validator=_page_number, metadata=QUERY)
    """Items per page (1 to 100)."""


class OpenEnum(StrEnum):
    """A str enum for values PayCombat sends. Fields typed ``SomeEnum | str`` keep an unknown
    value as its raw string instead of failing, and compare equal to plain strings."""

    def __str__(self) -> str:
        return str(self.value)
