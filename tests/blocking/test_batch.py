"""The blocking twins of the batch: create_many returns a list, stream_many is an iterator."""

from __future__ import annotations

from collections import Counter
from typing import Any

from paycombat_sync import PayCombat
from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import payout_args


def test_create_many_returns_every_result_in_input_order(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject("Create Payout", reset="after", rate=0.2)
    sandbox.inject("Create Payout", latency=0.01, rate=0.3)
    batch = [payout_args(order_id=f"s-{i}") for i in range(40)]
    results = client.payouts.create_many(batch, concurrency=8, settle=0)
    assert [r.index for r in results] == list(range(40))
    assert {r.status for r in results} == {"created"}  # the lost answers were found again
    counts = Counter(p["order_id"] for p in sandbox.state.objects("payout").values())
    assert set(counts.values()) == {1}


def test_stream_many_is_a_blocking_iterator(client: PayCombat, sandbox: LocalSandbox) -> None:
    batch = (payout_args(order_id=f"t-{i}") for i in range(10))
    statuses = [result.status for result in client.payouts.stream_many(batch, concurrency=4)]
    assert statuses == ["created"] * 10


def test_leaving_stream_many_early_stops_the_batch(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    batch = (payout_args(order_id=f"e-{i}") for i in range(10_000))
    for seen, _ in enumerate(client.payouts.stream_many(batch, concurrency=4), start=1):
        if seen == 3:
            break
    # What was done, queued or in flight (those may still commit), never the rest; and the
    # client still works.
    assert 3 <= len(client.payouts.list(limit=100).to_list()) <= 3 + 4 + 8


def test_a_breaking_source_raises_batch_aborted_with_every_result(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    import pytest

    from paycombat_sync import BatchAbortedError

    def rows() -> Any:
        yield from (payout_args(order_id=f"x-{i}") for i in range(12))
        raise ValueError("row 13: not UTF-8")

    with pytest.raises(BatchAbortedError) as caught:
        client.payouts.create_many(rows(), concurrency=4, settle=0)
    assert isinstance(caught.value.__cause__, ValueError)
    assert [r.index for r in caught.value.results] == list(range(12))
    assert len(sandbox.state.objects("payout")) == 12
