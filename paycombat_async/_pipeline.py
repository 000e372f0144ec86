"""The one request path every operation takes.

serialize -> sign -> send under the retry policy and the call's deadline -> check the envelope ->
map errors -> structure ``data``. Resources describe *what* to call; this module knows nothing
about payouts, only about operations (see ``_routes``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping
from typing import Any, TypeVar

import aiohttp
import anyio
import attrs

from . import _converter
from ._config import ClientConfig
from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientStateError,
    ConfigurationError,
    InvalidResponseError,
    OutcomeUnknownError,
    PayCombatError,
    RateLimitError,
    ServerError,
    ValidationError,
    error_class_for_status,
)
from ._pagination import list_items
from ._ratelimit import DEFAULT_PAUSE, Limiter
from ._retry import Retryable
from ._routes import Operation
from ._signing import js_dumps, sign
from ._version import __version__

__all__ = ["Pipeline"]

T = TypeVar("T")
logger = logging.getLogger("paycombat")

USER_AGENT = f"paycombat-python/{__version__} aiohttp/{aiohttp.__version__}"
REDACTED = "[REDACTED]"


@attrs.define
class _Attempt:
    """What the wire has seen of the current attempt: decides whether an outcome is unknown."""

    sent: bool = False  # request headers were written to the socket
    answered: bool = False  # a complete response was read

    @property
    def in_doubt(self) -> bool:
        return self.sent and not self.answered


async def _on_headers_sent(_: Any, ctx: Any, __: Any) -> None:
    if isinstance(ctx.trace_request_ctx, _Attempt):
        ctx.trace_request_ctx.sent = True


_TRACE = aiohttp.TraceConfig()
_TRACE.on_request_headers_sent.append(_on_headers_sent)
_TRACE.freeze()


class Pipeline:
    """Owns the aiohttp session (created lazily on the first call's loop) and runs operations."""

    def __init__(self, config: ClientConfig, limiter: Limiter | None = None) -> None:
        self.config = config
        # batch helper (issue 9): the client-wide rate limiter every request goes through.
        self.limiter = limiter or Limiter()
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    def _session_for_this_loop(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._closed:
            raise ClientStateError("This PayCombat client is closed; create a new one.")
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self.config.max_connections)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None),  # the call's deadline governs
                trace_configs=[_TRACE],
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            )
            self._loop = loop
        elif self._loop is not loop:
            raise ClientStateError(
                "This PayCombat client was first used on another event loop; an aiohttp "
                "session cannot move between loops. Create one client per event loop (or use "
                "paycombat_sync from blocking code)."
            )
        return self._session

    async def aclose(self) -> None:
        """Close the session on the loop that owns it. Idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is None:
            return
        if self._loop is not asyncio.get_running_loop():
            self._session = session
            raise ClientStateError("Close the client on the event loop it was used on.")
        await session.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # -- the pipeline ------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """Remove every secret from text that may reach an error or a log."""
        for secret in self.config.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def encode(self, op: Operation, body: Any) -> tuple[bytes | None, dict[str, str]]:
        """The exact bytes to send and the headers that authenticate them."""
        headers = {"X-token": self.config.token}
        if not op.signed:
            if body is not None:
                raise ValidationError(f"{op.title} ({op.method}) takes no request body")
            return None, headers
        try:
            payload = js_dumps(_converter.unstructure(body) if body is not None else {})
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"{op.title}: the request body cannot be sent: {exc}") from None
        if not self.config.signature_key:
            raise ConfigurationError(
                f"{op.title} must be signed: pass signature_key=... or set PAYCOMBAT_SIGNATURE_KEY"
            )
        headers["signature"] = sign(payload, self.config.signature_key)
        headers["Content-Type"] = "application/json"
        return payload, headers

    async def call(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        cast: type[T] | None = None,
        many: bool = False,
        expect_bytes: bool = False,
    ) -> Any:
        """Run ``op`` and return ``data`` structured as ``cast`` (raw JSON if ``cast`` is None).

        With ``many``, ``data`` is an array (bare or wrapped in an object) of ``cast`` items.
        """
        path = op.render_path(path_params)
        payload, headers = self.encode(op, body)
        query = _query(params)
        session = self._session_for_this_loop()
        url = self.config.base_url + path
        attempt = _Attempt()
        describe = f"{op.method} {path}"
        retrying = self.config.retry.retrying(deadline=self.config.timeout, describe=describe)

        async def once() -> Any:
            attempt.sent = attempt.answered = False
            if retrying.statistics.get("attempt_number", 1) > 1:
                await self.limiter.pace()  # batch helper (issue 9): a retry is a request too
            logger.debug("%s: attempt %d", describe, retrying.statistics.get("attempt_number", 1))
            return await self._send(
                op, session, url, path, payload, headers, query, attempt, expect_bytes
            )

        try:
            # batch helper (issue 9): the limiter's slot is taken before the deadline starts, so
            # a call waiting for the rate limiter or a place in flight does not burn its deadline.
            async with self.limiter.slot():
                deadline = anyio.fail_after(self.config.timeout) if self.config.timeout else None
                with deadline or contextlib.nullcontext():
                    data: Any = await retrying(once)
        except Retryable as gave_up:
            raise gave_up.error from gave_up.__cause__
        except TimeoutError as exc:
            if isinstance(exc, PayCombatError):
                raise
            error = APITimeoutError(
                f"No answer within the {self.config.timeout}s deadline",
                method=op.method,
                path=path,
            )
            if op.moves_money and attempt.in_doubt:
                raise self._unknown(op, path, error) from error
            raise error from None
        except asyncio.CancelledError:
            if op.moves_money and attempt.in_doubt:
                logger.warning(
                    "%s (%s) was cancelled after the request was sent: its outcome is unknown; "
                    "reconcile before sending it again",
                    op.title,
                    describe,
                )
            raise
        if expect_bytes or cast is None:
            return data
        try:
            if many:
                return [_converter.structure(item, cast) for item in list_items(data)]
            return _converter.structure(data, cast)
        except Exception as exc:  # noqa: BLE001 - any structuring failure means a bad response
            raise InvalidResponseError(
                f"{op.title}: the response does not fit {cast.__name__}: {exc}",
                method=op.method,
                path=path,
                body=self.scrub(_short(data)),
                may_have_taken_effect=op.moves_money,
            ) from None

    async def _send(
        self,
        op: Operation,
        session: aiohttp.ClientSession,
        url: str,
        path: str,
        payload: bytes | None,
        headers: dict[str, str],
        query: list[tuple[str, str]] | None,
        attempt: _Attempt,
        expect_bytes: bool,
    ) -> Any:
        started = time.perf_counter()
        try:
            async with session.request(
                op.method,
                url,
                data=payload,
                headers=headers,
                params=query,
                trace_request_ctx=attempt,
                allow_redirects=False,
            ) as response:
                raw = await response.read()
                attempt.answered = True
                status, resp_headers = response.status, response.headers
        except (aiohttp.ClientError, OSError) as exc:
            reason = self.scrub(str(exc) or type(exc).__name__)
            error: PayCombatError = APIConnectionError(
                f"Connection to PayCombat failed: {reason}",
                method=op.method,
                path=path,
                may_have_taken_effect=op.moves_money and attempt.in_doubt,
            )
            self._raise(op, path, error, attempt, cause=exc)
        logger.debug(
            "%s -> %d in %.1f ms",
            f"{op.method} {path}",
            status,
            (time.perf_counter() - started) * 1000,
        )
        outcome = self._interpret(op, path, status, resp_headers, raw, expect_bytes)
        if isinstance(outcome, RateLimitError):  # batch helper (issue 9): slow every task down
            hint = DEFAULT_PAUSE if outcome.retry_after is None else outcome.retry_after
            self.limiter.throttle(min(hint, self.config.retry.max_retry_after))
        if isinstance(outcome, PayCombatError):
            self._raise(op, path, outcome, attempt, cause=None)
        return outcome

    def _raise(
        self,
        op: Operation,
        path: str,
        error: PayCombatError,
        attempt: _Attempt,
        cause: BaseException | None,
    ) -> Any:
        sent = attempt.sent
        if self.config.retry.may_retry(error, safe=op.is_safe, sent=sent):
            raise Retryable(error) from cause
        if op.moves_money and (error.may_have_taken_effect or isinstance(error, ServerError)):
            raise self._unknown(op, path, error) from error
        raise error from cause

    def _unknown(self, op: Operation, path: str, error: PayCombatError) -> OutcomeUnknownError:
        return OutcomeUnknownError(
            f"{op.title} may or may not have been processed ({error.message}). It was not "
            "resent. Look it up by your own reference before trying again.",
            status=error.status,
            method=op.method,
            path=path,
            body=error.body,
        )

    def _interpret(
        self,
        op: Operation,
        path: str,
        status: int,
        headers: Mapping[str, str],
        raw: bytes,
        expect_bytes: bool,
    ) -> Any:
        """The response as ``data``, or the error it stands for (returned, not raised)."""
        if expect_bytes and 200 <= status < 300:
            if not raw:
                return InvalidResponseError(
                    f"{op.title}: empty response",
                    status=status,
                    method=op.method,
                    path=path,
                )
            return raw
        text = self.scrub(raw.decode("utf-8", "replace"))
        context: dict[str, Any] = {
            "status": status,
            "method": op.method,
            "path": path,
            "body": text,
        }
        envelope = _parse_json(raw)
        if status >= 400:
            cls = error_class_for_status(status)
            message = _message(envelope) or f"HTTP {status} from PayCombat"
            extra: dict[str, Any] = {}
            if cls in (RateLimitError, ServerError):
                extra["retry_after"] = _retry_after(headers)
            return cls(self.scrub(message), **context, **extra)
        if not isinstance(envelope, dict):
            what = "an empty body" if not raw.strip() else "a body that is not JSON"
            return InvalidResponseError(
                f"{op.title}: PayCombat answered HTTP {status} with {what}",
                may_have_taken_effect=op.moves_money,
                **context,
            )
        if envelope.get("status") is False:
            return APIError(
                self.scrub(_message(envelope) or "PayCombat reported a failure"), **context
            )
        if "data" not in envelope:
            return InvalidResponseError(
                f"{op.title}: the response has no 'data'",
                may_have_taken_effect=op.moves_money,
                **context,
            )
        data = envelope["data"]
        if _is_finmo_envelope(data):
            if data.get("success") is False:
                nested = data.get("status_code")
                cls = error_class_for_status(nested) if isinstance(nested, int) else APIError
                return cls(self.scrub(_message(data) or "PayCombat reported a failure"), **context)
            data = data.get("data")
        return data


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None


def _is_finmo_envelope(data: Any) -> bool:
    """Some endpoints pass the upstream (Finmo) envelope through inside ``data``."""
    return isinstance(data, dict) and "success" in data and "request_id" in data


def _message(envelope: Any) -> str | None:
    if not isinstance(envelope, dict):
        return None
    candidates = [envelope.get("message")]
    for nested in (envelope.get("error"), envelope.get("data")):
        if isinstance(nested, dict):
            candidates.append(nested.get("message"))
    for candidate in candidates:
        if isinstance(candidate, list):
            candidate = "; ".join(str(item) for item in candidate)
        if isinstance(candidate, str) and candidate.strip():
            return candidate
    return None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to our own backoff


def _query(params: Mapping[str, Any] | None) -> list[tuple[str, str]] | None:
    if not params:
        return None
    query: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            elif hasattr(item, "isoformat"):
                item = item.isoformat()
            query.append((key, str(item)))
    return query


def _short(data: Any) -> str:
    try:
        return json.dumps(data, default=str)[:2000]
    except (TypeError, ValueError):
        return repr(data)[:2000]
