"""What is safe to resend, and how long to wait: one classifier, and the retry policy on tenacity.

Every exit of a call (transport error, timeout, HTTP status, envelope failure, a 2xx that cannot be
read or does not fit its model) reaches ``classify`` as a ``PayCombatError`` whose
``may_have_taken_effect`` says what the wire saw: ``False`` when the request provably never
arrived or was refused (a connect failure, a 4xx, a 429), ``True`` when it may have been processed
(sent and unanswered, a 5xx, a 2xx we could not read). ``classify`` then answers two questions
at once, the way stamina's retry hooks do: *resend it, and after how long?* and *if not, is the
caller's outcome unknown?* The rule for money, per operation (``Resend``):

- reads are resent after connection errors, timeouts, 429 and 5xx;
- creates and money moves are resent only when they provably never arrived, or on a real 429;
  everything after the bytes may have arrived is an unknown outcome, never a resend;
- idempotent-in-effect changes are resent like reads, but a 404/409/422 that follows an attempt
  that may have arrived is an unknown outcome (that attempt may be what changed the state).

Tenacity runs the resends, and only those: the first attempt is awaited directly by the pipeline.
"""

from __future__ import annotations

import asyncio
import email.utils
import enum
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import attrs

if TYPE_CHECKING:
    import tenacity

from .._exceptions import (
    APIConnectionError,
    ConflictError,
    NotFoundError,
    PayCombatError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)

__all__ = ["Decision", "Resend", "Resendable", "RetryPolicy", "classify", "parse_retry_after"]

logger = logging.getLogger("paycombat")

T = TypeVar("T")


class Resend(enum.Enum):
    """What may be resent after an attempt that may have reached PayCombat, per operation."""

    SAFE = "safe"
    """Reads (and read-like POSTs such as beneficiary validation): resent freely."""
    NEVER = "never"
    """Creates and money moves: resent only when the request provably never arrived, or on 429."""
    IDEMPOTENT = "idempotent"
    """Changes with the same effect when repeated (enable, disable, delete, cancel, simulate):
    resent, but a 404/409/422 answer after an earlier attempt that may have arrived is reported
    as ``OutcomeUnknownError`` (the earlier attempt may be what changed the state)."""


@attrs.frozen
class Decision:
    """The classifier's answer for one failed attempt."""

    resend: bool
    """Whether the request may be sent again (if attempts and the deadline allow)."""
    unknown: bool
    """Whether, if it is not sent again, the caller must be told the outcome is unknown."""
    hint: float | None = None
    """The server's own wait (Retry-After), in seconds, if it gave one."""


_STATE_CONFLICTS = (NotFoundError, ConflictError, UnprocessableEntityError)


def classify(error: PayCombatError, resend: Resend, *, doubted: bool) -> Decision:
    """Decide what to do after ``error``; ``doubted``: an earlier attempt may have arrived."""
    reached = error.may_have_taken_effect
    if isinstance(error, RateLimitError) and not reached:
        return Decision(resend=True, unknown=doubted, hint=error.retry_after)
    if isinstance(error, APIConnectionError) and not reached:
        return Decision(resend=True, unknown=doubted)  # it never left: nothing can have happened
    if resend is Resend.NEVER:
        return Decision(resend=False, unknown=reached or doubted)
    transient = isinstance(error, (APIConnectionError, ServerError))
    hint = error.retry_after if isinstance(error, ServerError) else None
    if resend is Resend.SAFE:
        return Decision(resend=transient, unknown=False, hint=hint)
    if transient:
        return Decision(resend=True, unknown=True, hint=hint)  # IDEMPOTENT, in doubt if we give up
    return Decision(
        resend=False, unknown=reached or (doubted and isinstance(error, _STATE_CONFLICTS))
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds, from delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None  # not an HTTP date (those are always GMT)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently to resend what ``classify`` allows.

    Args:
        max_retries: resends after the first attempt (so ``2`` means up to 3 attempts).
        initial_backoff: the first backoff in seconds; it doubles each attempt, with full jitter.
        max_backoff: the longest single backoff.
        max_retry_after: the longest ``Retry-After`` the client will honour; a longer hint is
            capped to this. ``0`` disables waiting (useful in tests).
    """

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0

    def backoff(self, attempt: int, hint: float | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if hint is not None:
            return max(0.0, min(hint, self.max_retry_after))
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)

    async def resend(
        self,
        attempt: Callable[[], Awaitable[T]],
        first: Resendable,
        *,
        deadline: float | None,
        clock: Callable[[], float],
        describe: str,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> T:
        """Resend after a first attempt that failed with ``first``; return the first success.

        ``attempt`` raises ``Resendable`` for a failure ``classify`` allows to resend, and the
        final error for anything else. Gives up (re-raising the last ``Resendable``) after
        ``max_retries`` resends, or rather than sleep past ``deadline`` (a ``clock()`` time).
        Every backoff is waited out with ``sleep``.
        """
        import tenacity  # only a resend needs it: 5 ms less to import the SDK

        def pause(state: tenacity.RetryCallState) -> float:
            return self.backoff(state.attempt_number, _failure(state).decision.hint)

        def give_up(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number > self.max_retries:
                return True
            return deadline is not None and clock() + (state.upcoming_sleep or 0) >= deadline

        def log(state: tenacity.RetryCallState) -> None:
            logger.debug(
                "%s: attempt %d failed (%s); retrying in %.2fs",
                describe,
                state.attempt_number,
                _failure(state).error,
                state.upcoming_sleep,
            )

        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(Resendable),
            wait=pause,
            stop=give_up,
            before_sleep=log,
            sleep=sleep,
            reraise=True,
        )
        async for turn in retrying:
            with turn:
                if turn.retry_state.attempt_number == 1:
                    # The pipeline made the first attempt itself (the success path never meets
                    # tenacity): the loop starts from its failure.
                    raise first
                return await attempt()
        raise AssertionError("tenacity ends a loop by returning or raising")  # pragma: no cover


def _failure(state: tenacity.RetryCallState) -> Resendable:
    """The failure of the attempt ``state`` is about (only a ``Resendable`` is retried)."""
    assert state.outcome is not None
    failure = state.outcome.exception()
    assert isinstance(failure, Resendable)
    return failure


class Resendable(Exception):
    """A failed attempt that ``classify`` allows to resend, with the error it would surface."""

    def __init__(self, decision: Decision, error: PayCombatError) -> None:
        super().__init__(str(error))
        self.decision = decision
        self.error = error
