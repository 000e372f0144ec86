"""Saved payout beneficiaries and their validation."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Beneficiaries"]


class Beneficiaries(Resource):
    """``client.beneficiaries``: Saved payout beneficiaries and their validation."""
