"""Fixtures for the blocking facade: the sandbox on a background thread and a blocking client.

They shadow the async ``sandbox``/``client`` fixtures of ``tests/conftest.py``: tests here are
plain ``def`` functions with no event loop of their own, as a blocking user's would be.
"""

from __future__ import annotations

import threading

import pytest

from paycombat_sync import PayCombat
from paycombat_sync.sandbox import LocalSandbox, RecordedRequest

IO_THREAD = "paycombat-io"


def io_threads() -> set[threading.Thread]:
    """The live loop threads of blocking clients."""
    return {t for t in threading.enumerate() if t.name == IO_THREAD}


class Recorded(list[RecordedRequest]):
    """The sandbox's request log, with an event set once a request titled ``title`` arrives.

    The sandbox appends to it on its own thread as soon as it has read a request, before any
    fault (latency) applies: a test can wait for "the request has reached PayCombat".
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.arrived = threading.Event()

    def append(self, request: RecordedRequest) -> None:
        super().append(request)
        if request.title == self.title:
            self.arrived.set()


def watch(sandbox: LocalSandbox, title: str) -> Recorded:
    """Start recording the sandbox's requests into a ``Recorded`` that signals ``title``."""
    recorded = Recorded(title)
    sandbox.async_sandbox.requests = recorded
    return recorded


@pytest.fixture
def sandbox(paycombat_sync_sandbox: LocalSandbox) -> LocalSandbox:
    """The plugin's blocking sandbox (``paycombat_async.testing``), by the suite's name."""
    return paycombat_sync_sandbox


@pytest.fixture
def client(paycombat_sync_client: PayCombat) -> PayCombat:
    """The plugin's blocking client, bound to ``sandbox``, resending without waiting."""
    return paycombat_sync_client
