"""Master data, payin/payout methods and payment methods by currency, against the sandbox."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from paycombat_async import NotFoundError, PayCombat, ServerError, ValidationError
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.models.master_data import CountryCurrency
from paycombat_async.models.methods import (
    MethodField,
    PayinMethod,
    PaymentMethod,
    PayoutBeneficiaryFields,
    PayoutMethod,
)
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.sandbox._catalogue import COUNTRIES
from paycombat_async.sandbox.handlers.payouts import KNOWN_PAYOUT_METHODS

# PayCombat docs, Get Required Fields by Payin method: its `data` (internal mirror).
PAYIN_REQUIRED_FIELDS_EXAMPLE: dict[str, Any] = {
    "payin_method_id": "pim_2b8cb796be6548e6ad7b88504b73a2a2",
    "payin_method_name": "au_bank_npp",
    "payin_method_description": "New Payments Platform (NPP)",
    "payin_method_logo": "https://payid.com.au/wp-content/uploads//2021/01/PayID_wordmark-Black-01.svg",
    "payin_method_instruction": [
        "Copy the PayID mentioned in this page.",
        "Open your mobile banking App and select NPP funds transfer.",
        "Transfer the funds to the PayId copied in step <1>.",
    ],
    "payin_method_category": "BANK",
    "payin_method_class": "DOMESTIC",
    "payin_method_group": "NO_GROUP",
    "country": "AU",
    "currency": "AUD",
    "payin_method_param": [
        {
            "name": "payid_reference",
            "type": "text",
            "label": "PayID Ref",
            "regex": "^[a-z0-9_.+~-]{1,35}$",
            "mandatory": False,
            "field_description": "",
        },
        {
            "name": "payid_description",
            "type": "text",
            "label": "PayID Description",
            "regex": "^[a-zA-Z0-9 ]{8,35}$",
            "mandatory": False,
            "field_description": "",
        },
    ],
    "min_amount": 1,
    "is_sender_validation_enabled": False,
    "max_amount": 10000000,
    "is_payin_method_available_24_7": True,
    "is_cancellable": True,
    "is_refundable": True,
    "is_multiple_refund_allowed": False,
    "is_partially_refundable": True,
    "is_over_refundable": False,
    "is_va_allowed": True,
    "is_payin_allowed": True,
    "max_expiration_time_in_seconds": "34560000",
    "default_expiry_time_seconds": "172800",
}

# Finmo docs, Get Payout Method Required Fields: its `data` (internal mirror).
PAYOUT_REQUIRED_FIELDS_EXAMPLE: dict[str, Any] = {
    "payout_method_id": "pom_1a3f27eb698f4854bdfc26c81d4c1c33",
    "payout_method_name": "au_bank_acct",
    "payout_method_description": "Payout using BSB & Account No",
    "payout_method_logo": "https://payid.com.au/wp-content/uploads//2021/01/PayID_wordmark-Black-01.svg",
    "currency": "AUD",
    "sender_country": "AU",
    "sender_currency": "AUD",
    "beneficiary_country": "AU",
    "beneficiary_currency": "AUD",
    "payout_method_category": "BANK",
    "payout_method_class": "DOMESTIC",
    "payout_method_group": "NO_GROUP",
    "payout_method_param": {},
    "payout_beneficiary_param": {
        "company": [
            {
                "name": "name",
                "type": "text",
                "regex": "^[ -~]{1,100}$",
                "mandatory": True,
                "field_description": "",
                "regex_description": (
                    "accepts alphanumeric and special characters [length: 1 to 100]"
                ),
            }
        ],
        "base_param": [
            {
                "name": "bsb",
                "type": "text",
                "regex": "^[0-9]{3}-?[0-9]{3}$",
                "mandatory": True,
                "field_description": "",
                "regex_description": (
                    "accepts digits and special character(-)"
                    " [eg: XXX-XXX or XXXXXX] [length: 6 to 7]"
                ),
            },
            {
                "name": "account_number",
                "type": "text",
                "regex": "^[0-9]{6,12}$",
                "mandatory": True,
                "field_description": "",
                "regex_description": "accepts digits [length: 6 to 12]",
            },
        ],
        "individual": [
            {
                "name": "first_name",
                "type": "text",
                "regex": "^[ -~]{1,50}$",
                "mandatory": True,
                "field_description": "",
                "regex_description": (
                    "accepts alphanumeric and special characters [length: 1 to 50]"
                ),
            },
            {
                "name": "last_name",
                "type": "text",
                "regex": "^[ -~]{1,50}$",
                "mandatory": False,
                "field_description": "",
            },
        ],
    },
}

# PayCombat docs: the payin methods its examples name.
DOC_PAYIN_METHODS = {"au_bank_npp", "eu_bank_sct_eur", "KDB산업은행"}


def _round_trip(model: object) -> Any:
    return json.loads(js_dumps(unstructure(model)))


def _sample(field: MethodField) -> str:
    """A value for a required field that its regex accepts (the sandbox's rails only)."""
    samples = {"first_name": "Ana", "name": "Acme Pty Ltd", "bsb": "123-456"}
    if field.name in samples:
        return samples[field.name]
    assert field.name == "account_number"
    assert field.regex is not None
    low = int(re.search(r"\{(\d+),", field.regex).group(1))  # type: ignore[union-attr]
    return "1" * low


# -- documented examples ---------------------------------------------------------------------


def test_payin_required_fields_example_round_trips() -> None:
    method = structure(PAYIN_REQUIRED_FIELDS_EXAMPLE, PayinMethod)
    assert method.min_amount == Decimal(1)
    assert method.max_amount == Decimal(10000000)
    assert method.payin_method_param is not None
    assert [p.name for p in method.payin_method_param] == ["payid_reference", "payid_description"]
    assert method.payin_method_param[0].mandatory is False
    assert method.extra == {}
    assert _round_trip(method) == PAYIN_REQUIRED_FIELDS_EXAMPLE


def test_payout_required_fields_example_round_trips() -> None:
    method = structure(PAYOUT_REQUIRED_FIELDS_EXAMPLE, PayoutMethod)
    fields = method.payout_beneficiary_param
    assert isinstance(fields, PayoutBeneficiaryFields)
    assert [f.name for f in fields.base_param or []] == ["bsb", "account_number"]
    assert fields.individual is not None
    assert fields.individual[1].regex_description is None  # absent in the example, not invented
    assert method.extra == {}
    assert _round_trip(method) == PAYOUT_REQUIRED_FIELDS_EXAMPLE


def test_unknown_fields_are_kept_and_sent_back() -> None:
    data = copy.deepcopy(PAYOUT_REQUIRED_FIELDS_EXAMPLE)
    data["payout_sender_param"] = {"individual": [{"name": "first_name"}]}
    data["payout_beneficiary_param"]["base_param"][0]["max_length"] = 7
    method = structure(data, PayoutMethod)
    assert method.extra == {"payout_sender_param": {"individual": [{"name": "first_name"}]}}
    assert _round_trip(method) == data


# -- Get All Country & Currency Code --------------------------------------------------------


async def test_country_currency_codes(client: PayCombat, sandbox: LocalSandbox) -> None:
    entries = await client.master_data.list_country_currency_codes()
    assert all(isinstance(e, CountryCurrency) for e in entries)
    by_country = {e.country_code: e for e in entries}
    assert by_country["AU"].country_name == "AUSTRALIA"
    assert by_country["AU"].currency == "AUD"
    assert by_country["EU"].currency == "EUR"  # PayCombat's pseudo-country for EUR
    # Every currency listed is one the merchant holds a payout balance in.
    assert {e.currency for e in entries} == set(sandbox.state.balances)
    assert _round_trip(entries) == COUNTRIES  # nothing the sandbox sent is lost


async def test_country_currency_codes_retried_on_503_then_fails(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    title = "Get All Country & Currency Code"
    sandbox.inject(title, status=503)
    assert await client.master_data.list_country_currency_codes()
    assert len(sandbox.requests_for(title)) == 2  # a safe read is retried

    sandbox.inject(title, status=503, times=None)
    with pytest.raises(ServerError):
        await client.master_data.list_country_currency_codes()
    assert len(sandbox.requests_for(title)) == 2 + 3  # first try and two retries


# -- payin methods ---------------------------------------------------------------------------


async def test_list_payin_methods(client: PayCombat) -> None:
    methods = await client.payin_methods.list()
    assert all(isinstance(m, PayinMethod) for m in methods)
    names = {m.payin_method_name for m in methods}
    assert names >= DOC_PAYIN_METHODS
    krw = await client.payin_methods.list(currency="KRW")
    assert krw
    assert {m.currency for m in krw} == {"KRW"}
    assert "KDB산업은행" in {m.payin_method_name for m in krw}
    au = await client.payin_methods.list(country="AU", currency="AUD")
    assert [m.payin_method_name for m in au] == ["au_bank_npp"]
    assert await client.payin_methods.list(currency="SGD") == []


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"currency": "aud"}, "currency"), ({"country": "AUS"}, "country")]
)
async def test_list_payin_methods_bad_filter_not_sent(
    client: PayCombat, sandbox: LocalSandbox, kwargs: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.payin_methods.list(**kwargs)
    assert caught.value.field == field
    assert sandbox.requests_for("Get All Payin Method") == []


async def test_payin_required_fields_serves_the_documented_example(client: PayCombat) -> None:
    method = await client.payin_methods.required_fields("au_bank_npp")
    assert _round_trip(method) == PAYIN_REQUIRED_FIELDS_EXAMPLE
    assert method.default_expiry_time_seconds == "172800"


async def test_payin_required_fields_for_every_listed_method(client: PayCombat) -> None:
    for listed in await client.payin_methods.list():
        assert listed.payin_method_name is not None
        detail = await client.payin_methods.required_fields(listed.payin_method_name)
        assert detail.payin_method_id == listed.payin_method_id
        for param in detail.payin_method_param or []:
            assert param.regex is not None
            re.compile(param.regex)
    krw = await client.payin_methods.required_fields("KDB산업은행")  # percent-encoded in the path
    assert krw.currency == "KRW"
    assert krw.is_va_allowed is True


async def test_payin_required_fields_unknown_method(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(NotFoundError) as caught:
        await client.payin_methods.required_fields("xx_bank_nope")
    assert caught.value.status == 404
    assert "xx_bank_nope" in caught.value.message

    with pytest.raises(ValidationError) as invalid:
        await client.payin_methods.required_fields("  ")
    assert invalid.value.field == "payin_method_name"
    assert len(sandbox.requests_for("Get Required Fields by Payin method")) == 1


# -- payout methods --------------------------------------------------------------------------


async def test_list_payout_methods_match_the_rails_create_payout_accepts(
    client: PayCombat,
) -> None:
    methods = await client.payout_methods.list()
    assert all(isinstance(m, PayoutMethod) for m in methods)
    assert {m.payout_method_name: m.currency for m in methods} == KNOWN_PAYOUT_METHODS
    sg = await client.payout_methods.list(currency="SGD")
    assert [m.payout_method_name for m in sg] == ["sg_bank_fastpayment_sgd"]
    ph = await client.payout_methods.list(country="PH")
    assert [m.payout_method_name for m in ph] == ["ph_bank_robinson_php"]
    assert await client.payout_methods.list(currency="EUR") == []


async def test_list_payout_methods_bad_filter_not_sent(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.payout_methods.list(currency="Sgd")
    assert caught.value.field == "currency"
    assert sandbox.requests_for("Get All Payout Method") == []


async def test_payout_required_fields_serves_the_documented_example(client: PayCombat) -> None:
    method = await client.payout_methods.required_fields("au_bank_acct")
    assert _round_trip(method) == PAYOUT_REQUIRED_FIELDS_EXAMPLE


async def test_required_fields_are_enough_for_create_payout(client: PayCombat) -> None:
    """Filling exactly the mandatory fields of each listed method makes a valid payout."""
    for listed in await client.payout_methods.list():
        assert listed.payout_method_name is not None
        method = await client.payout_methods.required_fields(listed.payout_method_name)
        fields = method.payout_beneficiary_param
        assert fields is not None
        beneficiary: dict[str, Any] = {}
        for field in fields.base_param or []:
            if field.mandatory:
                beneficiary[field.name or ""] = _sample(field)
        beneficiary["individual"] = {
            f.name: _sample(f) for f in fields.individual or [] if f.mandatory
        }
        for field_list in (fields.base_param, fields.individual, fields.company):
            for field in field_list or []:
                if field.mandatory:
                    assert field.regex is not None
                    assert re.fullmatch(field.regex, _sample(field)), field.name
        assert method.sender_currency is not None
        assert method.sender_country is not None
        payout = await client.payouts.create(
            payout_beneficiary_param=beneficiary,
            sender_amount=Decimal("10.00"),
            sender_currency=method.sender_currency,
            sender_country=method.sender_country,
            payout_method_name=listed.payout_method_name,
        )
        assert payout.currency == method.currency
        assert payout.beneficiary_bank == listed.payout_method_name


async def test_payout_required_fields_unknown_method(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    title = "Get Required Fields by Payout method"
    with pytest.raises(NotFoundError):
        await client.payout_methods.required_fields("au_bank_npp")  # a payin method
    with pytest.raises(ValidationError) as caught:
        await client.payout_methods.required_fields("")
    assert caught.value.field == "payout_method_name"
    assert len(sandbox.requests_for(title)) == 1


# -- Get List Payment Method by Currency -----------------------------------------------------


async def test_payment_methods_by_currency(client: PayCombat) -> None:
    eur = await client.payment_methods.list_by_currency("EUR")
    assert all(isinstance(m, PaymentMethod) for m in eur)
    assert [m.payment_code for m in eur] == ["eu_bank_sct_eur"]
    assert eur[0].country_code == "EU"
    assert eur[0].is_active is True
    # The codes are the payin methods of that currency, usable as payin_method_name.
    krw = await client.payment_methods.list_by_currency("KRW")
    krw_payins = await client.payin_methods.list(currency="KRW")
    assert [m.payment_code for m in krw] == [m.payin_method_name for m in krw_payins]
    assert {m.currency for m in krw} == {"KRW"}
    # A supported currency without methods is an empty list, not an error.
    assert await client.payment_methods.list_by_currency("NZD") == []


async def test_payment_methods_unsupported_and_invalid_currency(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    title = "Get List Payment Method by Currency"
    with pytest.raises(NotFoundError):
        await client.payment_methods.list_by_currency("USD")
    for bad in ("eur", "EURO", "", None):
        with pytest.raises(ValidationError) as caught:
            await client.payment_methods.list_by_currency(bad)  # type: ignore[arg-type]
        assert caught.value.field == "currency"
    assert len(sandbox.requests_for(title)) == 1
