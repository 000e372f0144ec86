"""What importing costs: each public name, each API group's models and resource, are imported on
first use, in both packages (the client and aiohttp, the journals and sqlite3 too).

Each check runs in a fresh interpreter, where nothing else has imported them yet.
"""

from __future__ import annotations

import json
import threading

import pytest

from paycombat_async import OPERATIONS, PayCombat
from paycombat_async.resources import DECLARED
from tests.blocking.scripts import run

GROUP_MODULES = """
import json, sys
def loaded():
    return sorted(
        name.rsplit(".", 1)[-1]
        for name in sys.modules
        if name.startswith(("paycombat_async.models.", "paycombat_async.resources."))
        and not name.rsplit(".", 1)[-1].startswith("_")
    )
def loaded_heavy():
    heavy = ("aiohttp", "sqlite3", "psycopg", "paycombat_async._batch", "paycombat_async._client",
             "paycombat_async._static")
    return [name for name in heavy if name in sys.modules]
"""


def _run(code: str) -> list[list[str]]:
    """Run ``GROUP_MODULES + code``; each line it prints, read as JSON."""
    done = run(GROUP_MODULES + code)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize("package", ["paycombat_async", "paycombat_sync"])
def test_importing_either_package_builds_no_api_group_client_or_journal(package: str) -> None:
    (loaded, heavy) = _run(f"""
import {package}
print(json.dumps(loaded()))
print(json.dumps(loaded_heavy()))
""")
    assert loaded == []
    assert heavy == []


@pytest.mark.parametrize("package", ["paycombat_async", "paycombat_sync"])
def test_a_name_imports_what_defines_it_and_no_more(package: str) -> None:
    payout, journal, client = _run(f"""
import {package}
{package}.Payout, {package}.PayCombatError
print(json.dumps([loaded(), loaded_heavy()]))
{package}.SQLiteJournal
print(json.dumps([loaded(), loaded_heavy()]))
{package}.PayCombat
print(json.dumps([loaded(), loaded_heavy()]))
""")
    # Payouts' models need the party models (a beneficiary is a person or a company).
    assert payout == [["party", "payout"], []]
    assert journal == [["party", "payout"], ["sqlite3", "paycombat_async._batch"]]
    assert "aiohttp" in client[1]


def test_a_client_builds_only_the_groups_it_uses() -> None:
    before, after_payouts, after_model = _run("""
from paycombat_async import PayCombat
client = PayCombat(token="snd_x", signature_key="k")
print(json.dumps(loaded()))
client.payouts
print(json.dumps(loaded()))
from paycombat_async import Checkout
print(json.dumps(loaded()))
""")
    assert before == []
    # Payouts' models need the party models (a beneficiary is a person or a company).
    assert after_payouts == ["party", "payin", "payout", "payouts"]
    assert after_model == ["checkout", "party", "payin", "payout", "payouts"]


def test_the_blocking_client_builds_a_resource_in_the_calling_thread() -> None:
    # A Ctrl-C must never land in an import running on the client's loop thread: the resource
    # (and its models) are built where it is first read, before any call is submitted.
    (loaded,) = _run("""
import paycombat_sync
with paycombat_sync.PayCombat(token="snd_x", signature_key="k") as client:
    client.wallets
    print(json.dumps(loaded()))
""")
    assert "wallets" in loaded


def test_the_route_table_is_whole_and_in_one_order_whatever_was_used_first() -> None:
    code = """
from paycombat_async import OPERATIONS, PayCombat
{first}
print(json.dumps([len(OPERATIONS), OPERATIONS.find("create payout").key]))
print(json.dumps(list(OPERATIONS)))
"""
    fresh = _run(code.format(first=""))
    after_use = _run(code.format(first="PayCombat(token='snd_x').wallets; PayCombat.customers"))
    in_this_process = [[len(OPERATIONS), "payouts.create"], list(OPERATIONS)]
    assert fresh == after_use == in_this_process
    assert fresh[0] == [44, "payouts.create"]
    groups = list(dict.fromkeys(key.split(".")[0] for key in OPERATIONS))
    assert groups == [attribute for attribute, _, _ in DECLARED]


def test_threads_reading_a_resource_first_all_get_the_same_one() -> None:
    client = PayCombat(token="snd_x", signature_key="k")
    start = threading.Barrier(8)
    seen: list[object] = []

    def read() -> None:
        start.wait()
        seen.append(client.customers)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(resource is client.customers for resource in seen)
