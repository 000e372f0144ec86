"""``Model.to_dict`` and ``Model.from_dict``: JSON-ready data out, an equal model back."""

from __future__ import annotations

import datetime as dt
import enum
import json
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paycombat_async import (
    Payout,
    PayoutBeneficiaryParam,
    PayoutStatus,
    Person,
    ValidationError,
)
from paycombat_async.models._base import FrozenMapping, Model
from paycombat_async.models._converter import structure, unstructure
from tests.budget import examples
from tests.helpers import model_classes

_MODELS = model_classes()

_ZONES = [
    dt.UTC,
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
    dt.timezone(dt.timedelta(hours=-8)),
    dt.timezone(dt.timedelta(hours=5, minutes=45, seconds=30)),
]

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
"""What a server sends in an ``Any`` field or an unknown one: JSON."""


def _union_args(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, type(int | str)) else ()


def _values(tp: Any) -> st.SearchStrategy[Any]:
    """Any value a model field of type ``tp`` may hold (as the SDK builds it)."""
    members = _union_args(tp)
    if members:
        models = [m for m in members if isinstance(m, type) and issubclass(m, Model)]
        if models:  # ``Person | dict[str, Any] | None``: the model is the canonical form
            members = tuple(m for m in members if typing.get_origin(m) not in (dict, Mapping))
        return st.one_of(*(_values(m) for m in members))
    origin = typing.get_origin(tp)
    if origin is list:
        return st.lists(_values(typing.get_args(tp)[0]), max_size=2)
    if origin in (dict, Mapping):
        return st.dictionaries(st.text(max_size=4), _json_values, max_size=3)
    if tp is type(None):
        return st.none()
    if tp is Any:
        return _json_values
    if tp is str:
        return st.text(max_size=8)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers()
    if tp is Decimal:
        return st.decimals(allow_nan=False, allow_infinity=False)
    if tp is dt.datetime:
        return st.datetimes(timezones=st.sampled_from(_ZONES))
    if tp is dt.date:
        return st.dates()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if isinstance(tp, type) and issubclass(tp, Model):
        return st.deferred(lambda: _models(tp))
    raise AssertionError(f"no strategy for {tp!r}: teach _values this field type")


@st.composite
def _models(draw: st.DrawFn, cls: type[Model]) -> Model:
    hints = typing.get_type_hints(cls)
    fields = [a for a in attrs.fields(cls) if a.name != "extra"]
    values = {}
    for field in fields:
        if field.default is attrs.NOTHING or draw(st.booleans()):
            values[field.alias] = draw(_values(hints[field.name]))
    names = {a.name for a in attrs.fields(cls)} - {"extra"}
    # (``"extra"`` itself may be an unknown key: it is not a field on the wire)
    keys = st.text(max_size=6).filter(lambda key: key not in names)
    extra = draw(st.dictionaries(keys, _json_values, max_size=3))
    return cls(**values, extra=extra)


@pytest.mark.parametrize("cls", _MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=examples(30), deadline=None)
@given(data=st.data())
def test_every_model_round_trips_through_json(cls: type[Model], data: st.DataObject) -> None:
    model = data.draw(_models(cls))
    as_dict = model.to_dict()
    text = json.dumps(as_dict, allow_nan=False)  # the standard library, nothing to teach it
    assert cls.from_dict(as_dict) == model
    assert cls.from_dict(json.loads(text)) == model
    for key, value in model.extra.items():  # unknown fields at the top level, as sent
        assert as_dict[key] == value
    assert hash(cls.from_dict(as_dict)) == hash(model)


def test_a_payout_as_json() -> None:
    wire = {
        "id": "payout_1",
        "status": "PENDING",
        "wire_amount": 25,
        "fee_taken": "0.50",
        "fee_expected": 1e-8,
        "created_at": "2024-12-30T20:12:35.484Z",
        "due_date": "2024-12-30T21:12:35.000001+01:00",
        "conversion": {"rate": 1.5, "pair": ["AUD", "USD"]},
        "brand_new": {"nested": [1, None, "x"]},
        "extra": "a server field named extra",
    }
    payout = Payout.from_dict(wire)
    as_dict = payout.to_dict()
    assert as_dict["status"] == "PENDING"
    assert type(as_dict["status"]) is str
    assert (as_dict["wire_amount"], as_dict["fee_taken"], as_dict["fee_expected"]) == (
        "25",
        "0.50",
        "0.00000001",
    )
    assert as_dict["created_at"] == "2024-12-30T20:12:35.484000Z"
    assert as_dict["due_date"] == "2024-12-30T21:12:35.000001+01:00"
    assert as_dict["conversion"] == {"rate": 1.5, "pair": ["AUD", "USD"]}
    assert as_dict["brand_new"] == {"nested": [1, None, "x"]}
    assert as_dict["extra"] == "a server field named extra"
    assert as_dict["updated_at"] is None
    assert "payout_id_finmo" in as_dict
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert Payout.from_dict(as_dict) == payout


def test_extra_is_not_nested_and_not_a_repr() -> None:
    payout = Payout(id="p", extra={"brand_new": 1})
    as_dict = payout.to_dict()
    assert as_dict["brand_new"] == 1
    assert "extra" not in as_dict
    assert "FrozenMapping" not in json.dumps(as_dict)


def test_params_leave_unset_fields_out_and_read_nested_dicts_as_models() -> None:
    param = PayoutBeneficiaryParam(
        individual=Person(first_name="Ana", extra={"middle": "B"}), iban="DE00", extra={"x": 1}
    )
    assert param.to_dict() == {
        "individual": {"first_name": "Ana", "middle": "B"},
        "iban": "DE00",
        "x": 1,
    }
    assert PayoutBeneficiaryParam.from_dict(param.to_dict()) == param
    given_as_dict = PayoutBeneficiaryParam(individual={"first_name": "Ana"})
    read = PayoutBeneficiaryParam.from_dict(given_as_dict.to_dict())
    assert read.individual == Person(first_name="Ana")


def test_amounts_are_fixed_point_strings() -> None:
    for amount, text in [
        (Decimal("25.00"), "25.00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0E-8"), "0.00000000"),
        (Decimal("-12.5"), "-12.5"),
    ]:
        assert Payout(id="p", wire_amount=amount).to_dict()["wire_amount"] == text
        assert Decimal(text) == amount
    huge = Decimal("1E+100000")  # no amount is: no wall of zeros either
    assert Payout(id="p", wire_amount=huge).to_dict()["wire_amount"] == "1E+100000"


def test_from_dict_takes_any_mapping_and_reports_a_misfit() -> None:
    assert Payout.from_dict(FrozenMapping({"id": "p", "status": "SUCCESS"})) == Payout(
        id="p", status=PayoutStatus.SUCCESS
    )
    with pytest.raises(ValidationError, match="'id' is required"):
        Payout.from_dict({"status": "SUCCESS"})
    with pytest.raises(ValidationError, match="expected a timestamp"):
        Payout.from_dict({"id": "p", "created_at": []})
    with pytest.raises(ValidationError, match="takes a mapping"):
        Payout.from_dict(["id"])  # type: ignore[arg-type]


def test_the_signing_converter_is_untouched() -> None:
    """``unstructure`` (what requests are built from) keeps ``Decimal`` and JavaScript's
    timestamps; ``to_dict`` is a second, JSON-ready mode."""
    payout = structure({"id": "p", "wire_amount": "1.50", "created_at": 1735589555}, Payout)
    assert unstructure(payout)["wire_amount"] == Decimal("1.50")
    assert unstructure(payout)["created_at"] == "2024-12-30T20:12:35.000Z"
    assert payout.to_dict()["wire_amount"] == "1.50"
    assert payout.to_dict()["created_at"] == "2024-12-30T20:12:35Z"
