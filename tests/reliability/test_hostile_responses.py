"""Hostile responses: oversized, endless, compressed-bomb, deep, non-finite and undecodable bodies.

Each is a typed error (``InvalidResponseError`` on a read, ``OutcomeUnknownError`` on a create,
since a 2xx we cannot read may have been a success), never a hang, a ``RecursionError`` or a bare
``ValueError``, and never more of the body in memory than the cap.
"""

from __future__ import annotations

import gzip
import json
import zlib

import pytest

from paycombat_async import (
    APIError,
    BadRequestError,
    InvalidResponseError,
    OutcomeUnknownError,
    PayCombat,
    ServerError,
)
from paycombat_async._core.config import DEFAULT_MAX_RESPONSE_BYTES
from tests.helpers import client_for, payout_args
from tests.rawserver import (
    Action,
    Exchange,
    RawServer,
    chunked,
    endless_chunked,
    envelope,
    respond,
)

PAYOUT = {"id": "p-1", "order_id": "order-1", "wire_amount": "12.50"}
MiB = 1024 * 1024
# The clients (tests.helpers.client_for) have a 10 s deadline: generous, since a bounded read must
# end long before it.


def head_then_stall(headers: dict[str, str]) -> Action:
    """A status line and headers, then nothing: reading the body would hang to the deadline."""
    lines = ["HTTP/1.1 200 OK"] + [f"{k}: {v}" for k, v in headers.items()]

    async def action(exchange: Exchange) -> bool:
        await exchange.send(("\r\n".join(lines) + "\r\n\r\n").encode())
        await exchange.server.released.wait()
        return False

    return action


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 400 KB of gzip that expands to 400 MiB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MiB)
    parts = [compressor.compress(zeros) for _ in range(400)]
    parts.append(compressor.flush())
    bomb = b"".join(parts)
    assert len(bomb) < MiB
    return bomb


async def read_and_create(c: PayCombat) -> tuple[InvalidResponseError, OutcomeUnknownError]:
    with pytest.raises(InvalidResponseError) as read:
        await c.payouts.retrieve("p-1")
    with pytest.raises(OutcomeUnknownError) as create:
        await c.payouts.create(**payout_args(order_id="hostile"))
    assert isinstance(create.value.__cause__, InvalidResponseError)
    assert create.value.order_id == "hostile"
    return read.value, create.value


# -- size ---------------------------------------------------------------------------------------


def test_the_default_cap_is_8_mib() -> None:
    assert 8 * MiB == DEFAULT_MAX_RESPONSE_BYTES
    assert PayCombat(token="snd_x").config.max_response_bytes == 8 * MiB


async def test_a_content_length_over_the_cap_is_refused_without_reading(server: RawServer) -> None:
    server.default = head_then_stall({"Content-Length": str(8 * MiB + 1)})
    async with client_for(server) as c:
        read, _ = await read_and_create(c)
    assert read.may_have_taken_effect is False
    assert len(server.requests) == 2  # neither was resent


async def test_a_body_at_the_cap_is_read_and_one_byte_more_is_not(server: RawServer) -> None:
    body = envelope(PAYOUT)
    cap = len(body) + 10
    server.then(respond(200, body + b" " * 10))
    server.then(respond(200, body + b" " * 11))
    async with client_for(server, max_response_bytes=cap) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
        with pytest.raises(InvalidResponseError):
            await c.payouts.retrieve("p-1")


async def test_a_chunked_body_at_the_cap_is_read_and_one_byte_more_is_not(
    server: RawServer,
) -> None:
    body = envelope(PAYOUT)
    cap = len(body) + 10
    server.then(chunked(200, body + b" " * 10, size=7))
    server.then(chunked(200, body + b" " * 11, size=7))
    async with client_for(server, max_response_bytes=cap) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"
        with pytest.raises(InvalidResponseError, match="cap"):
            await c.payouts.retrieve("p-1")


async def test_a_chunked_body_longer_than_one_read_is_read_whole(server: RawServer) -> None:
    server.default = chunked(200, envelope(PAYOUT) + b" " * (3 * MiB), size=100_000)
    async with client_for(server) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"


async def test_the_default_cap_holds_for_a_body_without_content_length(server: RawServer) -> None:
    server.default = endless_chunked()
    async with client_for(server) as c:
        await read_and_create(c)
    assert server.streams == 2


async def test_a_configured_cap_holds_for_a_chunked_body(server: RawServer) -> None:
    server.default = endless_chunked(chunk=b" " * 100)
    async with client_for(server, max_response_bytes=1000) as c:
        await read_and_create(c)


async def test_a_gzip_bomb_is_refused(server: RawServer, gzip_bomb: bytes) -> None:
    server.default = respond(200, gzip_bomb, headers={"Content-Encoding": "gzip"})
    async with client_for(server) as c:
        read, _create = await read_and_create(c)
    assert "decompressed" in read.message
    assert len(server.requests) == 2


async def test_a_body_within_the_cap_only_before_decompression_is_refused(
    server: RawServer,
) -> None:
    big = envelope(PAYOUT) + b" " * 5000
    server.default = respond(200, gzip.compress(big), headers={"Content-Encoding": "gzip"})
    async with client_for(server, max_response_bytes=4000) as c:
        await read_and_create(c)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda raw: zlib.compress(raw)[2:-4]),  # raw deflate, as some servers send
        ("identity", lambda raw: raw),
    ],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "identity"],
)
async def test_compressed_answers_are_read(
    server: RawServer, encoding: str, compress: object
) -> None:
    body = compress(envelope(PAYOUT))  # type: ignore[operator]
    server.default = respond(200, body, headers={"Content-Encoding": encoding})
    async with client_for(server) as c:
        assert (await c.payouts.retrieve("p-1")).id == "p-1"


# -- unreadable 2xx bodies ---------------------------------------------------------------------


def nested(depth: int, kind: str = "array") -> bytes:
    inner = "[" * depth + "]" * depth if kind == "array" else '{"a":' * depth + "1" + "}" * depth
    return inner.encode()


def deep(depth: int, kind: str) -> bytes:
    return b'{"status":true,"data":{"id":"p-1","x":' + nested(depth, kind) + b"}}"


UNREADABLE = [
    pytest.param(b"<html>ok</html>", {}, id="html"),
    pytest.param(b"", {}, id="empty"),
    pytest.param(b'{"status":true,"data":', {}, id="truncated-json"),
    pytest.param(b'["status", true]', {}, id="array"),
    pytest.param(b'"ok"', {}, id="string"),
    pytest.param(b'{"status":true,"data":{"id":"p-1","wire_amount":NaN}}', {}, id="NaN"),
    pytest.param(b'{"status":true,"data":{"id":"p-1","wire_amount":Infinity}}', {}, id="Infinity"),
    pytest.param(b'{"status":true,"data":{"id":"p-1","fee":-Infinity}}', {}, id="-Infinity"),
    pytest.param(b'{"status":true,"data":{"id":"p-1","wire_amount":1e999}}', {}, id="1e999"),
    pytest.param(b'{"status":true,"data":{"id":"p-1","x":[-1e400]}}', {}, id="-1e400-nested"),
    pytest.param(deep(100_000, "array"), {}, id="deep-array-100000"),
    pytest.param(deep(100_000, "object"), {}, id="deep-object-100000"),
    pytest.param(deep(500, "array"), {}, id="deep-array-500"),
    pytest.param(deep(500, "object"), {}, id="deep-object-500"),
    pytest.param(b'{"status":true,"data":{"id":"\xff\xfe"}}', {}, id="not-utf8"),
    pytest.param(b"\xc3\x28", {}, id="bad-utf8-only"),
    pytest.param(b"not gzip at all", {"Content-Encoding": "gzip"}, id="bad-gzip"),
    pytest.param(gzip.compress(b"x" * 100)[:30], {"Content-Encoding": "gzip"}, id="cut-gzip"),
    pytest.param(envelope(PAYOUT), {"Content-Encoding": "br"}, id="unsupported-encoding"),
]


@pytest.mark.parametrize(("body", "headers"), UNREADABLE)
async def test_an_unreadable_2xx_is_a_typed_error_and_outcome_unknown_on_a_create(
    server: RawServer, body: bytes, headers: dict[str, str]
) -> None:
    server.default = respond(200, body, headers=headers)
    async with client_for(server) as c:
        read, create = await read_and_create(c)
    assert read.may_have_taken_effect is False  # a read has no effect to doubt
    assert isinstance(create.__cause__, InvalidResponseError)
    assert create.__cause__.may_have_taken_effect is True
    assert len(server.requests) == 2  # an unreadable 2xx is not resent, not even on a read


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"message":' + nested(100_000) + b"}", id="deep-100000"),
        pytest.param(b'{"message":' + nested(500) + b"}", id="deep-500"),
        pytest.param(b'{"message": NaN}', id="NaN"),
        pytest.param(b'{"message": "\xff"}', id="not-utf8"),
        pytest.param(b'{"message": {"message": 1e999}}', id="1e999"),
    ],
)
@pytest.mark.parametrize(("status", "cls"), [(400, BadRequestError), (500, ServerError)])
async def test_an_unreadable_error_body_keeps_the_status_class(
    server: RawServer, body: bytes, status: int, cls: type[APIError]
) -> None:
    server.default = respond(status, body)
    async with client_for(server, max_retries=0) as c:
        with pytest.raises(cls) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.status == status


@pytest.mark.parametrize("status", [200, 503])
async def test_an_unreadable_body_keeps_the_status(server: RawServer, status: int) -> None:
    server.default = respond(status, b"not gzip", headers={"Content-Encoding": "gzip"})
    async with client_for(server, max_retries=0) as c:
        with pytest.raises(APIError) as caught:
            await c.payouts.retrieve("p-1")
    assert caught.value.status == status


@pytest.mark.parametrize("amount", ["NaN", "-Infinity", "Infinity", "sNaN", "nan"])
async def test_a_non_finite_amount_in_a_string_does_not_fit_the_model(
    server: RawServer, amount: str
) -> None:
    server.default = respond(200, envelope({**PAYOUT, "wire_amount": amount}))
    async with client_for(server) as c:
        await read_and_create(c)


async def test_a_finite_amount_in_a_string_or_exponent_form_is_read_exactly(
    server: RawServer,
) -> None:
    server.then(respond(200, b'{"status":true,"data":{"id":"p-1","wire_amount":1.5e3}}'))
    server.then(respond(200, envelope({**PAYOUT, "wire_amount": " 0.10 "})))
    async with client_for(server) as c:
        first = await c.payouts.retrieve("p-1")
        second = await c.payouts.retrieve("p-1")
    assert str(first.wire_amount) == "1500.0"
    assert str(second.wire_amount) == "0.10"


async def test_the_raw_body_of_an_unreadable_create_is_kept(server: RawServer) -> None:
    body = b'{"status":true,"data":{"id":"p-1","wire_amount":NaN}}'
    server.default = respond(200, body)
    async with client_for(server) as c:
        with pytest.raises(OutcomeUnknownError) as caught:
            await c.payouts.create(**payout_args())
    assert caught.value.body == body.decode()
    assert json.loads(caught.value.body.replace("NaN", "0"))["data"]["id"] == "p-1"
