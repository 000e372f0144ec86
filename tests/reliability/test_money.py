"""Money: one classifier decides resend / raise / outcome unknown, pinned on a raw socket server.

Every test counts what the server actually read: a create or money move must arrive at most once
unless every earlier attempt provably never arrived (a connect failure, a 429).
"""

from __future__ import annotations

import asyncio
import json
import logging

import attrs
import pytest

from paycombat_async import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    InvalidResponseError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    UnprocessableEntityError,
)
from paycombat_async.models.payout import Payout
from tests.helpers import CREATE_PATH, PAYOUT, client_for, payout_args
from tests.rawserver import (
    Action,
    RawServer,
    close,
    drip,
    envelope,
    reset,
    respond,
    send_raw,
    stall,
)


def upstream(status_code: int) -> bytes:
    """A 2xx whose ``data`` is a failed upstream (Finmo) envelope with ``status_code``."""
    nested = {"success": False, "status_code": status_code, "request_id": "x", "message": "busy"}
    return envelope(nested)


# -- creates: at most once ---------------------------------------------------------------------


@pytest.mark.parametrize("fault", [reset, close], ids=["reset", "closed"])
async def test_a_create_dropped_after_it_was_read_is_outcome_unknown_and_sent_once(
    server: RawServer, fault: object
) -> None:
    server.then(fault())  # type: ignore[operator]
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args(order_id="dropped"))
    error = caught.value
    assert error.order_id == "dropped"
    assert error.may_have_taken_effect is True
    assert isinstance(error.__cause__, APIConnectionError)
    assert error.__cause__.may_have_taken_effect is True
    assert (error.method, error.path) == ("POST", CREATE_PATH)
    assert len(server.requests) == 1
    assert json.loads(server.requests[0].body)["order_id"] == "dropped"


async def test_a_create_that_times_out_waiting_for_the_pool_was_never_sent(
    server: RawServer,
) -> None:
    answer = asyncio.Event()
    server.then(stall(respond(200, envelope(PAYOUT)), until=answer))
    # More requests may be in flight than there are connections (by default they may not, and a
    # call waiting for its turn does not start its deadline): the second one waits for the pool.
    async with client_for(server, timeout=5, max_connections=1, max_in_flight=2) as c:
        first = asyncio.ensure_future(c.payouts.create(**payout_args(order_id="holds-the-pool")))
        try:
            await server.wait_for_requests(1)
            # The second call gets its own short deadline (the config is read per call), so it
            # expires while the only connection is still held by the stalled first call.
            c._pipeline.config = attrs.evolve(c.config, timeout=0.3)
            with pytest.raises(APITimeoutError) as caught:
                await c.payouts.create(**payout_args(order_id="never-sent"))
        finally:
            answer.set()
            created = await first
    assert created.id == "p-1"
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.may_have_taken_effect is False
    assert [json.loads(r.body)["order_id"] for r in server.requests] == ["holds-the-pool"]


async def test_a_dripping_answer_times_out_a_read_without_resending_past_the_deadline(
    server: RawServer,
) -> None:
    server.default = drip(200, envelope(PAYOUT), every=0.05)
    async with client_for(server, timeout=0.5) as c:
        with pytest.raises(APITimeoutError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 1  # the deadline was spent on the first attempt


async def test_a_dripping_answer_to_a_create_is_outcome_unknown(server: RawServer) -> None:
    server.default = drip(200, envelope(PAYOUT), every=0.05)
    async with client_for(server, timeout=0.5) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args(order_id="slow"))
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert caught.value.__cause__.may_have_taken_effect is True
    assert caught.value.order_id == "slow"
    assert len(server.requests) == 1


async def test_a_put_on_a_pooled_connection_closed_after_reading_it_is_not_resent_by_aiohttp(
    server: RawServer,
) -> None:
    server.then(respond(200, envelope({"warm": True})), close())
    async with client_for(server, timeout=2) as c:
        assert await c.request("GET", "/api/v1/anything") == {"warm": True}
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.request("PUT", "/api/v1/anything", json={"order_id": "put-1"})
    assert caught.value.order_id == "put-1"
    assert [(r.method, r.connection) for r in server.requests] == [("GET", 0), ("PUT", 0)]


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
async def test_the_escape_hatch_treats_every_write_as_a_money_move(
    server: RawServer, method: str
) -> None:
    server.default = respond(503, '{"status":false,"message":"busy"}')
    async with client_for(server, timeout=2) as c:
        body = None if method == "DELETE" else {"order_id": "hatch"}  # DELETE has no body
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.request(method, "/api/v1/anything", json=body)
    assert isinstance(caught.value.__cause__, ServerError)
    assert len(server.requests) == 1


async def test_the_escape_hatch_resends_reads(server: RawServer) -> None:
    server.then(respond(503, "{}"), reset())
    server.default = respond(200, envelope({"n": 1}))
    async with client_for(server, timeout=2) as c:
        assert await c.request("GET", "/api/v1/anything") == {"n": 1}
    assert len(server.requests) == 3


def truncated() -> Action:
    """Headers promising 100 bytes, 20 of them, then the connection closes."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    return send_raw(head + b'{"status":true,"dat')


async def test_a_create_whose_answer_is_cut_short_is_outcome_unknown(server: RawServer) -> None:
    server.default = truncated()
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args(order_id="cut"))
    assert isinstance(caught.value.__cause__, APIConnectionError)
    assert caught.value.__cause__.may_have_taken_effect is True
    assert len(server.requests) == 1


@pytest.mark.parametrize("fault", [truncated, reset, close], ids=["truncated", "reset", "closed"])
async def test_a_read_is_resent_after_a_lost_answer_and_its_final_error_says_no_effect(
    server: RawServer, fault: object
) -> None:
    server.default = fault()  # type: ignore[operator]
    async with client_for(server, timeout=2) as c:
        with pytest.raises(APIConnectionError) as caught:
            await c.payouts.retrieve("p-1")
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 3  # first attempt + max_retries=2


async def test_a_create_cancelled_after_it_was_sent_is_logged_with_its_reference(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.default = stall()
    async with client_for(server, timeout=None) as c:
        task = asyncio.ensure_future(c.payouts.create(**payout_args(order_id="cancelled-1")))
        await server.wait_for_requests(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "order_id=cancelled-1" in warnings[0]
    assert f"POST {CREATE_PATH}" in warnings[0]
    assert len(server.requests) == 1


# -- redirects, envelopes and the shape of a 2xx -----------------------------------------------


@pytest.mark.parametrize("status", [300, 301, 302, 303, 304, 307, 308])
@pytest.mark.parametrize("create", [False, True], ids=["read", "create"])
async def test_a_redirect_is_not_followed_and_says_nothing_happened(
    server: RawServer, status: int, create: bool
) -> None:
    server.default = respond(status, "", headers={"Location": "https://elsewhere.example/x"})
    async with client_for(server, timeout=2) as c:
        call = c.payouts.create(**payout_args()) if create else c.payouts.retrieve("p-1")
        with pytest.raises(InvalidResponseError) as caught:
            await call
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.status == status
    assert caught.value.may_have_taken_effect is False
    assert "elsewhere.example" in caught.value.message
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"no_id": 1}, id="missing-id"),
        pytest.param([PAYOUT], id="array"),
        pytest.param("p-1", id="string"),
        pytest.param(42, id="number"),
        pytest.param({"id": None}, id="null-id"),
        pytest.param({"id": {"nested": True}}, id="object-id"),
    ],
)
async def test_a_create_answered_2xx_that_does_not_fit_the_model_is_outcome_unknown(
    server: RawServer, data: object
) -> None:
    server.default = respond(201, envelope(data))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args(order_id="odd-shape"))
    cause = caught.value.__cause__
    assert isinstance(cause, InvalidResponseError)
    assert cause.may_have_taken_effect is True
    assert json.loads(cause.body or "") == data  # the raw data is kept for reconciliation
    assert caught.value.order_id == "odd-shape"
    assert len(server.requests) == 1


async def test_a_read_answered_2xx_that_does_not_fit_the_model_is_an_invalid_response(
    server: RawServer,
) -> None:
    server.default = respond(200, envelope({"no_id": 1}))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(InvalidResponseError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 1


@pytest.mark.parametrize("body", [b'{"status":true}', b'{"status":true,"message":"OK"}', b"{}"])
async def test_a_2xx_without_data(server: RawServer, body: bytes) -> None:
    server.default = respond(200, body)
    async with client_for(server, timeout=2) as c:
        with pytest.raises(InvalidResponseError) as read:
            await c.payouts.retrieve("p-1")
        with pytest.raises(OutcomeUnknownError) as create:
            await c.payouts.create(**payout_args())
    assert read.value.may_have_taken_effect is False
    assert isinstance(create.value.__cause__, InvalidResponseError)
    assert "data" in create.value.__cause__.message
    assert len(server.requests) == 2  # neither was resent


@pytest.mark.parametrize("flag", ["error", "failed", "FAILED", 0, "false", False, "", None, []])
async def test_an_envelope_whose_status_is_not_success_is_an_error_never_a_model(
    server: RawServer, flag: object
) -> None:
    server.default = respond(200, envelope(PAYOUT, status=flag, message="declined"))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(APIError) as read:
            await c.payouts.retrieve("p-1")
        with pytest.raises(APIError) as create:
            await c.payouts.create(**payout_args())
    for caught in (read, create):
        assert not isinstance(caught.value, (InvalidResponseError, OutcomeUnknownError))
        assert caught.value.message == "declined"
        assert caught.value.status == 200
        assert caught.value.may_have_taken_effect is False


@pytest.mark.parametrize("flag", [True, "success", "SUCCESS", "ok", "OK", "Success", None])
async def test_an_envelope_whose_status_says_success_gives_the_model(
    server: RawServer, flag: object
) -> None:
    body = envelope(PAYOUT, status=flag) if flag is not None else json.dumps({"data": PAYOUT})
    server.default = respond(200, body)
    async with client_for(server, timeout=2) as c:
        payout = await c.payouts.retrieve("p-1")
    assert isinstance(payout, Payout)
    assert payout.id == "p-1"


# -- upstream failures nested in a 2xx ---------------------------------------------------------


@pytest.mark.parametrize("nested", [429, 500, 502, 503])
async def test_a_nested_upstream_429_or_5xx_on_a_create_is_outcome_unknown_and_not_resent(
    server: RawServer, nested: int
) -> None:
    server.default = respond(200, upstream(nested))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args(order_id="upstream"))
    assert caught.value.order_id == "upstream"
    cause = caught.value.__cause__
    assert isinstance(cause, RateLimitError if nested == 429 else ServerError)
    assert cause.may_have_taken_effect is True
    assert len(server.requests) == 1


@pytest.mark.parametrize(("nested", "cls"), [(400, BadRequestError), (404, NotFoundError)])
async def test_a_nested_upstream_refusal_on_a_create_says_it_did_not_happen(
    server: RawServer, nested: int, cls: type[APIError]
) -> None:
    server.default = respond(200, upstream(nested))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(cls) as caught:
            await c.payouts.create(**payout_args())
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.may_have_taken_effect is False
    assert caught.value.message == "busy"
    assert len(server.requests) == 1


async def test_data_with_a_success_field_but_no_request_id_is_not_an_upstream_envelope(
    server: RawServer,
) -> None:
    server.default = respond(200, envelope({**PAYOUT, "success": False, "status_code": 500}))
    async with client_for(server, timeout=2) as c:
        payout = await c.payouts.retrieve("p-1")
    assert payout.id == "p-1"
    assert len(server.requests) == 1


async def test_a_nested_upstream_5xx_on_a_read_is_resent(server: RawServer) -> None:
    server.then(respond(200, upstream(503)))
    server.default = respond(200, envelope(PAYOUT))
    async with client_for(server, timeout=2) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
    assert len(server.requests) == 2


# -- what earlier attempts leave behind --------------------------------------------------------


async def test_a_create_throttled_then_dropped_is_outcome_unknown_after_two_sends(
    server: RawServer,
) -> None:
    server.then(respond(429, '{"status":false}'), reset())
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args())
    assert isinstance(caught.value.__cause__, APIConnectionError)
    assert len(server.requests) == 2


async def test_a_create_throttled_then_refused_is_the_refusal(server: RawServer) -> None:
    server.then(respond(429, '{"status":false}'), respond(400, '{"message":"bad iban"}'))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(BadRequestError, match="bad iban") as caught:
            await c.payouts.create(**payout_args())
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 2


async def test_a_create_throttled_then_created_returns_the_payout(server: RawServer) -> None:
    server.then(respond(429, "{}", headers={"Retry-After": "0"}))
    server.default = respond(201, envelope(PAYOUT))
    async with client_for(server, timeout=2) as c:
        assert (await c.payouts.create(**payout_args())).id == "p-1"
    assert len(server.requests) == 2


async def test_a_read_that_arrived_then_404s_says_not_found_without_doubt(
    server: RawServer,
) -> None:
    server.then(reset(), respond(404, '{"message":"no such payout"}'))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(NotFoundError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 2


# -- idempotent-in-effect changes --------------------------------------------------------------


CUSTOMER = {"customer_id": "c-1", "is_active": True}
CHECKOUT = {"id": "k-1", "status": "CANCELLED"}


@pytest.mark.parametrize("first", ["reset", "503"])
@pytest.mark.parametrize(
    ("then", "cls"),
    [(404, NotFoundError), (409, ConflictError), (422, UnprocessableEntityError)],
)
async def test_a_state_conflict_after_an_attempt_that_may_have_arrived_is_outcome_unknown(
    server: RawServer, first: str, then: int, cls: type[APIError]
) -> None:
    server.then(reset() if first == "reset" else respond(503, "{}"))
    server.then(respond(then, '{"message":"already cancelled"}'))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.checkouts.cancel("k-1")
    assert isinstance(caught.value.__cause__, cls)
    assert [r.method for r in server.requests] == ["PATCH", "PATCH"]


@pytest.mark.parametrize(("status", "cls"), [(404, NotFoundError), (409, ConflictError)])
async def test_a_state_conflict_on_the_first_attempt_is_the_plain_error(
    server: RawServer, status: int, cls: type[APIError]
) -> None:
    server.default = respond(status, '{"message":"no"}')
    async with client_for(server, timeout=2) as c:
        with pytest.raises(cls) as caught:
            await c.customers.disable("c-1")
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 1


async def test_the_doubt_of_an_early_attempt_outlives_a_later_429(server: RawServer) -> None:
    # reset (may have arrived), then a 429 (refused), then a 404: the first attempt may be what
    # cancelled the checkout, whatever the 429 in between said.
    server.then(reset(), respond(429, "{}"), respond(404, '{"message":"gone"}'))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.checkouts.cancel("k-1")
    assert isinstance(caught.value.__cause__, NotFoundError)
    assert len(server.requests) == 3


async def test_a_state_conflict_after_a_429_is_the_plain_error(server: RawServer) -> None:
    server.then(respond(429, "{}"), respond(404, '{"message":"gone"}'))
    async with client_for(server, timeout=2) as c:
        with pytest.raises(NotFoundError):
            await c.customers.delete("c-1")
    assert len(server.requests) == 2


async def test_an_idempotent_change_is_resent_after_a_drop_and_succeeds(
    server: RawServer,
) -> None:
    server.then(reset(), respond(502, "<html>bad gateway</html>"))
    server.default = respond(200, envelope(CUSTOMER))
    async with client_for(server, timeout=2) as c:
        customer = await c.customers.enable("c-1")
    assert customer.customer_id == "c-1"
    assert len(server.requests) == 3


async def test_giving_up_on_an_idempotent_change_after_transient_errors_is_outcome_unknown(
    server: RawServer,
) -> None:
    server.default = respond(503, '{"message":"down"}')
    async with client_for(server, timeout=2) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.checkouts.cancel("k-1")
    assert isinstance(caught.value.__cause__, ServerError)
    assert len(server.requests) == 3  # first attempt + max_retries=2


# -- Retry-After -------------------------------------------------------------------------------


async def test_a_retry_after_http_date_beyond_the_deadline_gives_up_with_the_real_error(
    server: RawServer,
) -> None:
    server.default = respond(
        429, '{"message":"slow down"}', headers={"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    patient = RetryPolicy(max_retries=5, initial_backoff=0, max_backoff=0, max_retry_after=3600)
    async with client_for(server, timeout=2, retry=patient) as c:
        with pytest.raises(RateLimitError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 10**8
    assert len(server.requests) == 1  # it did not sleep towards 2100, nor ignore the date


async def test_a_retry_after_http_date_in_the_past_is_resent_at_once(server: RawServer) -> None:
    server.then(respond(503, "{}", headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    server.default = respond(200, envelope(PAYOUT))
    patient = RetryPolicy(max_retries=2, initial_backoff=60, max_backoff=60, max_retry_after=60)
    async with client_for(server, timeout=2, retry=patient) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
    assert len(server.requests) == 2


async def test_a_retry_after_in_seconds_past_the_deadline_is_not_slept(server: RawServer) -> None:
    server.default = respond(503, "{}", headers={"Retry-After": "30"})
    patient = RetryPolicy(max_retries=5, initial_backoff=0, max_backoff=0, max_retry_after=60)
    async with client_for(server, timeout=1, retry=patient) as c:
        with pytest.raises(ServerError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.retry_after == 30
    assert len(server.requests) == 1


# -- logging -----------------------------------------------------------------------------------


async def test_outcome_unknown_is_logged_at_warning_with_the_reference_and_resends_at_debug(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.then(respond(503, "{}"))  # the read's first attempt: resent
    server.then(respond(200, envelope(PAYOUT)))
    server.then(reset())  # the create: outcome unknown
    server.then(close())  # the PUT through the escape hatch: outcome unknown
    async with client_for(server, timeout=2) as c:
        await c.payouts.retrieve("p-1")
        with pytest.raises(OutcomeUnknownError):
            await c.payouts.create(**payout_args(order_id="ref-42"))
        with pytest.raises(OutcomeUnknownError):
            await c.request("PUT", "/api/v1/thing", json={"order_id": "ref-43"})
    records = [r for r in caplog.records if r.name == "paycombat"]
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert f"POST {CREATE_PATH}" in warnings[0]
    assert "order_id=ref-42" in warnings[0]
    assert "PUT /api/v1/thing" in warnings[1]
    assert "order_id=ref-43" in warnings[1]
    resends = [r for r in records if "retrying" in r.getMessage()]
    assert len(resends) == 1
    assert resends[0].levelno == logging.DEBUG
    assert "/api/v1/payout-method/retrieve-payout/p-1" in resends[0].getMessage()
    assert all(r.levelno < logging.ERROR for r in records)
