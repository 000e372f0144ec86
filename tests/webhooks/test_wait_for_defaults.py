"""``wait_for`` without ``statuses``: each kind of object waits for its own final statuses."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest

from paycombat_async import APITimeoutError, PayCombat, PayinStatus, PayoutStatus
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import payout_args


async def test_a_pending_payin_is_waited_on_until_any_of_its_final_statuses(
    client: PayCombat,
) -> None:
    payin = await client.payins.create(
        amount=Decimal("10"), currency="AUD", payin_method_name="au_bank_npp"
    )
    with pytest.raises(APITimeoutError, match="did not reach CANCELLED, EXPIRED, FAILED, SUCCESS"):
        await client.payins.wait_for(payin.id, timeout=0.2, poll_interval=0.05)


async def test_a_pending_payout_is_waited_on_until_any_of_its_final_statuses(
    client: PayCombat,
) -> None:
    payout = await client.payouts.create(**payout_args())
    with pytest.raises(APITimeoutError, match="did not reach FAILED, RETURNED, SUCCESS within"):
        await client.payouts.wait_for(payout.id, timeout=0.2, poll_interval=0.05)


async def test_an_expired_payin_and_a_returned_payout_end_the_default_wait(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    payin = await client.payins.create(
        amount=Decimal("10"), currency="AUD", payin_method_name="au_bank_npp"
    )
    await client.payins.simulate(payin.id, status="EXPIRED")
    assert (await client.payins.wait_for(payin.id, timeout=5)).status is PayinStatus.EXPIRED

    payout_id = (await client.payouts.create(**payout_args())).id
    await client.payouts.simulate(payout_id, status="SUCCESS")
    await client.payouts.simulate(payout_id, status="RETURNED")
    assert (await client.payouts.wait_for(payout_id, timeout=5)).status is PayoutStatus.RETURNED
    assert len(sandbox.requests_for("Retrieve Payout")) == 1


def test_each_wait_for_documents_its_own_kind_and_final_statuses() -> None:
    client = PayCombat(token="snd_x", signature_key="k")
    payin_doc = inspect.getdoc(client.payins.wait_for) or ""
    payout_doc = inspect.getdoc(client.payouts.wait_for) or ""
    assert payin_doc.startswith("Wait until a payin reaches one of ``statuses``")
    assert "SUCCESS, FAILED, EXPIRED, CANCELLED" in payin_doc
    assert "Retrieve Payin every" in payin_doc
    assert payout_doc.startswith("Wait until a payout reaches one of ``statuses``")
    assert "SUCCESS, FAILED, RETURNED" in payout_doc
    assert "NotFoundError: no such payout." in payout_doc
