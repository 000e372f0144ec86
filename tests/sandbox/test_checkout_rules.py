"""Sandbox emulation of checkouts and payins: what a payin outcome or an expiry does."""

from __future__ import annotations

import datetime as dt

import pytest

from paycombat_async import (
    PayCombat,
    UnprocessableEntityError,
)
from paycombat_async.models._converter import format_datetime
from paycombat_async.models.checkout import (
    CheckoutStatus,
)
from paycombat_async.models.payin import (
    PayinStatus,
    VirtualAccountStatus,
)
from paycombat_async.sandbox import LocalSandbox
from tests.aio.test_checkouts import create_aud_checkout
from tests.aio.test_payins import create_aud_payin, create_va
from tests.helpers import sent_body


async def test_a_failed_payin_leaves_the_checkout_open(client: PayCombat) -> None:
    checkout = await create_aud_checkout(client)
    assert checkout.checkout_token is not None
    bound = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert bound.payin_id is not None
    await client.payins.simulate(bound.payin_id, status=PayinStatus.FAILED)
    assert (await client.checkouts.retrieve(checkout.id)).status is CheckoutStatus.PENDING
    retry = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert retry.payin_id not in (None, bound.payin_id)


async def test_an_expired_checkout_cannot_be_checked_out(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    checkout = await create_aud_checkout(client)
    assert checkout.checkout_token is not None
    bound = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert bound.payin_id is not None
    # Time passes: move the checkout's expiry into the past.
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    sandbox.state.get("checkout", checkout.id)["expire_at"] = format_datetime(past)

    expired = await client.checkouts.retrieve(checkout.id)
    assert expired.status is CheckoutStatus.EXPIRED
    assert expired.is_expired()
    assert (await client.payins.retrieve(bound.payin_id)).status is PayinStatus.EXPIRED
    with pytest.raises(UnprocessableEntityError, match="EXPIRED"):
        await client.checkouts.bind_payin_method(
            checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
        )
    with pytest.raises(UnprocessableEntityError, match="EXPIRED"):
        await client.checkouts.cancel(checkout.id)


async def test_expiry_is_noticed_when_the_payin_is_simulated(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    checkout = await create_aud_checkout(client)
    assert checkout.checkout_token is not None
    bound = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert bound.payin_id is not None
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    sandbox.state.get("checkout", checkout.id)["expire_at"] = format_datetime(past)
    with pytest.raises(UnprocessableEntityError, match="EXPIRED"):
        await client.payins.simulate(bound.payin_id)
    assert (await client.checkouts.retrieve(checkout.id)).status is CheckoutStatus.EXPIRED


@pytest.mark.parametrize("target", [PayinStatus.SUCCESS, PayinStatus.FAILED, PayinStatus.EXPIRED])
async def test_simulate_payin_settles_once(client: PayCombat, target: PayinStatus) -> None:
    payin = await create_aud_payin(client)
    settled = await client.payins.simulate(payin.id, status=target)
    assert settled.status is target
    assert (settled.payment_date is not None) == (target is PayinStatus.SUCCESS)
    assert (await client.payins.retrieve(payin.id)).status is target

    with pytest.raises(UnprocessableEntityError, match="only a PENDING payin") as caught:
        await client.payins.simulate(payin.id, status=PayinStatus.SUCCESS)
    assert caught.value.status == 422
    assert (await client.payins.retrieve(payin.id)).status is target


async def test_krw_payin_needs_an_approved_virtual_account(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    account = await create_va(client)
    assert account.status is VirtualAccountStatus.PENDING
    assert (account.currency, account.country) == ("KRW", "KR")
    assert account.account_number is None
    assert sent_body(sandbox, "Create Virtual Account (KRW)")["payin_method_name"] == "KDB산업은행"

    with pytest.raises(UnprocessableEntityError, match="APPROVED"):
        await client.payins.create(
            amount=50000, currency="KRW", payin_method_name="KDB산업은행", payer_id=account.id
        )

    approved = await client.payins.simulate_virtual_account(account.id)
    assert approved.status is VirtualAccountStatus.APPROVED
    assert approved.account_bankname == "KDB산업은행"
    assert approved.account_number
    assert approved.account_number.startswith("002")  # KDB's bank code

    payin = await client.payins.create(
        amount=50000, currency="KRW", payin_method_name="KDB산업은행", payer_id=account.id
    )
    assert payin.payer_id == account.id
    assert payin.iso_currency == "KRW"
    assert (await client.payins.simulate(payin.id)).status is PayinStatus.SUCCESS

    with pytest.raises(UnprocessableEntityError, match="only a PENDING registration"):
        await client.payins.simulate_virtual_account(account.id, status="FAILED")


async def test_failed_virtual_account_cannot_take_payins(client: PayCombat) -> None:
    account = await create_va(client, bank="신한은행")
    failed = await client.payins.simulate_virtual_account(
        account.id, status=VirtualAccountStatus.FAILED
    )
    assert failed.status is VirtualAccountStatus.FAILED
    assert failed.account_number is None
    with pytest.raises(UnprocessableEntityError, match="FAILED"):
        await client.payins.create(
            amount=50000, currency="KRW", payin_method_name="신한은행", payer_id=account.id
        )
