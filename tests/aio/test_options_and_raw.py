"""Per-client options that share the pool, and raw access to what came over the wire."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from paycombat_async import (
    APITimeoutError,
    ConfigurationError,
    NotFoundError,
    PayCombat,
    Payout,
    RawResponse,
    ServerError,
)
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import payout_args


async def test_with_options_shares_the_connection_pool(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    fast = client.with_options(timeout=3, max_retries=0)
    assert fast.config.timeout == 3
    assert fast.config.retry.max_retries == 0
    assert client.config.timeout == 10  # the original is unchanged
    assert client.with_options(timeout=3, max_retries=0) is fast
    await client.master_data.list_country_currency_codes()
    payout = await fast.payouts.create(**payout_args())
    assert await fast.payouts.retrieve(payout.id) == payout
    loop = asyncio.get_running_loop()
    assert fast._pipeline._wire_for_this_loop(loop) == client._pipeline._wire_for_this_loop(loop)
    assert client.with_options().config.timeout == 10
    assert client.with_options(timeout=None).config.timeout is None


async def test_with_options_validates_and_dies_with_its_origin(client: PayCombat) -> None:
    with pytest.raises(ConfigurationError):
        client.with_options(timeout=-1)
    with pytest.raises(ConfigurationError):
        client.with_options(max_retries=-1)
    derived = client.with_options(max_retries=1)
    await derived.aclose()  # a no-op: the pool is the origin's
    assert not client.is_closed
    await client.aclose()
    assert derived.is_closed


async def test_a_fault_with_no_retries_is_not_retried(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject("payouts.list", status=503)
    with pytest.raises(ServerError):
        await client.with_options(max_retries=0).payouts.list()
    sandbox.inject("Get All Payout", status=503)
    assert await client.payouts.list() == []  # the default policy retries


async def test_raw_response_has_status_headers_bytes_and_the_model(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    created = await client.with_raw_response.payouts.create(**payout_args())
    assert isinstance(created, RawResponse)
    signature = inspect.signature(client.with_raw_response.payouts.list)
    assert signature.return_annotation == "RawResponse[list[Payout]]"
    assert created.status == 200
    assert created.headers["content-type"].startswith("application/json")
    payout = created.parse()
    assert isinstance(payout, Payout)
    assert payout.order_id == "order-1"
    assert payout.id.encode() in created.content
    memo = await client.with_raw_response.payouts.retrieve_memo(payout.id)
    assert memo.parsed.startswith(b"%PDF")
    assert memo.content == memo.parsed
    page = await client.with_raw_response.payouts.list(limit=5)
    assert [p.id for p in page.parse()] == [payout.id]
    with pytest.raises(NotFoundError):
        await client.with_raw_response.payouts.retrieve("nope")


async def test_raw_response_reads_the_request_id(client: PayCombat) -> None:
    created = await client.with_raw_response.customers.create(
        description="Ana",
        type="individual",
        individual={"first_name": "Ana", "last_name": "Lima", "address_country": "AU"},
    )
    # Customer answers pass Finmo's envelope, with its request_id, through inside ``data``.
    assert created.request_id
    assert created.parse().customer_id
    plain = await client.with_raw_response.master_data.list_country_currency_codes()
    assert plain.request_id is None


async def test_request_takes_a_deadline_of_its_own(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject("payouts.list", latency=5)
    with pytest.raises(APITimeoutError):
        await client.request("GET", "/api/v1/payout", timeout=0.2)
    assert client.config.timeout == 10
