"""The sandbox's webhook sender: signed notifications on every state change, with switches.

What it sends follows PayCombat's docs (Webhook PAYIN SUCCESS / PAYOUT SUCCESS): a ``POST`` of the
full payin or payout row as JSON, no envelope, ``X-Signature`` = HMAC-SHA256 hex of the exact
bytes sent under the merchant's signature key (the bytes are what ``JSON.stringify`` prints, so
a receiver that re-serializes gets the same signature). Payins notify ``SUCCESS``, ``FAILED`` and
``EXPIRED``; payouts ``SUCCESS``, ``FAILED`` and ``RETURNED``; KRW virtual accounts (the VA
Register Callback) ``APPROVED`` and ``FAILED``.

PayCombat's retry policy is not documented. The sandbox retries a delivery that is not answered
2xx (or not answered) with exponential backoff, ``max_attempts`` times in all, then gives up.
Deliveries run one at a time, in order, on a task the sandbox owns and cancels on close.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from typing import Any

import aiohttp
import attrs

from .._signing import js_dumps, sign

__all__ = ["WebhookDelivery", "WebhookSender"]

logger = logging.getLogger("paycombat.sandbox")

NOTIFIED = {
    "payin": ("SUCCESS", "FAILED", "EXPIRED"),
    "payout": ("SUCCESS", "FAILED", "RETURNED"),
    "virtual_account": ("APPROVED", "FAILED"),
}


@attrs.define
class WebhookDelivery:
    """One notification as sent: the exact body, its signature, and each attempt's outcome
    (the HTTP status, or the name of the connection error)."""

    url: str
    body: bytes
    signature: str | None
    attempts: list[int | str] = attrs.field(factory=list)

    @property
    def delivered(self) -> bool:
        """Whether an attempt was answered 2xx."""
        return any(isinstance(a, int) and 200 <= a < 300 for a in self.attempts)


class WebhookSender:
    """Sends the sandbox's notifications to ``url`` (nothing is sent while it is ``None``).

    The switches are plain attributes, to be changed at any time:

    Attributes:
        url: the merchant's webhook URL.
        duplicate: deliver every notification twice.
        delay: seconds to wait before each delivery.
        out_of_order: deliver notifications in swapped pairs (the second before the first; a
            lone one waits for the next, or for ``drain``).
        unsigned: send no ``X-Signature`` header.
        max_attempts: attempts per delivery before giving up.
        backoff: seconds before the first retry; doubled for each next one.
        deliveries: every delivery made, in order.
    """

    def __init__(self, signature_key: str, url: str | None = None) -> None:
        self._key = signature_key
        self.url = url
        self.duplicate = False
        self.delay = 0.0
        self.out_of_order = False
        self.unsigned = False
        self.max_attempts = 5
        self.backoff = 0.5
        self.timeout = 10.0
        self.deliveries: list[WebhookDelivery] = []
        self._queue: asyncio.Queue[bytes] | None = None
        self._held: bytes | None = None
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"<WebhookSender url={self.url!r} sent={len(self.deliveries)}>"

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
        body = js_dumps(payload)
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.get_running_loop().create_task(self._run(self._queue))
        if not self.out_of_order:
            self._queue.put_nowait(body)
        elif self._held is None:
            self._held = body
        else:
            self._queue.put_nowait(body)
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

    async def _run(self, queue: asyncio.Queue[bytes]) -> None:
        while True:
            body = await queue.get()
            try:
                for _ in range(2 if self.duplicate else 1):
                    await self._deliver(body)
            except Exception:  # one bad delivery must not stop the rest
                logger.exception("Webhook delivery failed")
            finally:
                queue.task_done()

    async def _deliver(self, body: bytes) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        url = self.url
        if url is None:
            return
        signature = None if self.unsigned else sign(body, self._key)
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
            try:
                async with self._session.post(
                    url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(self.timeout)
                ) as response:
                    await response.read()
                    delivery.attempts.append(response.status)
            except (TimeoutError, aiohttp.ClientError) as exc:
                delivery.attempts.append(type(exc).__name__)
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
