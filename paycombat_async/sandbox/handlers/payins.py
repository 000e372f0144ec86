"""Sandbox payins and KRW virtual accounts."""

from __future__ import annotations

from ._common import Handler

HANDLERS: dict[str, Handler] = {}
