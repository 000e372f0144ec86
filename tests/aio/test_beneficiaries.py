"""Payout beneficiaries against the local sandbox: every operation, its errors, and examples."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from paycombat_async import (
    BadRequestError,
    NotFoundError,
    PayCombat,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.models.beneficiary import (
    BeneficiaryIndividual,
    BeneficiaryIndividualParam,
    BeneficiaryType,
    BeneficiaryValidation,
    PayeeMatch,
    PayoutBeneficiary,
    Person,
)
from paycombat_async.sandbox import LocalSandbox

# Finmo docs, Create Payout Beneficiary: the Finmo payout beneficiary PayCombat forwards, every
# listed field with a value of its type (the docs list the fields, not values). `tag_id_list` is
# what list items add; the SDK does not model it, so it must survive in `extra`.
BENEFICIARY_EXAMPLE: dict[str, Any] = {
    "payout_beneficiary_id": "payout_beneficiary_5f0b1c3e9a2d4e6f8a7b6c5d4e3f2a1b",
    "org_id": "org_59b8fb2f52254f95ac54d0e140f4e429",
    "type": "individual",
    "beneficiary_name": "Jane Citizen",
    "nickname": "Jane (rent)",
    "description": "Landlord",
    "currency": "AUD",
    "bank_country": "AU",
    "bank_name": "Commonwealth Bank",
    "bank_city": "Sydney",
    "bank_state": "NSW",
    "bank_code": None,
    "branch_code": None,
    "account_number": "12345678",
    "account_type": "SAVINGS",
    "bsb": "062000",
    "iban": None,
    "bic_swift": "CTBAAU2S",
    "intermediary_bic_swift": None,
    "aba": None,
    "sort_code": None,
    "ifsc": None,
    "pay_id": None,
    "pay_id_type": None,
    "proxy_type": None,
    "proxy_value": None,
    "upi_id": None,
    "interac_email": None,
    "biller_code": None,
    "customer_reference_number": None,
    "duitnow_proxy_type": None,
    "duitnow_proxy_value": None,
    "fps_proxy_type": None,
    "fps_proxy_value": None,
    "individual": {
        "first_name": "Jane",
        "last_name": "Citizen",
        "dob": "1990-04-12",
        "email": "jane@example.com",
        "identification_type": "PASSPORT",
        "identification_value": "PA1234567",
        "country_of_residence": "AU",
        "nationality": "AU",
        "address_line1": "1 George St",
        "address_line2": None,
        "address_city": "Sydney",
        "address_state": "NSW",
        "address_zip_code": "2000",
        "address_country": "AU",
        "phone_country_code": "+61",
        "phone_number": "400000000",
    },
    "company": None,
    "is_active": True,
    "organization_reference_id": "tenant-42",
    "metadata": {"source": "onboarding"},
    "additional_data": None,
    "payout_beneficiary_controls": None,
    "created_by": "org_59b8fb2f52254f95ac54d0e140f4e429",
    "created_at": "2024-12-27T10:54:35.965Z",
    "updated_at": "2024-12-27T10:54:36.299Z",
    "tag_id_list": ["tag_1"],
}

AU_ACCOUNT = {"account_number": "12345678", "bsb": "062000"}


def _as_json(model: Any) -> Any:
    return json.loads(js_dumps(unstructure(model)))


def _sent(sandbox: LocalSandbox, title: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(sandbox.requests_for(title)[-1].body)
    return body


async def _jane(client: PayCombat, **overrides: Any) -> PayoutBeneficiary:
    args: dict[str, Any] = {
        "type": "individual",
        "beneficiary_name": "Jane Citizen",
        "currency": "AUD",
        "individual": {"first_name": "Jane", "last_name": "Citizen"},
        **AU_ACCOUNT,
    }
    args.update(overrides)
    return await client.beneficiaries.create(**args)


# -- the documented shapes --------------------------------------------------------------------


def test_beneficiary_example_round_trips() -> None:
    beneficiary = structure(BENEFICIARY_EXAMPLE, PayoutBeneficiary)
    assert beneficiary.type is BeneficiaryType.INDIVIDUAL
    assert isinstance(beneficiary.individual, BeneficiaryIndividual)
    assert beneficiary.individual.dob == dt.date(1990, 4, 12)
    assert beneficiary.created_at == dt.datetime(2024, 12, 27, 10, 54, 35, 965000, dt.UTC)
    assert beneficiary.extra == {"tag_id_list": ["tag_1"]}
    # The person is a ``Person``, the one shape customers share; like every nested request
    # object it leaves unset (null) fields out when unstructured.
    assert isinstance(beneficiary.individual, Person)
    individual = {k: v for k, v in BENEFICIARY_EXAMPLE["individual"].items() if v is not None}
    assert _as_json(beneficiary) == {**BENEFICIARY_EXAMPLE, "individual": individual}


def test_validation_keeps_an_unknown_outcome() -> None:
    data = {
        "result": "Pending Review",
        "payout_beneficiary_id": None,
        "payout_method_name": None,
        "beneficiary_name": "A B",
        "account_name": None,
        "account_number": "1",
        "bsb": None,
        "iban": None,
        "message": None,
        "validated_at": None,
    }
    validation = structure(data, BeneficiaryValidation)
    assert validation.result == "Pending Review"
    assert not validation.is_match
    assert _as_json(validation) == data


# -- Create Payout Beneficiary ------------------------------------------------------------------


async def test_create_individual_is_saved_and_retrievable(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    created = await _jane(
        client,
        individual=BeneficiaryIndividualParam(
            first_name="Jane", last_name="Citizen", dob=dt.date(1990, 4, 12)
        ),
        organization_reference_id="tenant-42",
        metadata={"source": "test"},
    )
    assert created.payout_beneficiary_id.startswith("payout_beneficiary_")
    assert created.type is BeneficiaryType.INDIVIDUAL
    assert created.is_active is True
    assert created.individual is not None
    assert created.individual.dob == dt.date(1990, 4, 12)
    assert created.company is None
    assert created.extra == {}  # the sandbox sends exactly the modelled fields
    sent = _sent(sandbox, "Create Payout Beneficiary")
    # Unset fields are omitted, the date goes out as YYYY-MM-DD.
    assert sent == {
        "beneficiary_name": "Jane Citizen",
        "currency": "AUD",
        "individual": {"first_name": "Jane", "last_name": "Citizen", "dob": "1990-04-12"},
        "account_number": "12345678",
        "bsb": "062000",
        "organization_reference_id": "tenant-42",
        "metadata": {"source": "test"},
        "type": "individual",
    }
    assert await client.beneficiaries.retrieve(created.payout_beneficiary_id) == created


async def test_create_company_with_iban(client: PayCombat) -> None:
    created = await client.beneficiaries.create(
        type=BeneficiaryType.COMPANY,
        beneficiary_name="Acme GmbH",
        currency="EUR",
        iban="DE89370400440532013000",
        company={"name": "Acme GmbH", "registration_number": "HRB 1"},
    )
    assert created.type is BeneficiaryType.COMPANY
    assert created.company is not None
    assert created.company.name == "Acme GmbH"
    assert created.iban == "DE89370400440532013000"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "person"}, "type"),
        ({"currency": "aud"}, "currency"),
        ({"beneficiary_name": "  "}, "beneficiary_name"),
        ({"account_number": None, "bsb": None}, "account_number"),
        ({"bsb": "12345"}, "bsb"),
        ({"company": {"name": "Acme"}}, "company"),
        ({"individual": "Jane"}, "individual"),
    ],
)
async def test_create_rejects_bad_input_before_sending(
    client: PayCombat, sandbox: LocalSandbox, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await _jane(client, **overrides)
    assert caught.value.field == field
    assert sandbox.requests_for("Create Payout Beneficiary") == []


async def test_create_enforces_the_bank_fields_of_the_currency(client: PayCombat) -> None:
    with pytest.raises(BadRequestError, match="account_number and bsb"):
        await _jane(client, bsb=None)
    with pytest.raises(BadRequestError, match="iban"):
        await _jane(client, currency="EUR")
    with pytest.raises(UnprocessableEntityError, match="USD"):
        await _jane(client, currency="USD")
    assert [b async for b in client.beneficiaries.list()] == []


# -- Update Payout Beneficiary ------------------------------------------------------------------


async def test_update_changes_only_the_fields_given(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    created = await _jane(client, description="Landlord")
    updated = await client.beneficiaries.update(
        created.payout_beneficiary_id, nickname="JC", individual={"last_name": "Smith"}
    )
    assert _sent(sandbox, "Update Payout Beneficiary") == {
        "payout_beneficiary_id": created.payout_beneficiary_id,
        "individual": {"last_name": "Smith"},
        "nickname": "JC",
    }
    assert updated.nickname == "JC"
    assert updated.description == "Landlord"
    assert updated.account_number == "12345678"
    assert updated.individual is not None
    assert (updated.individual.first_name, updated.individual.last_name) == ("Jane", "Smith")
    assert updated.updated_at is not None
    assert created.updated_at is not None
    assert updated.updated_at >= created.updated_at
    assert await client.beneficiaries.retrieve(created.payout_beneficiary_id) == updated


async def test_update_that_breaks_the_bank_fields_changes_nothing(client: PayCombat) -> None:
    created = await _jane(client)
    with pytest.raises(BadRequestError, match="iban"):
        await client.beneficiaries.update(created.payout_beneficiary_id, currency="EUR")
    assert (await client.beneficiaries.retrieve(created.payout_beneficiary_id)).currency == "AUD"


async def test_update_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(ValidationError, match="nothing to update"):
        await client.beneficiaries.update("payout_beneficiary_x")
    with pytest.raises(ValidationError) as caught:
        await client.beneficiaries.update("payout_beneficiary_x", currency="Euro")
    assert caught.value.field == "currency"
    assert sandbox.requests_for("Update Payout Beneficiary") == []
    with pytest.raises(NotFoundError):
        await client.beneficiaries.update("payout_beneficiary_missing", nickname="x")


# -- Get All / Get by Id --------------------------------------------------------------------


async def test_list_pages_and_filters(client: PayCombat, sandbox: LocalSandbox) -> None:
    first = await _jane(client)
    second = await _jane(client, beneficiary_name="Joe Bloggs", account_number="87654321")
    company = await client.beneficiaries.create(
        type="company", beneficiary_name="Acme Pty Ltd", currency="AUD", pay_id="pay@acme.test"
    )
    pages = [page async for page in client.beneficiaries.list(limit=2).pages()]
    assert [[b.payout_beneficiary_id for b in p.items] for p in pages] == [
        [first.payout_beneficiary_id, second.payout_beneficiary_id],
        [company.payout_beneficiary_id],
    ]
    assert len(sandbox.requests_for("Get All Payout Beneficiary")) == 2
    companies = await client.beneficiaries.list(type=BeneficiaryType.COMPANY).to_list()
    assert companies == [company]
    assert first.created_at is not None
    day = first.created_at.date()
    assert first in await client.beneficiaries.list(created_at=day).to_list()
    assert await client.beneficiaries.list(created_at=dt.date(2001, 1, 1)).to_list() == []


async def test_retrieve_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(NotFoundError):
        await client.beneficiaries.retrieve("payout_beneficiary_missing")
    with pytest.raises(ValidationError):
        await client.beneficiaries.retrieve(" ")
    assert len(sandbox.requests_for("Get Payout Beneficiary by Id")) == 1


# -- Validation by Id / by Body -----------------------------------------------------------------


async def test_validate_by_id_compares_with_the_name_the_bank_holds(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    jane = await _jane(client)
    bid = jane.payout_beneficiary_id
    match = await client.beneficiaries.validate_by_id(bid, payout_method_name="au_bank_acct")
    assert match.result is PayeeMatch.MATCH
    assert match.is_match
    assert (match.payout_beneficiary_id, match.account_name) == (bid, "Jane Citizen")
    assert _sent(sandbox, "Validation by Id") == {"payout_method_name": "au_bank_acct"}

    # Renaming the beneficiary does not rename the bank account.
    await client.beneficiaries.update(bid, beneficiary_name="JANE CITZEN")
    close = await client.beneficiaries.validate_by_id(bid, payout_method_name="au_bank_acct")
    assert close.result is PayeeMatch.CLOSE_MATCH
    assert close.account_name == "Jane Citizen"

    await client.beneficiaries.update(bid, beneficiary_name="Robert Smith")
    no = await client.beneficiaries.validate_by_id(bid, payout_method_name="au_bank_acct")
    assert no.result is PayeeMatch.NO_MATCH
    assert not no.is_match
    assert no.account_name is None  # never revealed for a mismatch


async def test_validate_by_id_reports_a_closed_account(client: PayCombat) -> None:
    closed = await _jane(client, account_number="12340000")
    result = await client.beneficiaries.validate_by_id(
        closed.payout_beneficiary_id, payout_method_name="au_bank_acct"
    )
    assert result.result is PayeeMatch.ACCOUNT_CLOSED
    assert result.account_name is None


async def test_validate_by_id_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    jane = await _jane(client)
    with pytest.raises(UnprocessableEntityError, match="SGD"):
        await client.beneficiaries.validate_by_id(
            jane.payout_beneficiary_id, payout_method_name="sg_bank_fastpayment_sgd"
        )
    with pytest.raises(UnprocessableEntityError, match="Unknown payout method"):
        await client.beneficiaries.validate_by_id(
            jane.payout_beneficiary_id, payout_method_name="mars_bank"
        )
    with pytest.raises(NotFoundError):
        await client.beneficiaries.validate_by_id("nope", payout_method_name="au_bank_acct")
    sent_so_far = len(sandbox.requests_for("Validation by Id"))
    with pytest.raises(ValidationError) as caught:
        await client.beneficiaries.validate_by_id(jane.payout_beneficiary_id, payout_method_name="")
    assert caught.value.field == "payout_method_name"
    assert len(sandbox.requests_for("Validation by Id")) == sent_so_far


async def test_validate_by_body(client: PayCombat, sandbox: LocalSandbox) -> None:
    details = {"individual": {"first_name": "Citizen", "last_name": "Jane"}, **AU_ACCOUNT}
    unknown = await client.beneficiaries.validate(
        payout_method_name="au_bank_acct", payout_beneficiary_param=details
    )
    assert unknown.result is PayeeMatch.UNABLE_TO_VERIFY  # the bank has never seen the account
    assert _sent(sandbox, "Validation by Body") == {
        "payout_method_name": "au_bank_acct",
        "payout_beneficiary_param": details,
    }

    await _jane(client)
    reordered = await client.beneficiaries.validate(
        payout_method_name="au_bank_acct", payout_beneficiary_param=details
    )
    assert reordered.result is PayeeMatch.CLOSE_MATCH
    assert reordered.beneficiary_name == "Citizen Jane"
    assert reordered.account_name == "Jane Citizen"
    assert reordered.payout_beneficiary_id is None

    unverifiable = await client.beneficiaries.validate(
        payout_method_name="au_bank_acct",
        payout_beneficiary_param={**details, "account_number": "55559999"},
    )
    assert unverifiable.result is PayeeMatch.UNABLE_TO_VERIFY


async def test_validate_by_body_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.beneficiaries.validate(
            payout_method_name="au_bank_acct", payout_beneficiary_param={}
        )
    assert caught.value.field == "payout_beneficiary_param"
    assert sandbox.requests_for("Validation by Body") == []
    with pytest.raises(BadRequestError, match="bsb"):
        await client.beneficiaries.validate(
            payout_method_name="au_bank_acct",
            payout_beneficiary_param={"individual": {"first_name": "Jane"}, "account_number": "1"},
        )
