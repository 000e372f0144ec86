"""The converter: lenient with what PayCombat sends, exact with what we send."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest
from cattrs.gen import make_dict_structure_fn

from paycombat_async import Payout, PayoutStatus, Person
from paycombat_async._converter import converter, format_datetime, structure, unstructure
from paycombat_async.models._base import Model


@pytest.mark.parametrize("wire", [12.5, "12.50", "12.5", "  12.5 "])
def test_amounts_arrive_as_decimal_from_numbers_or_strings(wire: object) -> None:
    payout = structure({"id": "p", "wire_amount": wire}, Payout)
    assert payout.wire_amount == Decimal("12.5")


def test_a_float_amount_keeps_no_binary_noise() -> None:
    assert structure({"id": "p", "fee_taken": 0.1}, Payout).fee_taken == Decimal("0.1")


@pytest.mark.parametrize(
    "wire",
    [
        "2024-12-30T20:12:35.000Z",
        "2024-12-30T20:12:35Z",
        "2024-12-30 20:12:35",
        "2024-12-30T21:12:35+01:00",
        1735589555,
        1735589555000,
    ],
)
def test_timestamps_are_timezone_aware_utc(wire: object) -> None:
    payout = structure({"id": "p", "updated_at": wire}, Payout)
    assert payout.updated_at == dt.datetime(2024, 12, 30, 20, 12, 35, tzinfo=dt.UTC)


def test_blank_and_null_values_are_none() -> None:
    payout = structure({"id": "p", "updated_at": "", "fee_taken": None, "status": None}, Payout)
    assert (payout.updated_at, payout.fee_taken, payout.status) == (None, None, None)


def test_known_and_unknown_statuses() -> None:
    assert structure({"id": "p", "status": "SUCCESS"}, Payout).status is PayoutStatus.SUCCESS
    assert structure({"id": "p", "status": "SUCCESS"}, Payout).status == "SUCCESS"
    assert structure({"id": "p", "status": "PARKED"}, Payout).status == "PARKED"


def test_timestamps_go_out_as_javascript_writes_them() -> None:
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, 678900, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert format_datetime(moment) == "2024-01-01T20:04:05.678Z"


def test_a_round_trip_keeps_unknown_fields() -> None:
    wire = {"id": "p", "status": "NEW_STATE", "brand_new": [1, {"a": None}]}
    assert {k: v for k, v in unstructure(structure(wire, Payout)).items() if v is not None} == wire


@attrs.frozen(kw_only=True)
class _EveryShape(Model):
    """One field of each shape the compiled structure function treats on its own."""

    required: str
    _private: int = 0  # an attrs alias: the constructor takes ``private``
    text: str | None = None
    anything: Any = None
    amount: Decimal | None = None
    when: dt.datetime | None = None
    status: PayoutStatus | str | None = None
    tags: list[str] = attrs.field(factory=list)
    nested: Payout | None = None


_SHAPES = [
    {"required": "r"},
    {"required": 7, "text": 12, "anything": {"a": [1]}, "amount": "1.50", "when": ""},
    {"required": "r", "_private": 3, "status": "PAID", "tags": ["x"], "nested": {"id": "p"}},
    {"required": "r", "status": "NOT_A_STATUS_YET", "when": 1735589555, "amount": 2},
    {"required": "r", "text": None, "nested": None, "new_field": {"kept": True}},
]


@pytest.mark.parametrize("data", _SHAPES)
def test_structuring_agrees_with_cattrs_generated_function(data: dict[str, Any]) -> None:
    """The SDK's compiled structure function builds what cattrs' own would, shape by shape."""
    reference = make_dict_structure_fn(_EveryShape, converter)
    known = {a.name for a in attrs.fields(_EveryShape)}
    expected = reference({k: v for k, v in data.items() if k in known}, _EveryShape)
    expected = attrs.evolve(expected, extra={k: v for k, v in data.items() if k not in known})
    assert structure(data, _EveryShape) == expected


@pytest.mark.parametrize(
    ("data", "error"),
    [({}, KeyError), ({"required": None}, TypeError), ({"required": "r", "when": []}, TypeError)],
)
def test_structuring_a_misfit_raises_as_cattrs_does(
    data: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        structure(data, _EveryShape)


def test_plain_dicts_and_lists_in_a_body_unstructure_what_they_hold() -> None:
    """A body field given as plain data may still hold models, timestamps and enums."""
    when = dt.datetime(2024, 12, 30, 20, 12, 35, tzinfo=dt.UTC)
    given = {
        "beneficiary": {"individual": Person(first_name="Ana"), "note": None, "n": 1.5},
        "items": [Decimal("1.50"), when, PayoutStatus.SUCCESS, ["nested", True]],
    }
    assert unstructure(given) == {
        "beneficiary": {"individual": {"first_name": "Ana"}, "note": None, "n": 1.5},
        "items": [Decimal("1.50"), "2024-12-30T20:12:35.000Z", "SUCCESS", ["nested", True]],
    }


_INLINED_SHAPES = [
    # what the compiled function reads inline, and the values that must still reach a hook
    {"required": "r", "amount": 1.25, "when": "2024-12-30T20:12:35Z", "status": "PAID"},
    {"required": "r", "amount": "", "when": None, "status": 5, "text": 3.5},
    {"required": "r", "amount": 0, "status": ["unhashable"], "anything": None},
    {"required": 12.5, "status": "", "when": "2024-12-30 20:12:35"},
]


@pytest.mark.parametrize("data", _INLINED_SHAPES)
def test_inlined_fields_agree_with_cattrs_generated_function(data: dict[str, Any]) -> None:
    test_structuring_agrees_with_cattrs_generated_function(data)


@pytest.mark.parametrize("amount", [float("inf"), float("nan"), -float("inf")])
def test_a_float_amount_that_is_not_finite_is_refused(amount: float) -> None:
    with pytest.raises(ValueError, match="not a finite amount"):
        structure({"id": "p", "wire_amount": amount}, Payout)
