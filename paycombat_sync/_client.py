"""PayCombat, blocking: the async client on a background event loop, one call at a time."""

from __future__ import annotations

import inspect
import weakref
from types import TracebackType
from typing import Any

from paycombat_async import PayCombat as AsyncPayCombat
from paycombat_async._config import ClientConfig
from paycombat_async._retry import RetryPolicy
from paycombat_async._routes import Operation, adhoc_operation

from ._bridge import Forwarder, blocking
from ._portal import Runner
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


def _request_operation(
    path: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Operation | None:
    """What ``request(method, path, ...)`` runs: the async client's own ad-hoc operation."""
    call = inspect.signature(AsyncPayCombat.request).bind(None, *args, **kwargs).arguments
    return adhoc_operation(str(call["method"]), str(call["path"]))


class PayCombat(Forwarder):
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

    The client starts one background thread (``paycombat-io``) on its first call; the async
    client and its connection pool live there until ``close()``. Share one client between
    threads freely. It also works inside a running event loop (it blocks that loop, and warns
    once), and in a child process after ``os.fork()`` (the child builds its own thread and
    connection pool on first use). Errors, models and configuration classes are the very same
    objects as in ``paycombat_async``.

    Ctrl-C during a call cancels the request and raises ``KeyboardInterrupt``; if the call
    creates objects or moves money (a payout, a payin, a checkout...), that
    ``KeyboardInterrupt``'s ``__cause__`` is an ``OutcomeUnknownError``: the request may have
    reached PayCombat and was not resent, so reconcile (by your ``order_id``) before retrying.
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
        def build() -> AsyncPayCombat:
            return AsyncPayCombat(
                token,
                signature_key,
                base_url,
                timeout,
                max_retries,
                retry=retry,
                max_connections=max_connections,
                rate_limit=rate_limit,
                max_in_flight=max_in_flight,
            )

        self._runner = Runner(build)
        self._path = ""
        description = repr(self)
        self._finalizer = weakref.finalize(self, self._runner.collected, description)
        self._finalizer.atexit = False  # the runner closes quietly at exit instead
        self.master_data = MasterData(self._runner, "master_data")
        self.payin_methods = PayinMethods(self._runner, "payin_methods")
        self.payout_methods = PayoutMethods(self._runner, "payout_methods")
        self.payment_methods = PaymentMethods(self._runner, "payment_methods")
        self.beneficiaries = Beneficiaries(self._runner, "beneficiaries")
        self.payins = Payins(self._runner, "payins")
        self.payouts = Payouts(self._runner, "payouts")
        self.checkouts = Checkouts(self._runner, "checkouts")
        self.transactions = Transactions(self._runner, "transactions")
        self.wallets = Wallets(self._runner, "wallets")
        self.customers = Customers(self._runner, "customers")
        self.merchant = Merchant(self._runner, "merchant")

    request = blocking(AsyncPayCombat.request, _request_operation)

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (its repr hides the secrets)."""
        return self._runner.async_client.config

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

        The client cannot be used afterwards: calls raise ``ClientStateError``.
        """
        self._runner.close()
        self._finalizer.detach()

    def __enter__(self) -> PayCombat:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
