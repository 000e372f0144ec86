"""The local PayCombat sandbox from blocking code: ``with LocalSandbox() as sandbox: ...``.

```python
from paycombat_sync import PayCombat
from paycombat_sync.sandbox import LocalSandbox

with LocalSandbox() as sandbox, PayCombat(
    token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
) as client:
    payout = client.payouts.create(...)
    assert len(sandbox.requests_for("Create Payout")) == 1
```

It is ``paycombat_async.sandbox.LocalSandbox`` running on a background thread (its own event
loop, driven through an anyio portal), so tests of blocking code need no async code at all.
"""

from __future__ import annotations

import functools
import os
import warnings
import weakref
from typing import Any

from paycombat_async._core.lifecycle import Closing
from paycombat_async.sandbox import Fault as Fault
from paycombat_async.sandbox import Faults as Faults
from paycombat_async.sandbox import LocalSandbox as AsyncLocalSandbox
from paycombat_async.sandbox import RecordedRequest as RecordedRequest
from paycombat_async.sandbox import SandboxState as SandboxState
from paycombat_async.sandbox import WebhookDelivery as WebhookDelivery
from paycombat_async.sandbox import WebhookSender as WebhookSender

from ._loop import PortalThread
from ._portal import keep_forever

__all__ = [
    "Fault",
    "Faults",
    "LocalSandbox",
    "RecordedRequest",
    "SandboxState",
    "WebhookDelivery",
    "WebhookSender",
]

THREAD_NAME = "paycombat-sandbox"


class _Server:
    """What must be stopped: the async sandbox and the thread it runs on (never the wrapper)."""

    def __init__(self, sandbox: AsyncLocalSandbox) -> None:
        self.sandbox = sandbox
        self.io: PortalThread | None = None
        self.pid = os.getpid()

    def start(self) -> None:
        if self.io is not None:
            raise RuntimeError("the sandbox is already running")
        io = PortalThread(THREAD_NAME)
        try:
            io.portal.call(self.sandbox.start)
        except BaseException:
            io.stop()
            raise
        self.io = io
        self.pid = os.getpid()
        _RUNNING.add(self)

    def forget_inherited(self) -> None:
        """In a forked child: the server's loop thread is the parent's; never touch it here."""
        if self.io is not None and self.pid != os.getpid():
            keep_forever((self.sandbox, self.io))  # see paycombat_sync._portal: fork
            self.io = None

    def stop(self) -> None:
        self.forget_inherited()
        _RUNNING.discard(self)
        io, self.io = self.io, None
        if io is None:
            return
        try:
            io.portal.call(self.sandbox.aclose)
        finally:
            io.stop()

    def collected(self) -> None:
        if self.io is not None:
            warnings.warn(
                "unclosed LocalSandbox: use `with LocalSandbox() as sandbox:` or call close()",
                ResourceWarning,
                stacklevel=2,
            )
            self.stop()


_RUNNING: weakref.WeakSet[_Server] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for server in list(_RUNNING):
        server.forget_inherited()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class LocalSandbox(Closing):
    """The local PayCombat emulator on loopback, served from a background thread.

    Takes the same arguments as ``paycombat_async.sandbox.LocalSandbox`` and exposes the same
    attributes (``base_url``, ``token``, ``signature_key``, ``state``, ``faults``, ``requests``)
    and helpers (``inject``, ``requests_for``). ``inject`` and ``requests_for`` run on the
    sandbox's own thread; read ``state`` between calls, not while one is in flight. A forked
    child process leaves the parent's sandbox alone (closing it there does nothing).

    Args:
        host: the interface to listen on.
        port: the port; ``0`` picks a free one.
        token: the ``X-token`` to accept (random by default).
        signature_key: the signing key to verify bodies with (random by default).
        webhook_url: where to send signed notifications on every state change.
        seed: seeds the generator of faults injected with a ``rate`` (reproducible tests).
        refuse_duplicate_order_id: answer 409 to a Create Payout whose ``order_id`` another
            payout carries or another request in progress carries.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        signature_key: str | None = None,
        webhook_url: str | None = None,
        seed: int | None = None,
        refuse_duplicate_order_id: bool = False,
    ) -> None:
        self._server = _Server(
            AsyncLocalSandbox(
                host=host,
                port=port,
                token=token,
                signature_key=signature_key,
                webhook_url=webhook_url,
                seed=seed,
                refuse_duplicate_order_id=refuse_duplicate_order_id,
            )
        )
        self._finalizer = weakref.finalize(self, self._server.collected)
        self._finalizer.atexit = False  # a daemon thread left at exit just ends with the process

    @property
    def async_sandbox(self) -> AsyncLocalSandbox:
        """The ``paycombat_async`` sandbox this one runs (it lives on the background thread)."""
        return self._server.sandbox

    def __repr__(self) -> str:
        where = self.base_url if self._server.io is not None else "not started"
        return f"<LocalSandbox (blocking) {where}>"

    @property
    def host(self) -> str:
        return self._server.sandbox.host

    @property
    def port(self) -> int:
        """The port (the real one once started, when ``port=0`` was asked for)."""
        return self._server.sandbox.port

    @property
    def token(self) -> str:
        """The ``X-token`` to give the client."""
        return self._server.sandbox.token

    @property
    def signature_key(self) -> str:
        """The signature key to give the client."""
        return self._server.sandbox.signature_key

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, once started."""
        if self._server.io is None:
            raise RuntimeError("the sandbox is not running; use `with LocalSandbox()`")
        return self._server.sandbox.base_url

    @property
    def state(self) -> SandboxState:
        """The in-memory PayCombat state (objects, balances)."""
        return self._server.sandbox.state

    @property
    def faults(self) -> Faults:
        """The per-operation fault queue (prefer ``inject``)."""
        return self._server.sandbox.faults

    @property
    def webhooks(self) -> WebhookSender:
        """The webhook sender: its switches (``duplicate``, ``delay``, ``out_of_order``,
        ``unsigned``, ``max_attempts``, ``backoff``, ``url``) and ``deliveries``."""
        return self._server.sandbox.webhooks

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order."""
        return self._server.sandbox.requests

    def _on_loop(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        io = self._server.io
        if io is None or io.on_loop_thread():
            return func(*args, **kwargs)
        return io.portal.call(functools.partial(func, *args, **kwargs))

    def inject(self, operation: str, **kwargs: Any) -> Fault:
        """Shortcut for ``faults.inject``: e.g. ``inject("Create Payout", status=503)``."""
        fault: Fault = self._on_loop(self._server.sandbox.inject, operation, **kwargs)
        return fault

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """The requests received for one operation."""
        recorded: list[RecordedRequest] = self._on_loop(
            self._server.sandbox.requests_for, operation
        )
        return recorded

    def drain_webhooks(self) -> None:
        """Block until every queued notification was delivered or given up (the blocking
        ``await sandbox.webhooks.drain()``)."""
        io = self._server.io
        if io is not None:
            io.portal.call(self._server.sandbox.webhooks.drain)

    def expire_checkout(self, checkout_id: str) -> None:
        """Make a ``PENDING`` checkout expire now (its pending payin too, notified)."""
        self._on_loop(self._server.sandbox.expire_checkout, checkout_id)

    # -- lifecycle ---------------------------------------------------------------------------

    def _open(self) -> None:
        self.start()

    def start(self) -> None:
        """Start serving on a background thread (``with LocalSandbox()`` does it for you)."""
        self._server.start()

    def close(self) -> None:
        """Stop serving and join the background thread. Idempotent."""
        self._server.stop()
