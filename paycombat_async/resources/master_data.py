"""Master data: countries and currencies PayCombat supports."""

from __future__ import annotations

from ..models.master_data import CountryCurrency
from ._base import M, NoRequest, Resource, many
from ._declare import endpoint

__all__ = ["MasterData"]


class MasterData(Resource[M]):
    """``client.master_data``: Master data: countries and currencies PayCombat supports."""

    client_attribute = "master_data"

    list_country_currency_codes = endpoint(
        doc="""Get All Country & Currency Code: every supported country with its currency.

        The list is short and not paginated (``await`` it for a list): one
        ``CountryCurrency`` per supported country.
        """,
        method="GET",
        path="/api/v1/master-data/country-currency",
        request=NoRequest,
        returns=many(CountryCurrency),
        documented=False,
    )
