"""The descriptors behind each declared method, and ``endpoint``/``dual_method`` to make them.

See ``_base`` for how a resource declares its operations. Each descriptor becomes a real function
on each resource object (async, blocking or raw, by the resource's transport) and on its class
(for ``help()``); mypy sees the right signature in each mode through ``_Modes``.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import json
import re
import textwrap
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    ParamSpec,
    TypeVar,
    cast,
    overload,
)

import attrs

from .._codec.signing import js_dumps_fields
from .._core.pagination import AsyncPaginator, Paginator, page_params
from .._core.raw import RAW_CAPTURE, Captured, RawResponse
from .._core.retry import Resend
from .._core.routes import HTTPMethod, Operation, operation
from .._exceptions import ValidationError
from ..models._converter import unstructure
from ._base import (
    OPERATIONS,
    AsyncMode,
    AsyncRawMode,
    BlockingMode,
    BlockingRawMode,
    Many,
    Resource,
)

if TYPE_CHECKING:
    from .._core.pipeline import Pipeline

__all__ = ["Endpoint", "ListEndpoint", "NoContent", "blocking_doc", "endpoint"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
RA = TypeVar("RA")
RB = TypeVar("RB")

IDEMPOTENT_NOTE = (
    "Resent after a timeout or a dropped connection (it is idempotent in effect); if such a "
    "resend is answered 404, 409 or 422, the first attempt may have taken effect, so it is "
    "reported as ``OutcomeUnknownError``: read the object back before acting on it."
)


class _Modes(Generic[A, B, RA, RB]):
    """For mypy only: what a declared method is on a resource in each mode.

    ``A`` async, ``B`` blocking, ``RA``/``RB`` their ``with_raw_response`` variants.
    """

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any] | None = None) -> A: ...
        @overload
        def __get__(self, instance: Resource[AsyncMode], owner: type[Any] | None = None) -> A: ...
        @overload
        def __get__(
            self, instance: Resource[BlockingMode], owner: type[Any] | None = None
        ) -> B: ...
        @overload
        def __get__(
            self, instance: Resource[AsyncRawMode], owner: type[Any] | None = None
        ) -> RA: ...
        @overload
        def __get__(
            self, instance: Resource[BlockingRawMode], owner: type[Any] | None = None
        ) -> RB: ...
        def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any: ...


def _describe(annotation: Any) -> str:
    if annotation is None:
        return "None"
    return getattr(annotation, "__name__", str(annotation))


_JSON_READY = frozenset({str, int, bool, Decimal})
"""Field values that are their own JSON form (the signer prints ``Decimal`` as JavaScript would)."""


_BLOCKING_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"``await``\s+it(\s+for\s+a\s+list)", r"``.to_list()``\1"),  # a paginator
        (r"``await\s+([^`]+)``", r"``\1``"),  # ``await client.payouts.retrieve(payout_id)``
        (r"\basync\s+(for|with)\b", r"\1"),  # ``async for payout in client.payouts.list()``
        (r"\baclose\(\)", "close()"),
        (r"\bcontextlib\.aclosing\(", "contextlib.closing("),
    )
)
"""How a docstring written for ``paycombat_async`` reads in ``paycombat_sync``: each phrase of
the left column (docstrings use no other for these) becomes the right one."""


def blocking_doc(text: str) -> str:
    """``text``, a docstring written for the async package, as blocking code reads it.

    Docstrings are written once, for ``paycombat_async``. Where they show how to call, they say
    it in these phrases only, each of which has its blocking twin:

    * ``async for payout in client.payouts.list(...)`` (a paginator, an async iterator):
      ``for payout in client.payouts.list(...)``;
    * ``await`` it for a list (a paginator): ``.to_list()`` for a list;
    * ``await client.payouts.retrieve(...)``: ``client.payouts.retrieve(...)``;
    * ``aclose()`` and ``async with contextlib.aclosing(...)``: ``close()`` and
      ``with contextlib.closing(...)``.

    ``tests/blocking/test_help.py`` fails on any ``await`` or ``async for`` left in the
    ``help()`` of a blocking resource.
    """
    for pattern, replacement in _BLOCKING_PHRASES:
        text = pattern.sub(replacement, text)
    return text


class _Method:
    """A descriptor that becomes a real function on each resource object (and on the class)."""

    kind: ClassVar[str] = "call"  # "call", "list" or "iter": how the blocking side wraps it
    name = ""
    owner: type[Any] = object
    operation: Operation | None = None

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name, self.owner = name, owner

    @property
    def doc(self) -> str:
        """The docstring, as written (for the async package)."""
        raise NotImplementedError

    def doc_for(self, *, blocking: bool) -> str:
        """The docstring in the mode's phrasing (``blocking_doc``: no ``await`` when blocking)."""
        return blocking_doc(self.doc) if blocking else self.doc

    def signature(self, blocking: bool) -> inspect.Signature:
        raise NotImplementedError

    def bind_async(self, resource: Resource[Any], pipeline: Pipeline) -> Callable[..., Any]:
        raise NotImplementedError

    def bind_raw(self, pipeline: Pipeline) -> Callable[..., Any]:
        raise TypeError(f"{self.name} is not one operation: with_raw_response does not offer it")

    def dress(
        self,
        function: Callable[..., Any],
        *,
        blocking: bool,
        raw: bool = False,
        owner: type[Any] | None = None,
    ) -> Callable[..., Any]:
        """Give ``function`` this method's name, docstring and signature (for help/IDEs), as a
        method of ``owner`` (the blocking client's class: ``paycombat_sync``'s ``Payouts``;
        by default the class that declares it)."""
        owner = owner or self.owner
        function.__name__ = self.name
        function.__qualname__ = f"{owner.__name__}.{self.name}"
        function.__module__ = owner.__module__
        function.__doc__ = self.doc_for(blocking=blocking)
        signature = self.signature(blocking)
        if raw:  # with_raw_response: the value comes wrapped (a list: the page asked for)
            returns = str(signature.return_annotation).replace("Paginator[", "list[")
            returns = f"RawResponse[{returns.removeprefix('Async')}]"
            signature = signature.replace(return_annotation=returns)
        function.__signature__ = signature  # type: ignore[attr-defined]
        return function

    def _get(self, instance: Resource[Any] | None, owner: type[Any] | None) -> Any:
        if instance is None:
            # What pydoc and IDEs see on the class: a function with the mode's signature.
            def unbound(*args: Any, **kwargs: Any) -> Any:
                raise TypeError(f"call {self.name} on a client's resource, not on the class")

            async def unbound_async(*args: Any, **kwargs: Any) -> Any:
                unbound()

            blocking = bool(getattr(owner, "blocking", False))
            if blocking or self.kind != "call":
                return self.dress(unbound, blocking=blocking, owner=owner)
            return self.dress(unbound_async, blocking=False, owner=owner)
        function = instance.transport.bind(instance, self)
        instance.__dict__[self.name] = function  # bound once per resource object
        return function

    if not TYPE_CHECKING:  # mypy reads each descriptor's ``_Modes`` overloads instead
        __get__ = _get


class _Operation(_Method):
    """One PayCombat operation: its request class, its response shape and its docstring."""

    def __init__(
        self,
        op: Callable[[str], Operation],
        request: Callable[..., Any],
        returns: type[Any] | None,
        doc: str,
    ) -> None:
        self._make_operation = op
        self.request = request
        self.returns = returns
        self._doc = doc

    def __set_name__(self, owner: type[Any], name: str) -> None:
        super().__set_name__(owner, name)
        if not owner.client_attribute:
            raise TypeError(f"{owner.__name__} declares operations but no client_attribute")
        self.operation = self._make_operation(f"{owner.client_attribute}.{name}")
        OPERATIONS.add(self.operation)

    @property
    def doc(self) -> str:
        text = inspect.cleandoc(self._doc)
        op = self.operation
        if op is not None and op.resend is Resend.IDEMPOTENT:
            return f"{text}\n\n{textwrap.fill(IDEMPOTENT_NOTE, 96)}"
        return text

    def returns_annotation(self, blocking: bool) -> str:
        return _describe(self.returns)

    def signature(self, blocking: bool) -> inspect.Signature:
        parameters = inspect.signature(self.request).parameters.values()
        return inspect.Signature(
            list(parameters), return_annotation=self.returns_annotation(blocking)
        )

    def build(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The request object, validated; a wrong call is a ``ValidationError`` too."""
        try:
            return self.request(*args, **kwargs)
        except TypeError as exc:
            message = re.sub(r"[\w.]*__init__\(\)", f"{self.name}()", str(exc))
            raise ValidationError(message) from None

    @functools.cached_property
    def layout(self) -> tuple[tuple[str, str], ...]:
        """Where each request field goes (``path``, ``query`` or ``body``), worked out once."""
        assert self.operation is not None
        default = "body" if self.operation.signed else "query"
        return tuple(
            (field.name, str(field.metadata.get("in") or default))
            for field in attrs.fields(cast("type[Any]", self.request))
            if field.name != "extra"
        )

    @functools.cached_property
    def outside_body(self) -> tuple[tuple[str, str], ...]:
        """``layout`` without the body fields."""
        return tuple(item for item in self.layout if item[1] != "body")

    @functools.cached_property
    def body_keys(self) -> tuple[tuple[str, str], ...]:
        """Each body field's name and its JSON key as written (``'"name":'``)."""
        return tuple(
            (name, f"{json.dumps(name)}:") for name, where in self.layout if where == "body"
        )

    def payload(self, request: Any) -> bytes | None:
        """The signed body's bytes, written straight from ``request`` (``js_dumps_fields``), or
        None where ``split``'s body must be built and written by ``js_dumps`` instead: fields
        beyond the declared ones (``extra``), or a value only ``js_dumps`` can vouch for."""
        assert self.operation is not None
        if not self.operation.signed or getattr(request, "extra", None):
            return None
        return js_dumps_fields(request, self.body_keys, unstructure)

    def split(
        self, request: Any, *, with_body: bool = True
    ) -> tuple[dict[str, str], dict[str, Any], Any]:
        """``(path parameters, query parameters, body)`` of a request object, JSON-ready; the
        body is None unless the operation is signed and ``with_body``."""
        assert self.operation is not None
        path: dict[str, str] = {}
        query: dict[str, Any] = {}
        body: dict[str, Any] = {}
        for name, where in self.layout if with_body else self.outside_body:
            value = getattr(request, name)
            if value is None:
                continue
            if where == "path":
                path[name] = str(value)
                continue
            value = value if type(value) in _JSON_READY else unstructure(value)
            (body if where == "body" else query)[name] = value
        extra = getattr(request, "extra", None)
        if extra:
            rest = body if self.operation.signed else query
            for key, value in extra.items():
                rest.setdefault(key, unstructure(value))  # never overrides a declared field
        return path, query, body if self.operation.signed and with_body else None

    def run(self, pipeline: Pipeline, request: Any) -> Coroutine[Any, Any, Any]:
        """The pipeline call for ``request`` (returned, not awaited here: one frame less)."""
        assert self.operation is not None
        payload = self.payload(request)
        path, query, body = self.split(request, with_body=payload is None)
        order_id = getattr(request, "order_id", None)
        return pipeline.call(
            self.operation,
            path_params=path,
            body=body,
            payload=payload,
            reference=order_id if isinstance(order_id, str) else None,
            params=query or None,
            cast=self.returns if self.returns is not bytes else None,
            expect_bytes=self.returns is bytes,
        )

    def bind_async(self, resource: Resource[Any], pipeline: Pipeline) -> Callable[..., Any]:
        async def method(*args: Any, **kwargs: Any) -> Any:
            running = self.run(pipeline, self.build(args, kwargs))
            del args, kwargs  # not held while the call is in flight (see ``Pipeline.call``)
            result = await running
            return None if self.returns is None else result

        return self.dress(method, blocking=False)

    def bind_raw(self, pipeline: Pipeline) -> Callable[..., Any]:
        async def method(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            request = self.build(args, kwargs)
            sink: builtins.list[Captured] = []
            token = RAW_CAPTURE.set(sink)
            try:
                parsed = await self.run(pipeline, request)
            finally:
                RAW_CAPTURE.reset(token)
            status, headers, content = sink[-1]
            parsed = None if self.kind == "call" and self.returns is None else parsed
            return RawResponse(status=status, headers=headers, content=content, parsed=parsed)

        return self.dress(method, blocking=False, raw=True)


class Endpoint(
    _Modes[
        Callable[P, Coroutine[Any, Any, R]],
        Callable[P, R],
        Callable[P, Coroutine[Any, Any, RawResponse[R]]],
        Callable[P, RawResponse[R]],
    ],
    _Operation,
    Generic[P, R],
):
    """One operation that answers with one value: a model, ``bytes`` or ``None``."""

    def __init__(
        self,
        op: Callable[[str], Operation],
        request: Callable[P, Any],
        returns: type[R] | None,
        doc: str,
    ) -> None:
        super().__init__(op, request, returns, doc)


class ListEndpoint(
    _Modes[
        Callable[P, AsyncPaginator[T]],
        Callable[P, Paginator[T]],
        Callable[P, Coroutine[Any, Any, RawResponse[builtins.list[T]]]],
        Callable[P, RawResponse[builtins.list[T]]],
    ],
    _Operation,
    Generic[P, T],
):
    """One list operation: returns an ``AsyncPaginator`` (``Paginator`` when blocking)."""

    kind = "list"

    def __init__(
        self, op: Callable[[str], Operation], request: Callable[P, Any], returns: Many[T], doc: str
    ) -> None:
        super().__init__(op, request, None, doc)
        self.shape = returns

    def returns_annotation(self, blocking: bool) -> str:
        paginator = "Paginator" if blocking else "AsyncPaginator"
        return f"{paginator}[{self.shape.item.__name__}]"

    async def run(self, pipeline: Pipeline, request: Any) -> Any:
        """One page (the one ``page``/``limit`` ask for): what ``with_raw_response`` returns."""
        assert self.operation is not None
        path, query, _ = self.split(request)
        return await pipeline.call(
            self.operation, path_params=path, params=query or None, cast=self.shape.item, many=True
        )

    def bind_async(self, resource: Resource[Any], pipeline: Pipeline) -> Callable[..., Any]:
        op, item, is_paged = self.operation, self.shape.item, self.shape.paged
        assert op is not None

        def method(*args: Any, **kwargs: Any) -> AsyncPaginator[T]:
            request = self.build(args, kwargs)  # validated now, before anything is fetched
            path, query, _ = self.split(request)

            async def fetch(number: int, size: int) -> list[T]:
                params = page_params(number, size, query) if is_paged else query
                items: list[T] = await pipeline.call(
                    op, path_params=path, params=params or None, cast=item, many=True
                )
                return items

            if not is_paged:
                return AsyncPaginator(fetch, paged=False)
            page, limit = query.pop("page", 1), query.pop("limit", 10)
            return AsyncPaginator(
                fetch, page=page, limit=limit, method=str(op.method), path=op.path
            )

        return self.dress(method, blocking=False)


if TYPE_CHECKING:
    from typing import NotRequired

    from typing_extensions import TypedDict, Unpack

    class Route(TypedDict):
        """The rest of ``endpoint``'s arguments (see its docstring)."""

        title: NotRequired[str]
        method: HTTPMethod
        path: str
        resend: NotRequired[Resend]
        documented: NotRequired[bool]


NoContent = type(None)
"""``returns=NoContent``: the operation answers nothing the SDK reads (the method returns None)."""


@overload
def endpoint(
    *, request: Callable[P, Any], returns: Many[T], doc: str, **route: Unpack[Route]
) -> ListEndpoint[P, T]: ...
@overload
def endpoint(
    *, request: Callable[P, Any], returns: type[R], doc: str, **route: Unpack[Route]
) -> Endpoint[P, R]: ...
def endpoint(*, request: Callable[..., Any], returns: Any, doc: str, **route: Unpack[Route]) -> Any:
    """Declare one operation on a resource class (see ``_base``'s docstring).

    Args:
        request: the attrs class whose fields are the method's parameters.
        returns: a model class, ``bytes`` (a file), ``NoContent`` (nothing useful comes back),
            ``many(Model)`` or ``paged(Model)`` (a list: the method returns a paginator).
        doc: the method's docstring. It starts with the operation's title exactly as the
            PayCombat docs write it, then a colon: ``"Create Payout: send ..."``. Written for
            the async package, in the phrases ``blocking_doc`` turns into blocking code.
        method: the HTTP method.
        path: the path template; each ``{name}`` is a request field with ``metadata=PATH``.
        title: the docs title, when it cannot start the docstring (it contains a colon).
        resend: what may be resent after an attempt that may have arrived (``Resend``);
            reads default to SAFE, writes to NEVER.
        documented: False when the path is inferred rather than shown by the docs.
    """
    # The docs title is the docstring's first words, up to the colon: it is written once.
    make = functools.partial(
        operation,
        title=route.get("title", doc.split(":", 1)[0].strip()),
        method=route["method"],
        path=route["path"],
        resend=route.get("resend"),
        documented=route.get("documented", True),
    )
    if isinstance(returns, Many):
        return ListEndpoint(make, request, returns, doc)
    return Endpoint(make, request, None if returns is NoContent else returns, doc)
