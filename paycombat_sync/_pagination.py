"""The blocking paginator: the one in ``paycombat_async._core.pagination`` (re-exported here)."""

from __future__ import annotations

from paycombat_async._core.pagination import Page, Paginator

__all__ = ["Page", "Paginator"]
