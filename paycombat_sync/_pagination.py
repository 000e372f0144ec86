"""The blocking twin of ``paycombat_async``'s auto-paging iterator."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

from paycombat_async._pagination import AsyncPaginator, Page

if TYPE_CHECKING:
    from ._portal import Runner

__all__ = ["Page", "Paginator"]

T = TypeVar("T")


class Paginator(Generic[T]):
    """``for item in paginator`` walks every page; ``paginator.pages()`` yields pages.

    Nothing is fetched until you iterate; each page is fetched once, in one round trip, by the
    async paginator it wraps (so the paging rules live in one place).
    """

    def __init__(self, runner: Runner, paginator: AsyncPaginator[T]) -> None:
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
