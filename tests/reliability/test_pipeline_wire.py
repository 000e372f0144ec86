"""The client's wire at its edges: the pool it shares and releases, event loops, a client
closed under its calls, connection failures, what is sent and what an answer becomes.

Pinned on real loopback servers: each test counts what the server actually read.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable

import anyio
import pytest

from paycombat_async import (
    APIConnectionError,
    BadRequestError,
    ClientStateError,
    ConfigurationError,
    InvalidResponseError,
    NotFoundError,
    OutcomeUnknownError,
    PayCombat,
    PayCombatError,
    ValidationError,
)
from paycombat_async._codec.signing import sign
from tests.helpers import CREATE_PATH, PAYOUT, client_for, payout_args
from tests.rawserver import RawServer, envelope, reset, respond, stall

# -- the pool, derived clients, event loops and closing ----------------------------------------


async def test_a_derived_client_shares_the_pool_and_closes_with_its_origin(
    server: RawServer,
) -> None:
    server.default = respond(200, envelope(PAYOUT))
    c = client_for(server, timeout=2)
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
    async with client_for(server, timeout=None, max_in_flight=1) as c:
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
    c = client_for(server, timeout=2)
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


async def test_calls_in_flight_when_the_client_closes_say_so_and_whether_they_were_sent(
    server: RawServer,
) -> None:
    server.default = stall()
    c = client_for(server, timeout=None)
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


# -- connection failures, logs and tracebacks --------------------------------------------------


async def test_a_dropped_connection_names_the_request_and_what_failed(server: RawServer) -> None:
    server.default = reset()
    async with client_for(server, timeout=2) as c:
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


async def test_each_attempt_is_logged_at_debug_with_its_status(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    server.then(respond(503, "{}"))
    server.default = respond(200, envelope(PAYOUT))
    async with client_for(server, timeout=2) as c:
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
    async with client_for(server, timeout=2) as c:
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
    async with client_for(server, timeout=2) as c:
        with pytest.raises(BadRequestError) as caught:
            await c.payouts.create(**payout_args())
    assert caught.value.body == '{"message":"bad \ufffd\ufffd amount"}'
    assert caught.value.status == 400
    assert (caught.value.method, caught.value.path) == ("POST", CREATE_PATH)


# -- what an answer becomes --------------------------------------------------------------------


async def test_a_raw_response_is_exactly_what_came_over_the_wire(server: RawServer) -> None:
    body = envelope(PAYOUT)
    server.default = respond(201, body, headers={"X-Request-Id": "req-9"})
    async with client_for(server, timeout=2) as c:
        raw = await c.with_raw_response.payouts.retrieve("p-1")
    assert raw.status == 201
    assert raw.headers["x-request-id"] == "req-9"
    assert raw.content == body
    assert raw.parse().id == "p-1"


async def test_a_binary_answer_is_returned_as_its_bytes(server: RawServer) -> None:
    pdf = b"%PDF-1.4\n\xe2\xe3\xcf\xd3 not json"
    server.default = respond(200, pdf, headers={"Content-Type": "application/pdf"})
    async with client_for(server, timeout=2) as c:
        assert await c.payouts.retrieve_memo("p-1") == pdf


async def test_a_429s_pause_for_the_whole_client_is_capped_like_its_resend(
    server: RawServer,
) -> None:
    # NO_WAIT honours no Retry-After (max_retry_after=0): the resend, and every other request of
    # the client, go at once rather than in 30 s (or after the default pause for a 429 without
    # a hint), well within this deadline.
    server.then(respond(429, '{"message":"slow down"}', headers={"Retry-After": "30"}))
    server.default = respond(200, envelope(PAYOUT))
    async with client_for(server, timeout=0.3) as c:
        assert (await c.payouts.create(**payout_args())).id == "p-1"
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
    assert len(server.requests) == 3


async def test_an_answer_over_the_cap_keeps_none_of_its_body(server: RawServer) -> None:
    server.default = respond(200, b'{"status":true,"data":{"id":"' + b"x" * 200 + b'"}}')
    async with client_for(server, timeout=2, max_response_bytes=100) as c:
        with pytest.raises(InvalidResponseError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.status == 200
    assert caught.value.body == ""
    assert (caught.value.method, caught.value.path) == (
        "GET",
        "/api/v1/payout-method/retrieve-payout/p-1",
    )


# -- what is sent ------------------------------------------------------------------------------


async def test_a_signed_request_declares_json(server: RawServer) -> None:
    server.default = respond(201, envelope(PAYOUT))
    async with client_for(server, timeout=2) as c:
        await c.payouts.create(**payout_args())
        await c.payouts.retrieve("p-1")
    create, read = server.requests
    assert create.headers["content-type"] == "application/json"
    assert "content-type" not in read.headers


async def test_a_signed_call_without_fields_sends_and_signs_an_empty_object(
    server: RawServer,
) -> None:
    async with client_for(server, timeout=2) as c:
        await c.request("POST", "/api/v1/thing")
    arrived = server.requests[0]
    assert arrived.body == b"{}"
    assert arrived.headers["signature"] == sign(b"{}", "snd_test_signature_key")


async def test_a_body_on_a_get_is_refused_before_anything_is_sent(server: RawServer) -> None:
    async with client_for(server, timeout=2) as c:
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
