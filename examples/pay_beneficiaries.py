"""Pay your saved beneficiaries from a blocking script (``paycombat_sync``).

Each supplier in a JSON roster is saved once as a PayCombat payout beneficiary (found again by
your own reference, ``organization_reference_id``, on later runs), then paid with a payout to
that beneficiary. Each payout's ``order_id`` is ``<run>-<reference>``: running the script again
for the same run pays nobody twice (an earlier payout with that ``order_id`` is reported, not
sent again).

The roster (``suppliers.json``)::

    [{"reference": "supplier-7", "first_name": "Jane", "last_name": "Citizen",
      "account_number": "12345678", "bsb": "062000", "amount": "120.00"}]

Run it against the local sandbox::

    paycombat sandbox           # prints PAYCOMBAT_TOKEN, _SIGNATURE_KEY, _BASE_URL: export them
    python examples/pay_beneficiaries.py suppliers.json --run 2024-06

Against PayCombat, export your own ``PAYCOMBAT_TOKEN`` and ``PAYCOMBAT_SIGNATURE_KEY`` (and no
``PAYCOMBAT_BASE_URL``). Exit status: 0 when every supplier is paid (now or before), 1 when a
payout was refused or its outcome is unknown (the output says which, and what to do), 2 for a
roster that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from paycombat_sync import OutcomeUnknownError, PayCombat, PayCombatError, PayoutBeneficiary

CURRENCY, COUNTRY, METHOD = "AUD", "AU", "au_bank_acct"  # Australian bank accounts (BSB)
PURPOSE = "SELF"  # the docs' example; PayCombat gives each merchant the codes that apply to it


def read_roster(path: Path) -> list[dict[str, Any]]:
    """The suppliers, checked before anything is sent."""
    suppliers: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    fields = ("reference", "first_name", "last_name", "account_number", "bsb", "amount")
    for supplier in suppliers:
        missing = [name for name in fields if not supplier.get(name)]
        if missing:
            raise ValueError(f"supplier {supplier.get('reference')!r} lacks {', '.join(missing)}")
        supplier["amount"] = Decimal(str(supplier["amount"]))
    return suppliers


def saved_beneficiary(
    client: PayCombat, supplier: dict[str, Any], saved: dict[str, PayoutBeneficiary]
) -> tuple[PayoutBeneficiary, bool]:
    """The supplier's saved beneficiary, created if need be; and whether it is new."""
    found = saved.get(supplier["reference"])
    if found is not None:
        return found, False
    beneficiary = client.beneficiaries.create(
        type="individual",
        beneficiary_name=f"{supplier['first_name']} {supplier['last_name']}",
        currency=CURRENCY,
        individual={"first_name": supplier["first_name"], "last_name": supplier["last_name"]},
        account_number=supplier["account_number"],
        bsb=supplier["bsb"],
        organization_reference_id=supplier["reference"],
    )
    return beneficiary, True


def pay(client: PayCombat, suppliers: list[dict[str, Any]], run: str) -> int:
    """Pay every supplier once for ``run``; print a line for each; return the exit status."""
    saved = {
        b.organization_reference_id: b
        for b in client.beneficiaries.list()
        if b.organization_reference_id is not None
    }
    paid = before = failed = 0
    for supplier in suppliers:
        reference, amount = supplier["reference"], supplier["amount"]
        beneficiary, new = saved_beneficiary(client, supplier, saved)
        saved[reference] = beneficiary
        print(
            f"{reference}: beneficiary {beneficiary.payout_beneficiary_id}"
            f" ({beneficiary.beneficiary_name}){' saved' if new else ''}"
        )
        order_id = f"{run}-{reference}"
        earlier = client.payouts.list(order_id=order_id).to_list()
        if earlier:
            payout = earlier[0]
            print(f"{reference}: already paid for {run}: payout {payout.id} {payout.status}")
            before += 1
            continue
        try:
            payout = client.payouts.create(
                payout_beneficiary_id=beneficiary.payout_beneficiary_id,
                sender_amount=amount,
                sender_currency=CURRENCY,
                sender_country=COUNTRY,
                beneficiary_currency=CURRENCY,
                payout_method_name=METHOD,
                purpose_code=PURPOSE,
                order_id=order_id,
            )
        except OutcomeUnknownError as exc:
            # It may exist: never send it again blindly. A later run looks it up by order_id.
            print(f"{reference}: UNKNOWN whether {CURRENCY} {amount} was sent: {exc.message}")
            print(f"{reference}: run this again later: it finds the payout by order_id {order_id}")
            failed += 1
            continue
        except PayCombatError as exc:
            print(f"{reference}: REFUSED {CURRENCY} {amount}: {exc.message}")
            failed += 1
            continue
        print(f"{reference}: paid {CURRENCY} {amount}: payout {payout.id} {payout.status}")
        paid += 1
    print(f"{paid} paid, {before} paid before, {failed} not paid (of {len(suppliers)})")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roster", type=Path, help="the suppliers (JSON)")
    parser.add_argument("--run", required=True, help="this pay run's name, e.g. 2024-06")
    args = parser.parse_args(argv)
    try:
        suppliers = read_roster(args.roster)
    except (OSError, ValueError, InvalidOperation, TypeError) as exc:
        print(f"cannot read {args.roster}: {exc}", file=sys.stderr)
        return 2
    with PayCombat() as client:  # PAYCOMBAT_TOKEN, PAYCOMBAT_SIGNATURE_KEY, PAYCOMBAT_BASE_URL
        return pay(client, suppliers, args.run)


if __name__ == "__main__":
    sys.exit(main())
