"""The envelope, the error tree, and what an error carries, against a scripted loopback server."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal

import pytest

from paycombat_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidResponseError,
    NotFoundError,
    PayCombatError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async._codec.signing import js_dumps, sign
from tests.helpers import client_for, payout_args, scripted_server

PAYOUT = {"id": "p-1", "status": "PENDING", "wire_amount": "12.50", "currency": "AUD"}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (406, UnprocessableEntityError),
        (409, ConflictError),
        (418, BadRequestError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
async def test_each_status_maps_to_its_error_class(status: int, cls: type[APIError]) -> None:
    async with scripted_server() as server, client_for(server, max_retries=0) as client:
        server.reply(status, json.dumps({"status": False, "message": f"nope {status}"}))
        with pytest.raises(cls) as caught:
            await client.payouts.retrieve("p-1")
    error = caught.value
    assert isinstance(error, PayCombatError)
    assert error.status == status
    assert error.message == f"nope {status}"
    assert (error.method, error.path) == ("GET", "/api/v1/payout-method/retrieve-payout/p-1")
    assert f"nope {status}" in (error.body or "")
    assert f"HTTP {status}" in str(error)


async def test_a_2xx_with_status_false_is_an_error() -> None:
    async with scripted_server() as server, client_for(server) as client:
        server.reply(200, '{"status": false, "message": "Payout method disabled", "data": null}')
        with pytest.raises(APIError, match="Payout method disabled") as caught:
            await client.payouts.retrieve("p-1")
    assert caught.value.status == 200
    assert caught.value.may_have_taken_effect is False


@pytest.mark.parametrize("body", [b"", b"   ", b"<html>oops</html>", b'["not", "an envelope"]'])
async def test_a_2xx_that_is_not_the_envelope_is_an_invalid_response(body: bytes) -> None:
    async with scripted_server() as server, client_for(server) as client:
        server.reply(200, body)
        with pytest.raises(InvalidResponseError):
            await client.payouts.retrieve("p-1")


async def test_finmo_style_error_messages_are_surfaced() -> None:
    async with scripted_server() as server, client_for(server) as client:
        server.reply(
            400,
            json.dumps({"status": False, "error": {"code": 400, "message": ["a is bad", "b too"]}}),
        )
        with pytest.raises(BadRequestError, match="a is bad; b too"):
            await client.payouts.retrieve("p-1")


async def test_a_nested_finmo_envelope_is_unwrapped() -> None:
    nested = {
        "request_id": "req_1",
        "request_time": "2025-01-01T00:00:00.000Z",
        "success": True,
        "status_code": 200,
        "status_text": "OK",
        "data": PAYOUT,
    }
    async with scripted_server() as server, client_for(server) as client:
        server.reply(200, json.dumps({"status": True, "message": "OK", "data": nested}))
        payout = await client.payouts.retrieve("p-1")
        server.reply(
            200,
            json.dumps(
                {
                    "status": True,
                    "data": {
                        **nested,
                        "success": False,
                        "status_code": 404,
                        "message": "no customer",
                    },
                }
            ),
        )
        with pytest.raises(NotFoundError, match="no customer"):
            await client.payouts.retrieve("p-1")
    assert payout.wire_amount == Decimal("12.50")


async def test_unknown_fields_and_enum_values_never_crash_and_are_kept() -> None:
    future = {**PAYOUT, "status": "ON_HOLD", "new_field": {"x": [1, 2]}, "fee_taken": None}
    async with scripted_server() as server, client_for(server) as client:
        server.reply(200, json.dumps({"status": True, "data": future}))
        payout = await client.payouts.retrieve("p-1")
    assert payout.status == "ON_HOLD"
    assert payout.extra == {"new_field": {"x": [1, 2]}}
    assert payout.fee_taken is None


async def test_an_envelope_without_status_is_accepted() -> None:
    # Retrieve Payin's public schema shows only message and data.
    async with scripted_server() as server, client_for(server) as client:
        server.reply(200, json.dumps({"message": "OK", "data": PAYOUT}))
        assert (await client.payouts.retrieve("p-1")).id == "p-1"


async def test_the_wire_carries_exactly_the_signed_bytes() -> None:
    async with scripted_server() as server, client_for(server) as client:
        server.reply(200, json.dumps({"status": True, "message": "Created", "data": PAYOUT}))
        await client.payouts.create(**payout_args(order_id="ünï/cødé"))
        request, body = server.seen[0], server.bodies[0]
    assert request.headers["signature"] == sign(body, "snd_test_signature_key")
    assert request.headers["X-token"] == "snd_test_token_value"
    assert request.headers["Content-Type"] == "application/json"
    sent = json.loads(body)
    assert body == js_dumps(sent)
    assert b'"sender_amount":25,' in body
    assert "ünï/cødé".encode() in body


async def test_get_requests_carry_no_body_and_no_signature() -> None:
    async with scripted_server() as server, client_for(server) as client:
        server.reply(200, json.dumps({"status": True, "data": PAYOUT}))
        await client.payouts.retrieve("p/1 ?")
        request, body = server.seen[0], server.bodies[0]
    assert body == b""
    assert "signature" not in request.headers
    assert request.raw_path == "/api/v1/payout-method/retrieve-payout/p%2F1%20%3F"


async def test_a_post_with_no_fields_signs_an_empty_object() -> None:
    async with scripted_server() as server, client_for(server) as client:
        await client.request("POST", "/api/v1/anything")
        request, body = server.seen[0], server.bodies[0]
    assert body == b"{}"
    assert request.headers["signature"] == sign(b"{}", "snd_test_signature_key")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"sender_amount": 12.5}, "sender_amount"),
        ({"sender_amount": Decimal("12.345")}, "sender_amount"),
        ({"sender_amount": Decimal("0")}, "sender_amount"),
        ({"sender_amount": "12.50"}, "sender_amount"),
        ({"sender_currency": "aud"}, "sender_currency"),
        ({"sender_country": "AUS"}, "sender_country"),
        ({"payout_method_name": " "}, "payout_method_name"),
        ({"payout_beneficiary_param": {}}, "payout_beneficiary_param"),
        ({"beneficiary_amount": -1}, "beneficiary_amount"),
    ],
)
async def test_bad_input_is_refused_before_anything_is_sent(
    override: dict[str, object], field: str
) -> None:
    async with scripted_server() as server, client_for(server) as client:
        with pytest.raises(ValidationError) as caught:
            await client.payouts.create(**payout_args(**override))
        assert server.seen == []
    assert caught.value.field == field
    assert field in str(caught.value)


async def test_a_blank_id_is_refused_before_sending() -> None:
    async with scripted_server() as server, client_for(server) as client:
        with pytest.raises(ValidationError):
            await client.payouts.retrieve("")
        assert server.seen == []


def test_errors_pickle_with_everything_a_caller_needs() -> None:
    error = RateLimitError(
        "slow down", status=429, method="POST", path="/x", body="{}", retry_after=2.0
    )
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(clone) is RateLimitError
    assert (clone.status, clone.message, clone.method, clone.path, clone.body) == (
        429,
        "slow down",
        "POST",
        "/x",
        "{}",
    )
    assert clone.retry_after == 2.0
    assert str(clone) == str(error)
    validation = pickle.loads(pickle.dumps(ValidationError("bad", field="amount")))  # noqa: S301
    assert validation.field == "amount"
