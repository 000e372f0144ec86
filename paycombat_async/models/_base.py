"""What every model shares: frozen, slotted, keyword-only attrs classes that keep unknown fields."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, Self

import attrs

from .._exceptions import ValidationError
from ._converter import structure, to_json_ready
from ._record import FrozenMapping, Record

__all__ = [
    "MAX_LIMIT",
    "PATH",
    "QUERY",
    "FrozenMapping",
    "Model",
    "OpenEnum",
    "PageRequest",
    "Params",
    "Request",
    "check_page",
]

PATH: Mapping[str, str] = {"in": "path"}
"""Request field metadata: the field fills the ``{placeholder}`` of the same name in the path."""
QUERY: Mapping[str, str] = {"in": "query"}
"""Request field metadata: the field goes in the query string, even on a POST."""


@attrs.frozen(kw_only=True)
class Model(Record):
    """Base of every object PayCombat sends back. Frozen and hashable.

    Fields the SDK does not know yet are kept in ``extra`` (a read-only ``FrozenMapping``, sent
    back unchanged when the model is unstructured), so a new server field never breaks a caller
    and is never lost. ``to_dict()`` gives JSON-ready data (amounts as decimal strings) and
    ``from_dict()`` reads it back.
    """

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


@attrs.frozen(kw_only=True)
class Params(Model):
    """Base of nested request objects: unset (``None``) fields are omitted, not sent as null.

    ``extra`` carries fields the SDK does not model (method-specific bank fields, for instance).
    A request that takes a mapping in place of one checks its keys (at any depth) when it is
    built: a key that is not a field name (``extra`` included) is a ``ValidationError``
    (``models._validation.check_params``).
    """

    omit_unset: ClassVar[bool] = True


@attrs.frozen
class Request:
    """Base of an operation's request: its fields are the SDK method's parameters.

    Validated on construction (a ``ValidationError`` naming the field, before anything is sent).
    See ``paycombat_async.resources._base`` for how fields map to path, query and body.
    """


MAX_LIMIT = 100
"""The most items a page may hold: what the sandbox, like Finmo, accepts."""


def check_page(page: object, limit: object) -> None:
    """``page`` and ``limit`` as the list operations take them, or a ``ValidationError``: for a
    ``PageRequest``, and for the paginator's own ``page``/``limit`` arguments."""
    for name, value, top in (("page", page, None), ("limit", limit, MAX_LIMIT)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                f"must be a whole number of at least 1, got {value!r}", field=name
            )
        if top is not None and value > top:
            raise ValidationError(f"must be at most {top}, got {value!r}", field=name)


def _page_number(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
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
