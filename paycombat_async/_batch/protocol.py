"""What the batch engine needs from the client it runs on, and nothing more.

The engine sits below ``resources`` (ARCHITECTURE.md draws the layers), so it never imports
``Payouts``: it takes any ``PayoutsAPI`` (``client.payouts`` is one; mypy checks it where the
resource passes itself in) and the few client settings it follows, as ``ClientSettings``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

import attrs

from .._core.pagination import AsyncPaginator
from ..models.payout import Payout

if TYPE_CHECKING:
    from .._core.config import ClientConfig

__all__ = ["ClientSettings", "ItemObserver", "PayoutsAPI"]


class PayoutsAPI(Protocol):
    """The two operations a batch runs: Create Payout, and Get All Payout by ``order_id``."""

    @property
    def create(self) -> Callable[..., Awaitable[Payout]]:
        """Create Payout, called with ``CreatePayoutRequest``'s fields as keyword arguments."""
        ...

    @property
    def list(self) -> Callable[..., AsyncPaginator[Payout]]:
        """Get All Payout, called with ``order_id=`` and ``limit=`` (a lookup)."""
        ...


class ItemObserver(Protocol):
    """Where a batch reports each item decided (the client's OpenTelemetry observer)."""

    def batch_item(self, status: str) -> None:
        """An item ended ``created``, ``rejected``, ``unknown`` or ``conflict``."""
        ...


@attrs.frozen(kw_only=True)
class ClientSettings:
    """The settings of the client a batch runs on that the engine follows too.

    Args:
        timeout: seconds one call may take (0: no limit); a claim taken over from a dead run
            settles from the end of that run's last call.
        backoff: seconds to wait before the next try of a lookup page, given the attempt number
            (1-based) and the server's ``Retry-After`` hint: the client's retry policy.
        observer: where each decided item is counted (the ``batch.items`` metric), if anywhere.
    """

    timeout: float
    backoff: Callable[[int, float | None], float]
    observer: ItemObserver | None = None

    @classmethod
    def of(cls, config: ClientConfig) -> ClientSettings:
        """The settings a client's ``config`` gives a batch."""
        return cls(
            timeout=config.timeout or 0.0, backoff=config.retry.backoff, observer=config.observer
        )
