"""Reading an answer, at its boundaries: the size cap, nesting depth, statuses and envelopes.

Sans-IO: ``_response.interpret`` and the decompression under the cap, called directly (the same
paths run against raw socket servers in tests/reliability/).
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from typing import Any

import pytest

from paycombat_async import (
    APIError,
    BadRequestError,
    InvalidResponseError,
    PayCombatError,
    RateLimitError,
    ServerError,
)
from paycombat_async._core.response import (
    MAX_DEPTH,
    UnreadableBody,
    _decompress,
    interpret,
    parse_json,
)

MiB = 1024 * 1024


class _Call:
    """What ``interpret`` needs of a call (``Answering``): a GET /x with nothing to scrub."""

    def __init__(self, status: int) -> None:
        self.status = status

    def context(self) -> dict[str, Any]:
        return {"status": self.status, "method": "GET", "path": "/x", "body": ""}

    def scrub(self, text: str) -> str:
        return text


def answer(status: int, raw: bytes, *, expect_bytes: bool = False, **headers: str) -> Any:
    return interpret(status, headers, raw, expect_bytes=expect_bytes, call=_Call(status))


def names_the_call(error: PayCombatError, status: int) -> bool:
    """Whether the error says which call failed (what a user logs and reports)."""
    return (error.status, error.method, error.path) == (status, "GET", "/x")


def nested(containers: int) -> Any:
    value: Any = 1
    for _ in range(containers):
        value = [value]
    return value


def test_the_cap_holds_to_the_byte_after_decompression() -> None:
    limit = 1000
    exactly = gzip.compress(b"a" * limit)
    assert _decompress(exactly, limit, raw_deflate=False) == b"a" * limit
    with pytest.raises(UnreadableBody, match="cap once decompressed"):
        _decompress(gzip.compress(b"a" * (limit + 1)), limit, raw_deflate=False)


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw-deflate"])
def test_both_deflate_forms_are_read(wbits: int) -> None:
    compressor = zlib.compressobj(wbits=wbits)
    body = compressor.compress(b'{"status":true,"data":{}}') + compressor.flush()
    assert _decompress(body, 100, raw_deflate=False) == b'{"status":true,"data":{}}'


def test_a_bomb_never_takes_much_more_memory_than_the_cap() -> None:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join([compressor.compress(bytes(MiB)) for _ in range(32)] + [compressor.flush()])
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableBody):
            _decompress(bomb, MiB, raw_deflate=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB  # the 32 MiB it expands to are never held


def test_bytes_that_are_not_compressed_data_are_unreadable() -> None:
    with pytest.raises(UnreadableBody, match="not valid gzip or deflate"):
        _decompress(b"plain text", 100, raw_deflate=False)


def test_nesting_is_accepted_up_to_the_limit_and_refused_past_it() -> None:
    assert parse_json(json.dumps(nested(MAX_DEPTH)).encode()) == nested(MAX_DEPTH)
    with pytest.raises(ValueError, match=f"more than {MAX_DEPTH} levels"):
        parse_json(json.dumps(nested(MAX_DEPTH + 1)).encode())
    # Depth counts containers of any kind, wherever they sit.
    deep_object: Any = 1
    for _ in range(MAX_DEPTH):
        deep_object = {"a": [deep_object]}
    with pytest.raises(ValueError, match="levels"):
        parse_json(json.dumps({"ok": 1, "deep": deep_object}).encode())


@pytest.mark.parametrize("kind", ["object", "array"])
def test_nesting_of_one_kind_alone_is_refused_past_the_limit(kind: str) -> None:
    # (an answer without arrays skips counting "[": objects alone must still be caught)
    def wrap(value: Any) -> Any:
        return {"a": value} if kind == "object" else [value]

    value: Any = 1
    for _ in range(MAX_DEPTH):
        value = wrap(value)
    assert parse_json(json.dumps(value).encode()) == value
    with pytest.raises(ValueError, match=f"more than {MAX_DEPTH} levels"):
        parse_json(json.dumps(wrap(value)).encode())


def test_depth_is_measured_exactly_when_a_body_has_many_brackets() -> None:
    # Brackets beyond the limit's count make the depth walk run; it must not be off by one.
    at_limit = {"deep": nested(MAX_DEPTH - 1), "others": [[], [], []], "after": 1}
    assert parse_json(json.dumps(at_limit).encode()) == at_limit
    past_limit = {"deep": nested(MAX_DEPTH), "others": [[], [], []], "after": 1}
    with pytest.raises(ValueError, match="levels"):
        parse_json(json.dumps(past_limit).encode())
    # A scalar met before the deep branch does not end the walk.
    with pytest.raises(ValueError, match="levels"):
        parse_json(json.dumps([nested(MAX_DEPTH), 1]).encode())


def test_many_shallow_containers_are_not_deep() -> None:
    wide = [[i] for i in range(5 * MAX_DEPTH)]
    assert parse_json(json.dumps(wide).encode()) == wide


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b'{"a": NaN}', "NaN"),
        (b'{"a": -Infinity}', "Infinity"),
        (b'{"a": 1e999}', "out of range"),
        (b'{"a": "\xff"}', "not UTF-8"),
    ],
)
def test_numbers_and_bytes_json_should_not_carry_are_refused(raw: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_json(raw)


def test_a_file_answer_is_its_bytes_and_an_empty_one_may_have_been_a_success() -> None:
    assert answer(200, b"%PDF-1.4", expect_bytes=True) == b"%PDF-1.4"
    empty = answer(200, b"", expect_bytes=True)
    assert isinstance(empty, InvalidResponseError)
    assert empty.may_have_taken_effect is True
    assert names_the_call(empty, 200)
    # A redirect is not a file, even where one was expected.
    assert isinstance(answer(300, b"%PDF", expect_bytes=True), InvalidResponseError)


@pytest.mark.parametrize(
    ("status", "cls", "took_effect"),
    [
        (400, BadRequestError, False),
        (429, RateLimitError, False),
        (499, BadRequestError, False),
        (500, ServerError, True),
        (503, ServerError, True),
    ],
)
def test_an_error_status_says_whether_the_request_may_have_been_processed(
    status: int, cls: type[APIError], took_effect: bool
) -> None:
    error = answer(status, b'{"status": false, "message": "no"}', **{"Retry-After": "7"})
    assert type(error) is cls
    assert error.may_have_taken_effect is took_effect
    assert error.message == "no"
    if isinstance(error, (RateLimitError, ServerError)):
        assert error.retry_after == 7


def test_a_redirect_names_where_it_pointed_and_did_not_take_effect() -> None:
    error = answer(307, b"", Location="https://elsewhere.example/x")
    assert isinstance(error, InvalidResponseError)
    assert "https://elsewhere.example/x" in error.message
    assert error.may_have_taken_effect is False


@pytest.mark.parametrize("flag", [True, "success", "OK", "Success"])
def test_success_envelopes_give_their_data(flag: Any) -> None:
    assert answer(200, json.dumps({"status": flag, "data": {"id": "p-1"}}).encode()) == {
        "id": "p-1"
    }


def test_an_envelope_without_status_is_read_leniently() -> None:
    assert answer(200, b'{"data": [1, 2]}') == [1, 2]


@pytest.mark.parametrize("flag", [False, "error", "failed", 0, 1, "false", None, "true "])
def test_anything_but_a_success_status_is_an_error(flag: Any) -> None:
    error = answer(200, json.dumps({"status": flag, "data": {"id": "p-1"}}).encode())
    assert isinstance(error, APIError)
    assert not isinstance(error, InvalidResponseError)


@pytest.mark.parametrize(
    ("nested_status", "cls", "took_effect"),
    [(400, BadRequestError, False), (429, RateLimitError, True), (502, ServerError, True)],
)
def test_an_upstream_failure_inside_a_2xx(
    nested_status: int, cls: type[PayCombatError], took_effect: bool
) -> None:
    body = {
        "status": True,
        "data": {"success": False, "status_code": nested_status, "request_id": "r", "message": "x"},
    }
    error = answer(200, json.dumps(body).encode())
    assert type(error) is cls
    assert error.may_have_taken_effect is took_effect


def test_an_upstream_success_inside_a_2xx_gives_its_inner_data() -> None:
    body = {"status": True, "data": {"success": True, "request_id": "r", "data": {"id": "c-1"}}}
    assert answer(200, json.dumps(body).encode()) == {"id": "c-1"}


def test_identity_encoding_is_plain_bytes() -> None:
    assert answer(200, b'{"status": true, "data": 1}', **{"Content-Encoding": "identity"}) == 1


def test_an_envelope_without_data_may_have_been_a_success() -> None:
    error = answer(200, b'{"status": true, "message": "done"}')
    assert isinstance(error, InvalidResponseError)
    assert error.may_have_taken_effect is True
    assert names_the_call(error, 200)


@pytest.mark.parametrize(("raw", "says"), [(b" ", "empty"), (b"<html>", "not the JSON envelope")])
def test_a_2xx_that_is_not_an_envelope_says_what_came_back(raw: bytes, says: str) -> None:
    error = answer(201, raw)
    assert isinstance(error, InvalidResponseError)
    assert error.may_have_taken_effect is True
    assert says in error.message
    assert "201" in error.message


@pytest.mark.parametrize(
    "body",
    [
        {"status": False, "message": "iban is invalid"},
        {"status": False, "message": " ", "error": {"message": "iban is invalid"}},
        {"status": False, "error": "x", "data": {"message": "iban is invalid"}},
        {"status": False, "message": ["iban is invalid"]},
    ],
    ids=["top", "error", "data", "list"],
)
@pytest.mark.parametrize("status", [200, 400])
def test_paycombats_own_message_is_surfaced_wherever_it_sits(body: Any, status: int) -> None:
    error = answer(status, json.dumps(body).encode())
    assert isinstance(error, APIError)
    assert error.message == "iban is invalid"
    assert names_the_call(error, status)


def test_a_list_of_messages_is_kept_whole() -> None:
    error = answer(400, b'{"status": false, "message": ["amount is required", 3]}')
    assert error.message == "amount is required; 3"


@pytest.mark.parametrize("status_code", [None, True, 200])
def test_an_upstream_failure_without_an_error_status_is_a_plain_api_error(
    status_code: Any,
) -> None:
    body = {"status": True, "data": {"success": False, "request_id": "r", "message": "declined"}}
    if status_code is not None:
        body["data"]["status_code"] = status_code
    error = answer(200, json.dumps(body).encode())
    assert type(error) is APIError
    assert error.message == "declined"
    assert error.may_have_taken_effect is False
    assert names_the_call(error, 200)


@pytest.mark.parametrize(
    "body",
    [
        {"status": False, "data": None},
        {"status": True, "data": {"success": False, "request_id": "r", "status_code": 500}},
    ],
    ids=["envelope", "upstream"],
)
def test_a_failure_without_a_message_still_says_paycombat_reported_it(body: Any) -> None:
    error = answer(200, json.dumps(body).encode())
    assert isinstance(error, APIError)
    assert error.message == "PayCombat reported a failure"
