"""PayCombat, blocking: the async client on a background event loop, one call at a time."""

from __future__ import annotations

import functools
import inspect
import weakref
from typing import TYPE_CHECKING, Any

from paycombat_async import PayCombat as AsyncPayCombat
from paycombat_async._client import NOT_GIVEN, NotGiven
from paycombat_async._core.config import DEFAULT_MAX_RESPONSE_BYTES, ClientConfig
from paycombat_async._core.lifecycle import Closing
from paycombat_async._core.retry import RetryPolicy
from paycombat_async._core.routes import Operation, adhoc_operation
from paycombat_async.resources import BlockingMode, BlockingRawMode, ClientResources

from ._bridge import BlockingTransport, Forwarder, View, blocking, same
from ._portal import Runner

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

__all__ = ["PayCombat", "RawResponses"]


def _request_operation(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Operation | None:
    """What ``request(method, path, ...)`` runs: the async client's own ad-hoc operation."""
    call = inspect.signature(AsyncPayCombat.request).bind(None, *args, **kwargs).arguments
    return adhoc_operation(str(call["method"]), str(call["path"]))


class RawResponses(ClientResources[BlockingRawMode]):
    """``client.with_raw_response``: the client's resources, each operation returning a
    ``RawResponse`` (status, headers, raw bytes, request id, and the parsed value).

    Lists return the one page their ``page``/``limit`` ask for. Errors are raised as usual.
    """

    def __init__(self, runner: Runner, view: View) -> None:
        self._attach(BlockingTransport(runner, lambda c: view(c).with_raw_response, raw=True))


class PayCombat(ClientResources[BlockingMode], Forwarder, Closing):
    """The PayCombat API, blocking: the same arguments, resources and methods as
    ``paycombat_async.PayCombat``, returning values instead of coroutines.

    ```python
    with PayCombat(token=..., signature_key=...) as client:
        payout = client.payouts.create(...)
        for payout in client.payouts.list():
            ...
    ```

    Args:
        token: the ``X-token`` personal access token (falls back to ``PAYCOMBAT_TOKEN``).
        signature_key: the key that signs POST/PATCH bodies (``PAYCOMBAT_SIGNATURE_KEY``).
        base_url: the API host (``PAYCOMBAT_BASE_URL``, default ``https://api.paycombat.com``).
        timeout: one total deadline in seconds per call, covering every attempt and backoff;
            ``None`` for no deadline.
        max_retries: retries after the first attempt, for what the retry policy allows.
        retry: the full retry policy (backoff, Retry-After cap); ``max_retries`` overrides it.
        max_connections: the connection pool size.
        rate_limit: requests per second for the whole client, shared by every thread and batch
            (``None``: no cap). A 429 slows every request down, whatever this is.
        max_in_flight: requests in flight at once for the whole client (``None``: up to
            ``max_connections``). Waiting for the limiter does not count against ``timeout``.
        tracer_provider: where each call's span goes, with ``opentelemetry-api`` installed
            (``None``: OpenTelemetry's global tracer provider).
        meter_provider: where the calls' metrics go (``None``: the global meter provider).

    The client starts one background thread (``paycombat-io``) on its first call; the async
    client and its connection pool live there until ``close()``. Share one client between
    threads freely. It also works inside a running event loop (it blocks that loop, and warns
    once), under gevent, and in a child process after ``os.fork()`` (the child never touches
    what it inherited and builds its own thread and connection pool on first use). It cannot be
    pickled: create one per process. Errors, models and configuration classes are the very same
    objects as in ``paycombat_async``.

    ``close()`` returns within about a second: calls still in flight raise ``ClientStateError``,
    or ``OutcomeUnknownError`` if they create objects or move money.

    Ctrl-C during a call cancels the request and raises ``KeyboardInterrupt``; if the call
    creates objects or moves money (a payout, a payin, a checkout...), that
    ``KeyboardInterrupt``'s ``__cause__`` is an ``OutcomeUnknownError``: the request may have
    reached PayCombat and was not resent, so reconcile (by your ``order_id``) before retrying.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        signature_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = 60.0,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
        rate_limit: float | None = None,
        max_in_flight: int | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        # Every argument goes to the async client as it is (the parity test keeps the two
        # signatures equal); it is built again, from the same arguments, in a forked child.
        arguments = {name: value for name, value in locals().items() if name != "self"}
        build = functools.partial(AsyncPayCombat, **arguments)

        self._runner = Runner(build)
        description = repr(self)
        finalizer = weakref.finalize(self, self._runner.collected, description)
        finalizer.atexit = False  # the runner closes quietly at exit instead
        self._setup(same, finalizer)

    def _setup(self, view: View, finalizer: weakref.finalize[Any, Any] | None) -> None:
        self._view = view
        self._finalizer = finalizer
        self._attach(BlockingTransport(self._runner, view))
        self._forward_through(self._runner, view)

    def with_options(
        self,
        *,
        timeout: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> PayCombat:
        """A client with another deadline or retry count that shares this one's connection pool.

        ```python
        payout = client.with_options(timeout=5, max_retries=0).payouts.retrieve(payout_id)
        ```

        Args:
            timeout: the total deadline per call in seconds (``None``: no deadline); left as
                it is when not given.
            max_retries: retries after the first attempt; left as it is when not given.

        The derived client needs no closing of its own: closing this client closes the pool
        and the thread they share.
        """
        parent = self._view

        def view(client: AsyncPayCombat) -> AsyncPayCombat:
            derived: AsyncPayCombat = parent(client).with_options(
                timeout=timeout, max_retries=max_retries
            )
            return derived

        view(self._runner.async_client)  # validates the options now, in the caller's thread
        derived = object.__new__(type(self))
        derived._runner = self._runner
        derived._setup(view, None)
        return derived

    @functools.cached_property
    def with_raw_response(self) -> RawResponses:
        """The same resources, each operation returning a ``RawResponse`` (see ``RawResponses``)."""
        return RawResponses(self._runner, self._view)

    request = blocking(AsyncPayCombat.request, _request_operation)

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (its repr hides the secrets)."""
        config: ClientConfig = self._view(self._runner.async_client).config
        return config

    @property
    def is_closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._runner.closed

    def __repr__(self) -> str:
        config = self._runner.async_client.config
        return (
            f"<PayCombat (blocking) base_url={config.base_url!r} "
            f"environment={config.environment!r}>"
        )

    def close(self) -> None:
        """Close the connection pool and stop the background thread. Idempotent.

        The client cannot be used afterwards: calls raise ``ClientStateError``. On a client
        from ``with_options`` this does nothing: the pool belongs to the client it came from.
        """
        if self._finalizer is None:
            return
        self._runner.close()
        self._finalizer.detach()
