"""What every model shares: frozen, slotted, keyword-only attrs classes that keep unknown fields."""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

import attrs

__all__ = ["Model", "OpenEnum", "Params"]


@attrs.frozen(kw_only=True)
class Model:
    """Base of every object PayCombat sends back.

    Fields the SDK does not know yet are kept in ``extra`` (and sent back unchanged when the model
    is unstructured), so a new server field never breaks a caller and is never lost.
    """

    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)

    # Response models unstructure every field (None included) so a round trip loses nothing.
    omit_unset: ClassVar[bool] = False


@attrs.frozen(kw_only=True)
class Params(Model):
    """Base of nested request objects: unset (``None``) fields are omitted, not sent as null.

    ``extra`` carries fields the SDK does not model (method-specific bank fields, for instance).
    """

    omit_unset: ClassVar[bool] = True


class OpenEnum(str, Enum):
    """A str enum for values PayCombat sends. Fields typed ``SomeEnum | str`` keep an unknown
    value as its raw string instead of failing, and compare equal to plain strings."""

    def __str__(self) -> str:
        return str(self.value)
