"""Master data: countries and currencies PayCombat supports."""

from __future__ import annotations

from paycombat_async.resources.master_data import MasterData as AsyncMasterData

from .._bridge import blocking
from ._base import Resource

__all__ = ["MasterData"]


class MasterData(Resource):
    """``client.master_data``: Master data: countries and currencies PayCombat supports."""

    list_country_currency_codes = blocking(AsyncMasterData.list_country_currency_codes)
