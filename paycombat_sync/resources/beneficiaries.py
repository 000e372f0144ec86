"""Saved payout beneficiaries and their validation (confirmation of payee)."""

from __future__ import annotations

from paycombat_async.resources.beneficiaries import Beneficiaries as AsyncBeneficiaries

from .._bridge import blocking, blocking_iter
from ._base import Resource

__all__ = ["Beneficiaries"]


class Beneficiaries(Resource):
    """``client.beneficiaries``: saved payout beneficiaries and their validation."""

    create = blocking(AsyncBeneficiaries.create)
    update = blocking(AsyncBeneficiaries.update)
    list = blocking_iter(AsyncBeneficiaries.list)
    retrieve = blocking(AsyncBeneficiaries.retrieve)
    validate_by_id = blocking(AsyncBeneficiaries.validate_by_id)
    validate = blocking(AsyncBeneficiaries.validate)
