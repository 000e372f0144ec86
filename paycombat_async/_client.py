"""PayCombat: the async client. Configuration, lifecycle, and the resources as attributes."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._core.config import DEFAULT_MAX_RESPONSE_BYTES, ClientConfig
from ._core.lifecycle import AsyncClosing
from ._core.pipeline import Pipeline
from ._core.ratelimit import Limiter
from ._core.retry import RetryPolicy
from ._core.routes import adhoc_operation
from ._core.telemetry import new_pipeline
from .models import _converter
from .resources import AsyncMode, AsyncRawMode, ClientResources
from .resources._base import AsyncTransport

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

__all__ = ["NOT_GIVEN", "NotGiven", "PayCombat", "RawResponses"]


class NotGiven:
    """The type of ``NOT_GIVEN``: an option left as it is (``None`` means "no deadline")."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


class RawResponses(ClientResources[AsyncRawMode]):
    """``client.with_raw_response``: the client's resources, each operation returning a
    ``RawResponse`` (status, headers, raw bytes, request id, and the parsed value).

    ```python
    raw = await client.with_raw_response.payouts.retrieve(payout_id)
    raw.status, raw.headers["Content-Type"], raw.request_id, raw.content
    payout = raw.parse()
    ```

    Lists return the one page their ``page``/``limit`` ask for. Errors are raised as usual.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self._attach(AsyncTransport(pipeline, raw=True))


class PayCombat(ClientResources[AsyncMode], AsyncClosing):
    """The PayCombat API, asynchronously.

    ```python
    async with PayCombat(token=..., signature_key=...) as client:
        payout = await client.payouts.create(...)
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
        rate_limit: requests per second for the whole client, shared by every task and batch
            (``None``: no cap). A 429 slows every request down, whatever this is.
        max_in_flight: requests in flight at once for the whole client (``None``: up to
            ``max_connections``). Waiting for the limiter does not count against ``timeout``.
        max_response_bytes: the largest response body read (after decompression); a larger
            one raises ``InvalidResponseError`` (``OutcomeUnknownError`` for a create).
        allow_insecure_http: allow a plain ``http://`` base URL to a host that is not this
            machine (only behind a trusted proxy that terminates TLS).
        tracer_provider: where each call's span goes, with ``opentelemetry-api`` installed
            (``None``: OpenTelemetry's global tracer provider).
        meter_provider: where the calls' metrics go (``None``: the global meter provider).

    A client belongs to the event loop it is first used on, and is safe to share between tasks
    on that loop (``asyncio.gather`` thousands of payouts through one client).
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
        self._config = ClientConfig.from_arguments(
            token=token,
            signature_key=signature_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            allow_insecure_http=allow_insecure_http,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
        )
        in_flight = self._config.max_connections if max_in_flight is None else max_in_flight
        self._setup(new_pipeline(self._config, Limiter(rate_limit, in_flight)))

    def _setup(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline
        self._config = pipeline.config
        self._derived: dict[tuple[object, ...], PayCombat] = {}
        self._attach(AsyncTransport(pipeline))

    def with_options(
        self,
        *,
        timeout: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> PayCombat:
        """A client with another deadline or retry count that shares this one's connection pool.

        ```python
        payout = await client.with_options(timeout=5, max_retries=0).payouts.retrieve(pid)
        ```

        Args:
            timeout: the total deadline per call in seconds (``None``: no deadline); left as
                it is when not given.
            max_retries: retries after the first attempt; left as it is when not given.

        The derived client needs no closing of its own: closing this client closes the pool
        they share (and the derived client with it).
        """
        key = (timeout, max_retries)
        derived = self._derived.get(key)
        if derived is None:
            # The one place arguments are validated: the configuration's own constructor.
            arguments = attrs.asdict(self._config, recurse=False)
            if not isinstance(timeout, NotGiven):
                arguments["timeout"] = timeout
            config = ClientConfig.from_arguments(**arguments, max_retries=max_retries)
            derived = object.__new__(type(self))
            derived._setup(self._pipeline.derive(config))
            self._derived[key] = derived
        return derived

    @functools.cached_property
    def with_raw_response(self) -> RawResponses:
        """The same resources, each operation returning a ``RawResponse`` (see ``RawResponses``)."""
        return RawResponses(self._pipeline)

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (its repr hides the secrets)."""
        return self._config

    @property
    def pipeline(self) -> Pipeline:
        """The request pipeline every call of this client goes through. Not needed to make
        calls: it is there for what is built on the client (the ``paycombat`` command runs an
        operation by its key on it; the blocking client releases its pool before ``fork()``)."""
        return self._pipeline

    def __repr__(self) -> str:
        return (
            f"<PayCombat base_url={self._config.base_url!r} "
            f"environment={self._config.environment!r}>"
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> Any:
        """Call any PayCombat path through the same pipeline (signing, retries, errors).

        The escape hatch for what the SDK does not model yet. Returns ``data`` as plain JSON.
        Anything but GET and HEAD is treated as moving money: never resent once it may have
        arrived (aiohttp's own resend of PUT/DELETE on a dropped connection is switched off).
        ``timeout`` replaces the client's deadline for this call (as ``with_options`` does).
        """
        op = adhoc_operation(method, path)
        pipeline = (
            self.with_options(timeout=timeout)._pipeline
            if timeout is not NOT_GIVEN
            else self._pipeline
        )
        body = _converter.unstructure(json) if json is not None else None
        return await pipeline.call(op, body=body, params=params)

    async def aclose(self) -> None:
        """Close the connection pool. Idempotent; the client cannot be used afterwards."""
        await self._pipeline.aclose()

    @property
    def is_closed(self) -> bool:
        """Whether ``aclose`` was called."""
        return self._pipeline.closed
