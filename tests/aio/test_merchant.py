"""Get Balance Payout against the sandbox: the balance payouts are drawn from."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from paycombat_async import NotFoundError, PayCombat, ValidationError
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.models.merchant import PayoutBalance
from paycombat_async.sandbox import LocalSandbox

TITLE = "Get Balance Payout"


def test_balance_round_trips() -> None:
    data = {
        "currency": "AUD",
        "total_balance_available": 999987.5,
        "total_hold_balance": 12.5,
        "total_balance_expected": "1000000.00",
        "merchant_id": "c0a8",
    }
    balance = structure(data, PayoutBalance)
    assert balance.total_balance_expected == Decimal("1000000.00")
    assert balance.extra == {"merchant_id": "c0a8"}
    assert json.loads(js_dumps(unstructure(balance))) == {
        **data,
        "total_balance_expected": 1000000,  # an amount goes back as a JSON number
    }


async def test_balance_of_unknown_currency_is_not_found(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(NotFoundError) as caught:
        await client.merchant.get_payout_balance("USD")
    assert caught.value.status == 404
    assert len(sandbox.requests_for(TITLE)) == 1


@pytest.mark.parametrize("currency", ["aud", "AU", "AUDD", "", " AUD", None, 36])
async def test_invalid_currency_is_refused_before_sending(
    client: PayCombat, sandbox: LocalSandbox, currency: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.merchant.get_payout_balance(currency)  # type: ignore[arg-type]
    assert caught.value.field == "currency"
    assert sandbox.requests_for(TITLE) == []
