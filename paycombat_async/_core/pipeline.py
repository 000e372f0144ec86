"""The one request path every operation takes.

serialize -> sign -> send (first attempt awaited directly; resends only through the retry policy)
-> read a size-capped body -> check the envelope -> structure ``data``. Every way a call can end
goes through ``retry.classify``, which decides between resending, raising the error, and
raising ``OutcomeUnknownError``. Resources describe *what* to call; this module knows nothing about
payouts, only about operations (see ``routes``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Mapping
from typing import Any, NamedTuple, NoReturn, TypeVar

import aiohttp
import attrs
from yarl import URL

from .._codec.signing import js_dumps
from .._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ClientStateError,
    ConfigurationError,
    InvalidResponseError,
    OutcomeUnknownError,
    PayCombatError,
    RateLimitError,
    ValidationError,
)
from ..models import _converter
from .config import ClientConfig
from .deadlines import Deadlines
from .pagination import list_items
from .ratelimit import Limiter
from .raw import capture
from .redaction import without_secrets
from .response import UnreadableBody, interpret, read_body, unreadable
from .retry import Resend, Resendable, classify
from .routes import Operation
from .transport import Attempts, new_session

__all__ = ["Call", "Pipeline", "Wire", "reference_of"]

T = TypeVar("T")
logger = logging.getLogger("paycombat")


@attrs.define(slots=True, repr=False, eq=False)  # no repr: its headers hold the X-token
class Call:
    """One call across its attempts; what ``interpret`` reads an answer for (``Answering``) and
    what its deadline cancels (``Timed``)."""

    pipeline: Pipeline
    op: Operation
    path: str
    url: URL
    payload: bytes | None
    headers: dict[str, str]
    query: list[tuple[str, str]] | None
    reference: str | None
    expect_bytes: bool
    task: asyncio.Task[Any] | None
    """The task the call runs in."""
    deadline: float | None = None
    """Loop time by which the call must end, once it has left the limiter's queue."""
    doubted: bool = False
    """An earlier attempt may have reached PayCombat."""
    connected: bool = False
    """The current attempt holds a connection, so it may have reached PayCombat (``Attempt``:
    the connector sets it; it is cleared when an attempt starts and when one has failed)."""
    status: int | None = None
    """The HTTP status of the current attempt's answer, once there is one."""
    body: bytes = b""
    """The current attempt's answer, once read."""
    holds_place: bool = True
    """The call holds a place in the client's in-flight limit (not while backing off)."""
    window: int | None = None
    """Its deadline's timer window while the deadline runs."""
    cancelling: int = 0
    fired: bool = False
    """``window``, ``cancelling``, ``fired``: kept by ``Deadlines`` (see ``Timed``)."""

    @property
    def describe(self) -> str:
        return f"{self.op.title} ({self.op.method} {self.path})"

    def scrub(self, text: str) -> str:
        return self.pipeline.scrub(text)

    def context(self) -> dict[str, Any]:
        """The fields of an error about the current attempt's answer (its body scrubbed)."""
        return {
            "status": self.status,
            "method": self.op.method,
            "path": self.path,
            "body": self.scrub(self.body.decode("utf-8", "replace")),
        }

    @property
    def sent(self) -> bool:
        """The current attempt may have reached PayCombat."""
        return self.connected

    @property
    def in_doubt(self) -> bool:
        return self.doubted or self.sent


class Wire(NamedTuple):
    """What a client's calls share on the loop they run on."""

    session: aiohttp.ClientSession
    deadlines: Deadlines
    attempts: Attempts


class Pipeline:
    """Owns the aiohttp session (created lazily on the first call's loop) and runs operations."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        limiter: Limiter | None = None,
        pool_of: Pipeline | None = None,
    ) -> None:
        self.config = config
        self.limiter = limiter or Limiter()
        """The client-wide rate limiter every request goes through."""
        self._wire: Wire | None = None
        """The session, deadline timers and attempts in flight, of the loop ``_loop``."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._pool_of = pool_of

    def derive(self, config: ClientConfig) -> Pipeline:
        """A pipeline with another configuration (deadline, retries) that uses this one's
        connection pool and rate limiter (``with_options``). Closing it closes nothing."""
        return Pipeline(config, limiter=self.limiter, pool_of=self.pool)

    @property
    def pool(self) -> Pipeline:
        """The pipeline whose connection pool this one uses: itself, unless derived."""
        return self._pool_of or self

    # -- lifecycle ---------------------------------------------------------------------------

    def _wire_here(self) -> tuple[asyncio.AbstractEventLoop, Wire]:
        """The running loop, and what the calls share on it."""
        loop = asyncio.get_running_loop()
        owner = self._pool_of or self
        wire = owner._wire
        if wire is not None and owner._loop is loop and not owner._closed:
            return loop, wire
        return loop, self._wire_for_this_loop(loop)

    def _wire_for_this_loop(self, loop: asyncio.AbstractEventLoop) -> Wire:
        """What the calls share on ``loop``, the running one."""
        if self._pool_of is not None:
            return self._pool_of._wire_for_this_loop(loop)
        if self._closed:
            raise ClientStateError("This PayCombat client is closed; create a new one.")
        if self._wire is None:
            session, attempts = new_session(self.config, loop)
            self._wire = Wire(session, Deadlines(loop), attempts)
            self._loop = loop
        elif self._loop is not loop:
            raise ClientStateError(
                "This PayCombat client was first used on another event loop; an aiohttp "
                "session cannot move between loops. Create one client per event loop (or use "
                "paycombat_sync from blocking code)."
            )
        return self._wire

    async def aclose(self) -> None:
        """Close the session on the loop that owns it. Idempotent."""
        if self._pool_of is not None:
            return  # the pool belongs to the pipeline this one was derived from
        self._closed = True
        wire, self._wire = self._wire, None
        if wire is None:
            return
        if self._loop is not asyncio.get_running_loop():
            self._wire = wire
            raise ClientStateError("Close the client on the event loop it was used on.")
        await wire.session.close()

    async def release(self) -> None:
        """Close the pooled connections but stay usable: the next call opens a new pool on the
        loop it runs on (the blocking client stops its idle loop thread before ``fork()``)."""
        if self._pool_of is not None or self._closed:
            return
        wire, self._wire, self._loop = self._wire, None, None
        if wire is not None:
            await wire.session.close()

    @property
    def closed(self) -> bool:
        return self._pool_of.closed if self._pool_of is not None else self._closed

    # -- the pipeline ------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """Remove every secret, in every form it may be echoed in, from text bound for an error."""
        return without_secrets(text, self.config.secret_forms)

    def encode(
        self, op: Operation, body: Any, payload: bytes | None = None
    ) -> tuple[bytes | None, dict[str, str], Any]:
        """The exact bytes to send, the headers that authenticate them, and the JSON sent.

        ``body`` is JSON-ready already (plain dicts, lists, str, numbers, ``Decimal``): the
        resources unstructure their request objects once, field by field. Or the resource wrote
        the bytes itself (``payload``, by ``js_dumps``' rules), and ``body`` is None.
        """
        headers = {"X-token": self.config.token}
        if not op.signed:
            if body is not None or payload is not None:
                raise ValidationError(f"{op.title} ({op.method}) takes no request body")
            return None, headers, None
        document = body if body is not None else {}
        if payload is None:
            try:
                payload = js_dumps(document)
            except (TypeError, ValueError) as exc:
                message = f"{op.title}: the request body cannot be sent: {exc}"
                raise ValidationError(message) from None
        signer = self.config.signer
        if signer is None:
            raise ConfigurationError(
                f"{op.title} must be signed: pass signature_key=... or set PAYCOMBAT_SIGNATURE_KEY"
            )
        headers["signature"] = signer(payload)
        headers["Content-Type"] = "application/json"
        return payload, headers, document

    async def call(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        body: Any = None,
        payload: bytes | None = None,
        reference: str | None = None,
        params: Mapping[str, Any] | None = None,
        cast: type[T] | None = None,
        many: bool = False,
        expect_bytes: bool = False,
    ) -> Any:
        """Run ``op`` and return ``data`` structured as ``cast`` (raw JSON if ``cast`` is None).

        The body is ``body`` (JSON-ready data) or ``payload`` (its bytes, already written by
        ``js_dumps``' rules), with the caller's ``reference`` (``order_id``) for logs and errors,
        read from ``body`` when not given. With ``many``, ``data`` is an array (bare or wrapped
        in an object) of ``cast`` items.
        """
        path = op.render_path(path_params)
        payload, headers, document = self.encode(op, body, payload)
        loop, wire = self._wire_here()
        # Call(pipeline=self, op=op, path=path, url=..., payload=payload, headers=headers,
        # query=..., reference=..., expect_bytes=expect_bytes, task=...), written by position:
        # a speed exception (benchmarks/PERFORMANCE.md, "The speed exceptions"): matching ten
        # keywords costs more than building the object itself, on 3.11 and 3.13 alike.
        call = Call(
            self,
            op,
            path,
            _url(self.config.base_url, path),
            payload,
            headers,
            _query(params),
            reference if reference is not None else reference_of(document),
            expect_bytes,
            wire.attempts.current_task(),
        )
        # What the call was built from is not kept while it is in flight: the garbage collector
        # walks whatever thousands of waiting calls hold (benchmarks/PERFORMANCE.md, "What a call
        # holds").
        del path_params, body, params, document
        limiter, timeout, deadlines = self.limiter, self.config.timeout, wire.deadlines
        # The deadline starts once the limiter lets the call through: waiting for the rate or
        # for a place in flight never burns it.
        if not limiter.enter():
            await limiter.acquire()
        try:
            if timeout is not None:
                call.deadline = loop.time() + timeout
                deadlines.start(call)
            try:  # the first attempt, awaited directly: resends only after a failure allows them
                data = await self.attempt(wire, call)
            except Resendable as first:
                data = await self._resend(wire, call, first)
        except Resendable as gave_up:
            final = self._error_for(call, gave_up.error, gave_up.decision.unknown)
            raise final from final.__cause__
        except asyncio.CancelledError:
            if deadlines.expired(call):
                expired = self._timeout(call, sent=call.sent)
                unknown = classify(expired, op.resend, doubted=call.doubted).unknown
                final = self._error_for(call, expired, unknown)
                raise final from final.__cause__
            # Cancellation is an exit like any other: the classifier says whether the caller,
            # who will not see an error, has an operation in doubt (it is never resent).
            cancelled = ClientStateError("cancelled", may_have_taken_effect=call.in_doubt)
            if classify(cancelled, op.resend, doubted=call.doubted).unknown:
                logger.warning(
                    "%s was cancelled after it may have reached PayCombat (order_id=%s): its "
                    "outcome is unknown; it was not resent",
                    call.describe,
                    call.reference,
                )
            raise
        finally:
            if call.window is not None:
                deadlines.stop(call)
            if call.holds_place:
                limiter.release()
        if expect_bytes or cast is None:
            return data
        try:
            if many:
                return [_converter.structure(item, cast) for item in list_items(data)]
            return _converter.structure(data, cast)
        except Exception as exc:  # noqa: BLE001 - any structuring failure means a bad response
            reason = self.scrub(f"{type(exc).__name__}: {exc}")
        error = InvalidResponseError(
            f"{op.title}: the response does not fit {cast.__name__}: {reason}",
            status=call.status,
            method=op.method,
            path=path,
            body=self.scrub(_dumps(data)),
            may_have_taken_effect=True,
        )
        decision = classify(error, op.resend, doubted=call.doubted)
        raise self._error_for(call, error, decision.unknown)

    async def _resend(self, wire: Wire, call: Call, first: Resendable) -> Any:
        """Resend as the retry policy allows after a first attempt failed with ``first``."""

        async def again() -> Any:
            await self.limiter.pace()  # a resend is a request too
            if call.deadline is not None and call.deadline <= asyncio.get_running_loop().time():
                self._fail(call, self._timeout(call, sent=False))
            return await self.attempt(wire, call)

        async def back_off(seconds: float) -> None:
            # Out of the in-flight limit meanwhile: a call waiting to resend must not keep the
            # client's other calls from being sent. Its deadline still runs.
            self.limiter.release()
            call.holds_place = False
            await asyncio.sleep(seconds)
            await self.limiter.reenter()
            call.holds_place = True

        return await self.config.retry.resend(
            again,
            first,
            deadline=call.deadline,
            clock=asyncio.get_running_loop().time,
            describe=call.describe,
            sleep=back_off,
        )

    async def attempt(self, wire: Wire, call: Call) -> Any:
        """One attempt: ``data``, or ``Resendable``, or the error the caller gets.

        The call's deadline (``deadlines``) cancels it from outside when it passes. The hook for
        whoever observes attempts: ``call`` and each resend go through it, so a subclass that
        overrides it (``telemetry.ObservedPipeline``) sees every attempt, and must run this one.
        """
        wire.attempts.track(call.task, call)  # the connector marks it once it holds a connection
        call.status, call.body = None, b""
        failure: PayCombatError | None = None
        try:
            # ``async with wire.session.request(...) as response:``, written out: the finally
            # clause below is what the two context managers' exits do. A speed exception
            # (benchmarks/PERFORMANCE.md, "The speed exceptions"): their four coroutines are
            # four frames per attempt that do nothing else.
            response = await wire.session.request(
                call.op.method,
                call.url,
                data=call.payload,
                headers=call.headers,
                params=call.query,
                allow_redirects=False,
            )
            try:
                call.status, headers = response.status, response.headers
                call.body = await read_body(response, self.config.max_response_bytes)
                capture(call.status, headers, call.body)  # for with_raw_response, when asked
            finally:
                response.release()
                await response.wait_for_close()
        except UnreadableBody as exc:
            failure = unreadable(str(exc), call.context())
        except (aiohttp.ClientError, OSError) as exc:
            # The session sets no socket timeouts: the call's deadline is a cancellation (see
            # ``call``), so a TimeoutError here is the OS's (ETIMEDOUT), a connection failure.
            failure = self._transport_error(call, exc, sent=call.connected)
        finally:
            wire.attempts.untrack(call.task)
        if failure is not None:
            # Raised outside the except block on purpose: aiohttp's exception (whose repr holds
            # the request headers, X-token included) must not ride along as __context__.
            self._fail(call, failure)
        assert call.status is not None
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s -> %d", call.describe, call.status)
        outcome = interpret(
            call.status, headers, call.body, expect_bytes=call.expect_bytes, call=call
        )
        if isinstance(outcome, PayCombatError):
            if isinstance(outcome, RateLimitError) and not outcome.may_have_taken_effect:
                # PayCombat refused it: every request of the client slows down, not just this.
                hint = outcome.retry_after
                self.limiter.throttle(
                    None if hint is None else min(hint, self.config.retry.max_retry_after)
                )
            self._fail(call, outcome)
        return outcome

    def _transport_error(self, call: Call, exc: BaseException, *, sent: bool) -> PayCombatError:
        if self.closed:  # aclose() tore the connection down under this call
            return ClientStateError(
                "This PayCombat client was closed while the call was in flight.",
                method=call.op.method,
                path=call.path,
                may_have_taken_effect=sent,
            )
        reason = self.scrub(str(exc) or "no detail")
        return APIConnectionError(
            f"Connection to PayCombat failed ({type(exc).__name__}): {reason}",
            method=call.op.method,
            path=call.path,
            may_have_taken_effect=sent,
        )

    def _fail(self, call: Call, error: PayCombatError) -> NoReturn:
        """Classify a failed attempt: resend it, or raise what the caller gets."""
        decision = classify(error, call.op.resend, doubted=call.doubted)
        # The attempt is over: whether it may have taken effect lives on in ``doubted`` (a 429's
        # connection reached PayCombat, yet the answer says nothing happened).
        call.doubted = call.doubted or error.may_have_taken_effect
        call.connected = False
        if decision.resend:
            raise Resendable(decision, error)
        raise self._error_for(call, error, decision.unknown)

    def _error_for(self, call: Call, error: PayCombatError, unknown: bool) -> PayCombatError:
        """What the caller gets: ``error``, or the ``OutcomeUnknownError`` it amounts to.

        ``raise`` it: its cause is set here, and no third-party exception is chained (their text
        and repr are not scrubbed).
        """
        error.__suppress_context__ = True
        if not unknown:
            if call.op.resend is Resend.SAFE:
                error.may_have_taken_effect = False  # a read has no effect to be unsure of
            return error
        logger.warning(
            "%s: outcome unknown (order_id=%s), not resent: %s",
            call.describe,
            call.reference,
            error.message,
        )
        unknown_error = OutcomeUnknownError(
            f"{call.op.title} may or may not have been processed ({error.message}). It was not "
            "resent. PayCombat may still be processing it: wait for it to settle, then look it "
            "up by your own reference (order_id) before sending it again; an empty lookup right "
            "after the failure does not prove it was not created.",
            status=error.status,
            method=call.op.method,
            path=call.path,
            body=error.body,
            order_id=call.reference,
        )
        unknown_error.__cause__ = error
        return unknown_error

    def _timeout(self, call: Call, *, sent: bool) -> APITimeoutError:
        return APITimeoutError(
            f"No answer within the {self.config.timeout}s deadline",
            method=call.op.method,
            path=call.path,
            may_have_taken_effect=sent,
        )


@functools.lru_cache(maxsize=512)
def _url(base_url: str, path: str) -> URL:
    # ``encoded``: the path is already percent-encoded by ``Operation.render_path``.
    return URL(base_url + path, encoded=True)


def reference_of(document: Any) -> str | None:
    """The caller's own reference in a request body (``order_id``), for logs and errors."""
    if isinstance(document, dict):
        value = document.get("order_id")
        if isinstance(value, str):
            return value
    return None


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


def _dumps(data: Any) -> str:
    try:
        return json.dumps(data, default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(data)
