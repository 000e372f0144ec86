"""A signed body written straight from the request object is the body ``split`` builds, as
``js_dumps`` writes it, byte for byte: the signature covers exactly these bytes.

``_Operation.payload`` (``js_dumps_fields``) skips building the JSON-ready body for the common
request; whatever it cannot vouch for must fall back to ``js_dumps`` of that body, never differ.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paycombat_async import Person
from paycombat_async._codec.signing import js_dumps
from paycombat_async.models.payout import CreatePayoutRequest, PayoutBeneficiaryParam
from paycombat_async.resources.payouts import Payouts
from tests.budget import examples
from tests.helpers import payout_args

CREATE = Payouts.__dict__["create"]


class Colour(enum.Enum):
    RED = "red"


def _body_as_split_writes_it(request: Any) -> bytes:
    _, _, body = CREATE.split(request)
    return js_dumps(body)


def test_the_common_create_is_written_without_building_its_body() -> None:
    request = CreatePayoutRequest(**payout_args(order_id="o-1", purpose_code="SELF"))
    written = CREATE.payload(request)
    assert written is not None  # the fast path was taken...
    assert written == _body_as_split_writes_it(request)  # ...and wrote the same bytes


def test_a_beneficiary_given_as_a_model_is_written_the_same() -> None:
    beneficiary = PayoutBeneficiaryParam(
        individual=Person(first_name="Ana", last_name="Lima"), account_number="1", bsb="2"
    )
    request = CreatePayoutRequest(**payout_args(payout_beneficiary_param=beneficiary))
    written = CREATE.payload(request)
    assert written is not None
    assert written == _body_as_split_writes_it(request)


@pytest.mark.parametrize(
    "beneficiary",
    [  # (keys the SDK does not model go under "extra", sent as it is)
        {"extra": {"0": "index-like keys move first in JavaScript"}, "bsb": "1"},
        {"account_number": "lone \ud800 surrogate"},
        {"individual": Person(first_name="A", last_name="B")},  # a model inside a plain dict
        {"extra": {"amount": 2**60}},  # a JavaScript number would print it otherwise
        {"extra": {"rate": 1e-7}},  # JavaScript prints 1e-7, Python's repr 1e-07
        {"extra": {"colour": Colour.RED}},
        {"extra": {1: "a key that is not a string"}},
    ],
    ids=str,
)
def test_what_the_fast_path_cannot_vouch_for_is_written_by_js_dumps(
    beneficiary: dict[Any, Any],
) -> None:
    request = CreatePayoutRequest(**payout_args(payout_beneficiary_param=beneficiary))
    assert CREATE.payload(request) is None
    assert CREATE.split(request, with_body=False)[2] is None  # the caller builds the body then


def test_fields_beyond_the_declared_ones_go_through_the_body_split_builds() -> None:
    request = CreatePayoutRequest(**payout_args(extra={"order_id": "not this", "note": "n"}))
    assert CREATE.payload(request) is None
    body = CREATE.split(request)[2]
    assert body["note"] == "n"
    assert body["order_id"] == request.order_id  # a declared field is never overridden


_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=6),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, max_value=10**17),
    st.sampled_from([Colour.RED, Person(first_name="P", last_name="Q")]),
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=4), inner, max_size=3),
    ),
    max_leaves=8,
)


@settings(max_examples=examples(300), deadline=None)
@given(
    beneficiary=st.dictionaries(st.text(max_size=5), _json, min_size=1, max_size=4),
    order_id=st.one_of(st.none(), st.text(min_size=1, max_size=8).filter(str.strip)),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**12), places=2),
)
def test_a_written_body_is_always_the_body_split_builds(
    beneficiary: dict[str, Any], order_id: str | None, amount: Decimal
) -> None:
    request = CreatePayoutRequest(
        **payout_args(
            payout_beneficiary_param={"extra": beneficiary},  # unmodelled keys go under "extra"
            order_id=order_id,
            sender_amount=amount,
        )
    )
    written = CREATE.payload(request)
    try:
        expected = _body_as_split_writes_it(request)
    except (TypeError, ValueError):  # the pipeline refuses such a body (ValidationError)
        assert written is None
        return
    assert written is None or written == expected
