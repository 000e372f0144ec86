"""Master data: countries and currencies PayCombat supports."""

from __future__ import annotations

from ._base import Resource

__all__ = ["MasterData"]


class MasterData(Resource):
    """``client.master_data``: Master data: countries and currencies PayCombat supports."""
