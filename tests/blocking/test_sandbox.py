"""The blocking LocalSandbox: the async sandbox on a background thread, for blocking tests."""

from __future__ import annotations

import gc
import threading

import pytest

from paycombat_sync import OutcomeUnknownError, PayCombat, ServerError
from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import client_for, payout_args


def _sandbox_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "paycombat-sandbox"}


def test_it_serves_from_a_thread_it_joins_on_exit() -> None:
    before = _sandbox_threads()
    with LocalSandbox(token="snd_fixed_token", signature_key="fixed-key") as sandbox:
        started = _sandbox_threads() - before
        assert len(started) == 1
        assert sandbox.token == "snd_fixed_token"
        assert sandbox.signature_key == "fixed-key"
        assert sandbox.base_url == f"http://127.0.0.1:{sandbox.port}"
        assert sandbox.port != 0
        assert repr(sandbox).endswith(f"{sandbox.base_url}>")
        with client_for(sandbox) as client:
            payout = client.payouts.create(**payout_args())
        assert sandbox.state.get("payout", payout.id)["order_id"] == "order-1"
        assert [r.title for r in sandbox.requests] == ["Create Payout"]
    assert not any(t.is_alive() for t in started)
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.base_url
    sandbox.close()  # idempotent


def test_faults_are_injected_from_blocking_code(sandbox: LocalSandbox, client: PayCombat) -> None:
    sandbox.inject("Retrieve Payout", status=503, times=None)
    payout = client.payouts.create(**payout_args())
    with pytest.raises(ServerError):
        client.payouts.retrieve(payout.id)
    assert len(sandbox.requests_for("Retrieve Payout")) == 3  # reads are retried (max_retries=2)
    sandbox.faults.clear()
    assert client.payouts.retrieve(payout.id).id == payout.id

    sandbox.inject("Create Payout", status=502, html=True)
    with pytest.raises(OutcomeUnknownError):
        client.payouts.create(**payout_args(order_id="doubt"))
    assert len(sandbox.requests_for("Create Payout")) == 2  # the doubtful create was not resent


def test_start_and_close_without_a_with_block() -> None:
    sandbox = LocalSandbox()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.base_url
    sandbox.start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            sandbox.start()
        with client_for(sandbox) as client:
            assert client.payouts.list().to_list() == []
    finally:
        sandbox.close()


def test_an_unclosed_sandbox_warns_when_collected_and_stops() -> None:
    before = _sandbox_threads()
    held = [LocalSandbox()]
    held[0].start()
    started = _sandbox_threads() - before
    with pytest.warns(ResourceWarning, match="unclosed LocalSandbox"):
        held.clear()  # the last reference: collected right here
    gc.collect()
    assert not any(t.is_alive() for t in started)
