"""The sandbox against hostile requests: it authenticates before it records, caps what it keeps,
and answers every hostile request with a PayCombat envelope (4xx), never a 500 with a traceback.

Requests go raw over loopback (aiohttp's client), signed with the SDK's own signer when the body
must pass the signature check to reach what is tested.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from paycombat_async._codec.signing import js_dumps, sign
from paycombat_async.resources import OPERATIONS
from paycombat_async.sandbox import LocalSandbox, RecordedRequest
from paycombat_async.sandbox.handlers import ALL_HANDLERS, Call, Reply
from tests.helpers import payout_args

CREATE = OPERATIONS.find("Create Payout")
LIST = OPERATIONS.find("payouts.list")
SIMULATE = OPERATIONS.find("Simulate Payout")
LOGGERS = ("aiohttp", "paycombat")
MiB = 1024 * 1024


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(autouse=True)
def no_traceback_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing the sandbox or aiohttp logs, for any of these requests, is an error or carries
    a traceback (aiohttp logs an unhandled exception at ERROR, with its traceback)."""
    with caplog.at_level(logging.DEBUG):
        yield
    bad = [
        r
        for r in caplog.records
        if r.name.startswith(LOGGERS) and (r.levelno >= logging.ERROR or r.exc_info)
    ]
    assert bad == [], [r.getMessage() for r in bad]


async def send(
    http: aiohttp.ClientSession,
    sandbox: LocalSandbox,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    token: str | None = None,
    signature: str | None = None,
    signed: bool = False,
) -> tuple[int, Any]:
    """Send one request; returns its status and its body, which must be a JSON envelope."""
    headers = {"X-token": sandbox.token if token is None else token}
    if signed:
        signature = sign(body, sandbox.signature_key)
    if signature is not None:
        headers["signature"] = signature
    if body:
        headers["Content-Type"] = "application/json"
    data = io.BytesIO(body) if len(body) > MiB else body  # (aiohttp warns of large bytes)
    async with http.request(method, sandbox.base_url + path, data=data, headers=headers) as r:
        assert r.content_type == "application/json", (r.status, await r.text())
        payload = json.loads(await r.read())
    assert set(payload) == {"status", "message", "data"}, payload
    assert isinstance(payload["message"], str)
    assert "Traceback" not in payload["message"]
    return r.status, payload


def refused_envelope(payload: Any) -> bool:
    return payload["status"] is False and payload["data"] is None


def signed_body(**overrides: Any) -> bytes:
    return js_dumps(payout_args(**overrides))


# -- authenticate before recording ---------------------------------------------------------------


async def test_unauthenticated_requests_get_a_401_and_are_only_counted(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    body = signed_body()
    attempts: list[dict[str, Any]] = [
        {"token": ""},  # no X-token
        {"token": "snd_wrong"},
        {"token": sandbox.token + "x", "signed": True},
        {"token": "t\u00e9"},  # not ASCII
        {},  # the right token, no signature
        {"signature": "0" * 64},  # the right token, a wrong signature
        {"signature": "s\u00efgnature"},
    ]
    for attempt in attempts:
        status, payload = await send(http, sandbox, "POST", CREATE.path, body, **attempt)
        assert status == 401, attempt
        assert refused_envelope(payload)
    assert sandbox.requests == []
    assert sandbox.refused == {401: len(attempts)}
    assert sandbox.state.objects("payout") == {}


async def test_a_flood_of_unauthenticated_megabyte_posts_keeps_nothing(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    megabyte = b'{"pad": "' + b"x" * (MiB - 20) + b'"}'
    for _ in range(30):
        status, _ = await send(http, sandbox, "POST", CREATE.path, megabyte, token="snd_nope")
        assert status == 401
    assert sandbox.requests == []
    assert sandbox.refused[401] == 30
    assert sandbox.dropped == 0


async def test_authenticated_requests_are_recorded_as_before_and_a_list_subclass_is_told(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    told: list[str] = []

    class Watching(list[RecordedRequest]):
        def append(self, request: RecordedRequest) -> None:
            super().append(request)
            told.append(request.title)

    sandbox.requests = Watching()
    body = signed_body()
    status, payload = await send(http, sandbox, "POST", CREATE.path, body, signed=True)
    assert (status, payload["status"]) == (200, True)
    assert (await send(http, sandbox, "GET", LIST.path))[0] == 200
    assert isinstance(sandbox.requests, Watching)
    assert told == [CREATE.title, LIST.title]
    create, listing = sandbox.requests
    assert (create.key, create.body, create.signature) == (
        CREATE.key,
        body,
        sign(body, sandbox.signature_key),
    )
    assert (listing.method, listing.body, listing.signature) == ("GET", b"", None)
    assert sandbox.refused == {}


async def test_a_fault_never_answers_an_unauthenticated_request(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.inject("payouts.list", status=503)
    assert (await send(http, sandbox, "GET", LIST.path, token="snd_nope"))[0] == 401
    status, payload = await send(http, sandbox, "GET", LIST.path)
    assert status == 503  # the fault was still queued: the 401 never reached it
    assert refused_envelope(payload)
    assert [r.title for r in sandbox.requests] == [LIST.title]


# -- caps on what is kept ------------------------------------------------------------------------


async def test_the_default_limits() -> None:
    sandbox = LocalSandbox()
    assert sandbox.max_recorded == 10_000
    assert sandbox.max_recorded_bytes == 64 * MiB
    assert sandbox.max_body_size == MiB
    assert sandbox.max_json_depth == 64
    assert (sandbox.requests, sandbox.refused, sandbox.dropped) == ([], {}, 0)


async def test_the_record_keeps_the_last_max_recorded_requests(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.max_recorded = 5
    for page in range(1, 9):
        assert (await send(http, sandbox, "GET", f"{LIST.path}?page={page}"))[0] == 200
    assert len(sandbox.requests) == 5
    assert sandbox.dropped == 3
    # the oldest went first; a test's own list is held to the cap too, and told of each arrival
    told: list[RecordedRequest] = []

    class Watching(list[RecordedRequest]):
        def append(self, request: RecordedRequest) -> None:
            super().append(request)
            told.append(request)

    sandbox.requests = log = Watching()
    for _ in range(7):
        assert (await send(http, sandbox, "GET", LIST.path))[0] == 200
    assert sandbox.requests is log
    assert (len(log), len(told), sandbox.dropped) == (5, 7, 5)
    assert log == told[-5:]


async def test_the_record_keeps_at_most_max_recorded_bytes_of_bodies(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    sandbox.max_recorded_bytes = 10_000
    bodies = [signed_body(order_id=f"{n:04d}-" + "x" * 3000) for n in range(6)]
    for body in bodies:
        status, _ = await send(http, sandbox, "POST", CREATE.path, body, signed=True)
        assert status == 200
    kept = [r.body for r in sandbox.requests]
    assert kept == bodies[-len(kept) :]
    assert sum(map(len, kept)) <= 10_000
    assert len(kept) == 10_000 // len(bodies[0])
    assert sandbox.dropped == len(bodies) - len(kept)
    # a body larger than the whole budget: the newest request always stays
    sandbox.max_recorded_bytes = 100
    status, _ = await send(http, sandbox, "POST", CREATE.path, signed_body(), signed=True)
    assert status == 200
    assert [r.body for r in sandbox.requests] == [signed_body()]


async def test_a_body_over_max_body_size_gets_a_413_envelope(
    http: aiohttp.ClientSession,
) -> None:
    async with LocalSandbox() as sandbox:
        over = signed_body(order_id="x" * MiB)
        status, payload = await send(http, sandbox, "POST", CREATE.path, over, signed=True)
        assert status == 413
        assert refused_envelope(payload)
        assert payload["message"] == f"Request body is larger than {MiB} bytes"
        assert sandbox.requests == []
        assert sandbox.refused == {413: 1}
    small = LocalSandbox()
    small.max_body_size = 2048
    async with small:
        under, over = signed_body(), signed_body(order_id="x" * 2048)
        assert (await send(http, small, "POST", CREATE.path, under, signed=True))[0] == 200
        assert (await send(http, small, "POST", CREATE.path, over, signed=True))[0] == 413
        # without the right X-token the body is not even read: a 401, whatever its size
        assert (await send(http, small, "POST", CREATE.path, over, token="snd_no"))[0] == 401
        assert [r.body for r in small.requests] == [under]
        assert small.refused == {413: 1, 401: 1}


# -- hostile bodies --------------------------------------------------------------------------------

HOSTILE_BODIES = {
    "nested arrays": b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nested objects": b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,
    "unclosed arrays": b"[" * 200_000,
    "65 levels": b'{"a": ' + b"[" * 64 + b"]" * 64 + b"}",
    "5,000-digit integer": b'{"sender_amount": ' + b"9" * 5_000 + b"}",
    "negative 5,000-digit integer": b'{"sender_amount": -' + b"9" * 5_000 + b"}",
    "1e999": b'{"sender_amount": 1e999}',
    "-1e999": b'{"sender_amount": -1e999}',
    "NaN": b'{"sender_amount": NaN}',
    "Infinity": b'{"sender_amount": Infinity}',
    "-Infinity": b'{"sender_amount": -Infinity}',
    "top-level array": b"[1, 2]",
    "top-level string": b'"payout"',
    "top-level number": b"12",
    "top-level null": b"null",
    "non-UTF-8": b'{"order_id": "\xff\xfe\xc3"}',
    "UTF-8 BOM": b'\xef\xbb\xbf{"order_id": "a"}',
    "truncated": b'{"order_id": "a',
    "lone backslash": b'"\\',
    "whitespace": b"   ",
    "trailing garbage": b'{"order_id": "a"} x',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
async def test_a_hostile_body_gets_a_400_envelope_and_is_not_recorded(
    sandbox: LocalSandbox, http: aiohttp.ClientSession, body: bytes
) -> None:
    status, payload = await send(http, sandbox, "POST", CREATE.path, body, signed=True)
    assert status == 400, payload
    assert refused_envelope(payload)
    assert payload["message"].startswith("Request body ")
    assert sandbox.requests == []
    assert sandbox.refused == {400: 1}
    # the sandbox still serves
    status, _ = await send(http, sandbox, "POST", CREATE.path, signed_body(), signed=True)
    assert status == 200


async def test_nesting_up_to_max_json_depth_is_fine(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    deep: Any = 1
    for _ in range(63):
        deep = [deep]
    body = signed_body(metadata=deep)  # 64 levels with the body itself
    strings = signed_body(order_id="[{" * 500)  # brackets in a string do not count
    for sent in (body, strings):
        status, payload = await send(http, sandbox, "POST", CREATE.path, sent, signed=True)
        assert status != 400 or not payload["message"].startswith("Request body "), payload


@pytest.mark.parametrize("amount", [b"1e+300", b"1e+26", b'"1e999999"', b'"' + b"9" * 5_000 + b'"'])
async def test_a_signed_body_with_an_enormous_amount_gets_a_400(
    sandbox: LocalSandbox, http: aiohttp.ClientSession, amount: bytes
) -> None:
    body = signed_body(sender_amount="AMOUNT").replace(b'"AMOUNT"', amount)
    status, payload = await send(http, sandbox, "POST", CREATE.path, body, signed=True)
    assert status == 400
    assert payload["message"] == "sender_amount is too large"
    assert [r.body for r in sandbox.requests] == [body]  # authenticated: recorded


# -- hostile queries -------------------------------------------------------------------------------

HOSTILE_QUERIES = [
    "page=1e20",
    "limit=-1",
    "page=abc",
    "page=0",
    "limit=0",
    "limit=101",
    "page=-5",
    "page=99999999999999999999",
    "page=" + "9" * 5_000,
    "limit=1_0",
    "page=%2B1",
    "page=%201",
    "page=%EF%BC%91",  # a full-width digit one
    "page=1.5",
    "limit=NaN",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
async def test_a_hostile_query_gets_a_400_envelope(
    sandbox: LocalSandbox, http: aiohttp.ClientSession, query: str
) -> None:
    for op in (LIST, OPERATIONS.find("wallets.list"), OPERATIONS.find("transactions.list")):
        status, payload = await send(http, sandbox, "GET", f"{op.path}?{query}")
        assert status == 400, (op.key, payload)
        assert refused_envelope(payload)


async def test_the_largest_page_is_an_empty_page(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    status, payload = await send(http, sandbox, "GET", f"{LIST.path}?page=999999999&limit=100")
    assert (status, payload["data"]) == (200, [])


# -- the last line: whatever else goes wrong is still an envelope ---------------------------------


async def test_routing_errors_are_envelopes(
    sandbox: LocalSandbox, http: aiohttp.ClientSession
) -> None:
    status, payload = await send(http, sandbox, "GET", "/api/v1/nowhere")
    assert (status, payload["message"]) == (404, "Cannot GET /api/v1/nowhere")
    status, payload = await send(http, sandbox, "DELETE", CREATE.path)
    assert (status, payload["message"]) == (405, f"Cannot DELETE {CREATE.path}")


async def test_a_handler_bug_is_a_500_envelope_without_a_traceback(
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(call: Call) -> Reply:
        raise RuntimeError("the sandbox has a bug")

    monkeypatch.setitem(ALL_HANDLERS, "wallets.list", broken)
    async with LocalSandbox() as sandbox:
        path = OPERATIONS.find("wallets.list").path
        status, payload = await send(http, sandbox, "GET", path)
        assert (status, payload) == (
            500,
            {"status": False, "message": "Internal server error", "data": None},
        )
        assert (await send(http, sandbox, "GET", LIST.path))[0] == 200  # still serving
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(r.name, r.getMessage(), r.exc_info) for r in errors] == [
        (
            "paycombat.sandbox",
            f"sandbox: GET {path} failed: RuntimeError: the sandbox has a bug",
            None,
        )
    ]  # one line; the traceback only at DEBUG
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("aiohttp"))
    caplog.clear()  # (what the autouse check would flag, checked here)


async def test_a_request_aiohttp_cannot_parse_is_a_400_logged_in_one_line(
    sandbox: LocalSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Framing aiohttp refuses before the app sees it gets aiohttp's own plain-text 400 (no
    envelope possible there), and the log says so in one line, without a traceback."""
    token = sandbox.token.encode()
    framings = [
        b"GARBAGE / HTTP/1.1\r\n\r\n",
        b"GET " + LIST.path.encode() + b" HTTP/1.1\r\nX-A: " + b"a" * 10_000 + b"\r\n\r\n",
        b"POST " + CREATE.path.encode() + b" HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"POST "
        + CREATE.path.encode()
        + b" HTTP/1.1\r\nX-token: "
        + token
        + b"\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ]
    for framing in framings:
        reader, writer = await asyncio.open_connection(sandbox.host, sandbox.port)
        try:
            writer.write(framing)
            answer = await asyncio.wait_for(reader.read(), 5)
        finally:
            writer.close()
            await writer.wait_closed()
        assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == b"400", answer
    logged = [r for r in caplog.records if r.name.startswith(LOGGERS) and r.levelno > logging.INFO]
    assert [(r.name, r.levelno, r.exc_info) for r in logged] == [
        ("aiohttp.server", logging.WARNING, None)
    ] * 3  # (the bad method at DEBUG)
    assert sandbox.requests == []
