"""``paycombat demo``: a short, realistic tour through the SDK against a local sandbox."""

from __future__ import annotations

from decimal import Decimal

from ._client import PayCombat
from ._exceptions import OutcomeUnknownError, ValidationError
from .sandbox import LocalSandbox

__all__ = ["run_demo"]


def _say(step: str, detail: str = "") -> None:
    print(f"- {step}" + (f": {detail}" if detail else ""), flush=True)


async def run_demo() -> None:
    async with LocalSandbox() as sandbox:
        print(f"Local PayCombat sandbox at {sandbox.base_url} (no credentials, no network)\n")
        async with PayCombat(
            token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
        ) as client:
            payout = await client.payouts.create(
                payout_beneficiary_param={
                    "individual": {"first_name": "Ana", "last_name": "Lima"},
                    "account_number": "12345678",
                    "bsb": "123456",
                },
                sender_amount=Decimal("125.50"),
                sender_currency="AUD",
                sender_country="AU",
                beneficiary_amount=Decimal("125.50"),
                beneficiary_currency="AUD",
                payout_method_name="au_bank_acct",
                purpose_code="SELF",
                order_id="demo-payout-1",
            )
            _say(
                "Create Payout",
                f"{payout.id} {payout.wire_amount} {payout.currency} status={payout.status}",
            )
            again = await client.payouts.retrieve(payout.id)
            _say("Retrieve Payout", f"order_id={again.order_id} status={again.status}")

            try:
                await client.payouts.create(
                    payout_beneficiary_param={"account_number": "1", "bsb": "123456"},
                    sender_amount=12.5,  # type: ignore[arg-type]  # floats are refused
                    sender_currency="AUD",
                    sender_country="AU",
                    payout_method_name="au_bank_acct",
                )
            except ValidationError as exc:
                _say("A float amount is refused before sending", str(exc))

            sandbox.inject("Create Payout", reset="after")
            try:
                await client.payouts.create(
                    payout_beneficiary_param={"account_number": "1", "bsb": "123456"},
                    sender_amount=Decimal("10"),
                    sender_currency="AUD",
                    sender_country="AU",
                    payout_method_name="au_bank_acct",
                    order_id="demo-payout-2",
                )
            except OutcomeUnknownError as exc:
                landed = sandbox.state.find("payout", order_id="demo-payout-2")
                _say(
                    "A dropped answer to a payout is reported, not resent",
                    f"{type(exc).__name__}; the sandbox holds {len(landed)} payout "
                    "with order_id demo-payout-2",
                )
        print("\nDone.")
