"""Master data models: the countries and currencies PayCombat supports."""

from __future__ import annotations

import attrs

from ._base import Model

__all__ = ["CountryCurrency"]


@attrs.frozen(kw_only=True)
class CountryCurrency(Model):
    """One supported country and its currency (Get All Country & Currency Code).

    The response shape is not documented; these fields are inferred from checkout records
    (``country_code`` with an upper-case ``country_name``). Anything else PayCombat sends is
    kept in ``extra``.
    """

    country_code: str | None = None
    """ISO 3166-1 alpha-2 code (PayCombat uses the pseudo-country ``EU`` for EUR)."""
    country_name: str | None = None
    """Upper-case English name, e.g. ``AUSTRALIA``."""
    currency: str | None = None
    """ISO 4217 code of the country's currency."""
