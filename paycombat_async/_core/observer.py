"""What a client reports its calls to, decided once per configuration (``observer_for``).

With neither the ``opentelemetry`` package importable nor ``PAYCOMBAT_LOG=debug`` set there is
nothing to report to: ``ClientConfig.observer`` is None and the client runs the plain pipeline.
Otherwise the ``Observer`` here is what the ``ObservedPipeline`` (``telemetry``) reports each
call and attempt to: OpenTelemetry spans and metrics, DEBUG lines, or both.

Only the OpenTelemetry API is used (the application picks the SDK and the exporters). Without a
provider passed to the client, the global ones are used, even when the application sets them
after creating the client. Until it has set one (and without ``PAYCOMBAT_LOG``), a call is not
observed at all (``Observer.listening``).

Nothing reported carries a secret: spans name the path template, never the URL (query strings
and checkout links carry data); exception messages and DEBUG bodies go through ``scrub_text`` and
``scrub_body`` (``redaction``). This module imports neither aiohttp nor the pipeline: the
configuration asks it for its observer.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
import time
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

import attrs

from .._exceptions import ClientStateError, ConfigurationError, OutcomeUnknownError, PayCombatError
from .._version import __version__
from .redaction import scrub_body, scrub_query, scrub_text
from .retry import classify

if TYPE_CHECKING:
    from types import ModuleType

    from opentelemetry.metrics import Counter, Histogram, MeterProvider
    from opentelemetry.trace import Span, Tracer, TracerProvider

    from .config import ClientConfig
    from .routes import Operation

__all__ = ["LOG_ENV", "ObservedCall", "Observer", "Watch", "observer_for"]

logger = logging.getLogger("paycombat")

LOG_ENV = "PAYCOMBAT_LOG"
"""``PAYCOMBAT_LOG=debug``: log every request and response (scrubbed) at DEBUG on ``paycombat``."""

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
"""The HTTP client duration buckets of the OpenTelemetry semantic conventions, in seconds."""

Outcome = Literal["ok", "error", "outcome_unknown", "cancelled"]


class ObservedCall(Protocol):
    """What the observer reads of the pipeline's record of one call (``pipeline``'s call)."""

    op: Operation
    path: str
    query: list[tuple[str, str]] | None
    payload: bytes | None
    reference: str | None
    expect_bytes: bool
    status: int | None
    body: bytes
    doubted: bool

    @property
    def in_doubt(self) -> bool: ...


# -- the decision, once per configuration -------------------------------------------------------


@functools.cache
def _opentelemetry() -> tuple[ModuleType, ModuleType] | None:
    """``opentelemetry.trace`` and ``opentelemetry.metrics``, or None without the package
    (tried once per process: a failed import is not cached by Python)."""
    try:
        from opentelemetry import metrics, trace
    except ImportError:
        return None
    return trace, metrics


def _debug_log_wanted() -> bool:
    """Whether ``PAYCOMBAT_LOG`` asks for request/response logging (it sets the logging up)."""
    value = os.environ.get(LOG_ENV, "").strip().lower()
    if not value:
        return False
    if value != "debug":
        raise ConfigurationError(f"{LOG_ENV} must be 'debug' or unset, got {value!r}")
    _start_debug_log()
    return True


def _start_debug_log() -> None:
    """``paycombat`` at DEBUG; to stderr unless a handler (the application's, or this one
    from an earlier client) would show its records."""
    logger.setLevel(logging.DEBUG)
    configured = any(
        not isinstance(handler, logging.NullHandler)
        for handler in (*logger.handlers, *logging.getLogger().handlers)
    )
    if not configured:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def observer_for(config: ClientConfig) -> Observer | None:
    """What a client with ``config`` reports to; None when there is nothing to report to."""
    log_bodies = _debug_log_wanted()
    otel = _opentelemetry()
    if otel is None and not log_bodies:
        return None
    instruments = (
        _Instruments(config, *otel)
        if otel is not None
        else None  # PAYCOMBAT_LOG alone: DEBUG lines, no spans
    )
    return Observer(config=config, instruments=instruments, log_bodies=log_bodies)


# -- OpenTelemetry ------------------------------------------------------------------------------


class _GlobalProviders:
    """Whether the application has set OpenTelemetry's global providers yet, asked per call.

    The plain way is ``get_tracer_provider()`` and ``get_meter_provider()``: each looks the
    ``OTEL_PYTHON_*_PROVIDER`` variables up in ``os.environ`` while none is set, a missed key
    raised and caught, ~6% of a read's instructions for the two (``benchmarks/HISTORY.md``).
    Instead the API modules' own globals are read (private; they are None until set). Where an
    OpenTelemetry version lacks them, the plain calls are used for tracing, and meters count as
    set (every call observed: correct, only slower); ``tests/aio/test_telemetry.py`` fails then.
    """

    def __init__(self, trace: ModuleType, metrics: ModuleType) -> None:
        # Once through the public calls: they load providers named by those variables.
        trace.get_tracer_provider()
        metrics.get_meter_provider()
        self._trace = trace
        self._meters = importlib.import_module("opentelemetry.metrics._internal")
        self.fast = hasattr(trace, "_TRACER_PROVIDER") and hasattr(self._meters, "_METER_PROVIDER")

    def tracer_set(self) -> bool:
        if self.fast:
            return self._trace._TRACER_PROVIDER is not None
        return not isinstance(self._trace.get_tracer_provider(), self._trace.ProxyTracerProvider)

    def any_set(self) -> bool:
        if self.fast:
            return (
                self._trace._TRACER_PROVIDER is not None or self._meters._METER_PROVIDER is not None
            )
        return True  # meters count as set (see above)


class _Instruments:
    """The tracer and the metric instruments of one client configuration."""

    def __init__(self, config: ClientConfig, trace: ModuleType, metrics: ModuleType) -> None:
        self.trace = trace
        self.globals = _GlobalProviders(trace, metrics)
        self._tracer: Tracer | None = None
        provider: TracerProvider | None = config.tracer_provider
        if provider is not None:
            self._tracer = trace.get_tracer("paycombat", __version__, tracer_provider=provider)
        meter_provider: MeterProvider | None = config.meter_provider
        self.given = provider is not None or meter_provider is not None
        """A provider was given to the client."""
        # The global meter provider's meter is a proxy until the application sets one, then
        # forwards to it: measurements before that go nowhere, at the cost of a no-op.
        meter = metrics.get_meter("paycombat", __version__, meter_provider=meter_provider)
        self.calls: Counter = meter.create_counter(
            "paycombat.client.calls", unit="{call}", description="PayCombat API calls, by outcome"
        )
        self.duration: Histogram = meter.create_histogram(
            "paycombat.client.duration",
            unit="s",
            description="How long a PayCombat API call took, every attempt and backoff included",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.resends: Counter = meter.create_counter(
            "paycombat.client.resends",
            unit="{request}",
            description="Requests sent again by the retry policy",
        )
        self.outcome_unknown: Counter = meter.create_counter(
            "paycombat.client.outcome_unknown",
            unit="{call}",
            description="Calls that may or may not have taken effect (OutcomeUnknownError)",
        )
        self.batch_items: Counter = meter.create_counter(
            "paycombat.batch.items",
            unit="{item}",
            description="Batch items decided, by status",
        )
        parts = urlsplit(config.base_url)
        self.server: dict[str, Any] = {"server.address": parts.hostname or ""}
        self.server["server.port"] = parts.port or (443 if parts.scheme == "https" else 80)
        self._labels: dict[tuple[str, str], Mapping[str, str]] = {}
        self._spans: dict[str, tuple[Operation, str, Mapping[str, Any]]] = {}

    def tracer(self) -> Tracer | None:
        """The tracer, once there is a provider to record spans (none before the application
        sets the global one)."""
        tracer = self._tracer
        if tracer is None:
            if not self.globals.tracer_set():
                return None
            tracer = self._tracer = self.trace.get_tracer("paycombat", __version__)
        return tracer

    def span_start(self, op: Operation) -> tuple[str, Mapping[str, Any]]:
        """The name and first attributes of ``op``'s spans (known before it starts, for
        samplers); kept per operation key, for the operation object it was made for."""
        found = self._spans.get(op.key)
        if found is not None and found[0] is op:
            return found[1], found[2]
        attributes = {
            "http.request.method": op.method,
            "url.template": op.path.split("?", 1)[0],
            **self.server,
            "paycombat.operation": op.key,
        }
        name = f"paycombat {op.key}"
        self._spans[op.key] = (op, name, attributes)  # ``client.request`` makes one per call
        return name, attributes

    def labels(self, op: Operation, outcome: str) -> Mapping[str, str]:
        found = self._labels.get((op.key, outcome))
        if found is None:
            found = {"paycombat.operation": op.key, "paycombat.outcome": outcome}
            self._labels[op.key, outcome] = found
        return found


@attrs.define(slots=True, eq=False)
class Watch:
    """One call as the observer sees it, across its attempts."""

    op: Operation
    reference: str | None
    started: float
    attempts: int = 0
    call: ObservedCall | None = None
    """The pipeline's own record of the call, once an attempt has started."""


@attrs.define(slots=True, eq=False, kw_only=True)
class Observer:
    """What a client reports its calls to: OpenTelemetry (``instruments``), the DEBUG log
    (``log_bodies``), or both."""

    config: ClientConfig
    instruments: _Instruments | None
    log_bodies: bool
    live: bool = attrs.field(init=False)
    """Calls are observed: DEBUG lines are wanted, or a provider listens (for good: the global
    providers of OpenTelemetry are set once)."""

    def __attrs_post_init__(self) -> None:
        self.live = self.log_bodies or (self.instruments is not None and self.instruments.given)

    def listening(self) -> bool:
        """Whether a call must be observed now (``live``, or a global provider set by now)."""
        if not self.live:
            instruments = self.instruments
            if instruments is not None and instruments.globals.any_set():
                self.live = True
        return self.live

    def batch_item(self, status: str) -> None:
        """A batch decided an item (``created``, ``rejected``, ``unknown``, ``conflict``)."""
        if self.instruments is not None:
            self.instruments.batch_items.add(1, {"paycombat.batch.status": status})

    def start(self, op: Operation, reference: str | None) -> tuple[Watch, Span | None]:
        watch = Watch(op, reference, time.perf_counter())
        instruments = self.instruments
        tracer = instruments.tracer() if instruments is not None else None
        if tracer is None or instruments is None:
            return watch, None
        name, attributes = instruments.span_start(op)
        span = tracer.start_span(
            name, kind=instruments.trace.SpanKind.CLIENT, attributes=attributes
        )
        return watch, span

    def end(self, watch: Watch, span: Span | None, error: BaseException | None) -> None:
        """Report a call that ended (``error``: what it raised, or None)."""
        instruments = self.instruments
        if instruments is None:
            return
        op, call = watch.op, watch.call
        outcome, unknown = _outcome(watch, error)
        labels = instruments.labels(op, outcome)
        instruments.calls.add(1, labels)
        instruments.duration.record(time.perf_counter() - watch.started, labels)
        if watch.attempts > 1:
            instruments.resends.add(watch.attempts - 1, {"paycombat.operation": op.key})
        if unknown:
            instruments.outcome_unknown.add(1, {"paycombat.operation": op.key})
        if span is None:
            return
        if span.is_recording():
            status = call.status if call is not None else None
            if status is None and isinstance(error, PayCombatError):
                status = error.status
            if status is not None:
                span.set_attribute("http.response.status_code", status)
            span.set_attribute("paycombat.attempts", watch.attempts)
            span.set_attribute("paycombat.resent", watch.attempts > 1)
            if watch.attempts > 1:
                span.set_attribute("http.request.resend_count", watch.attempts - 1)
            span.set_attribute("paycombat.outcome_unknown", unknown)
            reference = call.reference if call is not None else watch.reference
            if reference is not None:
                span.set_attribute("paycombat.order_id", reference)
            if error is not None:
                self._failed(instruments, span, error, outcome)
        span.end()

    def _failed(
        self, instruments: _Instruments, span: Span, error: BaseException, outcome: Outcome
    ) -> None:
        status, status_code = instruments.trace.Status, instruments.trace.StatusCode.ERROR
        if outcome == "cancelled":
            span.set_attribute("error.type", "cancelled")
            span.set_status(status(status_code, "cancelled"))
            return
        kind = type(error).__name__
        span.set_attribute("error.type", kind)
        span.set_status(status(status_code, kind))
        # The SDK would record str(error) and the traceback as they are: ours carry no secret,
        # but a server's message quoted in them might carry a number; scrubbed all the same.
        secrets = self.config.secret_forms
        span.record_exception(
            error,
            attributes={
                "exception.message": scrub_text(str(error), secrets),
                "exception.stacktrace": scrub_text(
                    "".join(traceback.format_exception(error)), secrets
                ),
            },
            escaped=True,
        )

    # -- the DEBUG lines ------------------------------------------------------------------------

    def request_line(self, call: ObservedCall, attempt: int) -> None:
        logger.debug(
            "request %s: %s %s%s (attempt %d) body=%s",
            call.op.key,
            call.op.method,
            call.path,
            scrub_query(call.query),
            attempt,
            scrub_body(call.payload, self.config.secret_forms),
        )

    def response_line(
        self, call: ObservedCall, attempt: int, seconds: float, error: BaseException | None
    ) -> None:
        failure = "" if error is None else f" ({_failure_name(error)})"
        body = (
            f"<{len(call.body)} bytes>"
            if call.expect_bytes and call.status is not None and call.status < 300
            else scrub_body(call.body, self.config.secret_forms)
        )
        logger.debug(
            "response %s: %s %s (attempt %d) -> %s in %.1f ms%s body=%s",
            call.op.key,
            call.op.method,
            call.path,
            attempt,
            call.status if call.status is not None else "no answer",
            seconds * 1000,
            failure,
            body,
        )


def _failure_name(error: BaseException) -> str:
    inner = getattr(error, "error", None)  # a Resendable carries the error it would raise
    return type(inner if isinstance(inner, PayCombatError) else error).__name__


def _outcome(watch: Watch, error: BaseException | None) -> tuple[Outcome, bool]:
    """How the call ended, and whether its outcome is unknown."""
    if error is None:
        return "ok", False
    if isinstance(error, OutcomeUnknownError):
        return "outcome_unknown", True
    if isinstance(error, Exception):
        return "error", False
    # Cancelled (or interrupted): the pipeline's own rule says whether it is in doubt.
    call = watch.call
    if call is None:
        return "cancelled", False
    cancelled = ClientStateError("cancelled", may_have_taken_effect=call.in_doubt)
    return "cancelled", classify(cancelled, watch.op.resend, doubted=call.doubted).unknown
