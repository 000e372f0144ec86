"""Fault injection for the local sandbox: make an operation slow, failing, or cut off."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["Fault", "Faults"]

ResetWhen = Literal["before", "after"]


@attrs.define(kw_only=True)
class Fault:
    """What to do to the next ``times`` calls of one operation (``times=None``: every call).

    Args:
        latency: seconds to wait before handling the request.
        status: answer with this HTTP status and a PayCombat error envelope instead.
        retry_after: with ``status``, send this ``Retry-After`` header (seconds).
        html: with ``status``, answer with an HTML page (a proxy's 502) instead of JSON.
        reset: drop the connection without answering, ``"before"`` the request is processed
            (nothing happened) or ``"after"`` it was committed (it happened; the answer is lost).
        malformed: answer 200 with a body that is not valid JSON, after processing the request.
    """

    latency: float = 0.0
    status: int | None = None
    retry_after: float | None = None
    html: bool = False
    reset: ResetWhen | None = None
    malformed: bool = False
    times: int | None = 1


class Faults:
    """Per-operation faults, keyed by operation key (``"payouts.create"``).

    ``inject`` also takes the docs title, in any bracket style (``"Create Payout"``).
    """

    def __init__(self) -> None:
        self._faults: dict[str, list[Fault]] = {}

    def inject(self, operation: str, fault: Fault | None = None, **kwargs: object) -> Fault:
        """Queue a fault for ``operation`` (its key or title): a ``Fault`` or its fields."""
        from ..resources import OPERATIONS

        key = OPERATIONS.find(operation).key
        entry = fault or Fault(**kwargs)  # type: ignore[arg-type]
        self._faults.setdefault(key, []).append(entry)
        return entry

    def take(self, key: str) -> Fault | None:
        """The fault for this call of the operation ``key``, if any; consumes one use."""
        queue = self._faults.get(key)
        if not queue:
            return None
        fault = queue[0]
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
        return fault

    def clear(self) -> None:
        """Remove every queued fault."""
        self._faults.clear()
