"""Hand-written methods, written once for both packages: ``dual_method`` and ``dual_iterator``.

```python
class Payouts(Resource[M]):
    @dual_method("payouts.create")  # the operation it runs, if it moves money
    async def create_reconciled(self: Payouts[AsyncMode], request: ...) -> Payout:
        ...  # may await self.create(...): self is the async resource

    @dual_iterator
    async def stream_many(self: Payouts[AsyncMode], items: ..., *, concurrency: int = 32):
        ...  # yields each result

    # the same arguments, everything gathered: one signature for both methods
    create_many = stream_many.collected(collect, returns="builtins.list[BatchResult]", doc=...)
```

On the async client the method is the coroutine function itself; on the blocking client each
call runs it on the client's loop (``@dual_iterator``: an async generator, iterated from blocking
code). ``with_raw_response`` does not offer them (they are not one operation). The docstring is
written once, for the async package; the blocking method's reads as blocking code
(``_declare.blocking_doc``: ``async for result in ...`` becomes ``for result in ...``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, NoReturn, ParamSpec, TypeVar

from ._base import OPERATIONS, Resource
from ._declare import _Method, _Modes

if TYPE_CHECKING:
    from .._core.pipeline import Pipeline

__all__ = ["dual_iterator", "dual_method"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class _HandWritten(_Method):
    """A hand-written ``async def`` method or async generator, mirrored for the blocking client."""

    def __init__(self, function: Callable[..., Any], moves_money_as: str | None) -> None:
        self.function = function
        self.moves_money_as = moves_money_as
        functools.update_wrapper(self, function)  # type: ignore[arg-type]

    def __set_name__(self, owner: type[Any], name: str) -> None:
        super().__set_name__(owner, name)
        if self.moves_money_as is not None:
            self.operation = OPERATIONS.find(self.moves_money_as)

    @property
    def doc(self) -> str:
        return self.function.__doc__ or ""

    def signature(self, blocking: bool) -> inspect.Signature:
        signature = inspect.signature(self.function)
        annotation = signature.return_annotation
        if blocking and isinstance(annotation, str):
            annotation = annotation.replace("AsyncIterator[", "Iterator[")
            annotation = annotation.replace("AsyncPaginator[", "Paginator[")
        return signature.replace(
            parameters=list(signature.parameters.values())[1:], return_annotation=annotation
        )

    def bind_async(self, resource: Resource[Any], pipeline: Pipeline) -> Callable[..., Any]:
        bound = self.function.__get__(resource)

        if self.kind == "iter":

            def iterate(*args: Any, **kwargs: Any) -> Any:
                return bound(*args, **kwargs)

            return self.dress(iterate, blocking=False)

        async def method(*args: Any, **kwargs: Any) -> Any:
            return await bound(*args, **kwargs)

        return self.dress(method, blocking=False)


class _Dual(
    _Modes[
        Callable[P, Coroutine[Any, Any, R]],
        Callable[P, R],
        Callable[P, NoReturn],
        Callable[P, NoReturn],
    ],
    _HandWritten,
    Generic[P, R],
):
    """A hand-written ``async def`` method, mirrored as a blocking one (``dual_method``)."""


class _DualIterator(
    _Modes[
        Callable[P, AsyncIterator[T]],
        Callable[P, Iterator[T]],
        Callable[P, NoReturn],
        Callable[P, NoReturn],
    ],
    _HandWritten,
    Generic[P, T],
):
    """A hand-written async generator method, mirrored as a blocking iterator."""

    kind = "iter"

    def __init__(self, function: Callable[Concatenate[Any, P], AsyncIterator[T]]) -> None:
        super().__init__(function, None)
        self.stream = function

    def collected(
        self,
        collect: Callable[[AsyncIterator[T]], Awaitable[R]],
        *,
        returns: str,
        doc: str,
        moves_money_as: str | None = None,
    ) -> _Dual[P, R]:
        """A method (``dual_method``) that takes this one's very arguments and returns what
        ``collect`` makes of everything it yields.

        Args:
            collect: gathers the iterator's items (``create_many``: every result, in order).
            returns: the method's return annotation, as ``help()`` shows it.
            doc: the method's docstring.
            moves_money_as: as for ``dual_method``.
        """
        stream = self.stream

        async def method(resource: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return await collect(stream(resource, *args, **kwargs))

        method.__doc__ = inspect.cleandoc(doc)
        method.__signature__ = inspect.signature(stream).replace(  # type: ignore[attr-defined]
            return_annotation=returns
        )
        return _Dual(method, moves_money_as)


def dual_method(
    moves_money_as: str | None = None,
) -> Callable[[Callable[Concatenate[Any, P], Awaitable[R]]], _Dual[P, R]]:
    """Declare a hand-written method once for both packages.

    ```python
    @dual_method("payouts.create")
    async def create_reconciled(self: Payouts[AsyncMode], request: ...) -> Payout:
        ...
    ```

    Args:
        moves_money_as: the key of the operation the method runs, when it moves money: a
            blocking call interrupted by Ctrl-C then reports an unknown outcome.
    """

    def declare(function: Callable[Concatenate[Any, P], Awaitable[R]]) -> _Dual[P, R]:
        return _Dual(function, moves_money_as)

    return declare


def dual_iterator(
    function: Callable[Concatenate[Any, P], AsyncIterator[T]],
) -> _DualIterator[P, T]:
    """Declare a hand-written async generator method once for both packages."""
    return _DualIterator(function)
