"""Auto-paging for every "Get All" operation.

PayCombat's list parameters are not documented; Finmo's (which PayCombat forwards to) are ``page``
(1-based) and ``limit`` (default 10), with a plain array in ``data`` and no total. Those inferred
conventions live here and nowhere else: a list ends at the first page shorter than ``limit``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["DEFAULT_LIMIT", "AsyncPaginator", "Page", "page_params"]

T = TypeVar("T")

PAGE_PARAM = "page"
LIMIT_PARAM = "limit"
DEFAULT_LIMIT = 10
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
    """``async for item in paginator`` walks every page; ``paginator.pages()`` yields pages.

    Nothing is fetched until you iterate, and each page is fetched once, when it is needed.
    """

    def __init__(
        self,
        fetch: Callable[[int, int], Awaitable[list[T]]],
        *,
        page: int = FIRST_PAGE,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        if page < FIRST_PAGE:
            raise ValueError("page starts at 1")
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._fetch = fetch
        self._start = page
        self._limit = limit

    async def fetch_page(self, page: int) -> Page[T]:
        """Fetch one page by number."""
        return Page(items=await self._fetch(page, self._limit), page=page, limit=self._limit)

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

    async def to_list(self, max_items: int | None = None) -> list[T]:
        """Collect items (all, or the first ``max_items``) into a list."""
        collected: list[T] = []
        async for current in self.pages():
            collected.extend(current.items)
            if max_items is not None and len(collected) >= max_items:
                return collected[:max_items]
        return collected
