"""A smoke call through every blocking resource method, against the local sandbox.

The flow below is what a blocking integration does, with no async code anywhere. Coverage is
checked against the sandbox itself: every blocking method must have made at least one request
that the sandbox recorded under its operation's title, so a method added to the async package
(and mirrored by the parity test) is not smoke-tested until it is called here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import paycombat_sync
from paycombat_async.resources import DECLARED
from paycombat_async.resources._base import Resource
from paycombat_sync import (
    OPERATIONS,
    Checkout,
    CheckoutStatus,
    Customer,
    NotFoundError,
    PayCombat,
    Payin,
    PayinStatus,
    Payout,
    PayoutStatus,
    VirtualAccountStatus,
    Wallet,
)
from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import payout_args

AU_ACCOUNT = {"account_number": "12345678", "bsb": "062000"}
ANA = {"first_name": "Ana", "last_name": "Lima", "address_country": "AU"}


def _sync_methods(client: PayCombat) -> set[str]:
    """``resource.method`` for every public method of every blocking resource."""
    found = set()
    for attr, _, _ in DECLARED:
        resource = getattr(client, attr)
        if isinstance(resource, Resource):
            found |= {
                f"{attr}.{name}"
                for name in dir(type(resource))
                if not name.startswith("_") and callable(getattr(resource, name))
            }
    return found


def test_every_blocking_method_is_an_operation_of_the_route_table() -> None:
    with paycombat_sync.PayCombat(token="snd_x") as client:
        methods = _sync_methods(client)
    # Hand-written methods built on operations, not operations themselves.
    helpers = {"payins.wait_for", "payouts.wait_for"}
    batch = {"payouts.create_many", "payouts.stream_many", "payouts.create_reconciled"}
    assert methods == {op.resource_method for op in OPERATIONS.values()} | helpers | batch


def test_reference_data(client: PayCombat) -> None:
    codes = client.master_data.list_country_currency_codes()
    assert any(code.currency == "AUD" for code in codes)
    payin_methods = client.payin_methods.list(currency="AUD").to_list()
    assert payin_methods
    assert client.payin_methods.required_fields("au_bank_npp").payin_method_name == "au_bank_npp"
    payout_methods = client.payout_methods.list(country="AU").to_list()
    assert payout_methods
    fields = client.payout_methods.required_fields("au_bank_acct")
    assert fields.payout_method_name == "au_bank_acct"
    assert client.payment_methods.list_by_currency("EUR").to_list()
    assert client.merchant.get_payout_balance("AUD").currency == "AUD"


def test_beneficiaries(client: PayCombat) -> None:
    jane = client.beneficiaries.create(
        type="individual",
        beneficiary_name="Jane Citizen",
        currency="AUD",
        individual={"first_name": "Jane", "last_name": "Citizen"},
        account_number=AU_ACCOUNT["account_number"],
        bsb=AU_ACCOUNT["bsb"],
    )
    bid = jane.payout_beneficiary_id
    assert client.beneficiaries.retrieve(bid) == jane
    assert client.beneficiaries.update(bid, nickname="JC").nickname == "JC"
    assert [b.payout_beneficiary_id for b in client.beneficiaries.list()] == [bid]
    assert client.beneficiaries.validate_by_id(bid, payout_method_name="au_bank_acct").is_match
    validation = client.beneficiaries.validate(
        payout_method_name="au_bank_acct",
        payout_beneficiary_param={
            "individual": {"first_name": "Jane", "last_name": "Citizen"},
            **AU_ACCOUNT,
        },
    )
    assert validation.result is not None


def test_payouts_and_transactions(client: PayCombat) -> None:
    payout = client.payouts.create(**payout_args(order_id="smoke-1"))
    assert isinstance(payout, Payout)
    assert client.payouts.retrieve(payout.id).order_id == "smoke-1"
    assert [p.id for p in client.payouts.list(order_id="smoke-1")] == [payout.id]
    settled = client.payouts.simulate(payout.id, status=PayoutStatus.SUCCESS)
    assert settled.status is PayoutStatus.SUCCESS
    assert client.payouts.retrieve_memo(payout.id).startswith(b"%PDF")

    [transaction] = client.transactions.list().to_list()
    assert transaction.event_id == payout.payout_id_finmo
    assert client.transactions.retrieve(transaction.transaction_id) == transaction


def test_payins_and_virtual_accounts(client: PayCombat) -> None:
    payin = client.payins.create(
        amount=Decimal("12.50"),
        currency="AUD",
        payin_method_name="au_bank_npp",
        payin_method_param={"payid_reference": "smoke-payin"},
        transaction="smoke-payin",
    )
    assert isinstance(payin, Payin)
    assert client.payins.retrieve(payin.id).id == payin.id
    assert client.payins.simulate(payin.id, status=PayinStatus.SUCCESS).status is (
        PayinStatus.SUCCESS
    )
    assert client.payins.retrieve_memo(payin.id).startswith(b"%PDF")

    account = client.payins.create_virtual_account(
        payin_method_name="KDB산업은행", amount=50000, user_name="김민준", user_yymmdd="900131"
    )
    approved = client.payins.simulate_virtual_account(account.id)
    assert approved.status is VirtualAccountStatus.APPROVED


def test_checkouts(client: PayCombat) -> None:
    checkout = client.checkouts.create_payment_request(
        amount=Decimal("100.00"), currency="AUD", country_code="AU", description="smoke"
    )
    assert isinstance(checkout, Checkout)
    assert checkout.checkout_token is not None
    assert client.checkouts.retrieve(checkout.id).id == checkout.id
    assert [c.id for c in client.checkouts.list()] == [checkout.id]
    bound = client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token, payin_method_name="au_bank_npp"
    )
    assert bound.payin_id is not None
    assert client.checkouts.cancel(checkout.id).status is CheckoutStatus.CANCELLED

    krw = client.checkouts.create_payment_request(
        amount=50000, currency="KRW", country_code="KR", description="주문-1"
    )
    assert krw.checkout_token is not None
    banks = client.checkouts.list_va_banks(checkout_token=krw.checkout_token)
    assert any(bank.payment_code == "KDB산업은행" for bank in banks)
    va = client.checkouts.bind_virtual_account(
        checkout_token=krw.checkout_token, payin_method_name="KDB산업은행"
    )
    assert va.payin_method_name == "KDB산업은행"


def test_customers_and_wallets(client: PayCombat) -> None:
    customer = client.customers.create(description="Ana", type="individual", individual=ANA)
    assert isinstance(customer, Customer)
    cid = customer.customer_id
    assert client.customers.retrieve(cid) == customer
    assert client.customers.is_wallet_ready(cid).is_wallet_ready is False
    client.customers.update(
        cid,
        individual={
            "dob": dt.date(1990, 5, 17),
            "address_line1": "1 George St",
            "address_city": "Sydney",
        },
    )
    assert client.customers.is_wallet_ready(cid).is_wallet_ready is True
    assert client.customers.disable(cid).is_active is False
    assert client.customers.enable(cid).is_active is True
    assert [c.customer_id for c in client.customers.list()] == [cid]

    wallet = client.wallets.create(customer_id=cid, currency="AUD")
    assert isinstance(wallet, Wallet)
    assert client.wallets.retrieve(wallet.wallet_id) == wallet
    assert [w.wallet_id for w in client.wallets.list(customer_id=cid)] == [wallet.wallet_id]

    assert client.customers.delete(cid) is None
    with pytest.raises(NotFoundError):
        client.wallets.create(customer_id=cid, currency="SGD")


def test_every_blocking_method_reached_the_sandbox(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    test_reference_data(client)
    test_beneficiaries(client)
    test_payouts_and_transactions(client)
    test_payins_and_virtual_accounts(client)
    test_checkouts(client)
    test_customers_and_wallets(client)
    reached = {request.key for request in sandbox.requests}
    missing = sorted(m for m in _sync_methods(client) if m in OPERATIONS and m not in reached)
    assert missing == []
