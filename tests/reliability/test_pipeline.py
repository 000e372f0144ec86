"""The request path at its edges: deadlines against cancellation, what earlier attempts leave
behind, references in errors and logs, and clients derived with ``with_options``.

Pinned on the raw socket server: each test counts what the server actually read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable

import anyio
import pytest

from paycombat_async import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ClientStateError,
    ConfigurationError,
    InvalidResponseError,
    NotFoundError,
    OutcomeUnknownError,
    PayCombat,
    PayCombatError,
    ServerError,
    ValidationError,
    _deadlines,
)
from paycombat_async._signing import sign
from tests.helpers import client_for, payout_args
from tests.rawserver import RawServer, envelope, reset, respond, stall

CREATE_PATH = "/api/v1/payout/create-payout"
PAYOUT = {"id": "p-1", "order_id": "order-1", "status": "PENDING"}


def client(server: RawServer, **kwargs: object) -> PayCombat:
    kwargs.setdefault("timeout", 2)
    return client_for(server.base_url, **kwargs)


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
    async with client(server, timeout=None) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
    assert len(server.requests) == 3


async def test_the_deadline_ends_a_stalled_read_as_a_timeout_and_leaves_the_task_clean(
    server: RawServer,
) -> None:
    server.default = stall()
    async with client(server, timeout=0.2) as c:
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


async def test_a_caller_cancelling_a_call_with_a_deadline_gets_its_cancellation(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.default = stall()
    async with client(server, timeout=30) as c:
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
    async with client(server, timeout=30) as c:
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
    async with client(server, timeout=None, max_connections=1, max_in_flight=2) as c:
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


async def test_a_create_refused_with_429_whose_deadline_passes_in_the_pause_did_not_happen(
    server: RawServer,
) -> None:
    server.default = respond(429, '{"status":false,"message":"slow down"}')
    # No Retry-After: the client pauses every request for its default pause (0.5 s), which
    # outlasts this deadline; the resend is never made.
    async with client(server, timeout=0.2) as c:
        with pytest.raises(APITimeoutError) as caught:
            await c.payouts.create(**payout_args(order_id="refused"))
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.may_have_taken_effect is False
    assert len(server.requests) == 1


async def test_a_resend_is_never_sent_after_the_deadline_even_if_its_timer_is_late(
    server: RawServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deadline timers fire up to a window late; here the window is an hour, so only the check
    # before each resend stands between the deadline and a request sent after it.
    monkeypatch.setattr(_deadlines, "GRAIN", 3600.0)
    server.default = respond(429, '{"status":false,"message":"slow down"}')
    # No Retry-After: the client pauses every request for its default pause (0.5 s), which
    # outlasts this deadline.
    async with client(server, timeout=0.2) as c:
        with pytest.raises(APITimeoutError) as caught:
            await c.payouts.create(**payout_args(order_id="late"))
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
    async with client(server, timeout=0.3) as c:
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
    async with client(server, timeout=0.3) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.checkouts.cancel("k-1")
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert caught.value.__cause__.may_have_taken_effect is False  # the timeout itself sent nothing
    assert [r.method for r in server.requests] == ["PATCH", "PATCH"]


# -- references, data that does not fit -------------------------------------------------------


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
    async with client(server) as c:
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
    async with client(server) as c:
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


# -- clients derived with with_options ---------------------------------------------------------


async def test_a_derived_client_shares_the_pool_and_closes_with_its_origin(
    server: RawServer,
) -> None:
    server.default = respond(200, envelope(PAYOUT))
    c = client(server)
    derived = c.with_options(timeout=1)
    twice = derived.with_options(max_retries=0)
    try:
        await derived.payouts.retrieve("p-1")
        await twice.payouts.retrieve("p-1")
        await c.payouts.retrieve("p-1")
        await twice.aclose()  # closes nothing: the pool is the origin's
        await derived.aclose()
        assert not c.is_closed
        await c.payouts.retrieve("p-1")
    finally:
        await c.aclose()
    assert twice.is_closed
    assert [r.connection for r in server.requests] == [0, 0, 0, 0]  # one pooled connection
    for closed in (c, derived, twice):
        with pytest.raises(ClientStateError, match="closed"):
            await closed.payouts.retrieve("p-1")
    assert len(server.requests) == 4


async def test_a_derived_client_shares_the_in_flight_cap_of_its_origin(
    server: RawServer,
) -> None:
    answer = asyncio.Event()
    server.then(stall(respond(200, envelope(PAYOUT)), until=answer))
    async with client(server, timeout=None, max_in_flight=1) as c:
        first = asyncio.ensure_future(c.payouts.retrieve("p-1"))
        await server.wait_for_requests(1)
        # The only place in flight is taken: the derived client's call waits for it.
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await c.with_options(timeout=5).payouts.retrieve("p-2")
        answer.set()
        assert (await first).id == "p-1"
    assert [r.path.rsplit("/", 1)[1] for r in server.requests] == ["p-1"]


async def test_closing_a_client_from_another_event_loop_is_refused_and_leaks_nothing(
    server: RawServer,
) -> None:
    server.default = respond(200, envelope(PAYOUT))
    c = client(server)
    try:
        await c.payouts.retrieve("p-1")  # the pool now belongs to this loop

        def call_from_another_loop() -> None:
            asyncio.run(c.payouts.retrieve("p-1"))

        def close_from_another_loop() -> None:
            asyncio.run(c.aclose())

        with pytest.raises(ClientStateError, match="another event loop"):
            await anyio.to_thread.run_sync(call_from_another_loop)

        with pytest.raises(ClientStateError, match="event loop"):
            await anyio.to_thread.run_sync(close_from_another_loop)
        assert c.is_closed  # no further calls, even though its pool is still open
        with pytest.raises(ClientStateError, match="closed"):
            await c.payouts.retrieve("p-1")
    finally:
        await c.aclose()  # on its own loop it closes the pool: no unclosed-session warning
    assert len(server.requests) == 1


# -- what the wire and the logs show -----------------------------------------------------------


async def test_each_attempt_is_logged_at_debug_with_its_status(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.then(respond(503, "{}"))
    server.default = respond(200, envelope(PAYOUT))
    async with client(server) as c:
        await c.payouts.retrieve("p-1")
    attempts = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.DEBUG and r.getMessage().endswith(("-> 503", "-> 200"))
    ]
    describe = "Retrieve Payout (GET /api/v1/payout-method/retrieve-payout/p-1)"
    assert attempts == [f"{describe} -> 503", f"{describe} -> 200"]
    resends = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(resends) == 1
    assert resends[0].startswith(f"{describe}: attempt 1 failed")


async def test_an_error_after_a_resend_has_a_traceback_of_its_own(server: RawServer) -> None:
    server.then(respond(503, '{"message":"busy"}'), respond(404, '{"message":"no such payout"}'))
    async with client(server) as c:
        with pytest.raises(NotFoundError) as caught:
            await c.payouts.retrieve("p-1")
    shown = "".join(traceback.format_exception(caught.value))
    assert "During handling" not in shown  # the resent attempt's 503 is not chained on
    assert "busy" not in shown
    assert len(server.requests) == 2


async def test_an_error_body_that_is_not_utf8_is_kept_with_replacement_characters(
    server: RawServer,
) -> None:
    server.default = respond(400, b'{"message":"bad \xff\xfe amount"}')
    async with client(server) as c:
        with pytest.raises(BadRequestError) as caught:
            await c.payouts.create(**payout_args())
    assert caught.value.body == '{"message":"bad \ufffd\ufffd amount"}'
    assert caught.value.status == 400
    assert (caught.value.method, caught.value.path) == ("POST", CREATE_PATH)


async def test_a_signed_request_declares_json(server: RawServer) -> None:
    server.default = respond(201, envelope(PAYOUT))
    async with client(server) as c:
        await c.payouts.create(**payout_args())
        await c.payouts.retrieve("p-1")
    create, read = server.requests
    assert create.headers["content-type"] == "application/json"
    assert "content-type" not in read.headers


# -- connection failures and a client closed under its calls -----------------------------------


async def test_a_dropped_connection_names_the_request_and_what_failed(server: RawServer) -> None:
    server.default = reset()
    async with client(server) as c:
        with pytest.raises(APIConnectionError) as read:
            await c.payouts.retrieve("p-1")
        with pytest.raises(OutcomeUnknownError) as create:
            await c.payouts.create(**payout_args(order_id="dropped"))
    cause = create.value.__cause__
    assert isinstance(cause, APIConnectionError)
    assert (cause.method, cause.path) == ("POST", CREATE_PATH)
    assert cause.may_have_taken_effect is True
    assert (read.value.method, read.value.path) == (
        "GET",
        "/api/v1/payout-method/retrieve-payout/p-1",
    )
    assert read.value.may_have_taken_effect is False
    for error in (read.value, cause):
        assert "Connection to PayCombat failed" in error.message
        kind = error.message.split("(", 1)[1].split(")", 1)[0]
        assert kind.endswith(("Error", "Disconnected")), kind  # which failure it was
    assert len(server.requests) == 4  # the read three times, the create once


async def test_calls_in_flight_when_the_client_closes_say_so_and_whether_they_were_sent(
    server: RawServer,
) -> None:
    server.default = stall()
    c = client(server, timeout=None)
    outcomes: dict[str, BaseException] = {}

    async def run(name: str, call: Awaitable[object]) -> None:
        try:
            await call
        except PayCombatError as exc:
            outcomes[name] = exc

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(run, "read", c.payouts.retrieve("p-1"))
            await server.wait_for_requests(1)
            tg.start_soon(run, "create", c.payouts.create(**payout_args(order_id="closing")))
            await server.wait_for_requests(2)
            await c.aclose()
    finally:
        await c.aclose()
    read, create = outcomes["read"], outcomes["create"]
    assert isinstance(read, ClientStateError)
    assert not isinstance(read, OutcomeUnknownError)
    assert "closed while the call was in flight" in read.message
    assert (read.method, read.path) == ("GET", "/api/v1/payout-method/retrieve-payout/p-1")
    assert read.may_have_taken_effect is False
    assert isinstance(create, OutcomeUnknownError)
    assert create.order_id == "closing"
    cause = create.__cause__
    assert isinstance(cause, ClientStateError)
    assert "closed while the call was in flight" in cause.message
    assert (cause.method, cause.path) == ("POST", CREATE_PATH)
    assert cause.may_have_taken_effect is True
    assert len(server.requests) == 2  # neither was resent


async def test_data_that_does_not_fit_keeps_the_status_the_server_sent(server: RawServer) -> None:
    server.default = respond(201, envelope({"no_id": 1}))
    async with client(server) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args())
    assert caught.value.status == 201


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
        async with client(server, timeout=None) as c:
            task = asyncio.ensure_future(c.payouts.create(**payout_args(order_id="paused")))
            await seen.event.wait()  # answered 429: the create is now waiting to be resent
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        logging.getLogger("paycombat").removeHandler(seen)
    assert warnings_in(caplog) == []  # refused, never resent: nothing is in doubt
    assert len(server.requests) == 1


async def test_releasing_the_pool_closes_its_connections_and_the_client_stays_usable() -> None:
    # What the blocking client does before fork(): its idle pool is closed, not the client.
    connections: list[asyncio.Event] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hung_up = asyncio.Event()
        connections.append(hung_up)
        body = envelope(PAYOUT)
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(head.encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            hung_up.set()  # the client closed the connection
        finally:
            writer.close()

    tcp = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        async with client_for(f"http://127.0.0.1:{port}") as c:
            await c.payouts.retrieve("p-1")
            await c.payouts.retrieve("p-1")
            assert len(connections) == 1  # pooled
            await c._pipeline.release()
            async with asyncio.timeout(5):
                await connections[0].wait()
            assert not c.is_closed
            assert (await c.payouts.retrieve("p-1")).id == "p-1"
            assert len(connections) == 2  # a new pool
    finally:
        tcp.close()
        await tcp.wait_closed()


# -- what an answer becomes --------------------------------------------------------------------


async def test_a_raw_response_is_exactly_what_came_over_the_wire(server: RawServer) -> None:
    body = envelope(PAYOUT)
    server.default = respond(201, body, headers={"X-Request-Id": "req-9"})
    async with client(server) as c:
        raw = await c.with_raw_response.payouts.retrieve("p-1")
    assert raw.status == 201
    assert raw.headers["x-request-id"] == "req-9"
    assert raw.content == body
    assert raw.parse().id == "p-1"


async def test_a_binary_answer_is_returned_as_its_bytes(server: RawServer) -> None:
    pdf = b"%PDF-1.4\n\xe2\xe3\xcf\xd3 not json"
    server.default = respond(200, pdf, headers={"Content-Type": "application/pdf"})
    async with client(server) as c:
        assert await c.payouts.retrieve_memo("p-1") == pdf


async def test_a_429s_pause_for_the_whole_client_is_capped_like_its_resend(
    server: RawServer,
) -> None:
    # NO_WAIT honours no Retry-After (max_retry_after=0): the resend, and every other request of
    # the client, go at once rather than in 30 s (or after the default pause for a 429 without
    # a hint), well within this deadline.
    server.then(respond(429, '{"message":"slow down"}', headers={"Retry-After": "30"}))
    server.default = respond(200, envelope(PAYOUT))
    async with client(server, timeout=0.3) as c:
        assert (await c.payouts.create(**payout_args())).id == "p-1"
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
    assert len(server.requests) == 3


async def test_an_answer_over_the_cap_keeps_none_of_its_body(server: RawServer) -> None:
    server.default = respond(200, b'{"status":true,"data":{"id":"' + b"x" * 200 + b'"}}')
    async with client(server, max_response_bytes=100) as c:
        with pytest.raises(InvalidResponseError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.status == 200
    assert caught.value.body == ""
    assert (caught.value.method, caught.value.path) == (
        "GET",
        "/api/v1/payout-method/retrieve-payout/p-1",
    )


# -- what is sent ------------------------------------------------------------------------------


async def test_a_signed_call_without_fields_sends_and_signs_an_empty_object(
    server: RawServer,
) -> None:
    async with client(server) as c:
        await c.request("POST", "/api/v1/thing")
    arrived = server.requests[0]
    assert arrived.body == b"{}"
    assert arrived.headers["signature"] == sign(b"{}", "snd_test_signature_key")


async def test_a_body_on_a_get_is_refused_before_anything_is_sent(server: RawServer) -> None:
    async with client(server) as c:
        with pytest.raises(ValidationError, match="no request body"):
            await c.request("GET", "/api/v1/thing", json={"order_id": "x"})
    assert server.requests == []


async def test_a_signed_call_without_a_signature_key_is_refused_before_sending(
    server: RawServer,
) -> None:
    async with PayCombat(token="snd_test_token_value", base_url=server.base_url) as c:
        with pytest.raises(ConfigurationError, match="signature_key"):
            await c.payouts.create(**payout_args())
        server.default = respond(200, envelope(PAYOUT))
        assert (await c.payouts.retrieve("p-1")).id == "p-1"  # reads need no key
    assert [r.method for r in server.requests] == ["GET"]
