"""What every benchmark client sends: credentials and Create Payout arguments (no SDK imports)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

TOKEN = "snd_bench_token"
KEY = "snd_bench_signature_key"
PAYOUT_ID = "7335943c-31a7-4fdd-81a3-de5fdc49d355"
"""The payout the canned server always answers with."""


def payout_args(i: int) -> dict[str, Any]:
    """Create Payout arguments for payout number ``i`` (its own ``order_id``)."""
    return {
        "payout_beneficiary_param": {
            "individual": {"first_name": "Bench", "last_name": str(i)},
            "account_number": "12345678",
            "bsb": "123456",
        },
        "sender_amount": Decimal("1.25"),
        "sender_currency": "AUD",
        "sender_country": "AU",
        "payout_method_name": "au_bank_acct",
        "purpose_code": "SELF",
        "order_id": f"bench-{i}",
    }
