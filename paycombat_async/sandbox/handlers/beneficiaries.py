"""Sandbox payout beneficiaries."""

from __future__ import annotations

from ._common import Handler

HANDLERS: dict[str, Handler] = {}
