"""Typed descriptors that turn an async method into a blocking one.

```python
class Payouts(Resource):
    create = blocking(AsyncPayouts.create)  # async def -> the value
    list = blocking_iter(AsyncPayouts.list)  # def -> AsyncPaginator[T]  becomes  Paginator[T]
```

``ParamSpec``/``Concatenate`` carry the async method's parameters over, so mypy and IDEs see the
exact signature with a non-async return type; at runtime the bound method keeps the async
method's name, docstring and ``inspect.signature`` (without ``self``). Nothing else happens here:
each call resolves the current async object (fork-aware) and forwards to it through the runner.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from paycombat_async._pagination import AsyncPaginator
from paycombat_async._routes import OPERATIONS, Operation

from ._pagination import Paginator

if TYPE_CHECKING:
    from ._portal import Runner

__all__ = ["Forwarder", "blocking", "blocking_iter", "blocking_stream", "route_operation"]

S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

OperationFor = Callable[[str, str, tuple[Any, ...], dict[str, Any]], Operation | None]
"""``(path, method name, args, kwargs)`` -> the operation a call runs, if known."""


class Forwarder:
    """A blocking object whose methods forward to an async twin: a client or one resource.

    ``_path`` names the twin on the async client (``"payouts"``), or ``""`` for the client itself.
    """

    _runner: Runner
    _path: str


@functools.cache
def _operations_by_method() -> dict[str, Operation]:
    return {op.resource_method: op for op in OPERATIONS.values()}


def route_operation(
    path: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Operation | None:
    """The route-table entry of ``client.<path>.<name>`` (e.g. ``payouts.create``), if any."""
    return _operations_by_method().get(f"{path}.{name}" if path else name)


def _signature(func: Callable[..., Any], returns: Callable[[Any], Any] | None) -> inspect.Signature:
    signature = inspect.signature(func)
    parameters = list(signature.parameters.values())[1:]  # without self
    annotation = signature.return_annotation
    if returns is not None:
        annotation = returns(annotation)
    return signature.replace(parameters=parameters, return_annotation=annotation)


def _wrap(method: Callable[..., Any], func: Callable[..., Any], sig: inspect.Signature) -> None:
    functools.update_wrapper(method, func)
    method.__dict__["__signature__"] = sig


class _Blocking(Generic[S, P, R]):
    """``async def m(self, ...) -> R`` on the async class becomes ``m(...) -> R`` here."""

    def __init__(
        self,
        func: Callable[Concatenate[S, P], Awaitable[R]],
        operation: OperationFor = route_operation,
    ) -> None:
        self._func = func
        self._name = func.__name__
        self._operation = operation
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """The blocking method's signature: the async one without ``self``."""
        return _signature(self._func, None)

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> _Blocking[S, P, R]: ...

    @overload
    def __get__(self, instance: Forwarder, owner: type[Any] | None = None) -> Callable[P, R]: ...

    def __get__(
        self, instance: Forwarder | None, owner: type[Any] | None = None
    ) -> _Blocking[S, P, R] | Callable[P, R]:
        if instance is None:
            return self
        runner, path, name = instance._runner, instance._path, self._name
        func, operation = self._func, self._operation

        def method(*args: P.args, **kwargs: P.kwargs) -> R:
            target = runner.target(path)
            return runner.run(
                lambda: func(target, *args, **kwargs),
                operation=functools.partial(operation, path, name, args, kwargs),
            )

        _wrap(method, func, self.signature)
        instance.__dict__[name] = method  # bound once per object; no reference back to it
        return method


class _BlockingIter(Generic[S, P, T]):
    """``def list(self, ...) -> AsyncPaginator[T]`` becomes ``list(...) -> Paginator[T]``."""

    def __init__(self, func: Callable[Concatenate[S, P], AsyncPaginator[T]]) -> None:
        self._func = func
        self._name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """The blocking method's signature: returns a ``Paginator`` instead."""

        def blocking_return(annotation: Any) -> Any:
            if isinstance(annotation, str):
                return annotation.replace("AsyncPaginator[", "Paginator[")
            return annotation

        return _signature(self._func, blocking_return)

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> _BlockingIter[S, P, T]: ...

    @overload
    def __get__(
        self, instance: Forwarder, owner: type[Any] | None = None
    ) -> Callable[P, Paginator[T]]: ...

    def __get__(
        self, instance: Forwarder | None, owner: type[Any] | None = None
    ) -> _BlockingIter[S, P, T] | Callable[P, Paginator[T]]:
        if instance is None:
            return self
        runner, path, func = instance._runner, instance._path, self._func

        def method(*args: P.args, **kwargs: P.kwargs) -> Paginator[T]:
            # Building the async paginator does no I/O (and validates page/limit right here).
            return Paginator(runner, func(runner.target(path), *args, **kwargs))

        _wrap(method, func, self.signature)
        instance.__dict__[self._name] = method
        return method


def blocking(
    func: Callable[Concatenate[S, P], Awaitable[R]],
    operation: OperationFor = route_operation,
) -> _Blocking[S, P, R]:
    """Declare the blocking twin of an async method: ``create = blocking(AsyncPayouts.create)``.

    Args:
        func: the async method, taken from the async class.
        operation: tells which operation a call runs, so that an interrupted call that moves
            money reports an unknown outcome; by default the route table's ``resource_method``.
    """
    return _Blocking(func, operation)


def blocking_iter(func: Callable[Concatenate[S, P], AsyncPaginator[T]]) -> _BlockingIter[S, P, T]:
    """Declare the blocking twin of a "Get All" method: ``list = blocking_iter(AsyncX.list)``."""
    return _BlockingIter(func)


class _BlockingStream(Generic[S, P, T]):
    """``def m(self, ...) -> AsyncIterator[T]`` becomes ``m(...) -> Iterator[T]`` (batch helper).

    The async iterator is built on the loop thread when the blocking one is first advanced, and
    closed there when the blocking one is closed or collected.
    """

    def __init__(self, func: Callable[Concatenate[S, P], AsyncIterator[T]]) -> None:
        self._func = func
        self._name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """The blocking method's signature: returns an ``Iterator`` instead."""

        def blocking_return(annotation: Any) -> Any:
            if isinstance(annotation, str):
                return annotation.replace("AsyncIterator[", "Iterator[")
            return annotation

        return _signature(self._func, blocking_return)

    @overload
    def __get__(
        self, instance: None, owner: type[Any] | None = None
    ) -> _BlockingStream[S, P, T]: ...

    @overload
    def __get__(
        self, instance: Forwarder, owner: type[Any] | None = None
    ) -> Callable[P, Iterator[T]]: ...

    def __get__(
        self, instance: Forwarder | None, owner: type[Any] | None = None
    ) -> _BlockingStream[S, P, T] | Callable[P, Iterator[T]]:
        if instance is None:
            return self
        runner, path, func = instance._runner, instance._path, self._func

        def method(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
            return runner.iterate(lambda: func(runner.target(path), *args, **kwargs))

        _wrap(method, func, self.signature)
        instance.__dict__[self._name] = method
        return method


def blocking_stream(
    func: Callable[Concatenate[S, P], AsyncIterator[T]],
) -> _BlockingStream[S, P, T]:
    """Declare the blocking twin of a method returning an async iterator (``stream_many``)."""
    return _BlockingStream(func)
