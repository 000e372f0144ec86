"""How the shared resource classes run in blocking mode: each call goes through the runner.

The resources are the very classes of ``paycombat_async`` (``Payouts[BlockingMode]``); their
declared methods bind here to a blocking function that resolves the current async twin (fork-aware,
``runner.target``) and runs the twin's coroutine on the portal loop. Lists come back as a
``Paginator``, hand-written async generators as iterators. Nothing per method is written here.

What the blocking client holds is a subclass made here, once per resource (``Payouts`` of this
module, a subclass of ``paycombat_async``'s ``Payouts``): it adds nothing but its presentation,
so that ``help(client.payouts)`` lists the methods as its own, with their blocking signatures
and their docstrings as blocking code reads them (``blocking_doc``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

from paycombat_async._core.pagination import Paginator
from paycombat_async._core.routes import Operation
from paycombat_async.resources._base import Method, Resource, Transport
from paycombat_async.resources._declare import _Method, blocking_doc

if TYPE_CHECKING:
    from ._portal import Runner

__all__ = ["BlockingTransport", "Forwarder", "View", "blocking", "same"]

S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")

OperationFor = Callable[[tuple[Any, ...], dict[str, Any]], Operation | None]
"""``(args, kwargs)`` -> the operation a client-level call runs, if known."""


View = Callable[[Any], Any]
"""Picks, on the current async client, the object whose resources a blocking one mirrors: the
client itself, a ``with_options`` client, or its ``with_raw_response``."""


def same(client: Any) -> Any:
    """The default view: the async client itself."""
    return client


class BlockingTransport(Transport):
    """Binds each declared method to a blocking function that forwards through ``runner``."""

    def __init__(self, runner: Runner, view: View = same, *, raw: bool = False) -> None:
        self.runner = runner
        self.view = view
        self.raw = raw

    def resource_class(self, resource: type[Resource[Any]]) -> type[Resource[Any]]:
        return _blocking_class(resource)

    def bind(self, resource: Resource[Any], method: Method) -> Callable[..., Any]:
        runner, view, path, name = self.runner, self.view, resource.client_attribute, method.name
        op, owner = method.operation, type(resource)

        def twin() -> Any:
            return getattr(getattr(view(runner.target("")), path), name)

        if method.kind == "list" and not self.raw:

            def paginate(*args: Any, **kwargs: Any) -> Any:
                # Building the async paginator does no I/O (and validates its arguments here).
                return Paginator(runner, twin()(*args, **kwargs))

            return method.dress(paginate, blocking=True, owner=owner)
        if method.kind == "iter":

            def iterate(*args: Any, **kwargs: Any) -> Any:
                return runner.iterate(lambda: twin()(*args, **kwargs))

            return method.dress(iterate, blocking=True, owner=owner)

        def call(*args: Any, **kwargs: Any) -> Any:
            return runner.run(
                lambda: twin()(*args, **kwargs), operation=lambda: op, call=(args, kwargs)
            )

        return method.dress(call, blocking=True, raw=self.raw, owner=owner)


_BLOCKING_CLASSES: dict[type[Resource[Any]], type[Resource[Any]]] = {}


def _blocking_class(resource: type[Resource[Any]]) -> type[Resource[Any]]:
    """The resource class as the blocking client holds it: a subclass of the async one, named
    as it is but defined in this module (``paycombat_sync._bridge.Payouts``), whose methods
    ``help()`` and ``inspect`` show with their blocking signatures and docstrings.

    The declared methods are the very descriptors of the async class, set on the subclass too
    (after it is made, so that they are not declared a second time): ``help()`` then lists them
    as its own. Nothing is redefined.
    """
    found = _BLOCKING_CLASSES.get(resource)
    if found is None:
        namespace = {
            "blocking": True,
            "__module__": __name__,
            "__qualname__": resource.__qualname__,
            "__doc__": blocking_doc(resource.__doc__ or ""),
        }
        made = type(resource.__name__, (resource,), namespace)
        for klass in reversed(resource.__mro__):
            for name, member in vars(klass).items():
                if isinstance(member, _Method):
                    setattr(made, name, member)
        found = _BLOCKING_CLASSES.setdefault(resource, made)
        # Reachable by its name where it says it lives (pickle, pydoc, ``inspect.getsource``).
        globals().setdefault(resource.__qualname__, found)
    return found


class Forwarder:
    """A blocking object whose client-level methods (``blocking``) forward to an async twin.

    It binds them itself, when it is set up (``_forward_through``): each call then runs on
    ``runner``, against ``view`` of the runner's current async client.
    """

    def _forward_through(self, runner: Runner, view: View) -> None:
        for klass in type(self).__mro__:
            for name, member in vars(klass).items():
                if isinstance(member, _Blocking):
                    # Held by the object itself, read before the class's descriptor.
                    self.__dict__[name] = member.bind(runner, view)


class _Blocking(Generic[S, P, R]):
    """``async def m(self, ...) -> R`` on the async client becomes ``m(...) -> R`` here."""

    def __init__(
        self, func: Callable[Concatenate[S, P], Awaitable[R]], operation: OperationFor
    ) -> None:
        self._func = func
        self._name = func.__name__
        self._operation = operation
        self.__doc__ = blocking_doc(func.__doc__) if func.__doc__ else func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """The blocking method's signature: the async one without ``self``."""
        signature = inspect.signature(self._func)
        return signature.replace(parameters=list(signature.parameters.values())[1:])

    def _dress(self, method: Callable[..., Any]) -> None:
        functools.update_wrapper(method, self._func)
        method.__dict__["__signature__"] = self.signature
        method.__dict__.pop("__wrapped__", None)  # help() shows the blocking signature
        method.__doc__ = self.__doc__  # as blocking code reads it

    def bind(self, runner: Runner, view: View) -> Callable[P, R]:
        """The method of a ``Forwarder`` that runs on ``runner``, against ``view`` of its
        current async client."""
        func, operation = self._func, self._operation

        def method(*args: P.args, **kwargs: P.kwargs) -> R:
            target = view(runner.target(""))
            return runner.run(
                lambda: func(target, *args, **kwargs),
                operation=functools.partial(operation, args, kwargs),
                call=(args, kwargs),
            )

        self._dress(method)
        return method

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Callable[P, R]:
        # What pydoc and IDEs see on the class: a function with the blocking signature. (A
        # ``Forwarder`` holds its bound method in its ``__dict__``, read before this.)
        def unbound(*args: P.args, **kwargs: P.kwargs) -> R:
            raise TypeError(f"call {self._name} on a client, not on the class")

        self._dress(unbound)
        return unbound


def blocking(
    func: Callable[Concatenate[S, P], Awaitable[R]], operation: OperationFor
) -> _Blocking[S, P, R]:
    """Declare the blocking twin of a client-level async method (``request``).

    Args:
        func: the async method, taken from the async client class.
        operation: tells which operation a call runs, so that an interrupted call that moves
            money reports an unknown outcome.
    """
    return _Blocking(func, operation)
