"""Sandbox master data, payin/payout/payment methods and the merchant balance."""

from __future__ import annotations

from ._common import Handler

HANDLERS: dict[str, Handler] = {}
