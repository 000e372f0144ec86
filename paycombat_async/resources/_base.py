"""What every resource shares: a handle on the pipeline and ways to call a route-table entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from .._pagination import DEFAULT_LIMIT, AsyncPaginator, page_params
from .._pipeline import Pipeline
from .._routes import OPERATIONS

__all__ = ["Resource"]

T = TypeVar("T")


class Resource:
    """One API group. Methods describe an operation; the pipeline does the rest."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    async def _call(
        self,
        title: str,
        *,
        cast: type[T],
        path_params: Mapping[str, str] | None = None,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> T:
        """Run one operation and structure its ``data`` as ``cast``."""
        result: T = await self._pipeline.call(
            OPERATIONS[title], path_params=path_params, body=body, params=params, cast=cast
        )
        return result

    async def _call_list(
        self,
        title: str,
        *,
        item: type[T],
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> list[T]:
        """Run an operation whose ``data`` is an array (not paginated) of ``item``."""
        items: list[T] = await self._pipeline.call(
            OPERATIONS[title], path_params=path_params, params=params, cast=item, many=True
        )
        return items

    async def _call_bytes(self, title: str, *, path_params: Mapping[str, str]) -> bytes:
        """Run an operation that answers with a file (the PDF memos)."""
        data: bytes = await self._pipeline.call(
            OPERATIONS[title], path_params=path_params, expect_bytes=True
        )
        return data

    def _paginate(
        self,
        title: str,
        *,
        item: type[T],
        filters: Mapping[str, Any],
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
    ) -> AsyncPaginator[T]:
        """An auto-paging iterator over a "Get All" operation; nothing is fetched yet."""

        async def fetch(number: int, size: int) -> list[T]:
            return await self._call_list(
                title, item=item, params=page_params(number, size, filters)
            )

        return AsyncPaginator(fetch, page=page, limit=limit)
