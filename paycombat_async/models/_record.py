"""What the converter reads and writes: frozen attrs records that keep unknown fields in ``extra``.

``Model`` (in ``_base``) is a ``Record`` that can also convert itself (``to_dict``/``from_dict``)
with the converter; the converter itself only needs this module, so the two import in one
direction: ``_base`` -> ``_converter`` -> ``_record``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import attrs

__all__ = ["NO_EXTRA", "FrozenMapping", "Record", "frozen"]


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


NO_EXTRA = FrozenMapping()
"""What most records hold in ``extra``: one shared empty mapping (it is read-only) rather than a
new one per object (0.5 us of the 7 us that structuring a ``Payout`` takes)."""


def frozen(value: Mapping[str, Any] | None) -> FrozenMapping:
    """``extra``'s converter: the mapping, read-only."""
    if isinstance(value, FrozenMapping):
        return value
    return FrozenMapping(value) if value else NO_EXTRA


def _hash_record(self: Record) -> int:
    # A record's fields may hold lists and dicts (as PayCombat sends them): they are hashed as
    # their immutable equivalents, so equal records hash alike, as ``==`` requires.
    fields = tuple(_frozen_value(getattr(self, a.name)) for a in attrs.fields(type(self)))
    return hash((type(self), fields))


@attrs.frozen(kw_only=True)
class Record:
    """Base of ``Model``: frozen and hashable, with the fields the SDK does not know yet kept in
    ``extra`` (a read-only mapping, sent back unchanged when the record is unstructured)."""

    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=frozen, repr=False)

    # Response models unstructure every field (None included) so a round trip loses nothing.
    omit_unset: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # attrs generates a field-tuple hash, which fails on list and dict fields: replace it.
        setattr(cls, "__hash__", _hash_record)  # noqa: B010


setattr(Record, "__hash__", _hash_record)  # noqa: B010
