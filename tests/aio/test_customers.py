"""Customers against the local sandbox: every operation, its errors, and the documented examples."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from paycombat_async import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayCombat,
    ValidationError,
)
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.models.customer import (
    Customer,
    CustomerCompany,
    CustomerIndividual,
    CustomerType,
    GcaActivationStatus,
)
from paycombat_async.sandbox import LocalSandbox

# PayCombat docs, Get Detail Customer by Id: the example as printed (the source cuts it inside
# `individual`; the visible fields are kept).
DETAIL_EXAMPLE: dict[str, Any] = {
    "status": True,
    "message": "OK",
    "data": {
        "customer_id": "customer_67d84b19d50b490a8fa75ab20bbf275a",
        "org_id": "org_59b8fb2f52254f95ac54d0e140f4e429",
        "type": "individual",
        "description": "Test New Customer 2",
        "webhook_url": None,
        "metadata": None,
        "is_active": False,
        "is_wallet_ready": False,
        "organization_reference_id": None,
        "is_gca_enabled": False,
        "gca_activation_status": "NOT_STARTED",
        "gca_activated_at": None,
        "is_sender_validation_enabled": False,
        "payin_sender_id_list": None,
        "company_domain": None,
        "individual": {"first_name": "kim", "last_name": "jennie"},
    },
}

# PayCombat docs, Disable Customer: PayCombat's envelope with Finmo's nested inside `data`.
DISABLE_EXAMPLE: dict[str, Any] = {
    "status": True,
    "message": "OK",
    "data": {
        "request_id": "0d3e0f6137e1484cfa75b3d1eb36973d",
        "request_time": "2024-12-30T02:56:02.818Z",
        "success": True,
        "status_code": 200,
        "status_text": "OK",
        "data": {
            "customer_id": "customer_d4668153816c4c0c92c62b84fc5ada3f",
            "org_id": "org_59b8fb2f52254f95ac54d0e140f4e429",
            "type": "individual",
            "description": "TEST PAYIN FATUR",
            "webhook_url": None,
            "metadata": None,
            "is_active": False,
            "is_wallet_ready": False,
            "organization_reference_id": None,
            "is_gca_enabled": False,
            "gca_activation_status": "NOT_STARTED",
            "gca_activated_at": None,
            "is_sender_validation_enabled": False,
            "payin_sender_id_list": None,
            "company_domain": None,
            "individual": {
                "first_name": "Fatur",
                "last_name": "Gautama S",
                "dob": "1997-08-04",
                "email": "fatur@paycombat.com",
            },
        },
    },
}

ANA = {"first_name": "Ana", "last_name": "Lima", "address_country": "AU"}
ACME = {
    "name": "Acme Pte Ltd",
    "registration_number": "201912345K",
    "incorporation_country": "SG",
    "address_country": "SG",
}


def as_json(model: Any) -> Any:
    return json.loads(js_dumps(unstructure(model)))


def assert_round_trip(example: dict[str, Any], model: Customer) -> None:
    """Every documented key comes back unchanged; keys the truncated example lacks are null."""
    out = as_json(model)
    assert {k: out[k] for k in example} == example
    assert all(out[k] is None for k in out.keys() - example.keys())


def test_detail_example_round_trips() -> None:
    example = DETAIL_EXAMPLE["data"]
    customer = structure(example, Customer)
    assert customer.customer_id == "customer_67d84b19d50b490a8fa75ab20bbf275a"
    assert customer.type is CustomerType.INDIVIDUAL
    assert customer.gca_activation_status is GcaActivationStatus.NOT_STARTED
    assert customer.individual == CustomerIndividual(first_name="kim", last_name="jennie")
    assert customer.extra == {}
    assert_round_trip(example, customer)


def test_disable_example_round_trips() -> None:
    example = DISABLE_EXAMPLE["data"]["data"]
    customer = structure(example, Customer)
    assert customer.is_active is False
    assert customer.individual is not None
    assert customer.individual.dob == dt.date(1997, 8, 4)
    assert_round_trip(example, customer)


def test_unknown_customer_values_are_kept() -> None:
    data = {
        "customer_id": "customer_1",
        "type": "trust",
        "gca_activation_status": "ACTIVATED",
        "status": "APPROVED",
        "individual": {"first_name": "A", "account_usage_purpose": "payroll"},
    }
    customer = structure(data, Customer)
    assert customer.type == "trust"
    assert customer.gca_activation_status == "ACTIVATED"
    assert customer.extra == {"status": "APPROVED"}
    assert customer.individual is not None
    assert customer.individual.extra == {"account_usage_purpose": "payroll"}
    assert as_json(customer)["individual"] == data["individual"]


async def test_create_individual(client: PayCombat, sandbox: LocalSandbox) -> None:
    customer = await client.customers.create(
        description="Ana",
        type=CustomerType.INDIVIDUAL,
        individual=CustomerIndividual(**ANA, dob=dt.date(1990, 5, 17)),
        organization_reference_id="user-42",
        metadata={"tier": "gold"},
    )
    assert customer.customer_id.startswith("customer_")
    assert customer.org_id is not None
    assert customer.org_id.startswith("org_")
    assert customer.type is CustomerType.INDIVIDUAL
    assert customer.is_active is True
    assert customer.gca_activation_status is GcaActivationStatus.NOT_STARTED
    assert customer.organization_reference_id == "user-42"
    assert customer.metadata == {"tier": "gold"}
    assert customer.individual is not None
    assert customer.individual.dob == dt.date(1990, 5, 17)
    assert customer.created_at is not None
    assert customer.created_at.tzinfo is not None
    sent = json.loads(sandbox.requests_for("Create Customer")[0].body)
    assert sent["individual"]["dob"] == "1990-05-17"
    assert sent["type"] == "individual"
    stored = sandbox.state.get("customer", customer.customer_id)
    assert stored["description"] == "Ana"


async def test_create_company(client: PayCombat) -> None:
    customer = await client.customers.create(
        description="Acme",
        type="company",
        company=CustomerCompany(
            **ACME, authorized_user=CustomerIndividual(first_name="Bo", last_name="Tan")
        ),
    )
    assert customer.type is CustomerType.COMPANY
    assert customer.company is not None
    assert customer.company.name == "Acme Pte Ltd"
    assert customer.company.authorized_user == CustomerIndividual(first_name="Bo", last_name="Tan")
    assert customer.individual is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": " ", "type": "individual", "individual": ANA}, "description"),
        ({"description": "x", "type": "person", "individual": ANA}, "type"),
        ({"description": "x", "type": "individual", "company": ACME}, "individual"),
        (
            {"description": "x", "type": "individual", "individual": {**ANA, "last_name": ""}},
            "individual.last_name",
        ),
        (
            {
                "description": "x",
                "type": "individual",
                "individual": {**ANA, "address_country": "Australia"},
            },
            "individual.address_country",
        ),
        (
            {
                "description": "x",
                "type": "company",
                "company": {k: v for k, v in ACME.items() if k != "incorporation_country"},
            },
            "company.incorporation_country",
        ),
        ({"description": "x", "type": "company", "company": "Acme"}, "company"),
    ],
)
async def test_create_validates_before_sending(
    client: PayCombat, sandbox: LocalSandbox, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.customers.create(**kwargs)
    assert caught.value.field == field
    assert sandbox.requests_for("Create Customer") == []


async def test_update_sends_only_given_fields(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = await client.customers.create(
        description="Ana",
        type="individual",
        individual={**ANA, "address_line2": "Unit 4"},
        organization_reference_id="user-1",
    )
    updated = await client.customers.update(
        created.customer_id,
        description="Ana Lima",
        individual={"address_line1": "1 George St", "address_line2": ""},
    )
    sent = json.loads(sandbox.requests_for("Update Customer")[0].body)
    assert sent == {
        "customer_id": created.customer_id,
        "description": "Ana Lima",
        "individual": {"address_line1": "1 George St", "address_line2": ""},
    }
    assert updated.description == "Ana Lima"
    assert updated.organization_reference_id == "user-1"
    assert updated.individual is not None
    assert updated.individual.first_name == "Ana"
    assert updated.individual.address_line1 == "1 George St"
    assert updated.individual.address_line2 is None
    assert (await client.customers.retrieve(created.customer_id)) == updated


async def test_update_errors(client: PayCombat, sandbox: LocalSandbox) -> None:
    with pytest.raises(ValidationError) as caught:
        await client.customers.update("customer_0")
    assert caught.value.field == "customer_id"
    with pytest.raises(ValidationError):
        await client.customers.update("", description="x")
    with pytest.raises(ValidationError) as caught:
        await client.customers.update("customer_0", type="trust")
    assert caught.value.field == "type"
    assert sandbox.requests_for("Update Customer") == []

    with pytest.raises(NotFoundError):
        await client.customers.update("customer_missing", description="x")
    created = await client.customers.create(description="Ana", type="individual", individual=ANA)
    # Switching to a company customer without the company's required fields is refused.
    with pytest.raises(BadRequestError, match="company"):
        await client.customers.update(created.customer_id, type="company")
    assert (await client.customers.retrieve(created.customer_id)).type is CustomerType.INDIVIDUAL


async def test_retrieve(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = await client.customers.create(description="Ana", type="individual", individual=ANA)
    assert await client.customers.retrieve(created.customer_id) == created
    with pytest.raises(NotFoundError):
        await client.customers.retrieve("customer_ffffffffffffffffffffffffffffffff")
    with pytest.raises(ValidationError):
        await client.customers.retrieve(" ")
    assert len(sandbox.requests_for("Get Detail Customer by Id")) == 2


async def test_list_pages_and_filters(client: PayCombat, sandbox: LocalSandbox) -> None:
    people = [
        await client.customers.create(description=f"p{i}", type="individual", individual=ANA)
        for i in range(3)
    ]
    firms = [
        await client.customers.create(description=f"c{i}", type="company", company=ACME)
        for i in range(2)
    ]
    pages = [page async for page in client.customers.list(limit=2).pages()]
    assert [len(p.items) for p in pages] == [2, 2, 1]
    listed = [c.customer_id for p in pages for c in p.items]
    assert listed == [c.customer_id for c in people + firms]

    companies = await client.customers.list(type=CustomerType.COMPANY).to_list()
    assert [c.customer_id for c in companies] == [c.customer_id for c in firms]

    await client.customers.delete(people[0].customer_id)
    remaining = await client.customers.list().to_list()
    assert people[0].customer_id not in {c.customer_id for c in remaining}
    assert len(remaining) == 4
    everyone = await client.customers.list(include_deleted=True).to_list()
    deleted = [c for c in everyone if c.customer_id == people[0].customer_id]
    assert len(deleted) == 1
    assert deleted[0].is_deleted is True

    # Starting at page 2 of 3-item pages skips p1, p2 and c0.
    later = await client.customers.list(page=2, limit=3).to_list()
    assert [c.customer_id for c in later] == [firms[1].customer_id]


async def test_list_rejects_a_bad_filter_before_sending(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.customers.list(type="trust")  # type: ignore[arg-type]
    assert caught.value.field == "type"
    assert sandbox.requests_for("customers.list") == []


async def test_wallet_readiness(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = await client.customers.create(description="Ana", type="individual", individual=ANA)
    readiness = await client.customers.is_wallet_ready(created.customer_id)
    assert readiness.is_wallet_ready is False
    assert readiness.missing_field == [
        "individual.dob",
        "individual.address_line1",
        "individual.address_city",
    ]

    updated = await client.customers.update(
        created.customer_id,
        individual=CustomerIndividual(
            dob=dt.date(1990, 1, 1), address_line1="1 George St", address_city="Sydney"
        ),
    )
    assert updated.is_wallet_ready is True
    readiness = await client.customers.is_wallet_ready(created.customer_id)
    assert readiness.is_wallet_ready is True
    assert readiness.missing_field == []

    await client.customers.disable(created.customer_id)
    readiness = await client.customers.is_wallet_ready(created.customer_id)
    assert readiness.is_wallet_ready is False
    assert readiness.missing_field == []

    with pytest.raises(NotFoundError):
        await client.customers.is_wallet_ready("customer_missing")
    with pytest.raises(ValidationError):
        await client.customers.is_wallet_ready("")
    assert len(sandbox.requests_for("Check Is Customer Wallet Ready")) == 4


async def test_company_readiness_lists_company_fields(client: PayCombat) -> None:
    created = await client.customers.create(description="Acme", type="company", company=ACME)
    readiness = await client.customers.is_wallet_ready(created.customer_id)
    assert readiness.missing_field == ["company.address_line1", "company.address_city"]


async def test_disable_and_enable(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = await client.customers.create(description="Ana", type="individual", individual=ANA)
    disabled = await client.customers.disable(created.customer_id)
    assert disabled.is_active is False
    with pytest.raises(ConflictError, match="already disabled"):
        await client.customers.disable(created.customer_id)
    enabled = await client.customers.enable(created.customer_id)
    assert enabled.is_active is True
    with pytest.raises(ConflictError, match="already enabled"):
        await client.customers.enable(created.customer_id)
    assert (await client.customers.retrieve(created.customer_id)).is_active is True

    with pytest.raises(NotFoundError):
        await client.customers.enable("customer_missing")
    with pytest.raises(NotFoundError):
        await client.customers.disable("customer_missing")
    with pytest.raises(ValidationError):
        await client.customers.disable("")
    assert len(sandbox.requests_for("Disable Customer")) == 3


async def test_delete(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = await client.customers.create(description="Ana", type="individual", individual=ANA)
    assert await client.customers.delete(created.customer_id) is None
    assert sandbox.state.get("customer", created.customer_id)["is_deleted"] is True
    with pytest.raises(NotFoundError):
        await client.customers.retrieve(created.customer_id)
    with pytest.raises(NotFoundError):
        await client.customers.delete(created.customer_id)
    with pytest.raises(NotFoundError):
        await client.customers.enable(created.customer_id)
    with pytest.raises(NotFoundError):
        await client.customers.update(created.customer_id, description="back")
    with pytest.raises(ValidationError):
        await client.customers.delete(" ")
    assert len(sandbox.requests_for("Delete Customer")) == 2
