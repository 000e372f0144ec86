"""What every blocking resource shares: the runner and where its async twin sits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._bridge import Forwarder

if TYPE_CHECKING:
    from .._portal import Runner

__all__ = ["Resource"]


class Resource(Forwarder):
    """One API group; each method is declared with ``blocking``/``blocking_iter``."""

    def __init__(self, runner: Runner, path: str) -> None:
        self._runner = runner
        self._path = path

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
