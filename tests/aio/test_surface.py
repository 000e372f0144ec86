"""One consistent surface: lists, validation before sending, saved beneficiaries, models."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal

import pytest

from paycombat_async import (
    AsyncPaginator,
    PayCombat,
    PayCombatError,
    Payout,
    PayoutMethod,
    ValidationError,
)
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import payout_args


async def test_every_list_is_one_paginator_that_can_be_awaited(client: PayCombat) -> None:
    methods = client.payout_methods.list(currency="AUD")
    assert isinstance(methods, AsyncPaginator)
    collected = await methods
    assert collected
    assert all(isinstance(m, PayoutMethod) for m in collected)
    assert [m async for m in client.payout_methods.list(currency="AUD")] == collected

    for order in ("a", "b", "c"):
        await client.payouts.create(**payout_args(order_id=order))
    payouts = await client.payouts.list(limit=2)  # pages of 2, collected
    assert [p.order_id for p in payouts] == ["a", "b", "c"]
    pages = [page async for page in client.payouts.list(limit=2).pages()]
    assert [len(page.items) for page in pages] == [2, 1]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.payouts.list(limit=0), "limit"),
        (lambda c: c.payouts.list(page=0), "page"),
        (lambda c: c.payouts.list(limit=True), "limit"),
        (lambda c: c.payouts.list(status="SUCESS"), "status"),
        (lambda c: c.transactions.list(currency="AUS"), "currency"),
        (lambda c: c.checkouts.list(status="DONE"), "status"),
        (lambda c: c.beneficiaries.list(type="trust"), "type"),
    ],
)
async def test_list_arguments_are_validated_when_the_list_is_made(
    client: PayCombat, sandbox: LocalSandbox, call: object, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        call(client)  # type: ignore[operator]
    assert isinstance(caught.value, PayCombatError)
    assert caught.value.field == field
    assert sandbox.requests == []


async def test_codes_are_checked_against_the_iso_lists(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.checkouts.create_payment_request(
            amount=Decimal(10), currency="AUS", country_code="AU"
        )
    assert caught.value.field == "currency"
    with pytest.raises(ValidationError) as caught:
        await client.payins.create(
            amount=Decimal(10), currency="AUD", payin_method_name="au_bank_npp", country="XX"
        )
    assert caught.value.field == "country"
    with pytest.raises(ValidationError):
        await client.merchant.get_payout_balance("ZZZ")
    assert sandbox.requests == []
    # "EU" is the region of EUR methods, accepted where PayCombat takes a region.
    checkout = await client.checkouts.create_payment_request(
        amount=Decimal(10), currency="EUR", country_code="EU"
    )
    assert checkout.currency == "EUR"


async def test_a_wrong_call_is_a_validation_error_too(client: PayCombat) -> None:
    with pytest.raises(ValidationError, match="retrieve"):
        await client.payouts.retrieve()  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        await client.payouts.retrieve("  ")


async def test_a_payout_to_a_saved_beneficiary(client: PayCombat, sandbox: LocalSandbox) -> None:
    saved = await client.beneficiaries.create(
        type="individual",
        beneficiary_name="Ana Lima",
        currency="AUD",
        account_number="12345678",
        bsb="123456",
        individual={"first_name": "Ana", "last_name": "Lima"},
    )
    payout = await client.payouts.create(
        payout_beneficiary_id=saved.payout_beneficiary_id,
        sender_amount=Decimal("3.00"),
        sender_currency="AUD",
        sender_country="AU",
        payout_method_name="au_bank_acct",
        order_id="saved-1",
    )
    assert payout.beneficiary_account_number == "12345678"
    assert payout.payee_name == "Ana Lima"
    sent = json.loads(sandbox.requests_for("payouts.create")[-1].body)
    assert sent["payout_beneficiary_id"] == saved.payout_beneficiary_id
    assert "payout_beneficiary_param" not in sent


async def test_exactly_one_beneficiary_form(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(ValidationError, match="both"):
        await client.payouts.create(**payout_args(payout_beneficiary_id="pb_1"))
    neither = payout_args()
    del neither["payout_beneficiary_param"]
    with pytest.raises(ValidationError, match="payout_beneficiary_id"):
        await client.payouts.create(**neither)
    assert sandbox.requests == []


async def test_extra_adds_body_fields_but_never_overrides(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    await client.payouts.create(**payout_args(extra={"memo": "rent", "sender_currency": "USD"}))
    sent = json.loads(sandbox.requests_for("Create Payout")[-1].body)
    assert sent["memo"] == "rent"
    assert sent["sender_currency"] == "AUD"


def test_models_are_hashable_and_their_extra_is_read_only() -> None:
    data = {"id": "p1", "status": "PENDING", "conversion": {"rate": [1, 2]}, "new_field": [1]}
    payout = Payout.from_dict(data)
    twin = Payout.from_dict(dict(data))
    assert payout == twin
    assert hash(payout) == hash(twin)
    assert len({payout, twin}) == 1
    assert payout.extra == {"new_field": [1]}
    with pytest.raises(TypeError):
        payout.extra["new_field"] = 2  # type: ignore[index]
    assert pickle.loads(pickle.dumps(payout)) == payout  # noqa: S301 - our own bytes
    assert hash(Payout.from_dict({**data, "status": "SUCCESS"})) != hash(payout)
    # Equal values hash alike even where their text differs.
    amounts = [Payout.from_dict({"id": "p1", "wire_amount": text}) for text in ("1.0", "1.00")]
    assert amounts[0] == amounts[1]
    assert hash(amounts[0]) == hash(amounts[1])
