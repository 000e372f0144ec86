"""The pipeline, observed: what a client runs when it has something to report its calls to.

Decided once per client configuration (``ClientConfig.observer``, from ``observer``): with
nothing to report to, the client runs the plain ``Pipeline`` and a call costs what it cost before
telemetry existed. Otherwise it runs an ``ObservedPipeline``: the same pipeline, with its call
and its attempt wrapped, reporting to the configuration's ``Observer`` (spans, metrics, DEBUG
lines; ``observer`` says what they carry, and that no secret is among it).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .observer import Observer, Watch
from .pipeline import Call, Pipeline, Wire, reference_of
from .ratelimit import Limiter

if TYPE_CHECKING:
    from .config import ClientConfig
    from .routes import Operation

__all__ = ["ObservedPipeline", "new_pipeline"]


def new_pipeline(config: ClientConfig, limiter: Limiter) -> Pipeline:
    """The pipeline for a new client: observed only when its configuration has an observer."""
    observer = config.observer
    if observer is None:
        return Pipeline(config, limiter=limiter)
    return ObservedPipeline(config, observer=observer, limiter=limiter)


_WATCH: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("paycombat_watch")


class ObservedPipeline(Pipeline):
    """The pipeline, with a span and metrics around each call and DEBUG lines around each
    attempt. Used only when there is something to report to (``new_pipeline``)."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        observer: Observer,
        limiter: Limiter | None = None,
        pool_of: Pipeline | None = None,
    ) -> None:
        super().__init__(config, limiter=limiter, pool_of=pool_of)
        self.observer = observer

    def derive(self, config: ClientConfig) -> Pipeline:
        return ObservedPipeline(
            config, observer=self.observer, limiter=self.limiter, pool_of=self.pool
        )

    async def call(self, op: Operation, **arguments: Any) -> Any:
        observer = self.observer
        if not (observer.live or observer.listening()):
            return await super().call(op, **arguments)
        watch, span = observer.start(op, _reference_in(arguments))
        watching = _WATCH.set(watch)
        try:
            if span is None:
                result = await super().call(op, **arguments)
            else:
                # The span is the current one while the call runs: an instrumented aiohttp's
                # spans, and the application's log records, belong to it. The exception is
                # recorded by ``end``, scrubbed, not by ``use_span``.
                assert observer.instruments is not None
                with observer.instruments.trace.use_span(
                    span, end_on_exit=False, record_exception=False, set_status_on_exception=False
                ):
                    result = await super().call(op, **arguments)
        except BaseException as exc:
            observer.end(watch, span, exc)
            raise
        finally:
            _WATCH.reset(watching)
        observer.end(watch, span, None)
        return result

    async def attempt(self, wire: Wire, call: Call) -> Any:
        """``Pipeline.attempt``, counted when the call is observed, between DEBUG lines with
        ``PAYCOMBAT_LOG=debug``."""
        watch = _WATCH.get(None)
        if watch is None:  # the call is not observed
            return await super().attempt(wire, call)
        watch.attempts += 1
        watch.call = call
        if not self.observer.log_bodies:
            return await super().attempt(wire, call)
        number = watch.attempts
        self.observer.request_line(call, number)
        started = time.perf_counter()
        try:
            data = await super().attempt(wire, call)
        except BaseException as exc:
            self.observer.response_line(call, number, time.perf_counter() - started, exc)
            raise
        self.observer.response_line(call, number, time.perf_counter() - started, None)
        return data


def _reference_in(arguments: Mapping[str, Any]) -> str | None:
    """The caller's ``order_id`` for a call that fails before the pipeline reads it."""
    reference = arguments.get("reference")
    return reference if isinstance(reference, str) else reference_of(arguments.get("body"))
