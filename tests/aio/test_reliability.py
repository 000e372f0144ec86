"""Retries, deadlines and outcome-unknown, driven by the sandbox's fault injection."""

from __future__ import annotations

import logging
import socket
from decimal import Decimal

import pytest

from paycombat_async import (
    APIConnectionError,
    APITimeoutError,
    InvalidResponseError,
    OutcomeUnknownError,
    PayCombat,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import client_for, payout_args

CREATE = "Create Payout"
RETRIEVE = "Retrieve Payout"


async def make_payout(client: PayCombat, order_id: str = "seed") -> str:
    return (await client.payouts.create(**payout_args(order_id=order_id))).id


async def test_reads_retry_on_5xx_until_success(client: PayCombat, sandbox: LocalSandbox) -> None:
    payout_id = await make_payout(client)
    sandbox.inject(RETRIEVE, status=503, times=2)
    payout = await client.payouts.retrieve(payout_id)
    assert payout.id == payout_id
    assert len(sandbox.requests_for(RETRIEVE)) == 3


async def test_reads_give_up_after_max_retries(client: PayCombat, sandbox: LocalSandbox) -> None:
    payout_id = await make_payout(client)
    sandbox.inject(RETRIEVE, status=500, times=None)
    with pytest.raises(ServerError) as caught:
        await client.payouts.retrieve(payout_id)
    assert caught.value.status == 500
    assert caught.value.may_have_taken_effect is False
    assert len(sandbox.requests_for(RETRIEVE)) == 3  # first attempt + max_retries=2


async def test_reads_retry_after_a_connection_reset(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payout_id = await make_payout(client)
    sandbox.inject(RETRIEVE, reset="before")
    assert (await client.payouts.retrieve(payout_id)).id == payout_id
    assert len(sandbox.requests_for(RETRIEVE)) == 2


async def test_html_502_from_a_proxy_is_a_server_error(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payout_id = await make_payout(client)
    sandbox.inject(RETRIEVE, status=502, html=True, times=None)
    with pytest.raises(ServerError) as caught:
        await client.payouts.retrieve(payout_id)
    assert caught.value.status == 502
    assert "502 Bad Gateway" in (caught.value.body or "")


async def test_a_create_is_never_resent_after_a_5xx(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, status=503)
    with pytest.raises(OutcomeUnknownError) as caught:
        await client.payouts.create(**payout_args())
    error = caught.value
    assert error.may_have_taken_effect is True
    assert error.status == 503
    assert isinstance(error.__cause__, ServerError)
    assert (error.method, error.path) == ("POST", "/api/v1/payout/create-payout")
    assert len(sandbox.requests_for(CREATE)) == 1


async def test_a_create_dropped_after_commit_is_outcome_unknown_and_not_resent(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, reset="after")
    with pytest.raises(OutcomeUnknownError):
        await client.payouts.create(**payout_args(order_id="lost-answer"))
    assert len(sandbox.requests_for(CREATE)) == 1
    # It did happen, exactly once: the caller must reconcile by its order_id.
    assert len(sandbox.state.find("payout", order_id="lost-answer")) == 1


async def test_a_create_dropped_before_commit_is_still_not_resent(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, reset="before")
    with pytest.raises(OutcomeUnknownError):
        await client.payouts.create(**payout_args(order_id="maybe"))
    assert len(sandbox.requests_for(CREATE)) == 1
    assert sandbox.state.find("payout", order_id="maybe") == []


async def test_a_create_with_a_malformed_success_body_is_outcome_unknown(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, malformed=True)
    with pytest.raises(OutcomeUnknownError) as caught:
        await client.payouts.create(**payout_args(order_id="garbled"))
    assert isinstance(caught.value.__cause__, InvalidResponseError)
    assert len(sandbox.state.find("payout", order_id="garbled")) == 1


async def test_a_read_with_a_malformed_body_is_an_invalid_response(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payout_id = await make_payout(client)
    sandbox.inject(RETRIEVE, malformed=True)
    with pytest.raises(InvalidResponseError) as caught:
        await client.payouts.retrieve(payout_id)
    assert caught.value.status == 200
    assert caught.value.may_have_taken_effect is False


async def test_a_create_is_retried_when_the_server_says_429(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, status=429, retry_after=1)
    payout = await client.payouts.create(**payout_args(order_id="throttled"))
    assert payout.order_id == "throttled"
    assert len(sandbox.requests_for(CREATE)) == 2
    assert len(sandbox.state.find("payout", order_id="throttled")) == 1


async def test_rate_limit_exhausted_is_a_rate_limit_error(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, status=429, retry_after=7, times=None)
    with pytest.raises(RateLimitError) as caught:
        await client.payouts.create(**payout_args())
    assert caught.value.retry_after == 7
    assert caught.value.may_have_taken_effect is False
    assert len(sandbox.requests_for(CREATE)) == 3


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_create_that_never_connected_is_retried_and_reports_no_effect(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="paycombat")
    async with client_for(f"http://127.0.0.1:{_closed_port()}") as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.payouts.create(**payout_args())
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert caught.value.may_have_taken_effect is False
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert [r.getMessage().split("attempt ")[1][0] for r in retries] == ["1", "2"]


@pytest.mark.paycombat_client(timeout=0.2)
async def test_the_deadline_covers_a_slow_read(client: PayCombat, sandbox: LocalSandbox) -> None:
    payout_id = (await client.payouts.create(**payout_args())).id
    sandbox.inject(RETRIEVE, latency=30, times=None)
    with pytest.raises(APITimeoutError) as caught:
        await client.payouts.retrieve(payout_id)
    assert caught.value.may_have_taken_effect is False
    assert isinstance(caught.value, TimeoutError)


@pytest.mark.paycombat_fault(CREATE, latency=30)
@pytest.mark.paycombat_client(timeout=0.2)
async def test_a_create_that_times_out_after_sending_is_outcome_unknown(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(OutcomeUnknownError) as caught:
        await client.payouts.create(**payout_args())
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert len(sandbox.requests_for(CREATE)) == 1


@pytest.mark.paycombat_client(
    timeout=5, retry=RetryPolicy(max_retries=10, initial_backoff=0, max_retry_after=60)
)
async def test_retries_stop_rather_than_sleep_past_the_deadline(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payout_id = (await client.payouts.create(**payout_args())).id
    sandbox.inject(RETRIEVE, status=503, retry_after=30, times=None)
    with pytest.raises(ServerError) as caught:
        await client.payouts.retrieve(payout_id)
    assert caught.value.retry_after == 30
    assert len(sandbox.requests_for(RETRIEVE)) == 1


def test_backoff_honours_retry_after_with_a_cap() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=4, max_retry_after=10)
    assert policy.backoff(1, 3.0) == 3
    assert policy.backoff(1, 3600.0) == 10
    for attempt in range(1, 8):
        wait = policy.backoff(attempt, None)
        assert 0 <= wait <= min(4, 0.5 * 2 ** (attempt - 1))


async def test_thousands_of_concurrent_payouts_each_land_once(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    import anyio

    async def send(n: int) -> None:
        await client.payouts.create(
            **payout_args(order_id=f"batch-{n}", sender_amount=Decimal("1.01"))
        )

    async with anyio.create_task_group() as tg:
        for n in range(300):
            tg.start_soon(send, n)
    order_ids = {p["order_id"] for p in sandbox.state.objects("payout").values()}
    assert order_ids == {f"batch-{n}" for n in range(300)}
