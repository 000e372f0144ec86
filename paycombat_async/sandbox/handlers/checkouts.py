"""Sandbox hosted checkout."""

from __future__ import annotations

from ._common import Handler

HANDLERS: dict[str, Handler] = {}
