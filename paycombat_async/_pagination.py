"""One paginator for every list operation, paged ("Get All") or not, in both packages.

PayCombat's list parameters are not documented; Finmo's (which PayCombat forwards to) are ``page``
(1-based) and ``limit`` (default 10), with a plain array in ``data`` and no total. Those inferred
conventions live here and nowhere else: a list ends at the first page shorter than ``limit``. A
list that does not page (payin methods, for instance) is one page holding every item.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from ._exceptions import ValidationError

__all__ = ["DEFAULT_LIMIT", "AsyncPaginator", "Page", "Paginator", "page_params"]

T = TypeVar("T")

PAGE_PARAM = "page"
LIMIT_PARAM = "limit"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100  # what the sandbox, like Finmo, accepts
FIRST_PAGE = 1
# Where a list may sit when ``data`` is an object rather than an array (lenient, inferred).
_LIST_KEYS = ("data", "items", "rows", "results", "list")


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: its items, its number and the page size asked for."""

    items: list[T]
    page: int
    limit: int

    @property
    def has_more(self) -> bool:
        """Whether a next page may exist (this one was full)."""
        return len(self.items) >= self.limit


def page_params(page: int, limit: int, filters: Mapping[str, Any]) -> dict[str, Any]:
    """The query for one page: the filters plus the inferred paging parameters."""
    return {**filters, PAGE_PARAM: page, LIMIT_PARAM: limit}


def check_page(page: object, limit: object) -> None:
    """``page`` and ``limit`` as the list operations take them, or a ``ValidationError``."""
    for name, value, top in (("page", page, None), ("limit", limit, MAX_LIMIT)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                f"must be a whole number of at least 1, got {value!r}", field=name
            )
        if top is not None and value > top:
            raise ValidationError(f"must be at most {top}, got {value!r}", field=name)


def list_items(data: Any) -> list[Any]:
    """The array inside ``data``, whether PayCombat sent it bare or wrapped in an object."""
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in _LIST_KEYS:
            if isinstance(data.get(key), list):
                items: list[Any] = data[key]
                return items
    raise TypeError(f"expected a list of objects, got {type(data).__name__}")


class AsyncPaginator(Generic[T]):
    """What every list operation returns: nothing is fetched until it is used.

    * ``await paginator`` (or ``await paginator.to_list()``): every item, as a list;
    * ``async for item in paginator``: every item, fetching each page when it is needed;
    * ``async for page in paginator.pages()``: page by page.

    Args:
        fetch: fetches one page's items, given its number and size.
        page: the first page (1-based).
        limit: items per page.
        paged: False for a list PayCombat sends whole: one fetch, one page.
    """

    def __init__(
        self,
        fetch: Callable[[int, int], Awaitable[list[T]]],
        *,
        page: int = FIRST_PAGE,
        limit: int = DEFAULT_LIMIT,
        paged: bool = True,
    ) -> None:
        check_page(page, limit)
        self._fetch = fetch
        self._start = page
        self._limit = limit
        self._paged = paged

    def __repr__(self) -> str:
        shape = f"from page {self._start}, {self._limit} a page" if self._paged else "one page"
        return f"<AsyncPaginator {shape}>"

    async def fetch_page(self, page: int) -> Page[T]:
        """Fetch one page by number (a list that does not page has only page 1)."""
        items = await self._fetch(page, self._limit)
        # A list sent whole is one page that is never full: its limit is more than its size.
        return Page(items=items, page=page, limit=self._limit if self._paged else len(items) + 1)

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page from the starting one, until a page that is not full."""
        number = self._start
        while True:
            current = await self.fetch_page(number)
            if current.items:
                yield current
            if not current.has_more:
                return
            number += 1

    async def _items(self) -> AsyncIterator[T]:
        async for current in self.pages():
            for item in current.items:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    def __await__(self) -> Generator[Any, None, list[T]]:
        return self.to_list().__await__()

    async def to_list(self, max_items: int | None = None) -> list[T]:
        """Collect items (all, or the first ``max_items``) into a list."""
        collected: list[T] = []
        async for current in self.pages():
            collected.extend(current.items)
            if max_items is not None and len(collected) >= max_items:
                return collected[:max_items]
        return collected


class Runs(Protocol):
    """What the blocking paginator needs from ``paycombat_sync``'s runner."""

    def run(self, make: Callable[[], Awaitable[T]]) -> T: ...

    def iterate(self, make: Callable[[], AsyncIterator[T]]) -> Iterator[T]: ...


class Paginator(Generic[T]):
    """The blocking twin of ``AsyncPaginator`` (``paycombat_sync``'s lists return it).

    ``for item in paginator`` walks every page; ``.pages()`` yields pages; ``.to_list()``
    collects. Each page is fetched once, in one round trip, by the async paginator it wraps (so
    the paging rules live in one place).
    """

    def __init__(self, runner: Runs, paginator: AsyncPaginator[T]) -> None:
        self._runner = runner
        self._paginator = paginator

    def __repr__(self) -> str:
        return f"<Paginator over {self._paginator!r}>"

    def fetch_page(self, page: int) -> Page[T]:
        """Fetch one page by number."""
        return self._runner.run(functools.partial(self._paginator.fetch_page, page))

    def pages(self) -> Iterator[Page[T]]:
        """Every page from the starting one, until a page that is not full."""
        return self._runner.iterate(self._paginator.pages)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def to_list(self, max_items: int | None = None) -> list[T]:
        """Collect items (all, or the first ``max_items``) into a list."""
        return self._runner.run(functools.partial(self._paginator.to_list, max_items))
