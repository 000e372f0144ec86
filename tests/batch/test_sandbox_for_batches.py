"""The sandbox's batch switches: faults by rate (seeded), duplicate refusal, indexed lookups."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paycombat_async import ConflictError, PayCombat, ServerError
from paycombat_async.sandbox import Faults, LocalSandbox
from tests.batch.helpers import on_server
from tests.helpers import payout_args


def test_faults_by_rate_are_reproducible_with_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed)
        faults.inject("Create Payout", status=503, rate=0.3)
        return [faults.take("payouts.create") is not None for _ in range(200)]

    assert pattern(1) == pattern(1)
    assert pattern(1) != pattern(2)
    assert 30 < sum(pattern(1)) < 90


def test_a_rate_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        Faults().inject("Create Payout", status=503, rate=1.5)


async def test_a_5xx_after_commit_leaves_the_payout_created(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject("Get All Payout", status=500, commit=True, times=None)
    with pytest.raises(ServerError):
        await client.payouts.list().fetch_page(1)
    sandbox.faults.clear()
    sandbox.inject("Create Payout", status=502, commit=True)
    with pytest.raises(Exception, match="may or may not"):
        await client.payouts.create(**payout_args(order_id="lied"))
    assert on_server(sandbox)["lied"] == 1


@pytest.mark.paycombat_sandbox(refuse_duplicate_order_id=True)
async def test_a_duplicate_order_id_is_refused_when_asked(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    await client.payouts.create(**payout_args(order_id="once"))
    with pytest.raises(ConflictError, match="Duplicate order_id"):
        await client.payouts.create(**payout_args(order_id="once"))
    assert on_server(sandbox)["once"] == 1


async def test_lists_by_order_id_and_held_balance_use_indexes(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    for i in range(30):
        await client.payouts.create(**payout_args(order_id=f"o-{i}"))
    [found] = (await client.payouts.list(order_id="o-17").fetch_page(1)).items
    assert found.order_id == "o-17"
    balance = await client.merchant.get_payout_balance("AUD")
    assert balance.total_hold_balance == Decimal("750")
    await client.payouts.simulate(found.id, status="FAILED")
    balance = await client.merchant.get_payout_balance("AUD")
    assert balance.total_hold_balance == Decimal("725")
    assert balance.total_balance_expected == balance.total_balance_available + Decimal("725")
