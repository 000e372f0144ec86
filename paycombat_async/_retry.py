"""What is safe to retry, and how long to wait: the retry policy, built on tenacity.

The rule for money: a request that creates objects or moves money is retried only when it provably
never reached PayCombat (connection refused, DNS failure, nothing written before the deadline) or
when PayCombat said so (429). Everything after the bytes left -- a timeout, a reset, a 5xx -- is an
unknown outcome, surfaced as ``OutcomeUnknownError`` instead of being resent.
Reads are retried on connection errors, timeouts, 429 and 5xx.
"""

from __future__ import annotations

import enum
import logging
import random
from typing import Any

import attrs
import tenacity

from ._exceptions import APIConnectionError, PayCombatError, RateLimitError, ServerError

__all__ = ["Resend", "RetryPolicy", "Retryable"]

logger = logging.getLogger("paycombat")


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


class Retryable(Exception):
    """Wraps an error the policy may retry; the loop unwraps it if it gives up."""

    def __init__(self, error: PayCombatError) -> None:
        super().__init__(str(error))
        self.error = error


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Args:
        max_retries: retries after the first attempt (so ``2`` means up to 3 attempts).
        initial_backoff: the first backoff in seconds; it doubles each attempt, with full jitter.
        max_backoff: the longest single backoff.
        max_retry_after: the longest ``Retry-After`` the client will honour; a longer hint is
            capped to this. ``0`` disables waiting (useful in tests).
    """

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0

    def backoff(self, attempt: int, error: PayCombatError | None) -> float:
        """Seconds to wait before attempt ``attempt + 1``; honours the server's Retry-After."""
        hint = getattr(error, "retry_after", None)
        if hint is not None:
            return max(0.0, min(float(hint), self.max_retry_after))
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)

    def retrying(self, *, deadline: float | None, describe: str) -> tenacity.AsyncRetrying:
        """A tenacity loop for one call: retries ``Retryable`` only, within the call's deadline."""
        stop: Any = tenacity.stop_after_attempt(self.max_retries + 1)
        if deadline is not None:
            # Give up rather than sleep past the deadline: the caller gets the real last error.
            stop = stop | tenacity.stop_before_delay(deadline)

        def wait(state: tenacity.RetryCallState) -> float:
            return self.backoff(state.attempt_number, _error_of(state))

        def before_sleep(state: tenacity.RetryCallState) -> None:
            logger.debug(
                "%s: attempt %d failed (%s); retrying in %.2fs",
                describe,
                state.attempt_number,
                type(_error_of(state)).__name__,
                state.upcoming_sleep,
            )

        return tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(Retryable),
            stop=stop,
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )

    @staticmethod
    def may_retry(error: PayCombatError, *, safe: bool, sent: bool) -> bool:
        """Whether ``error`` may be retried, for a ``safe`` operation or not, ``sent`` or not."""
        if isinstance(error, RateLimitError):
            return True  # the server refused it: nothing happened
        if isinstance(error, APIConnectionError) and not sent:
            return True  # the request never left: nothing can have happened
        return safe and isinstance(error, (APIConnectionError, ServerError))


def _error_of(state: tenacity.RetryCallState) -> PayCombatError | None:
    exc = state.outcome.exception() if state.outcome else None
    return exc.error if isinstance(exc, Retryable) else None
