"""The classifier, Retry-After, backoff growth and the resend loop: table-driven, sans-IO.

``classify`` is the one place that decides resend / raise / outcome unknown; every row below is a
decision a payout depends on.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Callable

import pytest

from paycombat_async import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidResponseError,
    NotFoundError,
    PayCombatError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    UnprocessableEntityError,
)
from paycombat_async._core.retry import Decision, Resend, Resendable, classify, parse_retry_after

NEVER, SAFE, IDEMPOTENT = Resend.NEVER, Resend.SAFE, Resend.IDEMPOTENT

# name -> a factory for the error one failed attempt produces
ERRORS: dict[str, Callable[[], PayCombatError]] = {
    "never-connected": lambda: APIConnectionError("refused", may_have_taken_effect=False),
    "pool-timeout": lambda: APITimeoutError("pool", may_have_taken_effect=False),
    "reset-after-send": lambda: APIConnectionError("reset", may_have_taken_effect=True),
    "timeout-after-send": lambda: APITimeoutError("slow", may_have_taken_effect=True),
    "429": lambda: RateLimitError("slow down", retry_after=3.0, may_have_taken_effect=False),
    "nested-429": lambda: RateLimitError("upstream", retry_after=None, may_have_taken_effect=True),
    "5xx": lambda: ServerError("down", retry_after=7.0, may_have_taken_effect=True),
    "nested-5xx": lambda: ServerError("upstream", may_have_taken_effect=True),
    "400": lambda: BadRequestError("bad", may_have_taken_effect=False),
    "401": lambda: AuthenticationError("who", may_have_taken_effect=False),
    "404": lambda: NotFoundError("gone", may_have_taken_effect=False),
    "409": lambda: ConflictError("already", may_have_taken_effect=False),
    "422": lambda: UnprocessableEntityError("cannot", may_have_taken_effect=False),
    "status-false": lambda: APIError("declined", may_have_taken_effect=False),
    "redirect": lambda: InvalidResponseError("moved", may_have_taken_effect=False),
    "unreadable-2xx": lambda: InvalidResponseError("garbled", may_have_taken_effect=True),
}

# (error, policy): (resend, unknown if not doubted, unknown if doubted, hint)
TABLE: dict[tuple[str, Resend], tuple[bool, bool, bool, float | None]] = {
    # Never connected: nothing can have happened, so anything may be resent.
    ("never-connected", NEVER): (True, False, True, None),
    ("never-connected", SAFE): (True, False, True, None),
    ("never-connected", IDEMPOTENT): (True, False, True, None),
    ("pool-timeout", NEVER): (True, False, True, None),
    ("pool-timeout", SAFE): (True, False, True, None),
    ("pool-timeout", IDEMPOTENT): (True, False, True, None),
    # Sent and unanswered.
    ("reset-after-send", NEVER): (False, True, True, None),
    ("reset-after-send", SAFE): (True, False, False, None),
    ("reset-after-send", IDEMPOTENT): (True, True, True, None),
    ("timeout-after-send", NEVER): (False, True, True, None),
    ("timeout-after-send", SAFE): (True, False, False, None),
    ("timeout-after-send", IDEMPOTENT): (True, True, True, None),
    # A real 429 refused the request: resent everywhere, with the server's hint.
    ("429", NEVER): (True, False, True, 3.0),
    ("429", SAFE): (True, False, True, 3.0),
    ("429", IDEMPOTENT): (True, False, True, 3.0),
    # A 429 or 5xx nested in a 2xx: PayCombat accepted it; its provider may still act.
    ("nested-429", NEVER): (False, True, True, None),
    ("nested-429", SAFE): (False, False, False, None),
    ("nested-429", IDEMPOTENT): (False, True, True, None),
    ("5xx", NEVER): (False, True, True, None),
    ("5xx", SAFE): (True, False, False, 7.0),
    ("5xx", IDEMPOTENT): (True, True, True, 7.0),
    ("nested-5xx", NEVER): (False, True, True, None),
    ("nested-5xx", SAFE): (True, False, False, None),
    ("nested-5xx", IDEMPOTENT): (True, True, True, None),
    # Refusals: final; a state conflict after an attempt that may have arrived is in doubt.
    ("400", NEVER): (False, False, True, None),
    ("400", SAFE): (False, False, False, None),
    ("400", IDEMPOTENT): (False, False, False, None),
    ("401", NEVER): (False, False, True, None),
    ("401", SAFE): (False, False, False, None),
    ("401", IDEMPOTENT): (False, False, False, None),
    ("404", NEVER): (False, False, True, None),
    ("404", SAFE): (False, False, False, None),
    ("404", IDEMPOTENT): (False, False, True, None),
    ("409", NEVER): (False, False, True, None),
    ("409", SAFE): (False, False, False, None),
    ("409", IDEMPOTENT): (False, False, True, None),
    ("422", NEVER): (False, False, True, None),
    ("422", SAFE): (False, False, False, None),
    ("422", IDEMPOTENT): (False, False, True, None),
    ("status-false", NEVER): (False, False, True, None),
    ("status-false", SAFE): (False, False, False, None),
    ("status-false", IDEMPOTENT): (False, False, False, None),
    ("redirect", NEVER): (False, False, True, None),
    ("redirect", SAFE): (False, False, False, None),
    ("redirect", IDEMPOTENT): (False, False, False, None),
    # A 2xx we could not read may have been a success.
    ("unreadable-2xx", NEVER): (False, True, True, None),
    ("unreadable-2xx", SAFE): (False, False, False, None),
    ("unreadable-2xx", IDEMPOTENT): (False, True, True, None),
}


def test_the_table_covers_every_error_and_policy() -> None:
    assert set(TABLE) == {(name, policy) for name in ERRORS for policy in Resend}


@pytest.mark.parametrize("doubted", [False, True], ids=["first", "after-doubt"])
@pytest.mark.parametrize(("name", "policy"), list(TABLE), ids=[f"{n}-{p.value}" for n, p in TABLE])
def test_classify(name: str, policy: Resend, doubted: bool) -> None:
    resend, unknown, unknown_if_doubted, hint = TABLE[name, policy]
    decision = classify(ERRORS[name](), policy, doubted=doubted)
    assert decision == Decision(
        resend=resend, unknown=unknown_if_doubted if doubted else unknown, hint=hint
    )


def test_a_decision_defaults_to_no_hint_and_is_frozen() -> None:
    decision = Decision(resend=True, unknown=False)
    assert decision.hint is None
    with pytest.raises(AttributeError):
        decision.resend = False  # type: ignore[misc]


# -- Retry-After -------------------------------------------------------------------------------

NOW = 1_445_412_450.0  # Wed, 21 Oct 2015 07:27:30 GMT


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("5", 5.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("nan", None),
        ("inf", None),
        ("-inf", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:30 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),  # in the past: no wait
        ("Wed, 21 Oct 2015 08:27:30 +0000", 3600.0),
        ("Wed, 21 Oct 2015 07:28:00", None),  # no zone: not an HTTP date
        ("Wed, 32 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_parse_retry_after_dates_against_the_wall_clock_by_default() -> None:
    in_an_hour = email.utils.formatdate(time.time() + 3600, usegmt=True)
    wait = parse_retry_after(in_an_hour)
    assert wait is not None
    assert 3590 <= wait <= 3600


# -- backoff -----------------------------------------------------------------------------------


def test_the_default_policy() -> None:
    assert RetryPolicy() == RetryPolicy(
        max_retries=2, initial_backoff=0.5, max_backoff=8.0, max_retry_after=30.0
    )


@pytest.mark.parametrize(
    ("hint", "wait"), [(3.0, 3.0), (10.0, 10.0), (3600.0, 10.0), (0.0, 0.0), (-5.0, 0.0)]
)
def test_a_server_hint_is_honoured_up_to_max_retry_after(hint: float, wait: float) -> None:
    policy = RetryPolicy(initial_backoff=100, max_backoff=100, max_retry_after=10)
    assert policy.backoff(1, hint) == wait
    assert policy.backoff(5, hint) == wait


@pytest.mark.parametrize(
    ("attempt", "ceiling"), [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 5.0), (9, 5.0)]
)
def test_backoff_is_full_jitter_under_a_doubling_capped_ceiling(
    monkeypatch: pytest.MonkeyPatch, attempt: int, ceiling: float
) -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=5.0)
    bounds: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        bounds.append((low, high))
        return high

    monkeypatch.setattr(random, "uniform", uniform)  # the module _retry draws its jitter from
    assert policy.backoff(attempt, None) == ceiling
    assert bounds == [(0, ceiling)]


def test_backoff_varies_between_calls() -> None:
    policy = RetryPolicy(initial_backoff=1.0, max_backoff=1.0)
    waits = {policy.backoff(1, None) for _ in range(50)}
    assert len(waits) > 1
    assert all(0 <= wait <= 1.0 for wait in waits)


# -- the resend loop ---------------------------------------------------------------------------


def resendable(hint: float | None = None, name: str = "5xx") -> Resendable:
    error = ServerError(name, may_have_taken_effect=True)
    return Resendable(Decision(resend=True, unknown=False, hint=hint), error)


class Script:
    """An attempt function that raises or returns the next scripted outcome, and counts calls."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    async def __call__(self) -> object:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


NO_WAIT = RetryPolicy(max_retries=2, initial_backoff=0, max_backoff=0, max_retry_after=0)


def clock() -> float:
    return asyncio.get_running_loop().time()


async def test_resend_returns_the_first_success() -> None:
    script = Script(resendable(), "done")
    assert (
        await NO_WAIT.resend(script, resendable(), deadline=None, clock=clock, describe="x")
        == "done"
    )
    assert script.calls == 2


async def test_resend_gives_up_after_max_retries_with_the_last_failure() -> None:
    last = resendable(name="last")
    script = Script(resendable(name="second"), last)
    with pytest.raises(Resendable) as caught:
        await NO_WAIT.resend(script, resendable(), deadline=None, clock=clock, describe="x")
    assert caught.value is last
    assert script.calls == 2  # max_retries=2: two resends after the first attempt


async def test_resend_with_no_retries_raises_the_first_failure_at_once() -> None:
    first = resendable()
    script = Script()
    with pytest.raises(Resendable) as caught:
        await RetryPolicy(max_retries=0).resend(
            script, first, deadline=None, clock=clock, describe="x"
        )
    assert caught.value is first
    assert script.calls == 0


async def test_resend_never_sleeps_past_the_deadline() -> None:
    first = resendable(hint=30.0)
    script = Script()
    patient = RetryPolicy(max_retries=5, max_retry_after=60)
    with pytest.raises(Resendable) as caught:
        await patient.resend(script, first, deadline=clock() + 10, clock=clock, describe="x")
    assert caught.value is first
    assert script.calls == 0


async def test_resend_stops_when_a_later_hint_would_pass_the_deadline() -> None:
    later = resendable(hint=30.0)
    script = Script(later, "never reached")
    patient = RetryPolicy(max_retries=5, initial_backoff=0, max_backoff=0, max_retry_after=60)
    with pytest.raises(Resendable) as caught:
        await patient.resend(
            script, resendable(hint=0.0), deadline=clock() + 10, clock=clock, describe="x"
        )
    assert caught.value is later
    assert script.calls == 1


async def test_a_failure_that_is_not_resendable_ends_the_loop() -> None:
    final = NotFoundError("gone")
    script = Script(final, "never reached")
    with pytest.raises(NotFoundError) as caught:
        await NO_WAIT.resend(script, resendable(), deadline=None, clock=clock, describe="x")
    assert caught.value is final
    assert script.calls == 1


async def test_each_resend_is_logged_at_debug_with_its_own_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    script = Script(resendable(name="second"), resendable(name="third"), "ok")
    policy = RetryPolicy(max_retries=3, initial_backoff=0, max_backoff=0, max_retry_after=0)
    await policy.resend(
        script, resendable(name="first"), deadline=None, clock=clock, describe="GET /x"
    )
    messages = [r.getMessage() for r in caplog.records if r.name == "paycombat"]
    names = ["first", "second", "third"]
    assert len(messages) == len(names)
    for number, (message, name) in enumerate(zip(messages, names, strict=True), 1):
        assert message.startswith(f"GET /x: attempt {number} failed ({name} ")
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


def frozen_clock() -> float:
    return 0.0  # a deadline checked against it is decided by the waits alone


async def test_one_retry_means_one_resend() -> None:
    script = Script(resendable(name="second"))
    policy = RetryPolicy(max_retries=1, initial_backoff=0, max_backoff=0, max_retry_after=0)
    with pytest.raises(Resendable) as caught:
        await policy.resend(script, resendable(), deadline=None, clock=clock, describe="x")
    assert caught.value.error.message == "second"
    assert script.calls == 1


async def test_the_backoff_ceiling_doubles_with_each_resend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ceilings: list[float] = []

    def uniform(low: float, high: float) -> float:
        ceilings.append(high)
        return 0.0  # no real wait

    monkeypatch.setattr(random, "uniform", uniform)
    script = Script(resendable(), resendable(), "done")
    policy = RetryPolicy(max_retries=3, initial_backoff=0.25, max_backoff=8.0)
    assert await policy.resend(script, resendable(), deadline=None, clock=clock, describe="x")
    assert ceilings == [0.25, 0.5, 1.0]


async def test_the_latest_hint_decides_the_next_wait() -> None:
    # The third failure asks for more time than the deadline leaves: no fourth attempt.
    third = resendable(hint=30.0, name="third")
    script = Script(resendable(hint=0.0, name="second"), third, "never reached")
    patient = RetryPolicy(max_retries=5, initial_backoff=0, max_backoff=0, max_retry_after=60)
    with pytest.raises(Resendable) as caught:
        await patient.resend(
            script,
            resendable(hint=0.0),
            deadline=frozen_clock() + 10,
            clock=frozen_clock,
            describe="x",
        )
    assert caught.value is third
    assert script.calls == 2


async def test_resends_without_a_wait_go_on_until_the_deadline_itself() -> None:
    script = Script(resendable(), resendable(), "done")
    patient = RetryPolicy(max_retries=5, initial_backoff=0, max_backoff=0, max_retry_after=0)
    deadline = frozen_clock() + 0.5
    assert (
        await patient.resend(
            script, resendable(), deadline=deadline, clock=frozen_clock, describe="x"
        )
        == "done"
    )
    assert script.calls == 3


@pytest.mark.parametrize("first_hint", [0.01, 0.0], ids=["first-wait", "later-wait"])
async def test_a_wait_that_ends_exactly_at_the_deadline_is_not_taken(first_hint: float) -> None:
    # No time would be left for the attempt itself.
    deadline = frozen_clock() + 0.01
    script = Script(resendable(hint=0.01, name="second"), "never reached")
    policy = RetryPolicy(max_retries=5, max_retry_after=60)
    with pytest.raises(Resendable):
        await policy.resend(
            script,
            resendable(hint=first_hint),
            deadline=deadline,
            clock=frozen_clock,
            describe="x",
        )
    assert script.calls == (0 if first_hint else 1)
