"""The blocking client's with_options and with_raw_response mirror the async ones."""

from __future__ import annotations

import inspect

import paycombat_async
from paycombat_sync import PayCombat, RawResponse
from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import payout_args


def test_with_options_and_raw_response(sandbox: LocalSandbox, client: PayCombat) -> None:
    fast = client.with_options(timeout=4, max_retries=0)
    assert fast.config.timeout == 4
    assert client.config.timeout == 10
    payout = fast.payouts.create(**payout_args())
    raw = fast.with_raw_response.payouts.retrieve(payout.id)
    assert isinstance(raw, RawResponse)
    assert raw.status == 200
    assert raw.parse() == payout
    retrieve = fast.with_raw_response.payouts.retrieve
    assert inspect.signature(retrieve).return_annotation == "RawResponse[Payout]"
    assert [p.id for p in client.with_raw_response.payouts.list().parse()] == [payout.id]
    assert fast.request("GET", f"/api/v1/payout-method/retrieve-payout/{payout.id}")["id"]
    fast.close()  # does nothing: the pool is the original client's
    assert client.payouts.retrieve(payout.id) == payout


def test_the_signatures_mirror_the_async_ones() -> None:
    for name in ("with_options",):
        aio = inspect.signature(getattr(paycombat_async.PayCombat, name))
        assert inspect.signature(getattr(PayCombat, name)).parameters == aio.parameters
