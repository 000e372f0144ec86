from __future__ import annotations

from decimal import Decimal

from paycombat_async import PayCombat, PayoutStatus
from paycombat_async.sandbox import LocalSandbox


async def test_create_and_retrieve_payout(client: PayCombat, sandbox: LocalSandbox) -> None:
    payout = await client.payouts.create(
        payout_beneficiary_param={
            "individual": {"first_name": "Ana"},
            "account_number": "1",
            "bsb": "123456",
        },
        sender_amount=Decimal("12.50"),
        sender_currency="AUD",
        sender_country="AU",
        payout_method_name="au_bank_acct",
        order_id="inv-1",
    )
    assert payout.status is PayoutStatus.PENDING
    again = await client.payouts.retrieve(payout.id)
    assert again.order_id == "inv-1"
    assert again.wire_amount == Decimal("12.5")
