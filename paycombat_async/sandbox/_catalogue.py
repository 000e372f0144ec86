"""The sandbox's static catalogue: countries, payin and payout methods, payment methods.

Built from what the PayCombat reference shows: ``au_bank_npp`` and ``au_bank_acct`` are the
documented Get Required Fields examples, verbatim; the other method names are the ones seen in
examples (``eu_bank_sct_eur``, Korean banks as KRW payin methods, the payout rails in
``KNOWN_PAYOUT_METHODS``), with details filled in the same shape. Records are JSON as PayCombat
sends it; handlers copy them before answering.
"""

from __future__ import annotations

import uuid
from typing import Any

__all__ = [
    "COUNTRIES",
    "KNOWN_PAYOUT_METHODS",
    "PAYIN_METHODS",
    "PAYMENT_METHODS",
    "PAYOUT_METHODS",
    "SUPPORTED_CURRENCIES",
]

KNOWN_PAYOUT_METHODS = {
    "au_bank_acct": "AUD",
    "sg_bank_fastpayment_sgd": "SGD",
    "nz_bank_directcredit_nzd": "NZD",
    "ph_bank_robinson_php": "PHP",
}
"""The payout rails the sandbox pays out on, with the currency of each."""

_NAMESPACE = uuid.UUID("6f1c7e1e-7c1a-4f43-9d55-2a0b7c4d3e10")


def _stable_id(prefix: str, name: str) -> str:
    """A Finmo-style id that is the same in every sandbox run, e.g. ``pim_<32 hex>``."""
    return f"{prefix}_{uuid.uuid5(_NAMESPACE, name).hex}"


COUNTRIES: list[dict[str, Any]] = [
    {"country_code": "AU", "country_name": "AUSTRALIA", "currency": "AUD"},
    {"country_code": "EU", "country_name": "EUROPE", "currency": "EUR"},
    {"country_code": "KR", "country_name": "SOUTH KOREA", "currency": "KRW"},
    {"country_code": "NZ", "country_name": "NEW ZEALAND", "currency": "NZD"},
    {"country_code": "PH", "country_name": "PHILIPPINES", "currency": "PHP"},
    {"country_code": "SG", "country_name": "SINGAPORE", "currency": "SGD"},
]
"""Get All Country & Currency Code. ``EU`` is the pseudo-country PayCombat uses for EUR."""

SUPPORTED_CURRENCIES = frozenset(c["currency"] for c in COUNTRIES)
_COUNTRY_NAMES = {c["country_code"]: c["country_name"] for c in COUNTRIES}


def _field(
    name: str,
    regex: str,
    *,
    mandatory: bool,
    label: str | None = None,
    regex_description: str | None = None,
) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": "text"}
    if label is not None:
        field["label"] = label
    field.update(regex=regex, mandatory=mandatory, field_description="")
    if regex_description is not None:
        field["regex_description"] = regex_description
    return field


# -- payin methods -------------------------------------------------------------------------------

_AU_BANK_NPP: dict[str, Any] = {
    "payin_method_id": "pim_2b8cb796be6548e6ad7b88504b73a2a2",
    "payin_method_name": "au_bank_npp",
    "payin_method_description": "New Payments Platform (NPP)",
    "payin_method_logo": (
        "https://payid.com.au/wp-content/uploads//2021/01/PayID_wordmark-Black-01.svg"
    ),
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
        _field("payid_reference", "^[a-z0-9_.+~-]{1,35}$", mandatory=False, label="PayID Ref"),
        _field(
            "payid_description", "^[a-zA-Z0-9 ]{8,35}$", mandatory=False, label="PayID Description"
        ),
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
"""The documented Get Required Fields by Payin method example, verbatim."""


def _payin_method(
    name: str,
    description: str,
    *,
    country: str,
    currency: str,
    instructions: list[str],
    params: list[dict[str, Any]],
    min_amount: int,
    max_amount: int,
    group: str = "NO_GROUP",
    va_only: bool = False,
) -> dict[str, Any]:
    return {
        "payin_method_id": _stable_id("pim", name),
        "payin_method_name": name,
        "payin_method_description": description,
        "payin_method_logo": None,
        "payin_method_instruction": instructions,
        "payin_method_category": "BANK",
        "payin_method_class": "DOMESTIC",
        "payin_method_group": group,
        "country": country,
        "currency": currency,
        "payin_method_param": params,
        "min_amount": min_amount,
        "is_sender_validation_enabled": False,
        "max_amount": max_amount,
        "is_payin_method_available_24_7": True,
        "is_cancellable": True,
        "is_refundable": not va_only,
        "is_multiple_refund_allowed": False,
        "is_partially_refundable": not va_only,
        "is_over_refundable": False,
        "is_va_allowed": True,
        "is_payin_allowed": True,
        "max_expiration_time_in_seconds": "34560000",
        "default_expiry_time_seconds": "172800",
    }


_EU_BANK_SCT_EUR = _payin_method(
    "eu_bank_sct_eur",
    "SEPA Credit Transfer (SCT)",
    country="EU",
    currency="EUR",
    instructions=[
        "Copy the IBAN and reference shown on this page.",
        "Open your banking App and make a SEPA credit transfer to that IBAN.",
        "Quote the reference so the payment can be matched.",
    ],
    params=[
        _field(
            "sender_iban",
            "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$",
            mandatory=False,
            label="Sender IBAN",
        )
    ],
    min_amount=1,
    max_amount=1000000,
)

# Korean banks are themselves the KRW payin methods (a virtual account at that bank).
_KRW_BANKS = ["KDB산업은행", "KB국민은행", "신한은행", "우리은행", "하나은행", "IBK기업은행"]
_KRW_METHODS = [
    _payin_method(
        bank,
        f"{bank} virtual account",
        country="KR",
        currency="KRW",
        instructions=[
            "Create a virtual account for the customer (Create Virtual Account).",
            "Wait for the VA registration callback (APPROVED).",
            "The customer transfers the amount to the virtual account.",
        ],
        params=[],
        min_amount=1000,
        max_amount=10000000,
        group="KR_VIRTUAL_ACCOUNT",
        va_only=True,
    )
    for bank in _KRW_BANKS
]

PAYIN_METHODS: dict[str, dict[str, Any]] = {
    m["payin_method_name"]: m for m in [_AU_BANK_NPP, _EU_BANK_SCT_EUR, *_KRW_METHODS]
}
"""Get All Payin Method / Get Required Fields by Payin method, by ``payin_method_name``."""


# -- payout methods ------------------------------------------------------------------------------

_INDIVIDUAL_FIELDS = [
    _field(
        "first_name",
        "^[ -~]{1,50}$",
        mandatory=True,
        regex_description="accepts alphanumeric and special characters [length: 1 to 50]",
    ),
    _field("last_name", "^[ -~]{1,50}$", mandatory=False),
]
_COMPANY_FIELDS = [
    _field(
        "name",
        "^[ -~]{1,100}$",
        mandatory=True,
        regex_description="accepts alphanumeric and special characters [length: 1 to 100]",
    )
]


def _rail(
    name: str,
    currency: str,
    country: str,
    description: str,
    base_param: list[dict[str, Any]],
    **documented: Any,
) -> dict[str, Any]:
    """A domestic bank payout method as Get Required Fields by Payout method answers it."""
    return {
        "payout_method_id": documented.get("payout_method_id", _stable_id("pom", name)),
        "payout_method_name": name,
        "payout_method_description": description,
        "payout_method_logo": documented.get("payout_method_logo"),
        "currency": currency,
        "sender_country": country,
        "sender_currency": currency,
        "beneficiary_country": country,
        "beneficiary_currency": currency,
        "payout_method_category": "BANK",
        "payout_method_class": "DOMESTIC",
        "payout_method_group": "NO_GROUP",
        "payout_method_param": {},
        "payout_beneficiary_param": {
            "company": _COMPANY_FIELDS,
            "base_param": base_param,
            "individual": _INDIVIDUAL_FIELDS,
        },
    }


_AU_BANK_ACCT = _rail(
    "au_bank_acct",
    "AUD",
    "AU",
    "Payout using BSB & Account No",
    [
        _field(
            "bsb",
            "^[0-9]{3}-?[0-9]{3}$",
            mandatory=True,
            regex_description=(
                "accepts digits and special character(-) [eg: XXX-XXX or XXXXXX] [length: 6 to 7]"
            ),
        ),
        _field(
            "account_number",
            "^[0-9]{6,12}$",
            mandatory=True,
            regex_description="accepts digits [length: 6 to 12]",
        ),
    ],
    payout_method_id="pom_1a3f27eb698f4854bdfc26c81d4c1c33",
    payout_method_logo=(
        "https://payid.com.au/wp-content/uploads//2021/01/PayID_wordmark-Black-01.svg"
    ),
)
"""The documented Get Required Fields by Payout method example, verbatim (it ends at
``last_name``; the rest of the page was cut off)."""

# Description, country and account-number rule of the other documented rails.
_PAYOUT_RAILS: dict[str, tuple[str, str, str, str]] = {
    "sg_bank_fastpayment_sgd": (
        "Payout using FAST (Account No)",
        "SG",
        "^[0-9]{5,17}$",
        "accepts digits [length: 5 to 17]",
    ),
    "nz_bank_directcredit_nzd": (
        "Payout using Direct Credit (Account No)",
        "NZ",
        "^[0-9]{15,16}$",
        "accepts digits [length: 15 to 16]",
    ),
    "ph_bank_robinson_php": (
        "Payout to Robinsons Bank (Account No)",
        "PH",
        "^[0-9]{10,16}$",
        "accepts digits [length: 10 to 16]",
    ),
}


def _payout_method(name: str, currency: str) -> dict[str, Any]:
    if name == _AU_BANK_ACCT["payout_method_name"]:
        return _AU_BANK_ACCT
    description, country, regex, regex_description = _PAYOUT_RAILS.get(
        name, (f"Payout using {name}", name[:2].upper(), "^[0-9]{5,34}$", "accepts digits")
    )
    account = _field("account_number", regex, mandatory=True, regex_description=regex_description)
    return _rail(name, currency, country, description, [account])


PAYOUT_METHODS: dict[str, dict[str, Any]] = {
    name: _payout_method(name, currency) for name, currency in KNOWN_PAYOUT_METHODS.items()
}
"""Get All Payout Method / Get Required Fields by Payout method, by ``payout_method_name``: exactly
the rails Create Payout accepts."""


# -- payment methods by currency -----------------------------------------------------------------


def _payment_method(payin: dict[str, Any]) -> dict[str, Any]:
    return {
        "payment_code": payin["payin_method_name"],
        "payment_name": payin["payin_method_description"],
        "category": payin["payin_method_category"],
        "country_code": payin["country"],
        "country_name": _COUNTRY_NAMES[payin["country"]],
        "currency": payin["currency"],
        "image_path": payin["payin_method_logo"],
        "is_active": True,
        "is_payin_allowed": payin["is_payin_allowed"],
        "is_va_allowed": payin["is_va_allowed"],
    }


PAYMENT_METHODS: dict[str, list[dict[str, Any]]] = {
    currency: [_payment_method(m) for m in PAYIN_METHODS.values() if m["currency"] == currency]
    for currency in sorted(SUPPORTED_CURRENCIES)
}
"""Get List Payment Method by Currency: the payin methods of each supported currency (empty where
the sandbox has none), as the hosted checkout offers them."""
