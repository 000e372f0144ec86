"""The pytest plugin (``paycombat_async.testing``) as a merchant's project meets it: installed with
the package, no conftest of ours, each fixture and marker used by a test in a pytest of its own."""

from __future__ import annotations

import pytest

from tests.helpers import payout_args

pytest_plugins = ["pytester"]

# The suite's payout (tests.helpers.payout_args), written out in the merchant's test module.
PAYOUT = f"from decimal import Decimal\n\nPAYOUT = {payout_args()!r}\n"

MERCHANT_TESTS = (
    PAYOUT
    + """
import pytest

from paycombat_async import (
    AuthenticationError,
    ConflictError,
    OutcomeUnknownError,
    PayCombat,
    RetryPolicy,
    ServerError,
)
from paycombat_async.testing import WebhookInbox, sandbox_env
from paycombat_async.webhooks import PayoutFailed, PayoutSucceeded


async def test_three_lines(paycombat_client, paycombat_sandbox):
    await paycombat_client.payouts.create(**PAYOUT)
    assert len(paycombat_sandbox.requests_for("Create Payout")) == 1


async def test_the_client_is_bound_to_a_fresh_sandbox(paycombat_client, paycombat_sandbox):
    assert await paycombat_client.payouts.list().to_list() == []
    assert len(paycombat_sandbox.requests_for("payouts.list")) == 1


@pytest.mark.paycombat_fault("payouts.list", status=503)
async def test_a_fault_marker_is_resent_without_waiting(paycombat_client, paycombat_sandbox):
    assert await paycombat_client.payouts.list().to_list() == []
    assert len(paycombat_sandbox.requests_for("payouts.list")) == 2


@pytest.mark.paycombat_fault("Create Payout", reset="after")
async def test_a_lost_answer_is_an_unknown_outcome(paycombat_client, paycombat_sandbox):
    with pytest.raises(OutcomeUnknownError):
        await paycombat_client.payouts.create(**PAYOUT)
    assert len(paycombat_sandbox.state.objects("payout")) == 1


@pytest.mark.paycombat_fault("payouts.list", status=503)
@pytest.mark.paycombat_fault("payouts.list", status=502)
@pytest.mark.paycombat_client(retry=RetryPolicy(max_retries=1, initial_backoff=0))
async def test_faults_apply_top_to_bottom_and_the_client_marker_sets_options(
    paycombat_client, paycombat_sandbox
):
    with pytest.raises(ServerError) as raised:
        await paycombat_client.payouts.list().to_list()
    assert raised.value.status == 502
    assert len(paycombat_sandbox.requests_for("payouts.list")) == 2


async def test_a_fault_injected_mid_test(paycombat_client, paycombat_sandbox):
    await paycombat_client.payouts.list().to_list()
    paycombat_sandbox.inject("payouts.list", status=401)
    with pytest.raises(AuthenticationError):
        await paycombat_client.payouts.list().to_list()


async def test_code_that_reads_the_environment(paycombat_sandbox, monkeypatch):
    for name, value in sandbox_env(paycombat_sandbox).items():
        monkeypatch.setenv(name, value)
    async with PayCombat() as client:
        assert await client.payouts.list().to_list() == []
    assert len(paycombat_sandbox.requests_for("payouts.list")) == 1


@pytest.mark.paycombat_sandbox(refuse_duplicate_order_id=True)
async def test_the_sandbox_marker(paycombat_client):
    await paycombat_client.payouts.create(**PAYOUT)
    with pytest.raises(ConflictError):
        await paycombat_client.payouts.create(**PAYOUT)


async def test_webhooks_arrive_verified_and_parsed(paycombat_client, paycombat_webhooks):
    first = await paycombat_client.payouts.create(**PAYOUT)
    second = await paycombat_client.payouts.create(**{**PAYOUT, "order_id": "order-2"})
    await paycombat_client.payouts.simulate(first.id, status="SUCCESS")
    await paycombat_client.payouts.simulate(second.id, status="FAILED")
    [succeeded] = await paycombat_webhooks.next()
    assert isinstance(succeeded, PayoutSucceeded)
    assert (succeeded.object_id, succeeded.order_id) == (first.id, "order-1")
    [failed] = await paycombat_webhooks.next()
    assert isinstance(failed, PayoutFailed)
    assert paycombat_webhooks.events == [succeeded, failed]
    with pytest.raises(AssertionError, match="expected 1 more webhook"):
        await paycombat_webhooks.next(timeout=0.05)


async def test_wait_for_is_woken_by_the_inbox(paycombat_client, paycombat_webhooks):
    payout = await paycombat_client.payouts.create(**PAYOUT)
    await paycombat_client.payouts.simulate(payout.id, status="SUCCESS")
    settled = await paycombat_client.payouts.wait_for(payout.id, timeout=10)
    assert settled.status == "SUCCESS"


async def test_an_inbox_of_its_own_is_the_webhook_url_while_it_is_open(
    paycombat_client, paycombat_sandbox
):
    paycombat_sandbox.webhooks.url = "http://127.0.0.1:9/the-app"
    async with WebhookInbox(paycombat_sandbox) as inbox:
        assert paycombat_sandbox.webhooks.url == inbox.url
        payout = await paycombat_client.payouts.create(**PAYOUT)
        await paycombat_client.payouts.simulate(payout.id, status="SUCCESS")
        [event] = await inbox.next()
        assert event.object_id == payout.id
    assert paycombat_sandbox.webhooks.url == "http://127.0.0.1:9/the-app"


@pytest.mark.paycombat_fault("payouts.list", status=503)
def test_blocking(paycombat_sync_client, paycombat_sync_sandbox, paycombat_sync_webhooks):
    assert paycombat_sync_client.payouts.list().to_list() == []
    assert len(paycombat_sync_sandbox.requests_for("payouts.list")) == 2
    payout = paycombat_sync_client.payouts.create(**PAYOUT)
    paycombat_sync_client.payouts.simulate(payout.id, status="SUCCESS")
    [event] = paycombat_sync_webhooks.next()
    assert isinstance(event, PayoutSucceeded)
    assert event.object_id == payout.id
"""
)


def test_every_fixture_and_marker_in_a_project_without_our_conftest(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_merchant=MERCHANT_TESTS)
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=12)


def test_loading_the_plugin_imports_neither_aiohttp_nor_the_sandbox(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_cheap="""
import sys

def test_nothing_heavy_is_imported():
    assert "paycombat_async.testing" in sys.modules
    heavy = ("aiohttp", "paycombat_async.sandbox", "paycombat_async._client", "paycombat_sync")
    assert [name for name in heavy if name in sys.modules] == []
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_off="def test_it(paycombat_sync_sandbox): pass")
    result = pytester.runpytest_subprocess("-p", "no:paycombat", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'paycombat_sync_sandbox' not found*"])


def test_a_merchant_conftest_chooses_the_loop_and_other_backends_are_skipped(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("uvloop")
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(params=[("asyncio", {"use_uvloop": True}), "trio"])
def anyio_backend(request):
    return request.param
"""
    )
    pytester.makepyfile(
        test_loop=PAYOUT
        + """
import asyncio

async def test_on_uvloop(paycombat_client):
    assert type(asyncio.get_running_loop()).__module__.startswith("uvloop")
    assert (await paycombat_client.payouts.create(**PAYOUT)).order_id == "order-1"
"""
    )
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*PayCombat runs on asyncio (aiohttp), not on trio*"])
