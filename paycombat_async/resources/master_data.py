"""Master data: countries and currencies PayCombat supports."""

from __future__ import annotations

import attrs

from .. import _validation as _v
from ..models.master_data import CountryCurrency
from ._base import Resource

__all__ = ["MasterData"]


@attrs.frozen
class _CurrencyArgument:
    currency: str = attrs.field(validator=[_v.non_empty, _v.currency_code])


def check_currency(value: object) -> str:
    """A required ``currency`` argument (a path parameter), validated before sending.

    Raises:
        ValidationError: ``value`` is not an upper-case ISO 4217 code; the error names
            ``currency``.
    """
    return _CurrencyArgument(value).currency  # type: ignore[arg-type]


class MasterData(Resource):
    """``client.master_data``: Master data: countries and currencies PayCombat supports."""

    async def list_country_currency_codes(self) -> list[CountryCurrency]:
        """Get All Country & Currency Code: every supported country with its currency.

        The list is short and not paginated.

        Returns:
            One ``CountryCurrency`` per supported country.
        """
        return await self._call_list("Get All Country & Currency Code", item=CountryCurrency)
