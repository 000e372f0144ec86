"""``close()`` is bounded and tells the calls it ends what happened.

A call stuck in DNS resolution or in connect must not hold ``close()`` (aiohttp resolves names with
``getaddrinfo`` in the loop's default executor, and stopping a loop waits for that executor), and
a call in flight when the client is closed hears "the client was closed", not the connection
error closing the pool causes. A create cut off that way is an unknown outcome, logged with the
caller's ``order_id``.

DNS is made slow at the operating-system seam (``socket.getaddrinfo``, for one reserved test host
name) so aiohttp's real resolver path runs; connect is stuck on a real loopback listener whose
backlog is full.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from paycombat_sync import (
    APITimeoutError,
    ClientStateError,
    OutcomeUnknownError,
    PayCombat,
)
from paycombat_sync.sandbox import LocalSandbox
from tests.blocking.conftest import io_threads, watch
from tests.helpers import client_for, payout_args

STUCK_HOST = "stuck.paycombat.test"  # .test is reserved: never resolvable for real


class StuckResolver:
    """``getaddrinfo`` for ``STUCK_HOST`` blocks until released (or 30 s); others pass through."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()
        self.returned = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != STUCK_HOST:
            return self.real(host, *args, **kwargs)
        self.threads.append(threading.current_thread())
        self.entered.set()
        self.release.wait(30)
        self.returned.set()
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.fixture
def stuck_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[StuckResolver]:
    resolver = StuckResolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    yield resolver
    resolver.release.set()  # let the lookup thread end: the suite leaves no thread behind
    for thread in resolver.threads:
        thread.join(10)
        assert not thread.is_alive()


def _stuck_client(**kwargs: Any) -> PayCombat:
    return PayCombat(token="t", signature_key="k", base_url=f"https://{STUCK_HOST}", **kwargs)


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, raised


def test_close_after_a_timeout_in_dns_does_not_wait_for_the_lookup(
    stuck_dns: StuckResolver,
) -> None:
    before = io_threads()
    client = _stuck_client(timeout=0.5, max_retries=0)
    with pytest.raises(APITimeoutError):
        client.payouts.list().to_list()
    assert stuck_dns.entered.is_set()
    client.close()
    # The loop thread has ended although the lookup it started is still stuck: stopping the loop
    # no longer waits for its executor (before, close() returned with the thread still waiting).
    assert not stuck_dns.returned.is_set()
    assert io_threads() == before
    assert client.is_closed


def test_close_during_a_call_stuck_in_dns_ends_the_call_as_closed(
    stuck_dns: StuckResolver,
) -> None:
    before = io_threads()
    client = _stuck_client(timeout=60, max_retries=0)
    thread, raised = _in_thread(lambda: client.payouts.list().to_list())
    assert stuck_dns.entered.wait(10)
    client.close()
    assert not stuck_dns.returned.is_set()
    assert io_threads() == before
    thread.join(10)
    assert not thread.is_alive()
    assert len(raised) == 1
    assert isinstance(raised[0], ClientStateError)
    assert "closed while the call was in flight" in str(raised[0])


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A loopback port whose listener never accepts and whose backlog is full: connect hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port: int = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # the accept queue holds backlog + 1; SYNs beyond it are dropped
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in (*fillers, listener):
        sock.close()


def test_close_during_a_call_stuck_in_connect_ends_the_call_as_closed(
    full_backlog: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "localhost" is resolved (an IP address would not be): the lookup says connect is next.
    resolved = threading.Event()
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return real(host, *args, **kwargs)
        finally:
            resolved.set()

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    before = io_threads()
    client = PayCombat(
        token="t", signature_key="k", base_url=f"http://localhost:{full_backlog}", timeout=60
    )
    thread, raised = _in_thread(lambda: client.payouts.retrieve("p-1"))
    assert resolved.wait(10)
    client.close()
    assert io_threads() == before
    thread.join(10)
    assert not thread.is_alive()
    assert len(raised) == 1
    assert isinstance(raised[0], ClientStateError), raised[0]
    assert "closed while the call was in flight" in str(raised[0])


def test_a_read_in_flight_when_closed_says_the_client_was_closed(sandbox: LocalSandbox) -> None:
    recorded = watch(sandbox, "Retrieve Payout")
    sandbox.inject("Retrieve Payout", latency=600)
    client = client_for(sandbox, timeout=60)
    thread, raised = _in_thread(lambda: client.payouts.retrieve("p-1"))
    assert recorded.arrived.wait(10)
    client.close()
    thread.join(10)
    assert len(raised) == 1
    assert isinstance(raised[0], ClientStateError), raised[0]  # not "Server disconnected"
    assert "closed while the call was in flight" in str(raised[0])


def test_a_create_in_flight_when_closed_is_an_unknown_outcome_logged_with_its_order_id(
    sandbox: LocalSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    recorded = watch(sandbox, "Create Payout")
    sandbox.inject("Create Payout", latency=600)
    client = client_for(sandbox, timeout=60)
    args = payout_args(order_id="order-closed-7")
    thread, raised = _in_thread(lambda: client.payouts.create(**args))
    assert recorded.arrived.wait(10)
    with caplog.at_level(logging.WARNING, logger="paycombat"):
        client.close()
        thread.join(10)
    assert len(raised) == 1
    error = raised[0]
    assert isinstance(error, OutcomeUnknownError), error
    assert "client was closed" in str(error)
    assert error.may_have_taken_effect
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Create Payout" in m and "order_id=order-closed-7" in m for m in logged), logged
    assert not any(sandbox.token in m or sandbox.signature_key in m for m in logged)
    assert len(sandbox.requests_for("Create Payout")) == 1  # never resent
