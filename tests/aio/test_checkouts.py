"""Hosted checkout, through the client against the local sandbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from paycombat_async import (
    NotFoundError,
    PayCombat,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async.models._converter import format_datetime, structure
from paycombat_async.models.checkout import (
    AdvancedRedirectUrl,
    Checkout,
    CheckoutStatus,
)
from paycombat_async.models.methods import PaymentMethod
from paycombat_async.models.payin import PayinStatus
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import round_trip, sent_body

# The docs' examples print a real-looking merchant token in checkout_url; a stand-in replaces it.
DOC_IDENTIFIER = "snd_EXAMPLE-TOKEN-NOT-REAL=="
DOC_TOKEN = "d7e1d34f66ae6c003cf764c64679f15cad8b8a3f217d4eec5e69edb5e16c7f63"

# Create New Checkout's documented response (000_c35c8d6af203ad7c.txt); the QR image is shortened.
CREATE_NEW_CHECKOUT_DATA: dict[str, Any] = {
    "id": "2be69323-2430-498b-bde8-9b374e989277",
    "checkout_token": DOC_TOKEN,
    "amount": 100,
    "currency": "THB",
    "country_code": "TH",
    "payin_method_name": "th_bank_promptpaycash_thb",
    "payin_type": None,
    "customer_id": None,
    "checkout_url": f"https://api.paycombat.dev/?token={DOC_TOKEN}&identifier={DOC_IDENTIFIER}",
    "advanced_redirect_url": {
        "cancelled_url": "https://paycombat.com/cancelled",
        "completed_url": "https://paycombat.com/completed",
        "expired_url": "https://paycombat.com/expired",
        "failed_url": "https://paycombat.com/failed",
    },
    "expire_at": "2025-05-18T06:55:04.000Z",
    "additional_info": {
        "payin_id": "7864dec1-4271-45c7-8fa2-5fd0e3c0f828",
        "payid_reference": "invoice_16052025_0001112",
        "reply_code": '{"qr_code":"iVBORw0KGgo=","qr_code_text":"00020101021230830016A0000006'
        '77010112","protocol_logo":"https://paycombat-assets.s3.ap-southeast-2.amazonaws.com/'
        'logo/bank/promptpay.png"}',
        "transaction_date": "2025-05-16T02:59:40.000Z",
        "customer_full_name": "JOHN Aji Jumat",
        "customer_email": "johndoe34@yopmail.com",
        "customer_phone": "+6285156781122",
        "brand": "JOHNDOEBRAND",
        "payer_id": "johndoe_payer_id",
        "recon_id": "johndoe_recond_id",
        "trx_type": "CHECKOUT",
        "fee_taken": 1,
        "fee_expected": 1,
        "charge_back": 0,
        "rolling_serve": 0,
        "retrieval": 0,
    },
    "created_at": "2025-05-16T06:55:04.000Z",
    "updated_at": "2025-05-16T06:55:29.000Z",
    "deleted_at": None,
}

# PayCombat docs, Get Detail Checkout: the documented response, as far as the docs show it.
GET_DETAIL_CHECKOUT_DATA: dict[str, Any] = {
    "id": "da5ba426-9d1a-43b4-a477-e83b4534098e",
    "checkout_token": "5c57543e5dd646350e452890774a3927aacee5e500f6f89e54df1a82e3a6f539",
    "amount": 100,
    "currency": "EUR",
    "country_code": "EU",
    "payin_method_name": "eu_bank_sct_eur",
    "payin_type": None,
    "customer_id": "customer_350635a488994af081ee67d57fc07322",
    "checkout_url": "https://checkout.paycombat.com/?token=5c57543e5dd646350e452890774a3927aacee5e"
    f"500f6f89e54df1a82e3a6f539&identifier={DOC_IDENTIFIER}",
}


# -- models -----------------------------------------------------------------------------------


@pytest.mark.parametrize("example", [CREATE_NEW_CHECKOUT_DATA, GET_DETAIL_CHECKOUT_DATA])
def test_documented_checkouts_round_trip(example: dict[str, Any]) -> None:
    assert round_trip(example, Checkout) == example


def test_documented_checkout_fields() -> None:
    checkout = structure(CREATE_NEW_CHECKOUT_DATA, Checkout)
    assert checkout.amount == Decimal("100")
    assert checkout.iso_currency == checkout.currency == "THB"
    assert checkout.payin_id == "7864dec1-4271-45c7-8fa2-5fd0e3c0f828"
    assert checkout.advanced_redirect_url == AdvancedRedirectUrl(
        completed_url="https://paycombat.com/completed",
        failed_url="https://paycombat.com/failed",
        expired_url="https://paycombat.com/expired",
        cancelled_url="https://paycombat.com/cancelled",
    )
    assert checkout.expire_at == dt.datetime(2025, 5, 18, 6, 55, 4, tzinfo=dt.UTC)
    assert checkout.is_expired(now=dt.datetime(2025, 5, 18, 7, tzinfo=dt.UTC))
    assert not checkout.is_expired(now=dt.datetime(2025, 5, 17, tzinfo=dt.UTC))
    assert structure(GET_DETAIL_CHECKOUT_DATA, Checkout).payin_id is None


def test_repr_never_shows_the_checkout_url() -> None:
    checkout = structure(CREATE_NEW_CHECKOUT_DATA, Checkout)
    assert DOC_IDENTIFIER in (checkout.checkout_url or "")
    assert DOC_IDENTIFIER not in repr(checkout)
    assert "checkout_url" not in repr(checkout)
    assert DOC_TOKEN in repr(checkout)  # the token alone is not the credential


# -- Create Payment Request --------------------------------------------------------------------


async def create_aud_checkout(client: PayCombat, description: str = "invoice-1") -> Checkout:
    return await client.checkouts.create_payment_request(
        amount=Decimal("100.00"),
        currency="AUD",
        country_code="AU",
        description=description,
        advanced_redirect_url=AdvancedRedirectUrl(completed_url="https://shop.example/done"),
    )


async def test_create_payment_request(client: PayCombat, sandbox: LocalSandbox) -> None:
    before = dt.datetime.now(dt.UTC)
    checkout = await create_aud_checkout(client)
    assert checkout.status is CheckoutStatus.PENDING
    assert checkout.amount == Decimal("100")
    assert (checkout.currency, checkout.country_code) == ("AUD", "AU")
    assert checkout.checkout_token is not None
    assert len(checkout.checkout_token) == 64
    assert checkout.checkout_url == (
        f"https://checkout.paycombat.com/?token={checkout.checkout_token}"
        f"&identifier={sandbox.token}"
    )
    assert checkout.advanced_redirect_url == AdvancedRedirectUrl(
        completed_url="https://shop.example/done"
    )
    assert checkout.expire_at is not None
    assert checkout.expire_at > before + dt.timedelta(hours=47)
    assert checkout.payin_id is None
    assert sent_body(sandbox, "Create Payment Request") == {
        "amount": 100,
        "currency": "AUD",
        "country_code": "AU",
        "description": "invoice-1",
        "advanced_redirect_url": {"completed_url": "https://shop.example/done"},
    }


async def test_the_sandbox_token_never_shows_in_repr(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    checkout = await create_aud_checkout(client)
    assert sandbox.token in (checkout.checkout_url or "")
    assert sandbox.token not in repr(checkout)
    assert sandbox.token not in repr(await client.checkouts.retrieve(checkout.id))


async def test_create_payment_request_with_expiry_and_order_summary(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    expire_at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    summary = {"items": [{"product_name": "Tea", "quantity": 2, "unit_price": 5}]}
    checkout = await client.checkouts.create_payment_request(
        amount=10,
        currency="EUR",
        country_code="EU",
        payin_method_name="eu_bank_sct_eur",
        expire_at=expire_at,
        order_summary=summary,
    )
    assert checkout.expire_at == expire_at
    assert checkout.order_summary == summary
    assert checkout.payin_method_name == "eu_bank_sct_eur"
    assert sent_body(sandbox, "Create Payment Request")["expire_at"] == format_datetime(expire_at)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 100.0}, "amount"),
        ({"currency": "Aud"}, "currency"),
        ({"country_code": "AUS"}, "country_code"),
        ({"expire_at": dt.datetime(2030, 1, 1)}, "expire_at"),  # naive: ambiguous
    ],
)
async def test_create_payment_request_validates_before_sending(
    client: PayCombat, sandbox: LocalSandbox, kwargs: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"amount": 100, "currency": "AUD", "country_code": "AU", **kwargs}
    with pytest.raises(ValidationError) as caught:
        await client.checkouts.create_payment_request(**arguments)
    assert caught.value.field == field
    assert sandbox.requests_for("Create Payment Request") == []


async def test_create_payment_request_rejected_by_the_sandbox(client: PayCombat) -> None:
    with pytest.raises(UnprocessableEntityError, match="collects EUR"):
        await client.checkouts.create_payment_request(
            amount=100, currency="AUD", country_code="AU", payin_method_name="eu_bank_sct_eur"
        )
    with pytest.raises(UnprocessableEntityError, match="in the future"):
        await client.checkouts.create_payment_request(
            amount=100,
            currency="AUD",
            country_code="AU",
            expire_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
        )


# -- Create New Checkout, and the payin it creates ----------------------------------------------


async def test_create_new_checkout_binds_a_payin(client: PayCombat, sandbox: LocalSandbox) -> None:
    checkout = await create_aud_checkout(client)
    assert checkout.checkout_token is not None
    bound = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert bound.id == checkout.id
    assert bound.payin_method_name == "au_bank_npp"
    assert bound.status is CheckoutStatus.PENDING
    assert bound.payin_id is not None
    assert bound.additional_info is not None
    assert bound.additional_info["trx_type"] == "CHECKOUT"
    assert bound.additional_info["payid_reference"] == "invoice-1"
    assert sent_body(sandbox, "Create New Checkout") == {
        "checkout_token": checkout.checkout_token,
        "payin_method_name": "au_bank_npp",
    }

    payin = await client.payins.retrieve(bound.payin_id)
    assert payin.status is PayinStatus.PENDING
    assert (payin.amount, payin.iso_currency) == (Decimal("100"), "AUD")
    assert payin.trx_type == "CHECKOUT"
    assert payin.transaction == "invoice-1"

    # The same choice again (a page reload) creates nothing new.
    again = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert again.payin_id == bound.payin_id

    # The payin succeeding completes the checkout, which is then closed.
    await client.payins.simulate(bound.payin_id)
    assert (await client.checkouts.retrieve(checkout.id)).status is CheckoutStatus.COMPLETED
    with pytest.raises(UnprocessableEntityError, match="COMPLETED"):
        await client.checkouts.bind_payin_method(
            checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
        )
    with pytest.raises(UnprocessableEntityError, match="COMPLETED"):
        await client.checkouts.cancel(checkout.id)


async def test_create_new_checkout_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    checkout = await create_aud_checkout(client)
    token = checkout.checkout_token
    assert token is not None
    with pytest.raises(NotFoundError):
        await client.checkouts.bind_payin_method(
            checkout_token="0" * 64, payin_method_name="au_bank_npp"
        )
    with pytest.raises(UnprocessableEntityError, match="Unknown payin method"):
        await client.checkouts.bind_payin_method(
            checkout_token=token, payin_method_name="au_bank_nope"
        )
    with pytest.raises(UnprocessableEntityError, match="collects EUR"):
        await client.checkouts.bind_payin_method(
            checkout_token=token, payin_method_name="eu_bank_sct_eur"
        )
    assert len(sandbox.requests_for("Create New Checkout")) == 3
    with pytest.raises(ValidationError) as caught:
        await client.checkouts.bind_payin_method(checkout_token="", payin_method_name="au_bank_npp")
    assert caught.value.field == "checkout_token"
    assert len(sandbox.requests_for("Create New Checkout")) == 3


# -- Cancel Checkout / expiry ------------------------------------------------------------------


async def test_cancel_checkout(client: PayCombat, sandbox: LocalSandbox) -> None:
    checkout = await create_aud_checkout(client)
    assert checkout.checkout_token is not None
    bound = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert bound.payin_id is not None

    cancelled = await client.checkouts.cancel(checkout.id)
    assert cancelled.status is CheckoutStatus.CANCELLED
    assert (await client.payins.retrieve(bound.payin_id)).status is PayinStatus.CANCELLED
    assert sent_body(sandbox, "Cancel Checkout") == {}  # body-less PATCH, signed over {}

    with pytest.raises(UnprocessableEntityError, match="CANCELLED") as caught:
        await client.checkouts.cancel(checkout.id)
    assert caught.value.status == 422
    with pytest.raises(UnprocessableEntityError, match="only a PENDING payin"):
        await client.payins.simulate(bound.payin_id)
    with pytest.raises(UnprocessableEntityError, match="CANCELLED"):
        await client.checkouts.bind_payin_method(
            checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
        )


async def test_cancel_unknown_checkout(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(NotFoundError):
        await client.checkouts.cancel("da5ba426-9d1a-43b4-a477-e83b4534098e")
    with pytest.raises(ValidationError):
        await client.checkouts.cancel("")
    assert len(sandbox.requests_for("Cancel Checkout")) == 1


# -- Get Detail Checkout / Get All Checkout ----------------------------------------------------


async def test_retrieve_checkout(client: PayCombat, sandbox: LocalSandbox) -> None:
    checkout = await create_aud_checkout(client)
    assert await client.checkouts.retrieve(checkout.id) == checkout
    with pytest.raises(NotFoundError):
        await client.checkouts.retrieve("da5ba426-9d1a-43b4-a477-e83b4534098e")
    with pytest.raises(ValidationError):
        await client.checkouts.retrieve(" ")
    assert len(sandbox.requests_for("Get Detail Checkout")) == 2


async def test_list_checkouts_walks_every_page(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = [await create_aud_checkout(client, f"invoice-{n}") for n in range(5)]
    await client.checkouts.cancel(created[1].id)

    listed = [c.id async for c in client.checkouts.list(limit=2)]
    assert listed == [c.id for c in created]
    pages = [page async for page in client.checkouts.list(limit=2).pages()]
    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert len(sandbox.requests_for("Get All Checkout")) == 6

    cancelled = await client.checkouts.list(status=CheckoutStatus.CANCELLED).to_list()
    assert [c.id for c in cancelled] == [created[1].id]
    assert cancelled[0].status is CheckoutStatus.CANCELLED
    assert await client.checkouts.list(page=2, limit=5).to_list() == []


async def test_list_checkouts_rejects_a_bad_page_size(client: PayCombat) -> None:
    with pytest.raises(ValueError, match="limit"):
        client.checkouts.list(limit=0)


# -- KRW: Get VA Bank Information [KRW], Create Virtual Account [KRW] ----------------------------


async def create_krw_checkout(client: PayCombat) -> Checkout:
    return await client.checkouts.create_payment_request(
        amount=50000, currency="KRW", country_code="KR", description="주문-1"
    )


async def test_list_va_banks(client: PayCombat, sandbox: LocalSandbox) -> None:
    banks = await client.checkouts.list_va_banks()
    assert all(isinstance(bank, PaymentMethod) for bank in banks)
    names = [bank.payment_code for bank in banks]
    assert "KDB산업은행" in names
    assert all(bank.currency == "KRW" and bank.is_va_allowed for bank in banks)

    checkout = await create_krw_checkout(client)
    assert checkout.checkout_token is not None
    assert await client.checkouts.list_va_banks(checkout_token=checkout.checkout_token) == banks
    with pytest.raises(NotFoundError):
        await client.checkouts.list_va_banks(checkout_token="0" * 64)
    aud = await create_aud_checkout(client)
    with pytest.raises(UnprocessableEntityError, match="not a KRW checkout"):
        await client.checkouts.list_va_banks(checkout_token=aud.checkout_token)


async def test_create_virtual_account_for_a_krw_checkout(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    checkout = await create_krw_checkout(client)
    token = checkout.checkout_token
    assert token is not None
    bound = await client.checkouts.bind_virtual_account(
        checkout_token=token, payin_method_name="KDB산업은행"
    )
    assert sent_body(sandbox, "Create Virtual Account [KRW]") == {
        "checkout_token": token,
        "payin_method_name": "KDB산업은행",
    }
    assert bound.payin_method_name == "KDB산업은행"
    assert bound.additional_info is not None
    assert bound.additional_info["account_bankname"] == "KDB산업은행"
    assert str(bound.additional_info["account_number"]).startswith("002")
    assert bound.payin_id is not None
    payin = await client.payins.retrieve(bound.payin_id)
    assert payin.payer_id == bound.additional_info["virtual_account_id"]
    assert (payin.iso_currency, payin.status) == ("KRW", PayinStatus.PENDING)

    # Choosing another bank replaces the pending payin.
    other = await client.checkouts.bind_virtual_account(
        checkout_token=token, payin_method_name="신한은행"
    )
    assert other.payin_id not in (None, bound.payin_id)
    assert (await client.payins.retrieve(bound.payin_id)).status is PayinStatus.CANCELLED

    # A KRW checkout is not paid through Create New Checkout.
    with pytest.raises(UnprocessableEntityError, match="Create Virtual Account"):
        await client.checkouts.bind_payin_method(
            checkout_token=token, payin_method_name="KDB산업은행"
        )

    assert other.payin_id is not None
    await client.payins.simulate(other.payin_id)
    assert (await client.checkouts.retrieve(checkout.id)).status is CheckoutStatus.COMPLETED


async def test_create_virtual_account_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    krw = await create_krw_checkout(client)
    aud = await create_aud_checkout(client)
    assert krw.checkout_token is not None
    assert aud.checkout_token is not None
    with pytest.raises(UnprocessableEntityError, match="not a Korean bank"):
        await client.checkouts.bind_virtual_account(
            checkout_token=krw.checkout_token, payin_method_name="au_bank_npp"
        )
    with pytest.raises(UnprocessableEntityError, match="not KRW"):
        await client.checkouts.bind_virtual_account(
            checkout_token=aud.checkout_token, payin_method_name="KDB산업은행"
        )
    with pytest.raises(NotFoundError):
        await client.checkouts.bind_virtual_account(
            checkout_token="0" * 64, payin_method_name="KDB산업은행"
        )
    with pytest.raises(ValidationError) as caught:
        await client.checkouts.bind_virtual_account(
            checkout_token=krw.checkout_token, payin_method_name=""
        )
    assert caught.value.field == "payin_method_name"
    assert len(sandbox.requests_for("Create Virtual Account [KRW]")) == 3
