"""Payins and KRW virtual accounts, through the client against the local sandbox."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paycombat_async import (
    NotFoundError,
    PayCombat,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async.models._converter import structure
from paycombat_async.models.payin import (
    Payin,
    PayinStatus,
    VirtualAccount,
)
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import PAYIN_SUCCESS_WEBHOOK, round_trip, sent_body

# PayCombat docs, Retrieve Payin: the documented response, its schema placeholders filled in.
RETRIEVE_PAYIN_DATA: dict[str, Any] = {
    "id": "86db9204-c547-47b2-a9f9-589176a6f981",
    "payin_id_finmo": "payin_1344b7c5a4d74575ac5d08dc05051dd3",
    "merchant_id": "5a741ab5-a6b4-4a39-9cf5-f0c1f3d2f0a1",
    "status": "PENDING",
    "amount": 12.5,
    "amount_type": "AUD",
    "transaction": "invoice_13032025_002",
    "transaction_date": "2024-12-29T13:18:09.000Z",
    "payment_method": "au_bank_npp",
    "order_reference": "string",
    "customer_full_name": "string",
    "reply_code": "string",
    "brand": "string",
    "currency": "FIAT",
    "credit_type": "PAYIN",
    "payer_id": "string",
    "recon_id": "string",
    "order_reference_1": "string",
    "order_reference_2": "string",
    "platform_identifier": "string",
    "trx_type": "DIRECT_PAYIN",
    "customer_email": "string",
    "customer_phone": "string",
    "customer_personal_number": None,
    "fee_taken": 0,
    "fee_expected": 0,
    "charge_back": 0,
    "rolling_serve": 0,
    "retrieval": 0,
    "is_black_list": 0,
    "ip_address": None,
    "billing_address_country": None,
    "billing_address_city": None,
    "billing_address_zip_code": None,
    "billing_address": None,
    "bin": None,
    "is_3ds": None,
    "bank_psp": None,
    "created_at": None,
    "updated_at": None,
    "deleted_at": None,
    "payment_date": None,
}


# -- models -----------------------------------------------------------------------------------


@pytest.mark.parametrize("example", [PAYIN_SUCCESS_WEBHOOK, RETRIEVE_PAYIN_DATA])
def test_documented_payins_round_trip(example: dict[str, Any]) -> None:
    assert round_trip(example, Payin) == example


def test_webhook_payin_fields() -> None:
    payin = structure(PAYIN_SUCCESS_WEBHOOK, Payin)
    assert payin.status is PayinStatus.SUCCESS
    assert payin.amount == Decimal("100")
    assert payin.currency == "FIAT"  # the raw field is kept as sent...
    assert payin.amount_type == "AUD"
    assert payin.iso_currency == "AUD"  # ...and the ISO code is one property away
    assert payin.transaction_date is not None
    assert payin.transaction_date.tzinfo is not None
    assert payin.extra == {}


@pytest.mark.parametrize(
    ("amount_type", "currency", "expected"),
    [("AUD", "FIAT", "AUD"), (None, "EUR", "EUR"), ("FIAT", "KRW", "KRW"), (None, "FIAT", None)],
)
def test_iso_currency_reads_whichever_field_holds_it(
    amount_type: str | None, currency: str | None, expected: str | None
) -> None:
    payin = Payin(id="p", amount_type=amount_type, currency=currency)
    assert payin.iso_currency == expected


def test_unknown_payin_status_and_fields_are_kept() -> None:
    payin = structure({"id": "p", "status": "AWAITING_FUNDS", "new_field": 1}, Payin)
    assert payin.status == "AWAITING_FUNDS"
    assert payin.extra == {"new_field": 1}


# -- Create Payin / Retrieve Payin -------------------------------------------------------------


async def create_aud_payin(client: PayCombat, reference: str = "inv-1") -> Payin:
    return await client.payins.create(
        amount=Decimal("12.50"),
        currency="AUD",
        payin_method_name="au_bank_npp",
        payin_method_param={"payid_reference": reference},
        transaction=reference,
        customer_full_name="Ana Lima",
        customer_email="ana@example.com",
    )


async def test_create_and_retrieve_payin(client: PayCombat, sandbox: LocalSandbox) -> None:
    payin = await create_aud_payin(client)
    assert payin.status is PayinStatus.PENDING
    assert payin.amount == Decimal("12.5")
    assert (payin.amount_type, payin.currency, payin.iso_currency) == ("AUD", "FIAT", "AUD")
    assert payin.payment_method == "au_bank_npp"
    assert payin.transaction == "inv-1"
    assert payin.trx_type == "DIRECT_PAYIN"
    assert sent_body(sandbox, "Create Payin") == {
        "amount": 12.5,
        "currency": "AUD",
        "payin_method_name": "au_bank_npp",
        "payin_method_param": {"payid_reference": "inv-1"},
        "transaction": "inv-1",
        "customer_full_name": "Ana Lima",
        "customer_email": "ana@example.com",
    }

    again = await client.payins.retrieve(payin.id)
    assert again == payin
    assert payin.payin_id_finmo is not None
    by_finmo_id = await client.payins.retrieve(payin.payin_id_finmo)
    assert by_finmo_id.id == payin.id


async def test_create_payin_sends_extra_fields_without_overriding(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    await client.payins.create(
        amount=5,
        currency="EUR",
        payin_method_name="eu_bank_sct_eur",
        extra={"redirect_url": "https://shop.example/back", "amount": 999},
    )
    body = sent_body(sandbox, "Create Payin")
    assert body["redirect_url"] == "https://shop.example/back"
    assert body["amount"] == 5


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 12.5}, "amount"),
        ({"amount": Decimal("1.001")}, "amount"),
        ({"currency": "aud"}, "currency"),
        ({"payin_method_name": " "}, "payin_method_name"),
        ({"country": "AUS"}, "country"),
        ({"currency": "KRW", "payin_method_name": "KDB산업은행"}, "payer_id"),
    ],
)
async def test_create_payin_validates_before_sending(
    client: PayCombat, sandbox: LocalSandbox, kwargs: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "amount": Decimal("10"),
        "currency": "AUD",
        "payin_method_name": "au_bank_npp",
        **kwargs,
    }
    with pytest.raises(ValidationError) as caught:
        await client.payins.create(**arguments)
    assert caught.value.field == field
    assert sandbox.requests_for("Create Payin") == []


@pytest.mark.parametrize(
    ("method", "currency", "message"),
    [
        ("xx_bank_unknown", "AUD", "Unknown payin method"),
        ("au_bank_npp", "EUR", "collects AUD"),
        ("au_bank_npp", "AUD", "takes amounts from 1 to"),
    ],
)
async def test_create_payin_rejects_methods_the_sandbox_cannot_collect(
    client: PayCombat, method: str, currency: str, message: str
) -> None:
    amount = Decimal("0.50") if message.startswith("takes") else Decimal(10)
    with pytest.raises(UnprocessableEntityError, match=message):
        await client.payins.create(amount=amount, currency=currency, payin_method_name=method)


async def test_retrieve_unknown_payin(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(NotFoundError):
        await client.payins.retrieve("86db9204-c547-47b2-a9f9-589176a6f981")
    with pytest.raises(ValidationError):
        await client.payins.retrieve(" ")
    assert len(sandbox.requests_for("Retrieve Payin")) == 1


# -- Simulate Payin ----------------------------------------------------------------------------


async def test_simulate_payin_defaults_to_success_and_accepts_the_finmo_id(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    payin = await create_aud_payin(client)
    assert payin.payin_id_finmo is not None
    settled = await client.payins.simulate(payin.payin_id_finmo)
    assert settled.id == payin.id
    assert settled.status is PayinStatus.SUCCESS
    assert sent_body(sandbox, "Simulate Payin") == {
        "payin_id": payin.payin_id_finmo,
        "status": "SUCCESS",
    }


async def test_simulate_payin_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.payins.simulate("some-id", status="PENDING")
    assert caught.value.field == "status"
    assert sandbox.requests_for("Simulate Payin") == []
    with pytest.raises(NotFoundError):
        await client.payins.simulate("payin_00000000000000000000000000000000")


# -- Retrieve Payin Memo (PDF) -----------------------------------------------------------------


async def test_retrieve_payin_memo_is_a_pdf(client: PayCombat) -> None:
    payin = await create_aud_payin(client)
    memo = await client.payins.retrieve_memo(payin.id)
    assert memo.startswith(b"%PDF-")
    assert memo.rstrip().endswith(b"%%EOF")
    assert payin.id.encode() in memo
    with pytest.raises(NotFoundError):
        await client.payins.retrieve_memo("no-such-payin")


# -- KRW: Create Virtual Account (KRW), Simulate Create VA, Create Payin with payer_id ----------


async def create_va(client: PayCombat, bank: str = "KDB산업은행") -> VirtualAccount:
    return await client.payins.create_virtual_account(
        payin_method_name=bank,
        amount=50000,
        user_name="김민준",
        user_yymmdd="900131",
    )


async def test_krw_payin_with_unknown_virtual_account(client: PayCombat) -> None:
    with pytest.raises(NotFoundError):
        await client.payins.create(
            amount=50000, currency="KRW", payin_method_name="KDB산업은행", payer_id="nope"
        )


async def test_virtual_account_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(UnprocessableEntityError, match="not a Korean bank"):
        await client.payins.create_virtual_account(
            payin_method_name="au_bank_npp", amount=1000, user_name="Kim"
        )
    with pytest.raises(UnprocessableEntityError, match="takes amounts from 1000"):
        await client.payins.create_virtual_account(
            payin_method_name="KDB산업은행", amount=999, user_name="Kim"
        )
    with pytest.raises(ValidationError) as caught:
        await client.payins.create_virtual_account(
            payin_method_name="KDB산업은행", amount=1000, user_name="Kim", user_yymmdd="1990-01-31"
        )
    assert caught.value.field == "user_yymmdd"
    assert len(sandbox.requests_for("Create Virtual Account (KRW)")) == 2

    with pytest.raises(ValidationError):
        await client.payins.simulate_virtual_account("va", status="SUCCESS")
    assert sandbox.requests_for("Simulate Create VA") == []
    with pytest.raises(NotFoundError):
        await client.payins.simulate_virtual_account("no-such-account")
