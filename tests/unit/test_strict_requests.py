"""Nested request mappings are checked against the model they stand for; order_id is a str.

A mistyped key in a dict given for a ``Params`` model (``{"individual": {"firstname": ...}}``)
used to be sent as it was, and a payout went to a payee without a first name. Every such key is
now a ``ValidationError`` naming its dotted path and the closest field name, raised when the
request object is built: nothing reaches the (real, loopback) sandbox. Only an ``extra`` key
carries what the SDK does not model. Valid input is sent byte for byte as before.
"""

from __future__ import annotations

import enum
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest

import paycombat_sync
import paycombat_sync.sandbox
from paycombat_async import PayCombat, ValidationError
from paycombat_async.models import (
    AdvancedRedirectUrl,
    Company,
    CreateCustomerRequest,
    CreatePaymentRequestRequest,
    CreatePayoutBeneficiaryRequest,
    CreatePayoutRequest,
    Customer,
    ListPayoutsRequest,
    PayoutBeneficiaryParam,
    Person,
    UpdateCustomerRequest,
    UpdatePayoutBeneficiaryRequest,
    ValidateBeneficiaryRequest,
)
from paycombat_async.models import _validation as _v
from paycombat_async.models._base import Params
from paycombat_async.models._converter import structure
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import payout_args

ACCOUNT = {"account_number": "12345678", "bsb": "123456"}
ANA = {"first_name": "Ana", "last_name": "Lima"}


def _beneficiary(**fields: Any) -> dict[str, Any]:
    return {"individual": dict(ANA), **ACCOUNT, **fields}


async def _refused(
    client: PayCombat, sandbox: LocalSandbox, field: str, **overrides: Any
) -> ValidationError:
    """``payouts.create(...)`` raises a ValidationError for ``field``, and nothing is sent."""
    with pytest.raises(ValidationError) as caught:
        await client.payouts.create(**payout_args(**overrides))
    assert caught.value.field == field
    assert sandbox.requests == []
    return caught.value


# -- unknown keys, at any depth ------------------------------------------------------------------


async def test_an_unknown_beneficiary_key_is_refused_with_a_suggestion(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    beneficiary = {"individual": dict(ANA), "acount_number": "12345678", "bsb": "123456"}
    error = await _refused(
        client,
        sandbox,
        "payout_beneficiary_param.acount_number",
        payout_beneficiary_param=beneficiary,
    )
    assert str(error).startswith("payout_beneficiary_param.acount_number: ")
    assert "did you mean 'account_number'?" in str(error)


async def test_a_mistyped_first_name_never_creates_a_payout(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    beneficiary = {"individual": {"firstname": "Ana", "last_name": "Lima"}, **ACCOUNT}
    error = await _refused(
        client,
        sandbox,
        "payout_beneficiary_param.individual.firstname",
        payout_beneficiary_param=beneficiary,
    )
    assert "payout_beneficiary_param.individual.firstname" in str(error)
    assert "did you mean 'first_name'?" in str(error)
    assert await client.payouts.list() == []


async def test_an_unknown_company_key_is_refused(client: PayCombat, sandbox: LocalSandbox) -> None:
    beneficiary = {"company": {"nmae": "Acme Pty Ltd"}, **ACCOUNT}
    error = await _refused(
        client,
        sandbox,
        "payout_beneficiary_param.company.nmae",
        payout_beneficiary_param=beneficiary,
    )
    assert "did you mean 'name'?" in str(error)


async def test_an_unknown_key_three_levels_down_names_the_whole_path(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    company = {"name": "Acme", "authorized_user": {"frist_name": "Bo"}}
    error = await _refused(
        client,
        sandbox,
        "payout_beneficiary_param.company.authorized_user.frist_name",
        payout_beneficiary_param={"company": company, **ACCOUNT},
    )
    assert "did you mean 'first_name'?" in str(error)


async def test_an_unknown_address_key_is_refused(client: PayCombat, sandbox: LocalSandbox) -> None:
    # The address fields are the Person's and the Company's own (no separate address object).
    individual = {**ANA, "address_line1": "1 George St", "address_zipcode": "2000"}
    error = await _refused(
        client,
        sandbox,
        "payout_beneficiary_param.individual.address_zipcode",
        payout_beneficiary_param={"individual": individual, **ACCOUNT},
    )
    assert "did you mean 'address_zip_code'?" in str(error)


def test_a_key_like_no_field_gets_no_suggestion() -> None:
    with pytest.raises(ValidationError) as caught:
        CreatePayoutRequest(**payout_args(payout_beneficiary_param=_beneficiary(zzzz="1")))
    assert caught.value.field == "payout_beneficiary_param.zzzz"
    assert "did you mean" not in str(caught.value)
    assert "'extra'" in str(caught.value)  # where a field the SDK does not model goes


def test_a_dict_inside_a_model_is_checked_too() -> None:
    beneficiary = PayoutBeneficiaryParam(individual={"lastname": "Lima"}, **ACCOUNT)
    with pytest.raises(ValidationError) as caught:
        CreatePayoutRequest(**payout_args(payout_beneficiary_param=beneficiary))
    assert caught.value.field == "payout_beneficiary_param.individual.lastname"
    assert "did you mean 'last_name'?" in str(caught.value)


class Key(enum.Enum):
    ACCOUNT_NUMBER = "account_number"


class StrKey(enum.StrEnum):
    FIRST_NAME = "first_name"


@pytest.mark.parametrize(
    ("beneficiary", "field"),
    [
        pytest.param(
            {Key.ACCOUNT_NUMBER: "12345678", "bsb": "123456"},
            "payout_beneficiary_param.account_number",
            id="enum",
        ),
        pytest.param({1: "x", **ACCOUNT}, "payout_beneficiary_param.1", id="int"),
        pytest.param({None: "x", **ACCOUNT}, "payout_beneficiary_param.None", id="none"),
    ],
)
def test_a_key_that_is_not_a_str_is_refused(beneficiary: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CreatePayoutRequest(**payout_args(payout_beneficiary_param=beneficiary))
    assert caught.value.field == field
    assert "a key must be a str field name of PayoutBeneficiaryParam" in str(caught.value)


class StrEnumKey(str, enum.Enum):  # noqa: UP042 - str() of a member is not its value
    SURNAME = "surname"


async def test_a_str_enum_key_is_a_str_checked_and_sent_as_its_value(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    individual = {StrKey.FIRST_NAME: "Ana", "last_name": "Lima"}
    await client.payouts.create(
        **payout_args(payout_beneficiary_param=_beneficiary(individual=individual))
    )
    assert b'"individual":{"first_name":"Ana","last_name":"Lima"}' in sandbox.requests[-1].body
    with pytest.raises(ValidationError) as caught:
        CreatePayoutRequest(
            **payout_args(
                payout_beneficiary_param=_beneficiary(individual={StrEnumKey.SURNAME: "L"})
            )
        )
    assert caught.value.field == "payout_beneficiary_param.individual.surname"


@pytest.mark.parametrize(
    ("beneficiary", "field", "expected"),
    [
        ({"individual": "Ana Lima", **ACCOUNT}, "individual", "a Person or a dict, got str"),
        ({"company": Person(first_name="A"), **ACCOUNT}, "company", "a Company or a dict"),
    ],
)
def test_a_nested_value_must_be_its_model_or_a_mapping(
    beneficiary: Any, field: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        CreatePayoutRequest(**payout_args(payout_beneficiary_param=beneficiary))
    assert caught.value.field == f"payout_beneficiary_param.{field}"
    assert expected in str(caught.value)


# -- every request with a nested object ----------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(
            lambda: CreateCustomerRequest(
                description="d",
                type="individual",
                individual={**ANA, "address_country": "AU", "emial": "a@example.com"},
            ),
            "individual.emial",
            id="create-customer",
        ),
        pytest.param(
            lambda: UpdateCustomerRequest("customer_1", company={"registraton_number": "1"}),
            "company.registraton_number",
            id="update-customer",
        ),
        pytest.param(
            lambda: CreatePayoutBeneficiaryRequest(
                type="company",
                beneficiary_name="Acme",
                currency="AUD",
                company={"name": "Acme", "authorised_user": {}},
                **ACCOUNT,
            ),
            "company.authorised_user",
            id="create-beneficiary",
        ),
        pytest.param(
            lambda: UpdatePayoutBeneficiaryRequest("pb_1", individual={"dob ": "1990-01-02"}),
            "individual.dob ",
            id="update-beneficiary",
        ),
        pytest.param(
            lambda: ValidateBeneficiaryRequest(
                payout_method_name="au_bank_acct",
                payout_beneficiary_param={"individual": {"surname": "Lima"}, **ACCOUNT},
            ),
            "payout_beneficiary_param.individual.surname",
            id="validate-beneficiary",
        ),
        pytest.param(
            lambda: CreatePaymentRequestRequest(
                amount=Decimal(10),
                currency="AUD",
                country_code="AU",
                advanced_redirect_url={"complete_url": "https://shop.example/done"},
            ),
            "advanced_redirect_url.complete_url",
            id="payment-request",
        ),
    ],
)
def test_every_request_checks_its_nested_mappings(build: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    assert caught.value.field == field
    assert "did you mean" in str(caught.value)


async def test_a_customer_with_a_mistyped_field_is_not_created(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.customers.create(
            description="d",
            type="individual",
            individual={**ANA, "address_country": "AU", "lastname": "Lima"},
        )
    assert caught.value.field == "individual.lastname"
    assert sandbox.requests == []


def _params_classes() -> list[type[Params]]:
    found: list[type[Params]] = []
    pending = [Params]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return sorted(set(found), key=lambda c: c.__qualname__)


def test_the_params_models_are_all_found() -> None:
    assert {PayoutBeneficiaryParam, Person, Company, AdvancedRedirectUrl} <= set(_params_classes())


@pytest.mark.parametrize("cls", _params_classes(), ids=lambda c: c.__qualname__)
def test_every_field_of_a_params_model_is_a_key_its_mapping_may_hold(cls: type[Params]) -> None:
    every_field = {field.name: None for field in attrs.fields(cls)}
    _v.check_params(cls, every_field, "x")  # no error


def test_the_keys_of_a_params_class_are_worked_out_once() -> None:
    CreatePayoutRequest(**payout_args())
    shape = _v._SHAPES[PayoutBeneficiaryParam]
    CreatePayoutRequest(**payout_args())
    assert _v._SHAPES[PayoutBeneficiaryParam] is shape
    assert "extra" in shape[0]
    assert {name for name, *_ in shape[1]} == {"individual", "company"}


def test_what_paycombat_sends_is_still_read_leniently() -> None:
    # Responses are not requests: an unknown nested field is kept in ``extra``, not refused.
    customer = structure(
        {"customer_id": "c1", "individual": {"first_name": "Ana", "nickname": "A"}}, Customer
    )
    assert customer.individual is not None
    assert customer.individual.extra == {"nickname": "A"}


# -- what is sent is unchanged -------------------------------------------------------------------

_AMOUNTS = (
    b'"sender_amount":25,"sender_currency":"AUD","sender_country":"AU",'
    b'"payout_method_name":"au_bank_acct","beneficiary_amount":25,"beneficiary_currency":"AUD",'
    b'"purpose_code":"SELF","order_id":"order-1"}'
)


@pytest.mark.parametrize(
    ("beneficiary", "sent"),
    [
        pytest.param(
            _beneficiary(),
            b'{"individual":{"first_name":"Ana","last_name":"Lima"},"account_number":"12345678",'
            b'"bsb":"123456"}',
            id="plain",
        ),
        pytest.param(
            _beneficiary(extra={"branch_code": "x"}),
            b'{"individual":{"first_name":"Ana","last_name":"Lima"},"account_number":"12345678",'
            b'"bsb":"123456","branch_code":"x"}',  # merged, as a model's extra is
            id="extra",
        ),
        pytest.param(
            {"individual": {**ANA, "extra": {"middle_name": "Q"}}, **ACCOUNT},
            b'{"individual":{"first_name":"Ana","last_name":"Lima","middle_name":"Q"},'
            b'"account_number":"12345678","bsb":"123456"}',
            id="extra-inside-individual",
        ),
        pytest.param(
            {
                "individual": {**ANA, "address_line1": "1 St", "address_country": "AU"},
                **ACCOUNT,
            },
            b'{"individual":{"first_name":"Ana","last_name":"Lima","address_line1":"1 St",'
            b'"address_country":"AU"},"account_number":"12345678","bsb":"123456"}',
            id="address",
        ),
        pytest.param(
            {"company": {"name": "Acme", "authorized_user": {"first_name": "Bo"}}, **ACCOUNT},
            b'{"company":{"name":"Acme","authorized_user":{"first_name":"Bo"}},'
            b'"account_number":"12345678","bsb":"123456"}',
            id="company",
        ),
        pytest.param(
            PayoutBeneficiaryParam(
                individual=Person(**ANA, extra={"middle_name": "Q"}),
                extra={"branch_code": "x"},
                **ACCOUNT,
            ),
            b'{"individual":{"first_name":"Ana","last_name":"Lima","middle_name":"Q"},'
            b'"account_number":"12345678","bsb":"123456","branch_code":"x"}',
            id="model",
        ),
    ],
)
async def test_valid_beneficiaries_are_sent_byte_for_byte_as_before(
    client: PayCombat, sandbox: LocalSandbox, beneficiary: Any, sent: bytes
) -> None:
    # The expected bytes are what the SDK sent before nested mappings were checked.
    await client.payouts.create(**payout_args(payout_beneficiary_param=beneficiary))
    assert sandbox.requests[-1].body == b'{"payout_beneficiary_param":' + sent + b"," + _AMOUNTS


# -- order_id ------------------------------------------------------------------------------------


@pytest.mark.parametrize("order_id", [123, 12.0, Decimal(7), True])
async def test_an_order_id_that_is_not_a_str_is_never_sent(
    client: PayCombat, sandbox: LocalSandbox, order_id: object
) -> None:
    error = await _refused(client, sandbox, "order_id", order_id=order_id)
    assert "must be a string" in str(error)
    assert "str(order_id)" in str(error)


@pytest.mark.parametrize("order_id", [123, 1.5, b"o-1", "", "   "])
def test_create_payout_request_refuses_an_order_id_that_is_not_a_non_empty_str(
    order_id: object,
) -> None:
    with pytest.raises(ValidationError) as caught:
        CreatePayoutRequest(**payout_args(order_id=order_id))
    assert caught.value.field == "order_id"


@pytest.mark.parametrize("order_id", [None, "123", "order-1"])
def test_create_payout_request_takes_a_str_order_id_or_none(order_id: str | None) -> None:
    assert CreatePayoutRequest(**payout_args(order_id=order_id)).order_id == order_id


async def test_the_list_filter_refuses_an_order_id_that_is_not_a_str(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.payouts.list(order_id=123)
    assert caught.value.field == "order_id"
    assert "str(order_id)" in str(caught.value)
    assert sandbox.requests == []
    for order_id in (7, 7.5):
        with pytest.raises(ValidationError):
            ListPayoutsRequest(order_id=order_id)  # type: ignore[arg-type]
    assert ListPayoutsRequest(order_id=None).order_id is None


async def test_a_str_order_id_is_found_again(client: PayCombat) -> None:
    created = await client.payouts.create(**payout_args(order_id="123"))
    found = await client.payouts.list(order_id="123")
    assert [p.id for p in found] == [created.id]


# -- the blocking package ------------------------------------------------------------------------


def test_the_blocking_client_refuses_the_same_before_sending(
    paycombat_sync_client: paycombat_sync.PayCombat,
    paycombat_sync_sandbox: paycombat_sync.sandbox.LocalSandbox,
) -> None:
    client = paycombat_sync_client
    typo = {"individual": {"firstname": "Ana"}, **ACCOUNT}
    with pytest.raises(paycombat_sync.ValidationError) as caught:
        client.payouts.create(**payout_args(payout_beneficiary_param=typo))
    assert caught.value.field == "payout_beneficiary_param.individual.firstname"
    assert "did you mean 'first_name'?" in str(caught.value)
    with pytest.raises(paycombat_sync.ValidationError) as caught:
        client.payouts.create(**payout_args(order_id=123))
    assert caught.value.field == "order_id"
    assert paycombat_sync_sandbox.requests == []


async def test_a_dicts_extra_is_merged_and_never_overrides_a_modelled_field(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    beneficiary = {
        "individual": {**ANA, "extra": {"middle_name": "Q", "first_name": "Eve"}},
        **ACCOUNT,
        "extra": {"ifsc": "HDFC0000001", "account_number": "00000000"},
    }
    await client.payouts.create(**payout_args(payout_beneficiary_param=beneficiary))
    sent = json.loads(sandbox.requests[-1].body)["payout_beneficiary_param"]
    assert sent == {
        "individual": {**ANA, "middle_name": "Q"},
        **ACCOUNT,
        "ifsc": "HDFC0000001",
    }
    assert "extra" in beneficiary  # the caller's dict is left as it was
