"""Resources and their operations, declared once for both packages.

Each operation is one declaration on its resource class, and that declaration is all there is:

```python
from paycombat_async.models.payout import Payout, PayoutIdRequest
from paycombat_async.resources._base import M, Resource
from paycombat_async.resources._declare import endpoint


class Payouts(Resource[M]):
    client_attribute = "payouts"  # ``client.payouts``; the operations' keys start "payouts."

    retrieve = endpoint(
        # The docs title, then a colon: ``OPERATIONS.find("Retrieve Payout")`` finds it.
        doc="Retrieve Payout: one payout by its PayCombat id.",
        method="GET",
        path="/api/v1/payout-method/retrieve-payout/{payout_id}",
        request=PayoutIdRequest,  # an attrs class: its fields are the method's parameters
        returns=Payout,  # a model, ``bytes``, ``NoContent``, ``many(Model)`` or ``paged(Model)``
        documented=False,  # the docs do not show this path (the mirror serves it)
    )
```

From it follow the route table (``OPERATIONS["payouts.retrieve"]``), the async method
(``await client.payouts.retrieve(payout_id)``), its blocking twin (the very same class serves
``paycombat_sync``: ``Payouts[BlockingMode]``), ``with_raw_response``, ``help()`` and
``inspect.signature`` (real functions with the request class's signature), the operations table and
the sandbox routing (its handlers are keyed by ``"payouts.retrieve"``).

Request fields go in the body of POST/PATCH/PUT operations and in the query string of the
others; ``metadata=PATH`` puts one in the path (its ``{name}`` placeholder), ``metadata=QUERY``
in the query. A field named ``extra`` (a mapping) adds body fields the SDK does not model; it never
overrides a declared one. Paged lists take their ``page``/``limit`` from ``PageRequest``.

Methods that are not one operation (``payouts.create_many``, ``payins.wait_for``...) are written
once, as ``async def`` with ``self`` typed ``Payouts[AsyncMode]``, and decorated with
``@dual_method()`` from ``_dual`` (a coroutine on the async client, a blocking call on the
blocking one; pass the key of the operation it runs if it moves money) or ``@dual_iterator``
for an async generator (an iterator on the blocking client). mypy sees the right signature in
each mode: the descriptors' ``__get__`` is overloaded on it (``_declare._Modes``; ``endpoint``
is there too). In a class that declares ``list``, annotate lists as ``builtins.list[...]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

import attrs

from .._core.lifecycle import OneProcess
from .._core.routes import OperationTable
from ..models._base import PATH, QUERY, PageRequest, Request

if TYPE_CHECKING:
    from .._core.config import ClientConfig
    from .._core.pipeline import Pipeline
    from .._core.routes import Operation

__all__ = [
    "OPERATIONS",
    "PATH",
    "QUERY",
    "AsyncMode",
    "AsyncRawMode",
    "AsyncTransport",
    "BlockingMode",
    "BlockingRawMode",
    "M",
    "Many",
    "Method",
    "NoRequest",
    "PageRequest",
    "Request",
    "Resource",
    "Transport",
    "many",
    "paged",
]

T = TypeVar("T")

OPERATIONS = OperationTable([])
"""Every declared operation by its key (``"payouts.create"``); ``OPERATIONS.find`` takes titles."""


class AsyncMode:
    """Marker: the resource's methods are coroutines (``paycombat_async``)."""


class BlockingMode:
    """Marker: the resource's methods block and return values (``paycombat_sync``)."""


class AsyncRawMode:
    """Marker: ``client.with_raw_response``: coroutines that return a ``RawResponse``."""


class BlockingRawMode:
    """Marker: the blocking ``client.with_raw_response``: calls that return a ``RawResponse``."""


M = TypeVar("M", AsyncMode, BlockingMode, AsyncRawMode, BlockingRawMode)


@attrs.frozen
class NoRequest(Request):
    """The request of an operation that takes no parameters."""


@attrs.frozen
class Many(Generic[T]):
    """A list response: ``many(Model)`` (sent whole) or ``paged(Model)`` (page by page)."""

    item: type[T]
    paged: bool


def many(item: type[T]) -> Many[T]:
    """The response is one array of ``item`` (the method returns a one-page paginator)."""
    return Many(item, paged=False)


def paged(item: type[T]) -> Many[T]:
    """The response is one page of ``item`` (the method returns an auto-paging paginator)."""
    return Many(item, paged=True)


class Method(Protocol):
    """A declared method as a transport binds it (``_declare``'s descriptors are these)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str:
        """``"call"``, ``"list"`` (it returns a paginator) or ``"iter"`` (an async iterator)."""
        ...

    @property
    def operation(self) -> Operation | None:
        """The operation it runs, when it runs one (or moves money through one)."""
        ...

    def dress(
        self,
        function: Callable[..., Any],
        *,
        blocking: bool,
        raw: bool = False,
        owner: type[Any] | None = None,
    ) -> Callable[..., Any]:
        """``function`` with the method's name, docstring and signature in the mode's terms."""
        ...

    def bind_async(self, resource: Resource[Any], pipeline: Pipeline) -> Callable[..., Any]:
        """The method as a coroutine function on ``resource``, running on ``pipeline``."""
        ...

    def bind_raw(self, pipeline: Pipeline) -> Callable[..., Any]:
        """Its ``with_raw_response`` form: the same call, returning a ``RawResponse``."""
        ...


class Transport:
    """How a resource's methods run: on a pipeline (here) or through a blocking runner."""

    raw = False
    """Whether calls return a ``RawResponse`` (``with_raw_response``)."""

    def bind(self, resource: Resource[Any], method: Method) -> Callable[..., Any]:
        """The callable ``resource.<method>`` is, in this transport's mode."""
        raise NotImplementedError

    def resource_class(self, resource: type[Resource[Any]]) -> type[Resource[Any]]:
        """The class to instantiate for ``resource`` in this transport's mode."""
        return resource


class AsyncTransport(Transport):
    """Methods are coroutines that run on one client's pipeline."""

    def __init__(self, pipeline: Pipeline, *, raw: bool = False) -> None:
        self.pipeline = pipeline
        self.raw = raw

    def bind(self, resource: Resource[Any], method: Method) -> Callable[..., Any]:
        if self.raw:
            return method.bind_raw(self.pipeline)
        return method.bind_async(resource, self.pipeline)


class Resource(OneProcess, Generic[M]):
    """One API group: ``client.<client_attribute>``. Its methods are declared, not written."""

    client_attribute: ClassVar[str] = ""
    """The client attribute holding the resource, and the prefix of its operations' keys."""
    blocking: ClassVar[bool] = False
    """Whether its methods block: True on the blocking client's subclass (``help()`` then shows
    them with their blocking signatures, on the class too)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    @property
    def transport(self) -> Transport:
        """How this resource's methods run (each is bound to it on first use)."""
        return self._transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    @property
    def client_config(self) -> ClientConfig | None:
        """The configuration of the async client this resource calls through: the call timeout
        and retry policy that hand-written methods (``payouts.create_many``) follow too. None on
        a blocking client's resources: their calls run on the async twin's (``client.config``)."""
        transport = self._transport
        return transport.pipeline.config if isinstance(transport, AsyncTransport) else None
