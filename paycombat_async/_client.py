"""PayCombat: the async client. Configuration, lifecycle, and the resources as attributes."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from ._config import ClientConfig
from ._pipeline import Pipeline
from ._ratelimit import Limiter
from ._retry import RetryPolicy
from ._routes import adhoc_operation
from .resources.beneficiaries import Beneficiaries
from .resources.checkouts import Checkouts
from .resources.customers import Customers
from .resources.master_data import MasterData
from .resources.merchant import Merchant
from .resources.methods import PayinMethods, PaymentMethods, PayoutMethods
from .resources.payins import Payins
from .resources.payouts import Payouts
from .resources.transactions import Transactions
from .resources.wallets import Wallets

__all__ = ["PayCombat"]


class PayCombat:
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
            (``None``: no cap). A 429 slows every task down, whatever this is.
        max_in_flight: requests in flight at once for the whole client (``None``: up to
            ``max_connections``). Waiting for the limiter does not count against ``timeout``.

    A client belongs to the event loop it is first used on, and is safe to share between tasks
    on that loop (``asyncio.gather`` thousands of payouts through one client).
    """

    def __init__(
        self,
        token: str | None = None,
        signature_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = 60.0,
        max_retries: int | None = None,
        *,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
        rate_limit: float | None = None,
        max_in_flight: int | None = None,
    ) -> None:
        self._config = ClientConfig.from_arguments(
            token=token,
            signature_key=signature_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            max_connections=max_connections,
        )
        in_flight = self._config.max_connections if max_in_flight is None else max_in_flight
        self._pipeline = Pipeline(self._config, Limiter(rate_limit, in_flight))
        self.master_data = MasterData(self._pipeline)
        self.payin_methods = PayinMethods(self._pipeline)
        self.payout_methods = PayoutMethods(self._pipeline)
        self.payment_methods = PaymentMethods(self._pipeline)
        self.beneficiaries = Beneficiaries(self._pipeline)
        self.payins = Payins(self._pipeline)
        self.payouts = Payouts(self._pipeline)
        self.checkouts = Checkouts(self._pipeline)
        self.transactions = Transactions(self._pipeline)
        self.wallets = Wallets(self._pipeline)
        self.customers = Customers(self._pipeline)
        self.merchant = Merchant(self._pipeline)

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (its repr hides the secrets)."""
        return self._config

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
    ) -> Any:
        """Call any PayCombat path through the same pipeline (signing, retries, errors).

        The escape hatch for what the SDK does not model yet. Returns ``data`` as plain JSON.
        Anything but GET is treated as moving money: never resent once it may have arrived.
        """
        op = adhoc_operation(method, path)
        return await self._pipeline.call(op, body=json, params=params)

    async def aclose(self) -> None:
        """Close the connection pool. Idempotent; the client cannot be used afterwards."""
        await self._pipeline.aclose()

    @property
    def is_closed(self) -> bool:
        """Whether ``aclose`` was called."""
        return self._pipeline.closed

    async def __aenter__(self) -> PayCombat:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
