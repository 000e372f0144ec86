"""The sandbox's webhook sender: signed notifications on every state change, with switches.

What it sends follows PayCombat's docs (Webhook PAYIN SUCCESS / PAYOUT SUCCESS): a ``POST`` of the
full payin or payout row as JSON, no envelope, ``X-Signature`` = HMAC-SHA256 hex of the exact
bytes sent under the merchant's signature key (the bytes are what ``JSON.stringify`` prints, so
a receiver that re-serializes gets the same signature). Payins notify ``SUCCESS``, ``FAILED`` and
``EXPIRED``; payouts ``SUCCESS``, ``FAILED`` and ``RETURNED``; KRW virtual accounts (the VA
Register Callback) ``APPROVED`` and ``FAILED``.

PayCombat's retry policy is not documented. The sandbox retries a delivery that is not answered
2xx (or not answered) with exponential backoff, ``max_attempts`` times in all, then gives up.
Deliveries run one at a time, in order, on a task the sandbox owns and cancels on close. The
switches apply as they are when a notification is made (``send``), not when it is delivered: a
caller (``paycombat trigger``) can set them for one event and put them back at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Callable
from typing import Any, Literal

import aiohttp
import attrs

from .._codec.signing import js_dumps, sign

__all__ = ["SWITCHES", "WebhookDelivery", "WebhookSender"]

logger = logging.getLogger("paycombat.sandbox")

NOTIFIED = {
    "payin": ("SUCCESS", "FAILED", "EXPIRED"),
    "payout": ("SUCCESS", "FAILED", "RETURNED"),
    "virtual_account": ("APPROVED", "FAILED"),
}
SWITCHES = ("copies", "delay", "out_of_order", "unsigned", "wrong_signature")
"""The chaos switches, by attribute name (``settings()`` reports them with ``url``)."""
Signing = Literal["signed", "unsigned", "wrong"]


@attrs.define
class WebhookDelivery:
    """One notification as sent: the exact body, its signature, and each attempt's outcome
    (the HTTP status, or the name of the connection error)."""

    url: str
    body: bytes
    signature: str | None
    attempts: list[int | str] = attrs.field(factory=list)
    seconds: list[float] = attrs.field(factory=list)
    """How long each attempt took to be answered (or to fail), in seconds."""

    @property
    def delivered(self) -> bool:
        """Whether an attempt was answered 2xx."""
        return any(isinstance(a, int) and 200 <= a < 300 for a in self.attempts)


@attrs.frozen
class _Outgoing:
    """One notification queued, with the switches as they were when it was made."""

    body: bytes
    copies: int
    delay: float
    signing: Signing


class WebhookSender:
    """Sends the sandbox's notifications to ``url`` (nothing is sent while it is ``None``).

    The switches are plain attributes, to be changed at any time (several at once, by name,
    with ``switch``):

    Attributes:
        url: the merchant's webhook URL.
        duplicate: deliver every notification twice.
        copies: deliver every notification this many times (at least twice with ``duplicate``).
        delay: seconds to wait before each delivery.
        out_of_order: deliver notifications in swapped pairs (the second before the first; a
            lone one waits for the next, or for ``drain``).
        unsigned: send no ``X-Signature`` header.
        wrong_signature: sign with another key (a forgery a receiver must refuse).
        max_attempts: attempts per delivery before giving up.
        backoff: seconds before the first retry; doubled for each next one.
        deliveries: every delivery made, in order.
        observers: called with the delivery after each of its attempts (``paycombat listen``
            prints them).
    """

    def __init__(self, signature_key: str, url: str | None = None) -> None:
        self._key = signature_key
        self.url = url
        self.duplicate = False
        self.copies = 1
        self.delay = 0.0
        self.out_of_order = False
        self.unsigned = False
        self.wrong_signature = False
        self.max_attempts = 5
        self.backoff = 0.5
        self.timeout = 10.0
        self.deliveries: list[WebhookDelivery] = []
        self.observers: list[Callable[[WebhookDelivery], None]] = []
        self._queue: asyncio.Queue[_Outgoing] | None = None
        self._held: _Outgoing | None = None
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"<WebhookSender url={self.url!r} sent={len(self.deliveries)}>"

    def settings(self) -> dict[str, Any]:
        """The URL and the switches, as plain JSON values (what ``paycombat sandbox`` prints)."""
        return {
            "url": self.url,
            "copies": max(self.copies, 2 if self.duplicate else 1),  # what send() uses
            "delay": self.delay,
            "out_of_order": self.out_of_order,
            "unsigned": self.unsigned,
            "wrong_signature": self.wrong_signature,
            "max_attempts": self.max_attempts,
        }

    def switch(self, **switches: Any) -> None:
        """Set switches (and ``url``) by name, as ``settings()`` reports them: ``copies`` says
        how many copies alone (``duplicate`` is cleared)."""
        unknown = set(switches) - {"url", *SWITCHES}
        if unknown:
            raise TypeError(f"no webhook switch {', '.join(sorted(unknown))}")
        for name, value in switches.items():
            setattr(self, name, value)
        if "copies" in switches:
            self.duplicate = False

    # -- what to send ------------------------------------------------------------------------

    def notify(self, kind: str, record: dict[str, Any]) -> None:
        """Called by the sandbox state on every change; sends what PayCombat would notify."""
        if self.url is None or record.get("status") not in NOTIFIED.get(kind, ()):
            return
        payload = copy.deepcopy(record)  # the state as of now, not as of the delivery
        if kind == "payout":
            payload.setdefault("type", "PAYOUT")
        self.send(payload)

    def send(self, payload: Any) -> None:
        """Queue any JSON payload as a notification (a test can send kinds the SDK lacks).

        Call it on the sandbox's event loop (the state changes that notify always are)."""
        signing: Signing = (
            "unsigned" if self.unsigned else "wrong" if self.wrong_signature else "signed"
        )
        copies = max(self.copies, 2 if self.duplicate else 1)
        outgoing = _Outgoing(js_dumps(payload), copies, self.delay, signing)
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.get_running_loop().create_task(self._run(self._queue))
        if not self.out_of_order:
            self._queue.put_nowait(outgoing)
        elif self._held is None:
            self._held = outgoing
        else:
            self._queue.put_nowait(outgoing)
            self._queue.put_nowait(self._held)
            self._held = None

    async def drain(self) -> None:
        """Wait until every queued notification was delivered or given up (a held one too)."""
        if self._queue is None:
            return
        if self._held is not None:
            self._queue.put_nowait(self._held)
            self._held = None
        await self._queue.join()

    # -- delivery ----------------------------------------------------------------------------

    async def _run(self, queue: asyncio.Queue[_Outgoing]) -> None:
        while True:
            outgoing = await queue.get()
            try:
                for _ in range(max(1, outgoing.copies)):
                    await self._deliver(outgoing)
            except Exception:  # one bad delivery must not stop the rest
                logger.exception("Webhook delivery failed")
            finally:
                queue.task_done()

    async def _deliver(self, outgoing: _Outgoing) -> None:
        if outgoing.delay:
            await asyncio.sleep(outgoing.delay)
        url, body = self.url, outgoing.body
        if url is None:
            return
        signature: str | None = None
        if outgoing.signing != "unsigned":  # a wrong one: well formed, under another key
            key = self._key if outgoing.signing == "signed" else "not-" + self._key
            signature = sign(body, key)
        delivery = WebhookDelivery(url, body, signature)
        self.deliveries.append(delivery)
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Signature"] = signature
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        for attempt in range(max(1, self.max_attempts)):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            started = time.perf_counter()
            try:
                async with self._session.post(
                    url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(self.timeout)
                ) as response:
                    await response.read()
                    delivery.attempts.append(response.status)
            except (TimeoutError, aiohttp.ClientError) as exc:
                delivery.attempts.append(type(exc).__name__)
            delivery.seconds.append(time.perf_counter() - started)
            for observer in self.observers:
                observer(delivery)
            if delivery.delivered:
                return
        logger.warning("Webhook to %s given up after %d attempts", url, len(delivery.attempts))

    async def aclose(self) -> None:
        """Cancel pending deliveries, wait for the worker to stop, close the connection pool."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._queue = None
        self._held = None
        session, self._session = self._session, None
        if session is not None:
            await session.close()
