"""Ctrl-C during a blocking call: the request is cancelled, ``KeyboardInterrupt`` is raised, and
an interrupted create reports that its outcome is unknown (never resent).

The interrupt is a real SIGINT delivered to the main thread, sent by a helper thread as soon as
the sandbox has recorded the request (a latency fault then holds the answer back).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from paycombat_sync import OutcomeUnknownError, PayCombat
from paycombat_sync.sandbox import LocalSandbox
from tests.blocking.conftest import Recorded, watch
from tests.helpers import payout_args

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill"
)


@pytest.fixture
def ctrl_c() -> Iterator[Callable[[Recorded], threading.Thread]]:
    """``ctrl_c(recorded)``: press Ctrl-C once ``recorded`` says the request has arrived."""
    assert threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    main = threading.main_thread().ident
    assert main is not None
    started: list[threading.Thread] = []

    def press_when_arrived(recorded: Recorded) -> threading.Thread:
        def press() -> None:
            if recorded.arrived.wait(30):
                signal.pthread_kill(main, signal.SIGINT)

        thread = threading.Thread(target=press, name="ctrl-c")
        thread.start()
        started.append(thread)
        return thread

    yield press_when_arrived
    for thread in started:
        thread.join()
    signal.signal(signal.SIGINT, previous)


def _interrupt(call: Callable[[], Any]) -> KeyboardInterrupt:
    with pytest.raises(KeyboardInterrupt) as info:
        call()
    return info.value


def test_ctrl_c_during_a_create_reports_an_unknown_outcome(
    client: PayCombat,
    sandbox: LocalSandbox,
    ctrl_c: Callable[[Recorded], threading.Thread],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client.payouts.list().to_list()  # the loop thread and the connection are up
    recorded = watch(sandbox, "Create Payout")
    sandbox.inject("Create Payout", latency=600)
    ctrl_c(recorded)
    with caplog.at_level(logging.WARNING, logger="paycombat"):
        interrupt = _interrupt(lambda: client.payouts.create(**payout_args(order_id="ctrl-c")))

    cause = interrupt.__cause__
    assert isinstance(cause, OutcomeUnknownError)
    assert cause.may_have_taken_effect
    assert "Create Payout was interrupted" in cause.message
    assert cause.method == "POST"
    # The in-flight task was cancelled (the pipeline saw it, after sending) and nothing resent.
    assert "was cancelled after it may have reached PayCombat (order_id=ctrl-c)" in caplog.text
    assert len(sandbox.requests_for("Create Payout")) == 1
    # The client stays usable (the sandbox is still holding the first answer back).
    again = client.payouts.create(**payout_args(order_id="after-ctrl-c"))
    assert client.payouts.retrieve(again.id).order_id == "after-ctrl-c"
    assert len(sandbox.requests_for("Create Payout")) == 2


def test_ctrl_c_during_a_read_is_a_plain_keyboard_interrupt(
    client: PayCombat,
    sandbox: LocalSandbox,
    ctrl_c: Callable[[Recorded], threading.Thread],
) -> None:
    payout = client.payouts.create(**payout_args())
    recorded = watch(sandbox, "Retrieve Payout")
    sandbox.inject("Retrieve Payout", latency=600)
    ctrl_c(recorded)
    interrupt = _interrupt(lambda: client.payouts.retrieve(payout.id))
    assert interrupt.__cause__ is None
    assert len(sandbox.requests_for("Retrieve Payout")) == 1  # cancelled, not retried
    assert client.payouts.retrieve(payout.id).id == payout.id


def test_ctrl_c_while_paging_stops_the_iteration(
    client: PayCombat,
    sandbox: LocalSandbox,
    ctrl_c: Callable[[Recorded], threading.Thread],
) -> None:
    for i in range(3):
        client.payouts.create(**payout_args(order_id=f"p-{i}"))
    pages = client.payouts.list(limit=1).pages()
    first = next(pages)
    assert len(first.items) == 1
    recorded = watch(sandbox, "Get All Payout")
    sandbox.inject("Get All Payout", latency=600)
    ctrl_c(recorded)
    interrupt = _interrupt(lambda: next(pages))
    assert interrupt.__cause__ is None
    assert list(pages) == []  # the interrupted generator is finished
    assert len(client.payouts.list(limit=1).to_list()) == 3


def test_ctrl_c_during_a_raw_post_request_reports_an_unknown_outcome(
    client: PayCombat,
    sandbox: LocalSandbox,
    ctrl_c: Callable[[Recorded], threading.Thread],
) -> None:
    recorded = watch(sandbox, "Create Payout")
    sandbox.inject("Create Payout", latency=600)
    ctrl_c(recorded)
    body = payout_args()
    body["sender_amount"] = 25
    body["beneficiary_amount"] = 25
    interrupt = _interrupt(
        lambda: client.request("POST", "/api/v1/payout/create-payout", json=body)
    )
    assert isinstance(interrupt.__cause__, OutcomeUnknownError)
    assert interrupt.__cause__.method == "POST"
    assert interrupt.__cause__.path == "/api/v1/payout/create-payout"
