"""The pytest plugin for code that uses PayCombat: a fresh sandbox, a client, faults, webhooks.

Installing paycombat installs the plugin (entry point ``pytest11`` named ``paycombat``;
``pip install "paycombat[testing]"`` adds pytest itself; ``pytest -p no:paycombat`` turns it off).
An integration test is then three lines, with no conftest:

```python
async def test_a_payout_is_sent_once(paycombat_client, paycombat_sandbox):
    await paycombat_client.payouts.create(**payout)
    assert len(paycombat_sandbox.requests_for("Create Payout")) == 1
```

Fixtures (each test gets its own sandbox, with its own random credentials):

- ``paycombat_sandbox``: a started ``paycombat_async.sandbox.LocalSandbox`` on 127.0.0.1.
- ``paycombat_client``: a ``paycombat_async.PayCombat`` bound to it.
- ``paycombat_webhooks``: a ``WebhookInbox``: the sandbox's notifications, received, verified and
  parsed by the SDK's own receiver; ``await paycombat_webhooks.next()`` waits for the next one.
- ``paycombat_sync_sandbox``, ``paycombat_sync_client``, ``paycombat_sync_webhooks``: the same
  for blocking code (``paycombat_sync``; the sandbox serves from a background thread).

The clients resend without waiting (``NO_WAIT``), so a test never sleeps through a backoff, and
time out after 10 s. The markers change a test's sandbox and client:

```python
@pytest.mark.paycombat_fault("Create Payout", reset="after")  # committed, the answer lost
@pytest.mark.paycombat_client(timeout=2)
async def test_a_lost_answer_is_an_unknown_outcome(paycombat_client):
    with pytest.raises(OutcomeUnknownError):
        await paycombat_client.payouts.create(**payout)
```

- ``paycombat_fault(operation, **fault)``: ``sandbox.inject(operation, **fault)`` before the
  test (the fields of ``paycombat_async.sandbox.Fault``: ``status``, ``retry_after``,
  ``reset``, ``latency``, ``malformed``, ``commit``, ``rate``, ``times``); repeat it for several
  faults, applied top to bottom. Mid-test, call ``paycombat_sandbox.inject(...)`` yourself.
- ``paycombat_sandbox(**options)``: the ``LocalSandbox`` arguments (``seed=``,
  ``refuse_duplicate_order_id=``...).
- ``paycombat_client(**options)``: the ``PayCombat`` arguments, over the defaults.

Code under test that builds its own client from the environment gets the sandbox's
``PAYCOMBAT_*`` variables from ``sandbox_env(sandbox)``.

Async tests using these fixtures run under anyio's pytest plugin (installed with the SDK) with no
marker of their own; they need asyncio (aiohttp), so a test run for the ``trio`` backend (anyio's
``anyio_backend`` lists every backend installed) is skipped. To run them on uvloop, override
``anyio_backend`` in your conftest: ``return "asyncio", {"use_uvloop": True}``.

Importing this module imports neither aiohttp nor the sandbox: pytest loads it in every run of
every project where paycombat is installed, and only a test that uses a fixture pays for them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pytest

from ._core.retry import RetryPolicy

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from aiohttp import web

    import paycombat_sync
    import paycombat_sync.sandbox

    from ._client import PayCombat
    from .sandbox import LocalSandbox, WebhookDelivery
    from .webhooks import WebhookEvent

__all__ = [
    "DEFAULT_CLIENT_OPTIONS",
    "NO_WAIT",
    "SyncWebhookInbox",
    "WebhookInbox",
    "paycombat_client",
    "paycombat_sandbox",
    "paycombat_sync_client",
    "paycombat_sync_sandbox",
    "paycombat_sync_webhooks",
    "paycombat_webhooks",
    "sandbox_env",
]

NO_WAIT = RetryPolicy(max_retries=2, initial_backoff=0, max_backoff=0, max_retry_after=0)
"""Resends as the SDK's default policy allows, but without waiting between attempts (nor for a
``Retry-After``): what the fixtures' clients use, for clients a test builds itself."""

DEFAULT_CLIENT_OPTIONS: Mapping[str, Any] = MappingProxyType({"timeout": 10, "retry": NO_WAIT})
"""The fixtures' client options besides the sandbox's URL and credentials; the
``paycombat_client`` marker overrides them."""

WEBHOOK_PATH = "/paycombat/webhooks"


def sandbox_env(sandbox: LocalSandbox | paycombat_sync.sandbox.LocalSandbox) -> dict[str, str]:
    """``PAYCOMBAT_TOKEN``, ``PAYCOMBAT_SIGNATURE_KEY`` and ``PAYCOMBAT_BASE_URL`` of a running
    sandbox: for code under test that builds its client from the environment.

    ```python
    def test_the_nightly_job(paycombat_sync_sandbox, monkeypatch):
        for name, value in sandbox_env(paycombat_sync_sandbox).items():
            monkeypatch.setenv(name, value)
        ...  # or subprocess.run(..., env={**os.environ, **sandbox_env(paycombat_sync_sandbox)})
    ```
    """
    return {
        "PAYCOMBAT_TOKEN": sandbox.token,
        "PAYCOMBAT_SIGNATURE_KEY": sandbox.signature_key,
        "PAYCOMBAT_BASE_URL": sandbox.base_url,
    }


_MARKERS = (
    "paycombat_sandbox(**options): LocalSandbox arguments for the test's sandbox fixture "
    "(seed=, refuse_duplicate_order_id=...)",
    "paycombat_client(**options): PayCombat arguments for the test's client fixture "
    "(timeout=, retry=...)",
    "paycombat_fault(operation, **fault): inject a fault into the test's sandbox fixture before "
    "the test runs: sandbox.inject(operation, **fault); repeat it for several",
)


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)


# -- markers ---------------------------------------------------------------------------------


def _options(request: pytest.FixtureRequest, marker: str) -> dict[str, Any]:
    """The keyword arguments of every ``marker`` on the test, the closest winning."""
    options: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers(marker))):
        if mark.args:
            raise pytest.UsageError(f"@pytest.mark.{marker} takes keyword arguments only")
        options.update(mark.kwargs)
    return options


def _inject_faults(request: pytest.FixtureRequest, inject: Callable[..., object]) -> None:
    # iter_markers yields the test's own marks first, bottom decorator first, then its class's
    # and module's: reversed, they apply from the module's down, and top to bottom.
    for mark in reversed(list(request.node.iter_markers("paycombat_fault"))):
        if len(mark.args) != 1:
            raise pytest.UsageError(
                '@pytest.mark.paycombat_fault takes one operation: ("Create Payout", status=503)'
            )
        inject(mark.args[0], **mark.kwargs)


def _client_options(request: pytest.FixtureRequest, sandbox: Any) -> dict[str, Any]:
    return {
        "token": sandbox.token,
        "signature_key": sandbox.signature_key,
        "base_url": sandbox.base_url,
        **DEFAULT_CLIENT_OPTIONS,
        **_options(request, "paycombat_client"),
    }


# -- async fixtures --------------------------------------------------------------------------


@pytest.fixture
def _paycombat_on_asyncio(anyio_backend: object) -> None:
    """Skip a test run for another anyio backend than asyncio.

    A plain fixture, set up before the async ones: anyio would start the other backend's loop
    (and fail to import trio, when it is not installed) before an async fixture's body runs.
    """
    name = anyio_backend[0] if isinstance(anyio_backend, tuple) else anyio_backend
    if name != "asyncio":
        pytest.skip(f"PayCombat runs on asyncio (aiohttp), not on {name}")


@pytest.fixture
async def paycombat_sandbox(
    request: pytest.FixtureRequest, anyio_backend: object, _paycombat_on_asyncio: None
) -> AsyncIterator[LocalSandbox]:
    """A fresh ``paycombat_async.sandbox.LocalSandbox``, started on 127.0.0.1 (a free port).

    Options from ``@pytest.mark.paycombat_sandbox(...)``; faults from
    ``@pytest.mark.paycombat_fault(...)``. Closed after the test (pending webhooks cancelled).
    """
    from .sandbox import LocalSandbox

    async with LocalSandbox(**_options(request, "paycombat_sandbox")) as sandbox:
        _inject_faults(request, sandbox.inject)
        yield sandbox


@pytest.fixture
async def paycombat_client(
    request: pytest.FixtureRequest, paycombat_sandbox: LocalSandbox
) -> AsyncIterator[PayCombat]:
    """A ``paycombat_async.PayCombat`` bound to ``paycombat_sandbox``: resends without waiting,
    10 s deadline; options from ``@pytest.mark.paycombat_client(...)``. Closed after the test."""
    from ._client import PayCombat

    async with PayCombat(**_client_options(request, paycombat_sandbox)) as client:
        yield client


class WebhookInbox:
    """The sandbox's notifications as your receiver would get them: delivered over HTTP to a
    ``paycombat_async.webhooks.Receiver`` on loopback, signature checked, parsed, deduplicated.

    ```python
    async def test_the_order_is_paid(paycombat_client, paycombat_webhooks):
        ...
        await paycombat_client.payouts.simulate(payout.id, status="SUCCESS")
        [event] = await paycombat_webhooks.next()
        assert isinstance(event, PayoutSucceeded)
    ```

    ``async with WebhookInbox(sandbox) as inbox:`` (what the fixture does) serves the receiver
    and makes it the sandbox's webhook URL (``sandbox.webhooks.url``), the one before coming back
    on exit. A ``client.payouts.wait_for(...)`` in the test is woken by its notifications too.
    """

    def __init__(self, sandbox: LocalSandbox) -> None:
        self._sandbox = sandbox
        self.events: list[WebhookEvent] = []
        """Every notification received, in order of arrival (duplicates processed once)."""
        self._taken = 0
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._before: str | None = None
        self.url = ""
        """The receiver's URL, ``http://127.0.0.1:<port>/paycombat/webhooks``."""

    def __repr__(self) -> str:
        return f"<WebhookInbox {self.url or 'not started'} received={len(self.events)}>"

    async def _collect(self, event: WebhookEvent) -> None:
        async with self._arrived:
            self.events.append(event)
            self._arrived.notify_all()

    async def next(self, count: int = 1, *, timeout: float = 10.0) -> list[WebhookEvent]:
        """Wait for the next ``count`` notifications (after those ``next`` already returned).

        Raises ``AssertionError`` (with what the sandbox tried to deliver) if they have not all
        arrived within ``timeout`` seconds.
        """
        wanted = self._taken + count
        try:
            async with asyncio.timeout(timeout), self._arrived:
                await self._arrived.wait_for(lambda: len(self.events) >= wanted)
        except TimeoutError:
            raise AssertionError(
                _late(count, timeout, len(self.events) - self._taken, self._sandbox.webhooks)
            ) from None
        taken, self._taken = self.events[self._taken : wanted], wanted
        return taken

    async def __aenter__(self) -> WebhookInbox:
        from aiohttp import web

        from .webhooks import Receiver, WebhookEvent

        receiver = Receiver(
            signature_key=self._sandbox.signature_key, on={WebhookEvent: self._collect}
        )
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, receiver.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}{WEBHOOK_PATH}"
        self._before, self._sandbox.webhooks.url = self._sandbox.webhooks.url, self.url
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._sandbox.webhooks.url = self._before
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


def _late(count: int, timeout: float, arrived: int, sender: Any) -> str:
    deliveries: list[WebhookDelivery] = list(sender.deliveries)
    tried = "; ".join(f"{len(d.body)} bytes: attempts {d.attempts}" for d in deliveries[-5:])
    return (
        f"expected {count} more webhook(s) within {timeout:g} s, {arrived} arrived; the sandbox "
        f"made {len(deliveries)} deliveries in all ({tried or 'none'})"
    )


@pytest.fixture
async def paycombat_webhooks(paycombat_sandbox: LocalSandbox) -> AsyncIterator[WebhookInbox]:
    """A ``WebhookInbox`` receiving ``paycombat_sandbox``'s notifications."""
    async with WebhookInbox(paycombat_sandbox) as inbox:
        yield inbox


# -- blocking fixtures -----------------------------------------------------------------------


@pytest.fixture
def paycombat_sync_sandbox(
    request: pytest.FixtureRequest,
) -> Iterator[paycombat_sync.sandbox.LocalSandbox]:
    """A fresh blocking ``paycombat_sync.sandbox.LocalSandbox`` serving from a background
    thread; the same markers as ``paycombat_sandbox``. Closed (its thread joined) after the test.
    """
    from paycombat_sync.sandbox import LocalSandbox

    with LocalSandbox(**_options(request, "paycombat_sandbox")) as sandbox:
        _inject_faults(request, sandbox.inject)
        yield sandbox


@pytest.fixture
def paycombat_sync_client(
    request: pytest.FixtureRequest, paycombat_sync_sandbox: paycombat_sync.sandbox.LocalSandbox
) -> Iterator[paycombat_sync.PayCombat]:
    """A blocking ``paycombat_sync.PayCombat`` bound to ``paycombat_sync_sandbox``; the same
    defaults and marker as ``paycombat_client``. Closed after the test."""
    from paycombat_sync import PayCombat

    with PayCombat(**_client_options(request, paycombat_sync_sandbox)) as client:
        yield client


class SyncWebhookInbox:
    """``WebhookInbox`` for blocking tests: a ``paycombat_sync.webhooks.Receiver`` served from a
    background thread; ``paycombat_sync_webhooks.next()`` blocks until the next notification.
    ``with SyncWebhookInbox(sandbox) as inbox:`` serves it as the sandbox's webhook URL."""

    def __init__(self, sandbox: paycombat_sync.sandbox.LocalSandbox) -> None:
        self._sandbox = sandbox
        self.events: list[WebhookEvent] = []
        """Every notification received, in order of arrival (duplicates processed once)."""
        self._taken = 0
        self._arrived = threading.Condition()
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._before: str | None = None
        self.url = ""
        """The receiver's URL, ``http://127.0.0.1:<port>/paycombat/webhooks``."""

    def __repr__(self) -> str:
        return f"<SyncWebhookInbox {self.url or 'not started'} received={len(self.events)}>"

    def _collect(self, event: WebhookEvent) -> None:
        with self._arrived:
            self.events.append(event)
            self._arrived.notify_all()

    def next(self, count: int = 1, *, timeout: float = 10.0) -> list[WebhookEvent]:
        """Block until the next ``count`` notifications arrived (see ``WebhookInbox.next``)."""
        wanted = self._taken + count
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.events) >= wanted, timeout):
                arrived = len(self.events) - self._taken
                raise AssertionError(_late(count, timeout, arrived, self._sandbox.webhooks))
            taken, self._taken = self.events[self._taken : wanted], wanted
        return taken

    def __enter__(self) -> SyncWebhookInbox:
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        from paycombat_sync.webhooks import Receiver, WebhookEvent

        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # the sandbox records every delivery: no access log on stderr

        receiver = Receiver(
            signature_key=self._sandbox.signature_key, on={WebhookEvent: self._collect}
        )
        self._server = server = make_server("127.0.0.1", 0, receiver.wsgi, handler_class=Quiet)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="paycombat-inbox"
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{server.server_port}{WEBHOOK_PATH}"
        self._before, self._sandbox.webhooks.url = self._sandbox.webhooks.url, self.url
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._sandbox.webhooks.url = self._before
        server, self._server = self._server, None
        if server is not None and self._thread is not None:
            server.shutdown()
            self._thread.join()
            server.server_close()


@pytest.fixture
def paycombat_sync_webhooks(
    paycombat_sync_sandbox: paycombat_sync.sandbox.LocalSandbox,
) -> Iterator[SyncWebhookInbox]:
    """A ``SyncWebhookInbox`` receiving ``paycombat_sync_sandbox``'s notifications."""
    with SyncWebhookInbox(paycombat_sync_sandbox) as inbox:
        yield inbox
