"""The ISO 4217 / 3166 table in the package is the one pycountry (a test dependency) has."""

from __future__ import annotations

import pycountry
import pytest

from paycombat_async import ValidationError
from paycombat_async._codec import iso as _iso
from paycombat_async.models.methods import CurrencyRequest
from paycombat_async.models.methods import MethodFilters as PayinMethodFilters


def test_the_table_matches_pycountry() -> None:
    currencies = {c.alpha_3 for c in pycountry.currencies}
    countries = {c.alpha_2 for c in pycountry.countries}
    hint = "regenerate paycombat_async/_codec/iso.py from the installed pycountry"
    assert currencies == _iso.CURRENCIES, hint
    assert countries == _iso.COUNTRIES, hint


@pytest.mark.parametrize("code", ["AUS", "EURO", "aud", "XYZ", ""])
def test_codes_outside_iso_4217_are_refused(code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CurrencyRequest(code)
    assert caught.value.field == "currency"


def test_real_codes_pass_and_countries_are_checked_too() -> None:
    assert CurrencyRequest("KRW").currency == "KRW"
    assert PayinMethodFilters(currency="SGD", country="SG").country == "SG"
    with pytest.raises(ValidationError) as caught:
        PayinMethodFilters(country="UK")  # the ISO code is GB
    assert caught.value.field == "country"
