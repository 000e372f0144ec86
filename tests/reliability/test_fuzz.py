"""Hypothesis fuzzes response bodies: only typed errors come out, and a create is never resent.

One raw server and one client serve every example (the server answers each request with the
example's response and closes the connection, so examples cannot leak into each other).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paycombat_async import APIError, OutcomeUnknownError, PayCombat, PayCombatError
from paycombat_async.models.payout import Payout
from tests.budget import examples
from tests.helpers import client_for, payout_args
from tests.rawserver import RawServer, respond

STATUSES = [200, 201, 400, 404, 409, 429, 500, 502]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities included: json.dumps writes them as bare NaN/Infinity
    st.text(max_size=20),
    st.sampled_from(["NaN", "1e999", "", " 12.50 ", "2025-01-02T03:04:05Z", "PENDING"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
payout_like = st.fixed_dictionaries(
    {"id": st.one_of(st.text(min_size=1, max_size=12), json_values)},
    optional={
        "wire_amount": json_values,
        "fee_taken": json_values,
        "created_at": json_values,
        "status": json_values,
        "order_id": json_values,
        "conversion": json_values,
    },
)
upstream_like = st.fixed_dictionaries(
    {
        "success": st.one_of(st.booleans(), json_values),
        "status_code": st.one_of(st.sampled_from([200, 404, 422, 429, 500, 503]), json_values),
        "request_id": st.text(max_size=8),
    },
    optional={"message": json_values, "data": st.one_of(payout_like, json_values)},
)
envelopes = st.fixed_dictionaries(
    {
        "status": st.one_of(
            st.just(True),
            st.sampled_from([True, False, "success", "OK", "error", "failed", 0, 1, "false"]),
            json_values,
        ),
        # Mostly a payout, so that structuring (not only the envelope) is fuzzed.
        "data": st.one_of(payout_like, payout_like, upstream_like, json_values),
    },
    optional={"message": json_values, "error": json_values},
)
bodies = st.one_of(
    envelopes.map(lambda value: json.dumps(value).encode()),
    envelopes.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
)
retry_after = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["0", "-1", "nan"]))


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def fuzzed() -> AsyncIterator[tuple[RawServer, PayCombat]]:
    async with RawServer() as server, client_for(server, timeout=5) as client:
        yield server, client


def expect_typed(outcome: BaseException | object) -> None:
    """Anything raised is a PayCombatError whose str and repr work."""
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, PayCombatError), repr(outcome)
        _ = (str(outcome), repr(outcome))  # they must not raise either
    else:
        assert isinstance(outcome, Payout)


async def outcome_of(call: Any) -> object:
    try:
        return await call
    except PayCombatError as exc:
        return exc


@pytest.mark.anyio
@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    status=st.one_of(st.just(200), st.sampled_from(STATUSES)),
    body=bodies,
    gzipped=st.booleans(),
    wait=retry_after,
)
async def test_any_response_gives_a_model_or_a_typed_error_and_a_create_is_never_resent(
    fuzzed: tuple[RawServer, PayCombat], status: int, body: bytes, gzipped: bool, wait: str | None
) -> None:
    server, client = fuzzed
    headers = {"Content-Encoding": "gzip"} if gzipped else {}
    if wait is not None and wait.isprintable() and wait.isascii():
        headers["Retry-After"] = wait
    server.default = respond(
        status, gzip.compress(body) if gzipped else body, headers=headers, keep_alive=False
    )

    expect_typed(await outcome_of(client.payouts.retrieve("p-1")))

    before = len(server.requests)
    created = await outcome_of(client.payouts.create(**payout_args(order_id="fuzz")))
    expect_typed(created)
    if isinstance(created, OutcomeUnknownError):
        assert created.order_id == "fuzz"
        assert isinstance(created.__cause__, PayCombatError)
    elif isinstance(created, PayCombatError):
        assert isinstance(created, APIError), repr(created)
        assert created.may_have_taken_effect is False, repr(created)
    sent = len(server.requests) - before
    assert sent == 1 or status == 429, (sent, status)  # only a real 429 is resent
