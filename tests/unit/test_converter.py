"""The converter: lenient with what PayCombat sends, exact with what we send."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from paycombat_async import Payout, PayoutStatus
from paycombat_async._converter import format_datetime, structure, unstructure


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
