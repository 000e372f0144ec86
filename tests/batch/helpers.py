"""What the batch tests share: items, a client, and the exactly-once check against the sandbox."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from paycombat_async import BatchResult
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import client_for, payout_args


def items(n: int, prefix: str = "b") -> list[dict[str, Any]]:
    return [payout_args(order_id=f"{prefix}-{i}") for i in range(n)]


batch_client = client_for  # a client of the sandbox (tests.helpers)


def on_server(sandbox: LocalSandbox) -> Counter[str]:
    """How many payouts the sandbox holds for each order_id."""
    return Counter(p["order_id"] for p in sandbox.state.objects("payout").values())


def assert_exactly_once(sandbox: LocalSandbox, results: Sequence[BatchResult], n: int) -> None:
    """No result lost, input order, and per item: one payout if created, none if rejected,
    at most one if unknown."""
    assert [r.index for r in results] == list(range(n))
    counts = on_server(sandbox)
    assert max(counts.values(), default=0) <= 1, "a payout was created twice"
    for result in results:
        found = counts[result.order_id]
        if result.status == "created":
            assert found == 1, result
            assert result.payout is not None
            assert result.payout.order_id == result.order_id
            assert result.error is None
        elif result.status == "rejected":
            assert found == 0, result
            assert result.error is not None
        else:
            assert result.status == "unknown"
            assert result.error is not None
