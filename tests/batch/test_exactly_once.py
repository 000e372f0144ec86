"""create_many/stream_many against the sandbox with faults: exactly once, nothing lost, in order."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import anyio
import pytest

from paycombat_async import (
    BatchResult,
    ConflictError,
    CreatePayoutRequest,
    OutcomeUnknownError,
    PayCombat,
    PayoutConflictError,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async.sandbox import LocalSandbox
from tests.batch.helpers import assert_exactly_once, batch_client, items, on_server
from tests.helpers import payout_args

CREATE = "Create Payout"
LIST = "Get All Payout"


def fault_mix(sandbox: LocalSandbox, *, late: float) -> None:
    """5xx before and after commit, 429 with Retry-After, resets after commit, late commits."""
    sandbox.inject(CREATE, status=503, rate=0.04)
    sandbox.inject(CREATE, status=500, commit=True, rate=0.04)
    sandbox.inject(CREATE, status=429, retry_after=2, rate=0.04)
    sandbox.inject(CREATE, reset="after", rate=0.04)
    sandbox.inject(CREATE, latency=late, rate=0.02)  # past the call's timeout, then committed
    sandbox.inject(LIST, status=503, rate=0.05)


@pytest.mark.parametrize("resend", [False, True])
async def test_a_fault_mix_creates_each_payout_at_most_once_and_loses_no_result(
    resend: bool,
) -> None:
    n = 300
    async with LocalSandbox(seed=7) as sandbox:
        fault_mix(sandbox, late=0.3)
        async with batch_client(sandbox, timeout=0.2) as client:
            # Settled well past the late commits (a loaded machine delays them further).
            results = await client.payouts.create_many(
                items(n), concurrency=16, settle=2.0, resend_after_settle=resend
            )
        assert_exactly_once(sandbox, results, n)
        statuses = {r.status for r in results}
        assert "created" in statuses
        if resend:
            # Settled longer than the late commits: every absent item was resent, once (an
            # item refused before commit on every one of its resends, p ~ 1e-4, stays unknown).
            # On a loaded machine a call can also run out of its 0.2 s before its request was
            # written: rejected, provably never sent (assert_exactly_once: nothing exists).
            rejected = [r for r in results if r.status == "rejected"]
            assert all(r.error and not r.error.may_have_taken_effect for r in rejected)
            assert len(on_server(sandbox)) >= n - 2 - len(rejected)
        else:
            # The 503s before commit left items absent, and they were not resent.
            unknown = [r for r in results if r.status == "unknown"]
            assert unknown
            assert all(isinstance(r.error, OutcomeUnknownError) for r in unknown)
            assert any(on_server(sandbox)[r.order_id] == 0 for r in unknown)


async def test_a_late_commit_is_found_by_the_lookup_after_the_settle_period(
    sandbox: LocalSandbox,
) -> None:
    # The client gives up at 0.4s, committed at 1.2s (a loaded machine may take a tenth of a
    # second to write the request: then the call is refused as never sent, not in doubt).
    sandbox.inject(CREATE, latency=1.2)
    async with batch_client(sandbox, timeout=0.4) as client:
        [result] = await client.payouts.create_many(items(1), settle=1.6, resend_after_settle=True)
    assert result.status == "created"
    assert on_server(sandbox)["b-0"] == 1
    assert len(sandbox.requests_for(CREATE)) == 1  # found, not resent


async def test_a_resend_refused_as_a_duplicate_is_looked_up_never_failed() -> None:
    async with LocalSandbox(refuse_duplicate_order_id=True) as sandbox:
        # Too short a settle: the lookup misses the late commit and the item is resent, but the
        # server refuses the duplicate order_id; the item is then looked up again.
        sandbox.inject(CREATE, latency=1.2)  # gives up at 0.4s, committed at 1.2s (as above)
        async with batch_client(sandbox, timeout=0.4) as client:
            [result] = await client.payouts.create_many(
                items(1), settle=0.0, resend_after_settle=True
            )
    assert result.status in ("created", "unknown")
    assert result.status == "created" or isinstance(result.error.__cause__, ConflictError)
    assert on_server(sandbox)["b-0"] == 1
    assert len(sandbox.requests_for(CREATE)) == 2


@pytest.mark.paycombat_sandbox(refuse_duplicate_order_id=True)
async def test_a_first_send_refused_as_a_duplicate_finds_the_existing_payout(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    first = await client.payouts.create(**payout_args(order_id="b-0"))
    [result] = await client.payouts.create_many(items(1), settle=0)
    assert result.status == "created"
    assert result.payout is not None
    assert result.payout.id == first.id
    assert on_server(sandbox)["b-0"] == 1


async def test_rejected_items_are_not_retried_and_do_not_stop_the_others(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    batch: list[Any] = items(4)
    batch[1] = payout_args(order_id="bad-method", payout_method_name="xx_unknown")
    batch[2] = {**payout_args(order_id="bad-amount"), "sender_amount": 1.5}  # floats refused
    batch[3] = {"order_id": "bad-args", "colour": "blue"}
    results = await client.payouts.create_many(batch, settle=0)
    assert [r.status for r in results] == ["created", "rejected", "rejected", "rejected"]
    assert isinstance(results[1].error, UnprocessableEntityError)
    assert isinstance(results[2].error, ValidationError)
    assert isinstance(results[3].error, ValidationError)
    assert "colour" in str(results[3].error)
    sent = [r.body for r in sandbox.requests_for(CREATE)]
    assert len(sent) == 2  # the good one and the refused one, once each; nothing for bad input
    assert_exactly_once(sandbox, results, 4)


async def test_a_repeated_order_id_is_refused_not_sent_twice(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    batch = [*items(3), payout_args(order_id="b-1")]
    results = await client.payouts.create_many(batch, settle=0)
    assert [r.status for r in results] == ["created", "created", "created", "rejected"]
    assert "order_id" in str(results[3].error)
    assert on_server(sandbox)["b-1"] == 1


async def test_items_without_order_id_get_one_and_requests_objects_work(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    args = payout_args()
    del args["order_id"]
    request = CreatePayoutRequest(**payout_args(order_id="as-object"))
    results = await client.payouts.create_many([args, request], settle=0)
    assert [r.status for r in results] == ["created", "created"]
    assert results[0].order_id.startswith("pc-")
    assert results[0].payout is not None
    assert results[0].payout.order_id == results[0].order_id
    assert results[1].order_id == "as-object"


async def test_stream_many_yields_as_results_complete_and_reports_progress(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    seen: list[BatchResult] = []

    async def source() -> Any:
        for item in items(20):
            yield item

    streamed = [r async for r in client.payouts.stream_many(source(), on_progress=seen.append)]
    assert sorted(r.index for r in streamed) == list(range(20))
    assert [r.index for r in seen] == [r.index for r in streamed]
    assert all(r.status == "created" for r in streamed)


async def test_the_generator_is_pulled_lazily_and_leaving_early_stops_it(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    pulled = 0

    def generate() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield payout_args(order_id=f"lazy-{i}")

    stream = client.payouts.stream_many(generate(), concurrency=8)
    got = 0
    async for _ in stream:
        got += 1
        if got == 30:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    # Bounded by what is in flight and queued, never the whole input.
    assert pulled <= 30 + 8 + 2 * 8 + 8
    created = len(sandbox.state.objects("payout"))
    assert created <= pulled


async def test_waiting_for_a_connection_does_not_burn_the_deadline(sandbox: LocalSandbox) -> None:
    sandbox.inject(CREATE, latency=0.2, rate=1.0)
    # 12 items through 2 connections take ~1.2s; each call's own deadline is 0.6s (three times
    # its answer's latency: a loaded machine must not turn the test into a timeout).
    async with batch_client(sandbox, timeout=0.6, max_connections=2) as client:
        results = await client.payouts.create_many(items(12), concurrency=12, settle=0)
    assert [r.status for r in results] == ["created"] * 12
    assert sandbox.requests_for(LIST) == []  # no call timed out: nothing had to be looked up


async def test_single_create_reconciles_when_asked(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject(CREATE, reset="after")
    reconciled = client.payouts.create_reconciled
    payout = await reconciled(CreatePayoutRequest(**payout_args(order_id="web-1")), settle=0)
    assert payout.order_id == "web-1"
    assert on_server(sandbox)["web-1"] == 1

    sandbox.inject(CREATE, status=503)  # refused before commit: absent, and never resent
    with pytest.raises(OutcomeUnknownError, match="not found by order_id after settling"):
        await reconciled(CreatePayoutRequest(**payout_args(order_id="web-2")), settle=0)
    assert on_server(sandbox)["web-2"] == 0
    assert len(sandbox.requests_for(CREATE)) == 2

    with pytest.raises(ValidationError, match="order_id") as caught:
        await reconciled(CreatePayoutRequest(**payout_args(order_id=None)))
    assert caught.value.field == "order_id"


async def test_cancelling_a_batch_leaves_every_item_known_to_its_journal(
    sandbox: LocalSandbox, tmp_path: Any
) -> None:
    from paycombat_async import SQLiteJournal

    journal = tmp_path / "batch.sqlite"
    sandbox.inject(CREATE, latency=0.02, rate=1.0)
    async with batch_client(sandbox) as client:
        done = 0
        with anyio.CancelScope() as scope:

            def cancel_after_40(_: BatchResult) -> None:
                nonlocal done
                done += 1
                if done == 40:
                    scope.cancel()  # mid-batch, with items in flight

            await client.payouts.create_many(
                items(200), concurrency=8, journal=journal, settle=0, on_progress=cancel_after_40
            )
        assert scope.cancelled_caught
        created_before = on_server(sandbox)
        assert 0 < len(created_before) < 200
        entries = {e.order_id: e for e in SQLiteJournal(journal).entries()}
        for order_id in created_before:
            assert entries[order_id].state in ("created", "sending")
        # A run that stops early ends its leases: the re-run takes its claims over at once.
        assert all(e.lease_until is None for e in entries.values())
        sandbox.faults.clear()
        # Settled well past the 20 ms late commits, an item still absent was never received
        # (cancelled before it left), so resending it is safe.
        results = await client.payouts.create_many(
            items(200), concurrency=8, journal=journal, settle=1.0, resend_after_settle=True
        )
    assert [r.status for r in results] == ["created"] * 200
    assert_exactly_once(sandbox, results, 200)


async def test_a_rerun_skips_created_items_and_refuses_a_changed_one(
    client: PayCombat, sandbox: LocalSandbox, tmp_path: Any
) -> None:
    journal = tmp_path / "j.sqlite"
    first = await client.payouts.create_many(items(5), journal=journal, settle=0)
    assert [r.status for r in first] == ["created"] * 5
    again = items(5)
    again[4] = payout_args(order_id="b-4", sender_amount=Decimal("99"))
    second = await client.payouts.create_many(again, journal=journal, settle=0)
    assert [r.status for r in second] == ["created"] * 4 + ["conflict"]
    assert isinstance(second[4].error, PayoutConflictError)
    assert "journal holds a different payout" in str(second[4].error)
    assert [r.payout for r in second[:4]] == [r.payout for r in first[:4]]
    assert len(sandbox.requests_for(CREATE)) == 5


async def test_bad_options_are_refused_before_anything_is_sent(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(ValidationError, match="concurrency"):
        await client.payouts.create_many(items(1), concurrency=0)
    with pytest.raises(ValidationError, match="settle") as caught:
        await client.payouts.create_many(items(1), settle=-1)
    assert caught.value.field == "settle"
    assert sandbox.requests == []
