"""The API as a user writes it, for both packages. Never executed: ``mypy --strict`` checks it
(``nox -s typing``), so the types users see are tested. ``# type: ignore[...]`` lines are
mistakes a type checker must catch (``warn_unused_ignores`` fails if it does not).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from typing_extensions import assert_type

import paycombat_async
import paycombat_sync
from paycombat_async import AsyncPaginator, Page, Payout, PayoutStatus
from paycombat_sync import Paginator
from paycombat_sync.sandbox import Fault, LocalSandbox, RecordedRequest


def blocking_user() -> None:
    with paycombat_sync.PayCombat(token="snd_x", signature_key="k", timeout=30) as client:
        payout = client.payouts.create(
            payout_beneficiary_param={"account_number": "12345678", "bsb": "123456"},
            sender_amount=Decimal("12.50"),
            sender_currency="AUD",
            sender_country="AU",
            payout_method_name="au_bank_acct",
            order_id="inv-1",
        )
        assert_type(payout, Payout)
        assert_type(client.payouts.retrieve(payout.id), Payout)
        assert_type(client.payouts.retrieve_memo(payout.id), bytes)

        listing = client.payouts.list(status=PayoutStatus.PENDING, limit=50)
        assert_type(listing, Paginator[Payout])
        for item in listing:
            assert_type(item, Payout)
        for page in listing.pages():
            assert_type(page, Page[Payout])
        assert_type(listing.to_list(max_items=10), list[Payout])

        assert_type(client.request("GET", "/api/v1/master-data/country-currency"), Any)
        assert_type(client.is_closed, bool)
        assert_type(client.config, paycombat_async.ClientConfig)

        client.payouts.retrieve(42)  # type: ignore[arg-type]
        client.payouts.create(sender_amount=1.5)  # type: ignore[call-arg, arg-type]
        client.payouts.list(page="2")  # type: ignore[arg-type]
        client.payouts.nonexistent()  # type: ignore[attr-defined]
    client.close()

    try:
        paycombat_sync.PayCombat(max_connections="many")  # type: ignore[arg-type]
    except paycombat_sync.OutcomeUnknownError as exc:
        assert_type(exc.may_have_taken_effect, bool)
    except KeyboardInterrupt as interrupt:
        if isinstance(interrupt.__cause__, paycombat_sync.OutcomeUnknownError):
            raise

    assert paycombat_sync.NotFoundError is paycombat_async.NotFoundError


def blocking_tests() -> None:
    with LocalSandbox() as sandbox:
        assert_type(sandbox.inject("Create Payout", status=503), Fault)
        assert_type(sandbox.requests_for("Create Payout"), list[RecordedRequest])
        with paycombat_sync.PayCombat(
            token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
        ) as client:
            assert_type(client.payouts.list().to_list(), list[Payout])


async def async_user() -> None:
    async with paycombat_async.PayCombat(token="snd_x", signature_key="k") as client:
        payout = await client.payouts.retrieve("id")
        assert_type(payout, Payout)
        listing = client.payouts.list(limit=5)
        assert_type(listing, AsyncPaginator[Payout])
        async for item in listing:
            assert_type(item, Payout)
        assert_type(await listing.to_list(), list[Payout])
        client.payouts.retrieve("id")  # type: ignore[unused-coroutine]
    await client.aclose()


def mixing_them_up() -> None:
    client = paycombat_sync.PayCombat(token="snd_x")
    payout: Payout = client.payouts.retrieve("id")
    not_awaitable = client.payouts.retrieve("id")
    assert_type(not_awaitable, Payout)
    aio = paycombat_async.PayCombat(token="snd_x")
    wrong: Payout = aio.payouts.retrieve("id")  # type: ignore[assignment]
    del payout, wrong
    client.close()


def batch_user() -> None:
    rows: list[dict[str, Any]] = []
    with paycombat_sync.PayCombat(token="snd_x", rate_limit=50, max_in_flight=16) as client:
        results = client.payouts.create_many(rows, concurrency=8, journal="j.sqlite")
        assert_type(results, list[paycombat_sync.BatchResult])
        for result in client.payouts.stream_many(iter(rows), on_progress=print):
            assert_type(result, paycombat_sync.BatchResult)
            assert_type(result.payout, Payout | None)
        client.payouts.create_many(rows, concurrency="8")  # type: ignore[arg-type]


async def async_batch_user() -> None:
    rows: list[paycombat_async.CreatePayoutRequest] = []
    async with paycombat_async.PayCombat(token="snd_x") as client:
        journal = paycombat_async.SQLiteJournal("j.sqlite")
        results = await client.payouts.create_many(rows, journal=journal, settle=5)
        assert_type(results, list[paycombat_async.BatchResult])
        async for result in client.payouts.stream_many(rows, resend_after_settle=True):
            assert_type(result.status, Literal["created", "rejected", "unknown"])
