"""The ledger's decisions, one rule at a time: claims, payout matching, duplicate answers."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import attrs
import pytest

from paycombat_async import (
    APIError,
    ConflictError,
    CreatePayoutRequest,
    JournalError,
    OutcomeUnknownError,
    Payout,
    RateLimitError,
    ServerError,
    SQLiteJournal,
    UnprocessableEntityError,
    ValidationError,
)
from paycombat_async._batch.journal import JournalEntry, decide_claim
from paycombat_async._batch.reconcile import (
    error_from_record,
    error_record,
    is_duplicate_order,
    matches,
)
from tests.helpers import payout_args

NOW, LEASE = 1_000.0, 30.0


def entry(state: str = "sending", **fields: Any) -> JournalEntry:
    fields.setdefault("owner", "me")
    fields.setdefault("fingerprint", "f")
    return JournalEntry(key="o-1", order_id="o-1", state=state, sent_at=900.0, **fields)


def decide(row: JournalEntry | None) -> tuple[str, JournalEntry | None]:
    claim, write = decide_claim(row, entry(), now=NOW, lease=LEASE)
    assert claim.previous is row
    return claim.action, write


def test_a_new_item_is_claimed_for_sending_with_a_lease() -> None:
    action, write = decide(None)
    assert action == "send"
    assert write == attrs.evolve(entry(), lease_until=NOW + LEASE)


@pytest.mark.parametrize("state", ["sending", "settling"])
def test_an_item_a_live_owner_holds_is_waited_for(state: str) -> None:
    assert decide(entry(state, owner="other", lease_until=NOW + 1)) == ("wait", None)


@pytest.mark.parametrize("state", ["sending", "settling"])
@pytest.mark.parametrize(("owner", "until"), [("other", NOW), ("other", None), ("me", NOW + 9)])
def test_a_dead_or_own_claim_is_taken_over_to_reconcile(
    state: str, owner: str, until: float | None
) -> None:
    row = entry(state, owner=owner, lease_until=until, error={"message": "x"})
    action, write = decide(row)
    assert action == "reconcile"
    # Everything it knew is kept (its state, when it was sent, its error): only the owner and
    # the lease change.
    assert write == attrs.evolve(row, owner="me", lease_until=NOW + LEASE)


@pytest.mark.parametrize("state", ["unknown", "CREATED", "done", "", "created"])
def test_a_row_in_doubt_is_reconciled_never_sent(state: str) -> None:
    action, write = decide(entry(state, owner="other", lease_until=NOW + 60))
    assert action == "reconcile"
    assert write is not None
    assert write.state == state


@pytest.mark.parametrize("payout", [None, {}, {"id": 7}, {"status": "PENDING"}])
def test_created_without_a_recorded_payout_is_in_doubt(payout: Any) -> None:
    assert decide(entry("created", payout=payout))[0] == "reconcile"


def test_a_created_or_conflicting_item_is_decided_and_left_alone() -> None:
    assert decide(entry("created", payout={"id": "p-1"})) == ("decided", None)
    assert decide(entry("conflict")) == ("decided", None)


def test_a_rejected_item_may_be_sent_again_even_if_it_changed() -> None:
    for fingerprint in ("f", "other"):
        action, write = decide(entry("rejected", fingerprint=fingerprint, owner="old"))
        assert action == "send"
        assert write == attrs.evolve(entry(), lease_until=NOW + LEASE)


@pytest.mark.parametrize("state", ["created", "unknown", "sending", "conflict"])
def test_another_payout_under_the_same_order_id_is_a_mismatch(state: str) -> None:
    row = entry(state, fingerprint="other", payout={"id": "p"}, owner="x", lease_until=NOW - 1)
    assert decide(row) == ("mismatch", None)


def test_a_live_owner_is_waited_for_before_anything_else_is_decided() -> None:
    row = entry("sending", fingerprint="other", owner="other", lease_until=NOW + 1)
    assert decide(row) == ("wait", None)


async def test_two_journals_on_one_file_let_exactly_one_claimant_win(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journals = [SQLiteJournal(path) for _ in range(4)]
    actions: list[str] = []

    async def claim(journal: SQLiteJournal, owner: str) -> None:
        claimed = await journal.claim(attrs.evolve(entry(), owner=owner))
        actions.append(claimed.action)

    async with anyio.create_task_group() as tg:
        for number, journal in enumerate(journals):
            tg.start_soon(claim, journal, f"run-{number}")
    assert sorted(actions) == ["send", "wait", "wait", "wait"]
    for journal in journals:
        await journal.aclose()


async def test_renewing_extends_only_the_owners_live_claims(tmp_path: Path) -> None:
    journal = SQLiteJournal(tmp_path / "j.sqlite", lease=5)
    await journal.claim(entry())
    await journal.claim(attrs.evolve(entry(), key="o-2", order_id="o-2", owner="other"))
    before = {e.key: e.lease_until for e in journal.entries()}
    await journal.renew(["o-1", "o-2"], "me")
    after = {e.key: e.lease_until for e in journal.entries()}
    assert after["o-1"] is not None
    assert before["o-1"] is not None
    assert after["o-1"] > before["o-1"]
    assert after["o-2"] == before["o-2"]
    await journal.put(attrs.evolve(entry("created"), payout={"id": "p"}))
    assert [e.lease_until for e in journal.entries() if e.key == "o-1"] == [None]
    await journal.aclose()


def test_a_bad_lease_is_refused() -> None:
    with pytest.raises(ValueError, match="lease"):
        SQLiteJournal("x.sqlite", lease=0)


# -- a found payout must be this item's -----------------------------------------------------


def request(**overrides: Any) -> CreatePayoutRequest:
    return CreatePayoutRequest(**payout_args(order_id="o-1", **overrides))


def payout(**fields: Any) -> Payout:
    fields.setdefault("id", "p-1")
    fields.setdefault("order_id", "o-1")
    return Payout(**fields)


def test_a_payout_that_carries_nothing_to_compare_matches() -> None:
    assert matches(request(), "o-1", payout()) == []


@pytest.mark.parametrize(
    ("fields", "difference"),
    [
        ({"order_id": "o-2"}, "order_id 'o-2'"),
        ({"wire_amount": Decimal("25.01")}, "amount 25.01"),
        ({"original_amount": Decimal("5000")}, "amount 5000"),
        ({"currency": "PHP"}, "currency PHP"),
        ({"beneficiary_account_number": "87654321"}, "account_number 87654321"),
        ({"beneficiary_account_number": "****4321"}, "account_number ****4321"),
        ({"beneficiary_account_number": "****"}, "account_number ****"),
    ],
)
def test_a_payout_that_differs_is_not_this_items(fields: dict[str, Any], difference: str) -> None:
    assert matches(request(), "o-1", payout(**fields)) == [difference]


@pytest.mark.parametrize(
    "fields",
    [
        {"wire_amount": Decimal("25")},
        {"wire_amount": Decimal("25.000"), "original_amount": Decimal("1")},
        {"currency": "aud"},
        {"beneficiary_account_number": "1234-5678"},
        {"beneficiary_account_number": "****5678"},
        {"beneficiary_account_number": "xxxx5678"},
    ],
)
def test_a_payout_written_differently_still_matches(fields: dict[str, Any]) -> None:
    assert matches(request(), "o-1", payout(**fields)) == []


def test_a_saved_beneficiary_and_an_iban_are_compared_when_the_payout_carries_them() -> None:
    by_id = request(payout_beneficiary_param=None, payout_beneficiary_id="ben-1")
    assert matches(by_id, "o-1", payout(beneficiary="ben-1")) == []
    assert matches(by_id, "o-1", payout(beneficiary="ben-2")) == ["beneficiary ben-2"]
    assert matches(by_id, "o-1", payout(beneficiary="")) == []
    with_iban = request(payout_beneficiary_param={"iban": "DE89370400440532013000"})
    assert (
        matches(with_iban, "o-1", payout(beneficiary_account_iban="DE89 3704 0044 0532 0130 00"))
        == []
    )
    assert matches(with_iban, "o-1", payout(beneficiary_account_iban="GB29NWBK60161331926819")) == [
        "iban GB29NWBK60161331926819"
    ]
    # Spaced as a spreadsheet keeps it, the server's plain: the same account.
    spaced = request(payout_beneficiary_param={"iban": "DE89 3704 0044 0532 0130 00"})
    assert matches(spaced, "o-1", payout(beneficiary_account_iban="DE89370400440532013000")) == []


# -- "duplicate order" means this order ------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ConflictError("Duplicate order_id b-3", status=409),
        UnprocessableEntityError("order id already exists", status=422),
        APIError("This order reference has already been used", status=400),
        APIError("Order number is taken", status=400),
    ],
)
def test_an_answer_that_says_the_order_id_is_taken_is_a_duplicate(error: APIError) -> None:
    assert is_duplicate_order(error)


@pytest.mark.parametrize(
    "error",
    [
        UnprocessableEntityError("Beneficiary account already exists", status=422),
        ConflictError("Conflict", status=409),
        ServerError("Duplicate order_id b-3", status=500),
        RateLimitError("order_id already in use: slow down", status=429),
        APIError("Duplicate order_id b-3", status=None),
        OutcomeUnknownError("Duplicate order_id b-3", status=409),
        ValidationError("duplicate order_id"),
    ],
)
def test_any_other_answer_is_not_a_duplicate(error: Any) -> None:
    assert not is_duplicate_order(error)


def test_an_error_comes_back_from_the_journal_with_its_type_and_status() -> None:
    original = ConflictError("Duplicate order_id b-3", status=409)
    restored = error_from_record(error_record(original))
    assert type(restored) is ConflictError
    assert restored.status == 409
    assert "Duplicate order_id b-3" in restored.message
    odd = error_from_record({"type": "KeyError", "message": None, "status": "x"})
    assert type(odd).__name__ == "PayCombatError"
    assert odd.status is None


def test_a_beneficiary_given_as_a_model_or_any_mapping_is_compared_too() -> None:
    from types import MappingProxyType

    from paycombat_async import PayoutBeneficiaryParam

    for beneficiary in (
        PayoutBeneficiaryParam(account_number="12345678", bsb="123456"),
        MappingProxyType({"account_number": "12345678", "bsb": "123456"}),
    ):
        asked = request(payout_beneficiary_param=beneficiary)
        assert matches(asked, "o-1", payout(beneficiary_account_number="12345678")) == []
        assert matches(asked, "o-1", payout(beneficiary_account_number="1")) == ["account_number 1"]


class FailingOnce(SQLiteJournal):
    """A journal whose transaction fails once, when it holds the poisoned key (a full disk)."""

    poisoned = "o-bad"
    failed = 0

    def _apply(self, db: Any, op: Any, now: float) -> None:
        if op.args and getattr(op.args[0], "key", None) == self.poisoned and not self.failed:
            self.failed += 1
            raise sqlite3.OperationalError("database or disk is full")
        super()._apply(db, op, now)


async def test_a_failed_transaction_fails_its_caller_only_and_is_never_applied_later(
    tmp_path: Path,
) -> None:
    journal = FailingOnce(tmp_path / "j.sqlite")
    # o-1 commits alone; the other three queue meanwhile and share the next transaction,
    # which fails once (whichever of their callers runs it learns that).
    keys = ["o-1", "o-bad", "o-3", "o-4"]
    outcomes: dict[str, str] = {}
    errors: list[JournalError] = []

    async def claim(key: str) -> None:
        try:
            claimed = await journal.claim(attrs.evolve(entry(), key=key, order_id=key))
        except JournalError as exc:
            errors.append(exc)
            outcomes[key] = "error"
        else:
            outcomes[key] = claimed.action

    async with anyio.create_task_group() as tg:
        for key in keys:
            tg.start_soon(claim, key)
    assert ["database or disk is full" in str(error) for error in errors] == [True]
    # The caller that ran the failed transaction learns it failed; the others' operations were
    # queued again and committed; the failed caller's claim was never recorded behind its back.
    assert journal.failed == 1
    assert sorted(outcomes.values()).count("error") == 1
    assert sorted(k for k, v in outcomes.items() if v == "send") == sorted(
        k for k in keys if outcomes[k] != "error"
    )
    recorded = {e.key for e in journal.entries()}
    assert recorded == {k for k in keys if outcomes[k] == "send"}
    assert await journal.claim(attrs.evolve(entry(), key="o-5", order_id="o-5")) is not None
    await journal.aclose()


def test_a_hand_edited_row_of_the_wrong_types_reads_as_in_doubt(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    anyio.run(SQLiteJournal(path).aclose)  # creates the table
    journal = SQLiteJournal(path)
    anyio.run(journal.open)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO items VALUES ('o-1', 'o-1', 'f', 'created', '[1, 2]', 'not json', "
            "'yesterday', 0, 'someone', 'soon')"
        )
    db.close()
    [read] = journal.entries()
    assert (read.payout, read.error, read.sent_at, read.lease_until) == (None, None, None, None)
    assert read.owner == "someone"
    assert decide(read)[0] == "reconcile"  # created without its payout: in doubt
    anyio.run(journal.aclose)


async def test_renewing_more_claims_than_one_statement_takes(tmp_path: Path) -> None:
    journal = SQLiteJournal(tmp_path / "j.sqlite", lease=5)
    keys = [f"o-{i}" for i in range(1201)]
    for key in keys:
        await journal.claim(attrs.evolve(entry(), key=key, order_id=key))
    before = {e.key: e.lease_until for e in journal.entries()}
    await journal.renew(keys, "me")
    after = {e.key: e.lease_until for e in journal.entries()}
    assert all(after[key] > before[key] for key in keys)  # type: ignore[operator]
    await journal.aclose()
