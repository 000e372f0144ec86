"""Fault injection for the local sandbox: make an operation slow, failing, or cut off."""

from __future__ import annotations

import random
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
        commit: with ``status``, process (commit) the request first and answer the error after:
            the payout exists although the answer says it failed.
        rate: hit each call with this probability instead of the next calls in turn (drawn
            from the sandbox's seeded generator, so a test is reproducible); ``times`` then
            defaults to ``None`` (no limit).

    ``latency`` delays the handling itself: a create is committed only once the delay is over,
    possibly long after the client gave up waiting (a late commit).
    """

    latency: float = 0.0
    status: int | None = None
    retry_after: float | None = None
    html: bool = False
    reset: ResetWhen | None = None
    malformed: bool = False
    commit: bool = False
    rate: float | None = None
    times: int | None = attrs.field(
        default=attrs.Factory(lambda self: None if self.rate is not None else 1, takes_self=True)
    )


class Faults:
    """Per-operation faults, keyed by operation key (``"payouts.create"``); ``inject`` also
    takes the docs title, in any case (``"Create Payout"``; brackets count: ``"(KRW)"`` and
    ``"[KRW]"`` name two operations).

    Queued faults hit the next calls in turn; faults with a ``rate`` hit calls at random, from a
    generator seeded with ``seed`` (``None``: unpredictable).
    """

    def __init__(self, seed: int | None = None) -> None:
        self._faults: dict[str, list[Fault]] = {}
        self._rated: dict[str, list[Fault]] = {}
        self.random = random.Random(seed)

    def inject(self, operation: str, fault: Fault | None = None, **kwargs: object) -> Fault:
        """Add a fault for ``operation`` (its key or title): a ``Fault`` or its fields."""
        from ..resources import OPERATIONS

        key = OPERATIONS.find(operation).key
        entry = fault or Fault(**kwargs)  # type: ignore[arg-type]
        if entry.rate is not None and not 0 <= entry.rate <= 1:
            raise ValueError("rate must be between 0 and 1")
        faults = self._rated if entry.rate is not None else self._faults
        faults.setdefault(key, []).append(entry)
        return entry

    def take(self, key: str) -> Fault | None:
        """The fault for this call of the operation ``key``, if any; consumes one use."""
        queue = self._faults.get(key)
        if queue:
            return _use(queue, queue[0])
        for fault in self._rated.get(key, ()):
            if self.random.random() < (fault.rate or 0.0):
                return _use(self._rated[key], fault)
        return None

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()
        self._rated.clear()


def _use(faults: list[Fault], fault: Fault) -> Fault:
    if fault.times is not None:
        fault.times -= 1
        if fault.times <= 0:
            faults.remove(fault)
    return fault
