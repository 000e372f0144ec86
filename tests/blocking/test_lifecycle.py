"""Lifecycle of the blocking client: context manager, close, use after close, leaks, exit."""

from __future__ import annotations

import gc
import subprocess
import threading

import pytest

from paycombat_sync import ClientStateError, ConfigurationError, NotFoundError, PayCombat
from paycombat_sync.sandbox import LocalSandbox
from tests.blocking import scripts
from tests.blocking.conftest import io_threads, watch
from tests.helpers import client_for, payout_args


def test_context_manager_closes_and_joins_its_thread(sandbox: LocalSandbox) -> None:
    before = io_threads()
    with client_for(sandbox) as client:
        payout = client.payouts.create(**payout_args())
        started = io_threads() - before
        assert len(started) == 1
        assert client.payouts.retrieve(payout.id).order_id == "order-1"
        assert not client.is_closed
    assert client.is_closed
    assert client._runner.async_client.is_closed  # the session was closed (on its own loop)
    assert not any(thread.is_alive() for thread in started)


def test_no_thread_until_the_first_call(sandbox: LocalSandbox) -> None:
    before = io_threads()
    client = client_for(sandbox)
    assert io_threads() == before
    client.close()
    assert io_threads() == before


def test_close_is_idempotent_and_calls_after_close_raise_a_clear_error(
    sandbox: LocalSandbox,
) -> None:
    client = client_for(sandbox)
    client.payouts.create(**payout_args())
    client.close()
    client.close()
    with pytest.raises(ClientStateError, match="closed; create a new one"):
        client.payouts.retrieve("anything")
    with pytest.raises(ClientStateError, match="closed"):
        client.payouts.list().to_list()
    with pytest.raises(ClientStateError, match="closed"):
        client.request("GET", "/api/v1/master-data/country-currency")
    # Configuration stays readable, and nothing was sent after close.
    assert client.config.base_url == sandbox.base_url
    assert "base_url=" in repr(client)
    assert len(sandbox.requests_for("Retrieve Payout")) == 0


def test_close_without_any_call_is_fine_and_final(sandbox: LocalSandbox) -> None:
    with client_for(sandbox) as client:
        pass
    with pytest.raises(ClientStateError):
        client.payouts.retrieve("x")


def test_errors_are_the_async_core_classes(client: PayCombat) -> None:
    import paycombat_async

    with pytest.raises(paycombat_async.NotFoundError) as info:
        client.payouts.retrieve("no-such-payout")
    assert type(info.value) is NotFoundError is paycombat_async.NotFoundError
    assert info.value.status == 404


def test_configuration_errors_raise_in_the_constructor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PAYCOMBAT_TOKEN", raising=False)
    before = io_threads()
    with pytest.raises(ConfigurationError, match="No PayCombat token"):
        PayCombat()
    assert io_threads() == before


def test_an_unclosed_client_warns_when_collected_and_leaks_no_thread(
    sandbox: LocalSandbox,
) -> None:
    before = set(threading.enumerate())
    held = [client_for(sandbox)]
    held[0].payouts.create(**payout_args())
    started = io_threads() - before
    assert len(started) == 1
    with pytest.warns(ResourceWarning, match="unclosed <PayCombat"):
        held.clear()  # the last reference: collected right here
    gc.collect()
    assert not any(thread.is_alive() for thread in started)
    assert set(threading.enumerate()) <= before


def test_an_unused_unclosed_client_holds_nothing_and_does_not_warn(
    sandbox: LocalSandbox,
) -> None:
    before = set(threading.enumerate())
    client = client_for(sandbox)
    del client
    gc.collect()  # a warning here would fail the test: warnings are errors
    assert set(threading.enumerate()) <= before


def test_close_from_another_thread_than_the_callers(sandbox: LocalSandbox) -> None:
    client = client_for(sandbox)
    payout = client.payouts.create(**payout_args())
    closer = threading.Thread(target=client.close)
    closer.start()
    closer.join()
    assert client.is_closed
    with pytest.raises(ClientStateError):
        client.payouts.retrieve(payout.id)


_IDLE_AT_EXIT = """
import sys
from paycombat_sync import PayCombat
client = PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3])
client.payouts.list().to_list()
print("leaving without close()")
"""

_IN_FLIGHT_AT_EXIT = """
import sys, threading
from paycombat_sync import PayCombat
client = PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3])

def call():
    try:
        client.payouts.list().to_list()
    except BaseException:
        pass

threading.Thread(target=call, daemon=True).start()
sys.stdin.readline()  # the test says when the call has reached the sandbox
print("leaving with a call in flight")
"""


def test_interpreter_exit_with_an_unclosed_client_does_not_hang(sandbox: LocalSandbox) -> None:
    done = scripts.run(_IDLE_AT_EXIT, sandbox)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "leaving without close()"
    assert done.stderr == ""


def test_interpreter_exit_with_a_call_in_flight_does_not_hang(sandbox: LocalSandbox) -> None:
    recorded = watch(sandbox, "Get All Payout")
    sandbox.inject("Get All Payout", latency=600)  # far longer than the test's patience
    with subprocess.Popen(  # noqa: S603 - our own interpreter and script
        scripts.command(_IN_FLIGHT_AT_EXIT, sandbox),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert recorded.arrived.wait(30), "the child's call never reached the sandbox"
            out, err = child.communicate("go\n", timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == 0, err
    assert out.strip() == "leaving with a call in flight"
    assert err == ""


def test_every_call_goes_through_the_one_long_lived_thread(client: PayCombat) -> None:
    created = [client.payouts.create(**payout_args(order_id="o-0"))]
    threads = io_threads()
    created += [client.payouts.create(**payout_args(order_id=f"o-{i}")) for i in (1, 2)]
    assert {p.id for p in client.payouts.list(limit=2)} >= {p.id for p in created}
    assert io_threads() == threads
    with pytest.raises(NotFoundError):
        client.payouts.retrieve("missing")
