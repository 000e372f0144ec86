"""The converter: lenient with what PayCombat sends, exact with what we send."""

from __future__ import annotations

import datetime as dt
import pickle
import typing
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from cattrs.gen import make_dict_structure_fn
from hypothesis import given, settings
from hypothesis import strategies as st

from paycombat_async import Payout, PayoutApproval, PayoutStatus, Person
from paycombat_async.models._base import FrozenMapping, Model
from paycombat_async.models._converter import (
    _builder,
    converter,
    format_datetime,
    structure,
    unstructure,
)
from tests.budget import examples
from tests.helpers import model_classes


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


# The compiled structure function converts common values inline and builds the object slot by
# slot (``_compile_structure``, ``_builder``): whatever it meets, it must give what the hooks and
# ``cls(...)`` give, the same object or the same error.


_MODELS = model_classes()


def _reference(data: dict[str, Any], cls: type[Model]) -> Model:
    """``data`` structured the slow, obvious way: each field through its own hook (an optional
    field's null is None), then ``cls(...)``, unknown keys (``extra`` too) kept in ``extra``.

    Fields with a default other than None are read first, then the others in field order (as
    before: which of several bad fields a response reports is the first in that order).
    """
    hints = typing.get_type_hints(cls)
    fields = [a for a in attrs.fields(cls) if a.name != "extra"]
    # every hook first: a field type the converter cannot structure fails whatever the data
    hooks = {a.name: converter.get_structure_hook(hints[a.name]) for a in fields}
    values: dict[str, Any] = {}
    for field in sorted(fields, key=lambda a: a.default is None or a.default is attrs.NOTHING):
        tp = hints[field.name]
        if field.name not in data:
            if field.default is attrs.NOTHING:
                raise KeyError(field.name)
            continue
        value = data[field.name]
        nullable = tp is Any or type(None) in typing.get_args(tp)
        if value is None and field.default is None and nullable:
            values[field.alias] = None
        else:
            values[field.alias] = hooks[field.name](value, tp)
    unknown = {k: v for k, v in data.items() if k not in {a.name for a in fields}}
    return cls(**values, **({"extra": unknown} if unknown else {}))


def _outcome(build: Callable[[dict[str, Any], type[Model]], Model], data: Any, cls: Any) -> Any:
    """What structuring gives, to compare: the object as its repr shows it (each value's digits
    and type: ``==`` would not do, a NaN kept in an ``Any`` field is unequal to itself), the
    types of its fields and its ``extra``; or the error's type and message."""
    try:
        built = build(data, cls)
    except Exception as error:  # the error is the outcome compared
        return type(error), str(error)
    types = {a.name: type(getattr(built, a.name)) for a in attrs.fields(cls)}
    return repr(built), types, type(built), dict(built.extra), type(built.extra)


def _agree(data: dict[str, Any], cls: type[Model]) -> None:
    assert _outcome(structure, data, cls) == _outcome(_reference, data, cls)


# What a response may hold where a field is: the inline cases and the odd ones beside them.
_ODD_VALUES = [
    None, "", " ", "x", "PENDING", "SUCCESS", "NEW_STATE", "INDIVIDUAL",
    "2024-12-30T20:12:35Z", "2024-12-30T20:12:35.484+05:30", "2024-12-30T20:12:35",
    "2024-12-30 20:12:35", " 2024-12-30T20:12:35z ", "2024-12-30", "30/12/2024",
    0, 7, -3, 1735589555, 1735589555000, 1.25, 0.1, 2.0, -0.0, float("nan"), float("inf"),
    True, False, "12.50", " 7 ", "1e3", "NaN", "ten", Decimal("1.50"),
    [], ["a"], {}, {"first_name": "Ana"}, [{"name": "n"}],
]  # fmt: skip

_values = st.one_of(
    st.sampled_from(_ODD_VALUES),
    st.text(max_size=8),
    st.integers(),
    st.floats(),
    st.datetimes().map(dt.datetime.isoformat),
    st.decimals(allow_nan=False).map(str),
)


@st.composite
def _wire_dicts(draw: st.DrawFn, cls: type[Model]) -> dict[str, Any]:
    keys = [a.name for a in attrs.fields(cls)] + ["unknown_key"]  # "extra" is unknown as a key
    present = draw(st.lists(st.sampled_from(keys), unique=True))
    return {key: draw(_values) for key in present}


@settings(max_examples=examples(300), deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("cls", [Payout, _EveryShape])
def test_the_compiled_function_agrees_with_the_hooks_on_any_values(
    cls: type[Model], data: st.DataObject
) -> None:
    _agree(data.draw(_wire_dicts(cls)), cls)


@pytest.mark.parametrize("cls", _MODELS, ids=lambda cls: cls.__name__)
def test_every_model_agrees_with_the_hooks_on_each_odd_value(cls: type[Model]) -> None:
    """Each field of every model given each odd value: one bad field reports as before."""
    required = {a.name: "r" for a in attrs.fields(cls) if a.default is attrs.NOTHING}
    for value in _ODD_VALUES:
        for field in attrs.fields(cls):
            _agree({**required, field.name: value, "unknown_key": value}, cls)


_SAMPLE = {
    "id": "p",
    "due_date": "2024-12-30T20:12:35",  # naive: read as UTC
    "created_at": "",  # blank: None
    "updated_at": 1735589555000,  # epoch milliseconds
    "approved_at": "2024-12-30T21:12:35+01:00",
    "wire_amount": "12.50",
    "fee_taken": 0,
    "fee_expected": 0.1,
    "status": "PARKED",  # not a PayoutStatus yet: kept as str
    "approval": "APPROVED",
    "payee_name": 12,  # a number where a string belongs
    "brand_new": {"kept": True},
}


def test_odd_wire_values_structure_as_the_hooks_read_them() -> None:
    payout = structure(_SAMPLE, Payout)
    utc = dt.datetime(2024, 12, 30, 20, 12, 35, tzinfo=dt.UTC)
    assert (payout.due_date, payout.updated_at, payout.approved_at) == (utc, utc, utc)
    assert payout.due_date is not None
    assert payout.due_date.tzinfo is dt.UTC
    assert (payout.created_at, payout.pending_at, payout.reason_for_failure) == (None, None, None)
    assert (payout.wire_amount, payout.fee_taken, payout.fee_expected) == (
        Decimal("12.50"),
        Decimal(0),
        Decimal("0.1"),
    )
    assert type(payout.status) is str
    assert payout.status == "PARKED"
    assert payout.approval is PayoutApproval.APPROVED
    assert payout.payee_name == "12"
    assert payout.extra == {"brand_new": {"kept": True}}
    assert isinstance(payout.extra, FrozenMapping)
    _agree(_SAMPLE, Payout)


def test_an_object_built_slot_by_slot_is_an_ordinary_frozen_model() -> None:
    assert _builder(Payout) is not None  # the fast path: Payout is what the benchmark reads
    payout = structure(_SAMPLE, Payout)
    assert type(payout) is Payout
    assert payout == Payout(**{a.name: getattr(payout, a.name) for a in attrs.fields(Payout)})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        payout.id = "q"  # type: ignore[misc]
    assert hash(payout) == hash(_reference(_SAMPLE, Payout))
    assert pickle.loads(pickle.dumps(payout)) == payout  # noqa: S301 - our own bytes
    assert attrs.evolve(payout, id="q").id == "q"
    assert structure({"id": "p"}, Payout).extra is structure({"id": "q"}, Payout).extra  # shared


def test_defaults_are_set_as_attrs_sets_them() -> None:
    first, second = (
        structure({"required": "r"}, _EveryShape),
        structure({"required": "r"}, _EveryShape),
    )
    assert (first.tags, first._private, first.extra) == ([], 0, {})
    assert first.tags is not second.tags  # a factory: one list per object, as attrs makes it


def _too_long(_: Any, __: Any, value: str | None) -> None:
    if value is not None and len(value) > 3:
        raise ValueError("too long")


@attrs.frozen(kw_only=True)
class _Validated(Model):
    code: str | None = attrs.field(default=None, validator=_too_long)


@attrs.frozen(kw_only=True)
class _PostInit(Model):
    code: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.code == "bad":
            raise ValueError("bad code")


@attrs.frozen(kw_only=True)
class _Converted(Model):
    code: str | None = attrs.field(default=None, converter=attrs.converters.optional(str.upper))


@attrs.frozen(kw_only=True, unsafe_hash=True, cache_hash=True)
class _CachedHash(Model):
    code: str | None = None


@attrs.frozen(kw_only=True)
class _SelfDefault(Model):
    code: str | None = None
    label: str = attrs.field(default=attrs.Factory(lambda self: f"<{self.code}>", takes_self=True))


@pytest.mark.parametrize("cls", [_Validated, _PostInit, _Converted, _CachedHash, _SelfDefault])
def test_a_model_whose_init_does_more_than_store_is_built_by_calling_it(cls: type[Model]) -> None:
    assert _builder(cls) is None
    for data in [{"code": "ab", "new": 1}, {"code": "abcd"}, {"code": "bad"}, {}, {"code": 5}]:
        _agree(data, cls)


def test_a_model_whose_init_does_more_than_store_still_runs_it() -> None:
    with pytest.raises(ValueError, match="too long"):
        structure({"code": "abcd"}, _Validated)
    with pytest.raises(ValueError, match="bad code"):
        structure({"code": "bad"}, _PostInit)
    assert structure({"code": "ab"}, _Converted).code == "AB"
    assert hash(structure({"code": "ab"}, _CachedHash)) == hash(_CachedHash(code="ab"))
    assert structure({"code": "ab"}, _SelfDefault).label == "<ab>"


@pytest.mark.parametrize("data", [Payout(id="p"), [], "p", None])
def test_what_is_not_a_dict_is_returned_or_refused_as_before(data: Any) -> None:
    if isinstance(data, Model):
        assert structure(data, Payout) is data
    else:
        with pytest.raises(TypeError, match="expected an object for Payout"):
            structure(data, Payout)


def test_a_dict_subclass_is_read_as_a_dict() -> None:
    data = OrderedDict(id="p", status="SUCCESS", new=1)
    assert structure(data, Payout) == Payout(id="p", status=PayoutStatus.SUCCESS, extra={"new": 1})
