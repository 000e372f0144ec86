"""One paginator for every list operation, paged ("Get All") or not, in both packages.

PayCombat's list parameters are not documented; Finmo's (which PayCombat forwards to) are ``page``
(1-based) and ``limit`` (default 10), with a plain array in ``data`` and no total. Those inferred
conventions live here and nowhere else: a list ends at the first page shorter than ``limit``. A
list that does not page (payin methods, for instance) is one page holding every item.

Because the end is inferred, a walk is also bounded, so that no server can keep it going forever:

* a full page whose items are the previous page's, one for one and in order (by ``id`` where the
  items have one, else by ``==``), raises ``PaginationError``: the server ignores ``page`` (it
  answers page 1 whatever the number) and the walk would never reach a short page;
* a walk fetches at most ``max_pages`` pages (``DEFAULT_MAX_PAGES`` unless told): a list that
  still has items after them raises ``PaginationError`` rather than being cut short silently.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
)
from typing import Any, Generic, Protocol, TypeVar

import attrs

from .._exceptions import PaginationError, ValidationError
from ..models._base import MAX_LIMIT as MAX_LIMIT  # (the CLI pages by it)
from ..models._base import check_page

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_PAGES",
    "AsyncPaginator",
    "Page",
    "Paginator",
    "check_max_pages",
    "page_params",
]

T = TypeVar("T")

PAGE_PARAM = "page"
LIMIT_PARAM = "limit"
DEFAULT_LIMIT = 10
FIRST_PAGE = 1
DEFAULT_MAX_PAGES = 10_000
"""Pages one walk may fetch unless told otherwise: a million items at ``limit=100``, 100,000 at
the default ``limit`` of 10. Pass ``max_pages`` to ``pages()`` or ``to_list()`` for more."""
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


def check_max_pages(max_pages: object) -> int:
    """``max_pages`` as a walk takes it (a whole number of at least 1), or a ``ValidationError``."""
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise ValidationError(
            f"must be a whole number of at least 1, got {max_pages!r}", field="max_pages"
        )
    return max_pages


def _repeats(previous: list[Any], current: list[Any]) -> bool:
    """Whether ``current`` holds ``previous``'s items, one for one and in the same order.

    Items are matched by ``id`` where they carry one (an object updated between the two fetches
    is still the same object), else by ``==``. The first difference ends the comparison, so a
    well-behaved list pays one comparison a page.
    """
    if len(previous) != len(current):
        return False
    for before, now in zip(previous, current, strict=True):
        key = getattr(before, "id", None)
        if key is None:
            if before != now:
                return False
        elif key != getattr(now, "id", None):
            return False
    return True


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

    A walk ends at the first page that is not full. It raises ``PaginationError`` instead when a
    full page repeats the one before it (the server ignores ``page``), or when the list still has
    items after ``max_pages`` pages (counted from the first page of the walk); the items already
    yielded stay valid, nothing is ever cut short silently. ``pages()`` and ``to_list()`` take
    their own ``max_pages``; iterating uses the paginator's.

    Args:
        fetch: fetches one page's items, given its number and size.
        page: the first page (1-based).
        limit: items per page.
        paged: False for a list PayCombat sends whole: one fetch, one page.
        max_pages: how many pages a walk may fetch (``DEFAULT_MAX_PAGES`` unless told).
        method: the list operation's HTTP method, carried by a ``PaginationError``.
        path: the list operation's path, carried by a ``PaginationError``.

    Raises:
        ValidationError: ``page``, ``limit`` or ``max_pages`` is invalid (nothing is fetched).
    """

    def __init__(
        self,
        fetch: Callable[[int, int], Awaitable[list[T]]],
        *,
        page: int = FIRST_PAGE,
        limit: int = DEFAULT_LIMIT,
        paged: bool = True,
        max_pages: int = DEFAULT_MAX_PAGES,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        check_page(page, limit)
        self._fetch = fetch
        self._start = page
        self._limit = limit
        self._paged = paged
        self._max_pages = check_max_pages(max_pages)
        self._method = method
        self._path = path

    def __repr__(self) -> str:
        shape = f"from page {self._start}, {self._limit} a page" if self._paged else "one page"
        return f"<AsyncPaginator {shape}>"

    async def fetch_page(self, page: int) -> Page[T]:
        """Fetch one page by number (a list that does not page has only page 1)."""
        items = await self._fetch(page, self._limit)
        # A list sent whole is one page that is never full: its limit is more than its size.
        return Page(items=items, page=page, limit=self._limit if self._paged else len(items) + 1)

    def pages(self, max_pages: int | None = None) -> AsyncIterator[Page[T]]:
        """Every page from the starting one, until a page that is not full.

        Args:
            max_pages: how many pages this walk may fetch (None: the paginator's own bound).

        Raises:
            ValidationError: ``max_pages`` is invalid; raised here, before anything is fetched.
            PaginationError: while walking, a full page repeated the one before it, or the list
                still had items after ``max_pages`` pages.
        """
        return self._walk(self._bound(max_pages))

    def _bound(self, max_pages: int | None) -> int:
        return self._max_pages if max_pages is None else check_max_pages(max_pages)

    async def _walk(self, bound: int) -> AsyncGenerator[Page[T], None]:
        number = self._start
        previous: list[T] | None = None  # the page before, when it was full
        while True:
            current = await self.fetch_page(number)
            if previous is not None and current.has_more and _repeats(previous, current.items):
                raise self._error(
                    f"page {number} repeated page {number - 1} item for item "
                    f"({len(current.items)} items): the server seems to ignore the "
                    f"'{PAGE_PARAM}' query parameter, so this list would never end. Fetch a "
                    "single page with fetch_page(), or narrow the list with filters so that it "
                    f"fits one page (limit up to {MAX_LIMIT})",
                    number,
                )
            # Page bound + 1 is fetched only to learn whether the list ended exactly at the bound.
            if number - self._start >= bound and current.items:
                raise self._error(
                    f"the list has more than max_pages={bound} pages of {self._limit} (page "
                    f"{number} still has items): stopped rather than fetch on or cut it short. "
                    "Pass a larger max_pages to pages() or to_list(), or narrow the list with "
                    "filters",
                    number,
                )
            if current.items:
                yield current
            if not current.has_more:
                return
            previous = current.items
            number += 1

    def _error(self, message: str, page: int) -> PaginationError:
        return PaginationError(message, page=page, method=self._method, path=self._path)

    async def _items(self) -> AsyncIterator[T]:
        async for current in self.pages():
            for item in current.items:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    def __await__(self) -> Generator[Any, None, list[T]]:
        return self.to_list().__await__()

    async def to_list(self, max_items: int | None = None, max_pages: int | None = None) -> list[T]:
        """Collect items (all, or the first ``max_items``) into a list.

        Stopping at ``max_items`` is not an error; running past ``max_pages`` pages (None: the
        paginator's own bound) raises ``PaginationError``, as ``pages()`` does.
        """
        collected: list[T] = []
        async with contextlib.aclosing(self._walk(self._bound(max_pages))) as walk:
            async for current in walk:
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
    the paging rules, and the bounds that raise ``PaginationError``, live in one place).
    """

    def __init__(self, runner: Runs, paginator: AsyncPaginator[T]) -> None:
        self._runner = runner
        self._paginator = paginator

    def __repr__(self) -> str:
        return f"<Paginator over {self._paginator!r}>"

    def fetch_page(self, page: int) -> Page[T]:
        """Fetch one page by number."""
        return self._runner.run(functools.partial(self._paginator.fetch_page, page))

    def pages(self, max_pages: int | None = None) -> Iterator[Page[T]]:
        """Every page from the starting one, until a page that is not full (see
        ``AsyncPaginator.pages``: ``max_pages`` is validated here, before anything is fetched)."""
        walk = self._paginator.pages(max_pages)
        return self._runner.iterate(lambda: walk)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def to_list(self, max_items: int | None = None, max_pages: int | None = None) -> list[T]:
        """Collect items (all, or the first ``max_items``) into a list (see
        ``AsyncPaginator.to_list``)."""
        return self._runner.run(functools.partial(self._paginator.to_list, max_items, max_pages))
