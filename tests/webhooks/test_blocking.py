"""``paycombat_sync.webhooks``: the same names, a blocking Receiver and a WSGI handler, and the
blocking ``wait_for`` twins, against the blocking sandbox and a real WSGI server on loopback."""

from __future__ import annotations

import inspect
import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

import paycombat_async.webhooks
import paycombat_sync.webhooks
from paycombat_async._codec.signing import js_dumps, sign
from paycombat_sync import APITimeoutError, PayCombat, PayoutStatus
from paycombat_sync.sandbox import LocalSandbox
from paycombat_sync.webhooks import (
    PayoutEvent,
    PayoutReturned,
    PayoutSucceeded,
    Receiver,
    WebhookEvent,
)
from tests.blocking.conftest import watch
from tests.helpers import client_for, payout_args
from tests.webhooks.helpers import KEY, PAYOUT_SUCCESS, payload


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Recorder:
    """A blocking callback that records events and signals each one."""

    def __init__(self, fail_first: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.calls = 0
        self.fail_first = fail_first
        self.arrived = threading.Event()

    def __call__(self, event: WebhookEvent) -> None:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise RuntimeError("the merchant's database is down")
        self.events.append(event)
        self.arrived.set()


def serve_wsgi(app: Any) -> tuple[WSGIServer, threading.Thread, str]:
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="wsgi", daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}/hooks"


@pytest.fixture
def sandbox(paycombat_sync_sandbox: LocalSandbox) -> LocalSandbox:
    return paycombat_sync_sandbox


@pytest.fixture
def client(paycombat_sync_client: PayCombat) -> PayCombat:
    return paycombat_sync_client


@pytest.fixture
def wsgi_receiver(sandbox: LocalSandbox) -> Iterator[tuple[Recorder, Receiver]]:
    recorder = Recorder(fail_first=1)
    receiver = Receiver(signature_key=sandbox.signature_key, on={PayoutEvent: recorder})
    server, thread, url = serve_wsgi(receiver.wsgi)
    sandbox.webhooks.url, sandbox.webhooks.backoff = url, 0
    try:
        yield recorder, receiver
    finally:
        sandbox.webhooks.url = None
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_blocking_module_exports_the_same_names() -> None:
    assert paycombat_sync.webhooks.__all__ == paycombat_async.webhooks.__all__
    for name in paycombat_async.webhooks.__all__:
        if name not in ("Receiver", "handler"):
            assert getattr(paycombat_sync.webhooks, name) is getattr(paycombat_async.webhooks, name)


def test_the_blocking_receiver_takes_the_same_arguments() -> None:
    for name in ("Receiver", "handler"):
        aio = inspect.signature(getattr(paycombat_async.webhooks, name)).parameters
        blocking = inspect.signature(getattr(paycombat_sync.webhooks, name)).parameters
        assert list(blocking) == list(aio)
        assert [p.default for p in blocking.values()] == [p.default for p in aio.values()]
    assert inspect.signature(paycombat_sync.webhooks.Receiver.receive).parameters.keys() == (
        inspect.signature(paycombat_async.webhooks.Receiver.receive).parameters.keys()
    )


def test_the_full_loop_through_a_wsgi_server_redelivers_after_a_failure(
    sandbox: LocalSandbox, client: PayCombat, wsgi_receiver: tuple[Recorder, Receiver]
) -> None:
    recorder, _ = wsgi_receiver
    payout = client.payouts.create(**payout_args(order_id="inv-3"))
    client.payouts.simulate(payout.id, status="SUCCESS")
    assert recorder.arrived.wait(10)
    (event,) = recorder.events
    assert isinstance(event, PayoutSucceeded)
    assert event.order_id == "inv-3"
    assert recorder.calls == 2  # the first call raised: 500, then the sandbox redelivered
    sandbox.drain_webhooks()
    assert [d.attempts for d in sandbox.webhooks.deliveries] == [[500, 200]]


def test_a_blocking_wait_is_resolved_by_a_blocking_receiver(
    sandbox: LocalSandbox, client: PayCombat, wsgi_receiver: tuple[Recorder, Receiver]
) -> None:
    recorder, _ = wsgi_receiver
    recorder.fail_first = 0
    payout = client.payouts.create(**payout_args())
    client.payouts.simulate(payout.id, status="SUCCESS")
    assert recorder.arrived.wait(10)
    retrieved = watch(sandbox, "Retrieve Payout")

    def settle() -> None:
        retrieved.arrived.wait(10)
        with client_for(sandbox) as other:
            other.payouts.simulate(payout.id, status="RETURNED")

    helper = threading.Thread(target=settle)
    helper.start()
    started = time.monotonic()
    settled = client.payouts.wait_for(payout.id, ["RETURNED"], timeout=60, poll_interval=30)
    helper.join()
    assert settled.status is PayoutStatus.RETURNED
    assert time.monotonic() - started < 10
    assert len([r for r in retrieved if r.title == "Retrieve Payout"]) == 1
    assert isinstance(recorder.events[-1], PayoutReturned)


def test_a_blocking_wait_polls_and_times_out(sandbox: LocalSandbox, client: PayCombat) -> None:
    payout = client.payouts.create(**payout_args())
    with pytest.raises(APITimeoutError):
        client.payouts.wait_for(payout.id, timeout=0.2, poll_interval=0.05)
    client.payouts.simulate(payout.id, status="FAILED")
    assert client.payouts.wait_for(payout.id, timeout=5).status is PayoutStatus.FAILED


def test_receive_answers_status_and_body_for_any_framework() -> None:
    recorder = Recorder()
    receiver = Receiver(signature_key=KEY, on={WebhookEvent: recorder})
    raw = js_dumps(PAYOUT_SUCCESS)
    headers = {"X-Signature": sign(raw, KEY)}
    status, body = receiver.receive(raw, headers)
    assert (status, json.loads(body)) == (200, {"received": True, "outcome": "processed"})
    assert receiver.receive(raw, headers).status == 200
    assert receiver.receive(raw, {"X-Signature": sign(raw, "forged")}).status == 401
    assert receiver.receive(b"{", headers).status == 401
    older = js_dumps(payload(PAYOUT_SUCCESS, status="FAILED", updated_at="2020-01-01T00:00:00Z"))
    assert json.loads(receiver.receive(older, {"X-Signature": sign(older, KEY)}).body) == {
        "received": True,
        "outcome": "stale",
    }
    assert len(recorder.events) == 1


def test_a_blocking_callback_that_raises_answers_500_and_releases_the_claim() -> None:
    recorder = Recorder(fail_first=1)
    receiver = Receiver(signature_key=KEY, on={WebhookEvent: recorder})
    raw = js_dumps(PAYOUT_SUCCESS)
    headers = {"X-Signature": sign(raw, KEY)}
    assert receiver.receive(raw, headers).status == 500
    assert receiver.receive(raw, headers).status == 200
    assert len(recorder.events) == 1


def test_the_blocking_sandbox_takes_the_webhook_url(sandbox: LocalSandbox) -> None:
    with LocalSandbox(webhook_url="http://127.0.0.1:9/hooks") as other:
        assert other.webhooks.url == "http://127.0.0.1:9/hooks"
    assert sandbox.webhooks.url is None


def test_an_async_callback_on_the_blocking_receiver_is_an_error_not_a_silent_success() -> None:
    async def wrong(event: WebhookEvent) -> None: ...

    receiver = Receiver(signature_key=KEY, on={WebhookEvent: wrong})
    raw = js_dumps(PAYOUT_SUCCESS)
    headers = {"X-Signature": sign(raw, KEY)}
    assert receiver.receive(raw, headers).status == 500
    assert receiver.receive(raw, headers).status == 500  # never recorded as processed


class _Interrupted(BaseException):
    """Like ``KeyboardInterrupt``: not an ``Exception``, so not a callback failure to answer."""


def test_a_callback_interrupted_by_a_base_exception_releases_the_claim_and_re_raises() -> None:
    calls: list[WebhookEvent] = []

    def settle(event: WebhookEvent) -> None:
        calls.append(event)
        if len(calls) == 1:
            raise _Interrupted

    receiver = Receiver(signature_key=KEY, on={WebhookEvent: settle})
    raw = js_dumps(PAYOUT_SUCCESS)
    headers = {"X-Signature": sign(raw, KEY)}
    with pytest.raises(_Interrupted):
        receiver.receive(raw, headers)
    redelivered = receiver.receive(raw, headers)
    assert json.loads(redelivered.body) == {"received": True, "outcome": "processed"}
    assert len(calls) == 2


def test_a_failing_blocking_callback_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = RuntimeError("the merchant's database is down")

    def settle(event: WebhookEvent) -> None:
        raise error

    receiver = Receiver(signature_key=KEY, on={WebhookEvent: settle})
    raw = js_dumps(PAYOUT_SUCCESS)
    with caplog.at_level("ERROR", logger="paycombat.webhooks"):
        assert receiver.receive(raw, {"X-Signature": sign(raw, KEY)}).status == 500
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.exc_info is not None
    assert record.exc_info[1] is error
