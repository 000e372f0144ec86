"""``paycombat demo``: a realistic tour through the SDK against a local sandbox.

A merchant onboards a customer, collects a payment through hosted checkout, pays a supplier out of
the payout balance, sees what the SDK does when a payout's answer is lost, settles that payout
when its webhook arrives, and sends a batch of 1,000 payouts through a sandbox that fails on
purpose.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal
from typing import Any

from aiohttp import web

from .._client import PayCombat
from .._exceptions import OutcomeUnknownError, ValidationError
from ..sandbox import LocalSandbox
from ..webhooks import PayoutSucceeded, handler
from .batch import money, plain
from .common import BENEFICIARY

__all__ = ["run_demo"]


def _status(record: Any) -> str:
    return f"status={plain(record.status)}"  # PENDING, never <PayoutStatus.PENDING: ...>


def _say(step: str, detail: str = "") -> None:
    print(f"- {step}" + (f": {detail}" if detail else ""), flush=True)


async def run_demo() -> None:
    async with LocalSandbox() as sandbox:
        print(f"Local PayCombat sandbox at {sandbox.base_url} (no credentials, no network)\n")
        async with PayCombat(
            token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
        ) as client:
            await _tour(client, sandbox)
            await _webhook(client, sandbox)
        await _batch(sandbox)
        print("\nDone: every request above was signed, sent to the sandbox and checked there.")


async def _tour(client: PayCombat, sandbox: LocalSandbox) -> None:
    customer = await client.customers.create(
        description="Demo customer",
        type="individual",
        individual={
            "first_name": "Mia",
            "last_name": "Chen",
            "address_country": "AU",
            "email": "mia@example.com",
        },
        organization_reference_id="crm-1042",
    )
    _say("Create Customer", f"{customer.customer_id} active={customer.is_active}")

    opening = await client.merchant.get_payout_balance("AUD")
    _say("Get Balance Payout", f"{money(opening.total_balance_available, 'AUD')} available")

    methods = await client.payin_methods.list(currency="AUD")
    _say("Get All Payin Method (AUD)", ", ".join(m.payin_method_name or "?" for m in methods))

    checkout = await client.checkouts.create_payment_request(
        amount=Decimal("249.90"),
        currency="AUD",
        country_code="AU",
        description="invoice_24112026_001",
        customer_id=customer.customer_id,
    )
    _say(
        "Create Payment Request",
        f"checkout {checkout.id} for {money(checkout.amount, 'AUD')} "
        f"status={plain(checkout.status)} (its URL embeds your token: never log it)",
    )
    checkout = await client.checkouts.bind_payin_method(
        checkout_token=checkout.checkout_token or "", payin_method_name="au_bank_npp"
    )
    _say("Create New Checkout", f"customer chose au_bank_npp; payin {checkout.payin_id}")
    payin = await client.payins.simulate(checkout.payin_id or "", status="SUCCESS")
    _say("Simulate Payin", f"{money(payin.amount, payin.iso_currency)} {_status(payin)}")
    checkout = await client.checkouts.retrieve(checkout.id)
    _say("Get Detail Checkout", _status(checkout))

    payout = await client.payouts.create(
        payout_beneficiary_param=BENEFICIARY,
        sender_amount=Decimal("125.50"),
        sender_currency="AUD",
        sender_country="AU",
        beneficiary_amount=Decimal("125.50"),
        beneficiary_currency="AUD",
        payout_method_name="au_bank_acct",
        purpose_code="SELF",
        order_id="supplier-payout-77",
    )
    _say(
        "Create Payout",
        f"{money(payout.wire_amount, payout.currency)} to {payout.payee_name}, {_status(payout)}",
    )
    payout = await client.payouts.simulate(payout.id, status="SUCCESS")
    _say("Simulate Payout", _status(payout))
    memo = await client.payouts.retrieve_memo(payout.id)
    _say("Retrieve Payout Memo (PDF)", f"{len(memo)} bytes, starts with {memo[:8]!r}")
    closing = await client.merchant.get_payout_balance("AUD")
    _say(
        "Get Balance Payout",
        f"{money(closing.total_balance_available, 'AUD')} available "
        f"({money(opening.total_balance_available, 'AUD')} - {money(Decimal('125.5'), 'AUD')})",
    )

    try:
        await client.payouts.create(
            payout_beneficiary_param=BENEFICIARY,
            sender_amount=12.5,  # type: ignore[arg-type]  # floats are refused
            sender_currency="AUD",
            sender_country="AU",
            payout_method_name="au_bank_acct",
        )
    except ValidationError as exc:
        _say("A float amount is refused before sending", str(exc))

    sandbox.inject("payouts.create", reset="after")  # the answer to the next payout is lost
    try:
        await client.payouts.create(
            payout_beneficiary_param=BENEFICIARY,
            sender_amount=Decimal("10"),
            sender_currency="AUD",
            sender_country="AU",
            payout_method_name="au_bank_acct",
            order_id="supplier-payout-78",
        )
    except OutcomeUnknownError as exc:
        _say("A payout whose answer was lost", f"{type(exc).__name__}, not resent")
        found = await client.payouts.list(order_id="supplier-payout-78").to_list()
        _say(
            "Reconcile with Get All Payout by order_id",
            f"{len(found)} payout found, status={plain(found[0].status) if found else None}",
        )


async def _webhook(client: PayCombat, sandbox: LocalSandbox) -> None:
    """A webhook receiver settles the payout whose answer was lost, and ``wait_for`` sees it."""

    async def settle(event: PayoutSucceeded) -> None:
        checked = "signature verified" if event.verified else "UNVERIFIED"
        _say("Webhook PAYOUT SUCCESS received", f"order_id={event.order_id}, {checked}")

    app = web.Application()
    app.router.add_post(
        "/paycombat/webhooks",
        handler(signature_key=sandbox.signature_key, on={PayoutSucceeded: settle}),
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    sandbox.webhooks.url = f"http://127.0.0.1:{runner.addresses[0][1]}/paycombat/webhooks"
    try:
        found = await client.payouts.list(order_id="supplier-payout-78").to_list()
        if not found:
            return
        waiting = asyncio.ensure_future(client.payouts.wait_for(found[0].id, timeout=30))
        await client.payouts.simulate(found[0].id, status="SUCCESS")  # PayCombat settles it
        payout = await waiting
        await sandbox.webhooks.drain()  # print the webhook's line first, whichever came first
        _say("payouts.wait_for", f"supplier-payout-78 settled: {_status(payout)}")
    finally:
        await runner.cleanup()


BATCH_SIZE = 1000


async def _batch(sandbox: LocalSandbox) -> None:
    """1,000 payouts with faults on: every one created exactly once, none lost."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    print(f"\nA batch of {BATCH_SIZE:,} payouts, with the sandbox failing on purpose:")
    sandbox.faults.random.seed(2026)  # the same faults on every run
    sandbox.inject("Create Payout", status=503, rate=0.01)  # refused before commit
    sandbox.inject("Create Payout", status=502, commit=True, rate=0.02)  # committed, then 502
    sandbox.inject("Create Payout", reset="after", rate=0.02)  # committed, answer lost
    sandbox.inject("Create Payout", status=429, retry_after=0, rate=0.02)  # slow down
    sandbox.inject("Create Payout", latency=1.5, rate=0.01)  # answered after the deadline
    items = [
        {
            "payout_beneficiary_param": BENEFICIARY,
            "sender_amount": Decimal("1.25"),
            "sender_currency": "AUD",
            "sender_country": "AU",
            "payout_method_name": "au_bank_acct",
            "order_id": f"demo-batch-{i:04d}",
        }
        for i in range(BATCH_SIZE)
    ]
    async with PayCombat(
        token=sandbox.token,
        signature_key=sandbox.signature_key,
        base_url=sandbox.base_url,
        timeout=1.0,  # short, so the slow answers time out and must be reconciled
    ) as client:
        with Progress(console=Console(stderr=True)) as progress:
            task = progress.add_task("payouts", total=BATCH_SIZE)
            results = await client.payouts.create_many(
                items,
                concurrency=64,
                on_progress=lambda _: progress.update(task, advance=1),
                # Well past the sandbox's 1.5s late commit, even on a busy machine; against
                # PayCombat keep the 60s default (the settle must outlast its processing).
                settle=4.0,
                resend_after_settle=True,
            )
    sandbox.faults.clear()
    statuses = Counter(result.status for result in results)
    on_server = Counter(p["order_id"] for p in sandbox.state.objects("payout").values())
    table = Table(title="Batch summary")
    table.add_column("")
    table.add_column("count", justify="right")
    for status in ("created", "rejected", "unknown"):
        table.add_row(status, str(statuses[status]))
    table.add_row("Create Payout requests sent", str(len(sandbox.requests_for("Create Payout"))))
    table.add_row(
        "order_ids with more than one payout",
        str(sum(1 for order_id, n in on_server.items() if order_id.startswith("demo-") and n > 1)),
    )
    Console().print(table)
    _say(
        "Batch",
        f"{statuses['created']} created exactly once, results in input order "
        f"({results[0].order_id} ... {results[-1].order_id})",
    )
