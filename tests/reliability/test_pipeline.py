"""The request path at its edges: deadlines against cancellation, what earlier attempts leave
behind, and the caller's reference in errors and logs (the wire itself: test_pipeline_wire.py).

Pinned on the raw socket server: each test counts what the server actually read.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from paycombat_async import (
    APITimeoutError,
    InvalidResponseError,
    OutcomeUnknownError,
    ServerError,
)
from paycombat_async._core import deadlines as _deadlines
from tests.helpers import CREATE_PATH, PAYOUT, client_for, payout_args
from tests.rawserver import RawServer, envelope, reset, respond, stall


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "paycombat" and r.levelno == logging.WARNING
    ]


# -- deadlines and cancellation ----------------------------------------------------------------


async def test_a_read_without_a_deadline_is_resent(server: RawServer) -> None:
    server.then(respond(503, "{}"), reset())
    server.default = respond(200, envelope(PAYOUT))
    async with client_for(server, timeout=None) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
    assert len(server.requests) == 3


async def test_the_deadline_ends_a_stalled_read_as_a_timeout_and_leaves_the_task_clean(
    server: RawServer,
) -> None:
    server.default = stall()
    async with client_for(server, timeout=0.2) as c:
        with pytest.raises(APITimeoutError) as caught:
            async with asyncio.timeout(10):  # had the deadline not applied: fail, do not hang
                await c.payouts.retrieve("p-1")
        task = asyncio.current_task()
        assert task is not None
        assert task.cancelling() == 0  # the deadline's cancellation was taken back
        server.default = respond(200, envelope(PAYOUT))
        assert (await c.payouts.retrieve("p-1")).id == "p-1"  # the client still works
    assert "0.2s" in caught.value.message
    assert caught.value.may_have_taken_effect is False
    assert (caught.value.method, caught.value.path) == (
        "GET",
        "/api/v1/payout-method/retrieve-payout/p-1",
    )


async def test_a_finished_calls_deadline_never_cancels_what_its_task_does_next(
    server: RawServer,
) -> None:
    server.default = respond(200, envelope(PAYOUT))
    loop = asyncio.get_running_loop()
    async with client_for(server, timeout=0.1) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
        # Wait, in the same task, until the call's deadline window has surely passed: had the
        # call left its deadline behind, the timer would cancel this wait.
        passed = loop.create_future()
        loop.call_later(0.1 + 3 * _deadlines.GRAIN, passed.set_result, None)
        await passed
        assert c._pipeline._wire is not None
        assert c._pipeline._wire.deadlines._windows == {}  # and no timer is kept for it


async def test_a_caller_cancelling_a_call_with_a_deadline_gets_its_cancellation(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.default = stall()
    async with client_for(server, timeout=30) as c:
        task = asyncio.ensure_future(c.payouts.retrieve("p-1"))
        await server.wait_for_requests(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert task.cancelled()  # not turned into an APITimeoutError
    assert warnings_in(caplog) == []  # a cancelled read leaves nothing in doubt


async def test_a_callers_own_shorter_timeout_wins_over_the_client_deadline(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.default = stall()
    async with client_for(server, timeout=30) as c:
        with pytest.raises(TimeoutError) as caught:
            async with asyncio.timeout(0.2):
                await c.payouts.create(**payout_args(order_id="caller-gave-up"))
    assert not isinstance(caught.value, APITimeoutError)  # the caller's, not the client's
    warnings = warnings_in(caplog)
    assert len(warnings) == 1  # the create was sent: its outcome is unknown
    assert "order_id=caller-gave-up" in warnings[0]
    assert len(server.requests) == 1


async def test_a_create_cancelled_before_it_was_sent_logs_no_doubt(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    answer = asyncio.Event()
    server.then(stall(respond(200, envelope(PAYOUT)), until=answer))
    async with client_for(server, timeout=None, max_connections=1, max_in_flight=2) as c:
        first = asyncio.ensure_future(c.payouts.retrieve("p-1"))
        await server.wait_for_requests(1)
        # The only connection is held: the create waits for the pool until its caller gives up.
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await c.payouts.create(**payout_args(order_id="unsent"))
        answer.set()
        assert (await first).id == "p-1"
    assert warnings_in(caplog) == []
    assert len(server.requests) == 1


class _Seen(logging.Handler):
    """Sets an event once a log record ends with ``suffix``: a point to wait for, not a time."""

    def __init__(self, suffix: str) -> None:
        super().__init__(logging.DEBUG)
        self.suffix = suffix
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().endswith(self.suffix):
            self.event.set()


async def test_a_create_cancelled_in_the_pause_after_a_429_leaves_no_doubt(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    seen = _Seen("-> 429")
    logging.getLogger("paycombat").addHandler(seen)
    # No Retry-After: the client pauses every request for its default pause before resending.
    server.default = respond(429, '{"status":false,"message":"slow down"}')
    try:
        async with client_for(server, timeout=None) as c:
            task = asyncio.ensure_future(c.payouts.create(**payout_args(order_id="paused")))
            await seen.event.wait()  # answered 429: the create is now waiting to be resent
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        logging.getLogger("paycombat").removeHandler(seen)
    assert warnings_in(caplog) == []  # refused, never resent: nothing is in doubt
    assert len(server.requests) == 1


@pytest.mark.parametrize("timer", ["on time", "an hour late"])
async def test_a_create_refused_with_429_whose_deadline_passes_in_the_pause_did_not_happen(
    server: RawServer, monkeypatch: pytest.MonkeyPatch, timer: str
) -> None:
    if timer == "an hour late":
        # Deadline timers fire up to a window late; with an hour's window only the check before
        # each resend stands between the deadline and a request sent after it.
        monkeypatch.setattr(_deadlines, "GRAIN", 3600.0)
    server.default = respond(429, '{"status":false,"message":"slow down"}')
    # No Retry-After: the client pauses every request for its default pause (0.5 s), which
    # outlasts this deadline; the resend is never made.
    async with client_for(server, timeout=0.2) as c:
        with pytest.raises(APITimeoutError) as caught:
            await c.payouts.create(**payout_args(order_id="refused"))
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.may_have_taken_effect is False
    assert (caught.value.method, caught.value.path) == ("POST", CREATE_PATH)
    assert "0.2s" in caught.value.message
    assert len(server.requests) == 1


# -- what earlier attempts leave behind --------------------------------------------------------


async def test_a_read_that_may_have_arrived_then_timed_out_says_it_had_no_effect(
    server: RawServer,
) -> None:
    server.then(reset())
    server.default = stall()
    async with client_for(server, timeout=0.3) as c:
        with pytest.raises(APITimeoutError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 2


async def test_a_change_whose_deadline_passes_after_an_attempt_in_doubt_is_outcome_unknown(
    server: RawServer,
) -> None:
    # A 503 (it may have happened), then a 429 whose default pause outlasts the deadline: the
    # resend is never made, yet the first attempt may have cancelled the checkout.
    server.then(respond(503, '{"message":"busy"}'), respond(429, '{"message":"slow down"}'))
    async with client_for(server, timeout=0.3) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.checkouts.cancel("k-1")
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert caught.value.__cause__.may_have_taken_effect is False  # the timeout itself sent nothing
    assert [r.method for r in server.requests] == ["PATCH", "PATCH"]


# -- references, data that does not fit --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reference"),
    [
        pytest.param({"order_id": "mine-7"}, "mine-7", id="string"),
        pytest.param({"order_id": 7}, None, id="not-a-string"),
        pytest.param({"reference": "x"}, None, id="absent"),
        pytest.param([{"order_id": "in-a-list"}], None, id="not-an-object"),
    ],
)
async def test_outcome_unknown_carries_the_callers_order_id_only_when_it_is_one(
    server: RawServer, caplog: pytest.LogCaptureFixture, body: object, reference: str | None
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.default = respond(503, '{"message":"down"}')
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.request("POST", "/api/v1/thing", json=body)
    assert caught.value.order_id == reference
    assert caught.value.status == 503
    assert (caught.value.method, caught.value.path) == ("POST", "/api/v1/thing")
    assert isinstance(caught.value.__cause__, ServerError)
    assert caught.value.body == caught.value.__cause__.body
    warnings = warnings_in(caplog)
    assert len(warnings) == 1
    assert f"order_id={reference}" in warnings[0]
    assert "POST /api/v1/thing" in warnings[0]
    assert "down" in warnings[0]  # why it is in doubt
    assert len(server.requests) == 1


async def test_data_that_does_not_fit_keeps_decimal_amounts_as_json(server: RawServer) -> None:
    data = {"id": None, "sender_amount": 25.5, "order_id": "o-9"}
    server.default = respond(200, envelope(data))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(InvalidResponseError) as read:
            await c.payouts.retrieve("p-1")
        with pytest.raises(OutcomeUnknownError) as create:
            await c.payouts.create(**payout_args(order_id="o-9"))
    for error in (read.value, create.value.__cause__):
        assert isinstance(error, InvalidResponseError)
        assert error.status == 200
        assert (error.method, error.path)[0] in ("GET", "POST")
        assert "Payout" in error.message
        body = json.loads(error.body or "")
        assert body["order_id"] == "o-9"
        assert float(body["sender_amount"]) == 25.5
    assert read.value.may_have_taken_effect is False
    assert read.value.path == "/api/v1/payout-method/retrieve-payout/p-1"
    assert create.value.order_id == "o-9"
    assert create.value.status == 200
    assert len(server.requests) == 2


async def test_data_that_does_not_fit_keeps_the_status_the_server_sent(server: RawServer) -> None:
    server.default = respond(201, envelope({"no_id": 1}))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args())
    assert caught.value.status == 201
