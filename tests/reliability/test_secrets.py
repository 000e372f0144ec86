"""Secrets echoed by a hostile server never reach an error, a traceback, a pickle or a log.

A leak is any 6-character piece of a secret, so half a token cut at the body's 2,000-character
limit counts, and so does a secret echoed JSON-escaped or percent-encoded.
"""

from __future__ import annotations

import json
import logging
import pickle
import traceback
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from paycombat_async import (
    APIConnectionError,
    InvalidResponseError,
    OutcomeUnknownError,
    PayCombat,
    PayCombatError,
)
from tests.helpers import client_for, payout_args
from tests.rawserver import RawServer, respond, send_raw

TOKEN = "snd_Q7xv9KpL2mW4zR8tHc3NbY5j"
KEY = 'sig_AbCdEf"GhIjKl/MnOpQr\\StUvWxé_YzAbCdEf'
BODY_LIMIT = 2000


def client(server: RawServer, **options: Any) -> PayCombat:
    """A client holding this module's secrets, with a 2 s deadline."""
    return client_for(server, token=TOKEN, signature_key=KEY, timeout=2, **options)


def pieces(secret: str) -> list[str]:
    return [secret[i : i + 6] for i in range(len(secret) - 5)]


def leaked(text: str | bytes) -> list[str]:
    """Every 6-character piece of either secret found in ``text``."""
    found = []
    for secret in (TOKEN, KEY):
        for piece in pieces(secret):
            if (isinstance(text, bytes) and piece.encode() in text) or (
                isinstance(text, str) and piece in text
            ):
                found.append(piece)
    return found


def surfaces(error: PayCombatError) -> list[str | bytes]:
    """Everything a user may print, log or ship: the error and, via the traceback, its causes."""
    return [
        str(error),
        repr(error),
        error.message,
        error.body or "",
        "".join(traceback.format_exception(error)),
        pickle.dumps(error),
    ]


def assert_scrubbed(error: PayCombatError) -> None:
    for text in surfaces(error):
        assert leaked(text) == [], text


async def first_error(c: PayCombat, *, create: bool = False) -> PayCombatError:
    try:
        if create:
            await c.payouts.create(**payout_args())
        else:
            await c.payouts.retrieve("p-1")
    except PayCombatError as exc:
        return exc
    raise AssertionError("expected an error")


# -- scrubbed before truncation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        BODY_LIMIT - len(TOKEN) - 1,  # just inside the cut
        BODY_LIMIT - len(TOKEN) + 1,  # its last character cut off
        BODY_LIMIT - len(TOKEN) // 2,  # half of it kept
        BODY_LIMIT - 6,  # exactly one 6-character piece kept
        BODY_LIMIT - 5,
        BODY_LIMIT - 1,
    ],
)
@pytest.mark.parametrize("kind", ["json-400", "html-502", "create-200"])
async def test_a_token_echoed_across_the_truncation_point_leaks_no_part_of_itself(
    server: RawServer, start: int, kind: str
) -> None:
    if kind == "json-400":
        head = '{"status":false,"message":"denied","echo":"'
        status = 400
    elif kind == "html-502":
        head = "<html><body>bad gateway for "
        status = 502
    else:
        head = '{"status":true,"data":{"id":"p-1","wire_amount":NaN,"echo":"'
        status = 200
    body = head + "x" * (start - len(head)) + TOKEN + "y" * 3000 + '"}}'
    assert body.index(TOKEN) == start
    server.default = respond(status, body)
    async with client(server) as c:
        error = await first_error(c, create=kind == "create-200")
    if kind == "create-200":
        assert isinstance(error, OutcomeUnknownError)
    assert error.body is not None
    assert len(error.body) <= BODY_LIMIT
    assert_scrubbed(error)


# -- other forms of the same secret ------------------------------------------------------------


def forms(secret: str) -> dict[str, str]:
    return {
        "json": json.dumps(secret)[1:-1],
        "json-utf8": json.dumps(secret, ensure_ascii=False)[1:-1],
        "quote-safe-empty": quote(secret, safe=""),
        "quote_plus": quote_plus(secret),
    }


ECHOES = [
    *[
        pytest.param(secret, name, id=f"{who}-{name}")
        for who, secret in (("token", TOKEN), ("key", KEY))
        for name in forms(secret)
    ],
    pytest.param(KEY, "json-slash-escaped", id="key-json-slash-escaped"),
    pytest.param(KEY, "quote-default", id="key-quote-default"),
]


def echo(secret: str, form: str) -> str:
    if form == "json-slash-escaped":
        return json.dumps(secret).replace("/", "\\/")[1:-1]
    if form == "quote-default":
        return quote(secret)
    return forms(secret)[form]


@pytest.mark.parametrize(("secret", "form"), ECHOES)
async def test_a_secret_echoed_escaped_or_percent_encoded_is_scrubbed(
    server: RawServer, secret: str, form: str
) -> None:
    echoed = echo(secret, form)
    body = f'{{"status":false,"message":"bad credential {echoed}","url":"https://x/?i={echoed}"}}'
    server.default = respond(401, body)
    async with client(server) as c:
        error = await first_error(c)
    assert "[REDACTED]" in (error.body or "")
    assert_scrubbed(error)


async def test_a_token_in_a_redirect_location_is_scrubbed(server: RawServer) -> None:
    server.default = respond(
        302, "", headers={"Location": f"https://x.example/?identifier={TOKEN}"}
    )
    async with client(server) as c:
        error = await first_error(c)
    assert isinstance(error, InvalidResponseError)
    assert "x.example" in error.message
    assert_scrubbed(error)


# -- connection-error text ---------------------------------------------------------------------

MALFORMED = [
    pytest.param(f"HTTP/1.1 abc {TOKEN}\r\n\r\n".encode(), id="status-line"),
    pytest.param(f"HTTP/1.1 200 OK\r\n{TOKEN}\r\n\r\n".encode(), id="header-line"),
]


@pytest.mark.parametrize("raw", MALFORMED)
async def test_connection_error_text_is_scrubbed_in_the_error_itself(
    server: RawServer, raw: bytes
) -> None:
    server.default = send_raw(raw)
    async with client(server) as c:
        error = await first_error(c)
    assert isinstance(error, APIConnectionError)
    assert "[REDACTED]" in error.message
    for text in (str(error), repr(error), error.message, pickle.dumps(error)):
        assert leaked(text) == []


@pytest.mark.parametrize("raw", MALFORMED)
async def test_connection_error_text_is_scrubbed_in_the_traceback(
    server: RawServer, raw: bytes
) -> None:
    server.default = send_raw(raw)
    async with client(server) as c:
        error = await first_error(c, create=True)
    assert leaked("".join(traceback.format_exception(error))) == []
    assert leaked(repr(error.__cause__)) == []


# -- logs --------------------------------------------------------------------------------------


async def test_no_log_record_carries_a_secret(
    server: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echoed = f'{{"status":false,"message":"bad {TOKEN} {json.dumps(KEY)[1:-1]}"}}'
    server.then(respond(503, echoed), respond(503, echoed), respond(503, echoed))  # read resent
    server.then(respond(503, echoed))  # create: outcome unknown, logged at WARNING
    server.then(respond(302, "", headers={"Location": f"https://x/?t={TOKEN}"}))
    server.then(respond(200, '{"status":true,"data":{"id":NaN,"t":"' + TOKEN + '"}}'))
    async with client(server) as c:
        await first_error(c)
        await first_error(c, create=True)
        await first_error(c)
        await first_error(c, create=True)
    assert any(r.levelno == logging.WARNING for r in caplog.records)
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    for record in caplog.records:
        assert leaked(record.getMessage()) == [], record.getMessage()
        assert leaked(logging.Formatter().format(record)) == []
