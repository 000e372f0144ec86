"""Paginators always end: a server that ignores ``page``, or a list with no end, raises.

Every case runs against a real loopback server answering Get All Payout (``GET /api/v1/payout``)
with the PayCombat envelope, and counts the requests it saw: a bound that only holds in the
paginator's own bookkeeping, while the wire keeps going, would not count.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import pytest
from aiohttp import web

import paycombat_sync
from paycombat_async import (
    APIError,
    AsyncPaginator,
    InvalidResponseError,
    Page,
    PaginationError,
    Payout,
    ValidationError,
)
from paycombat_async._core.pagination import DEFAULT_MAX_PAGES
from tests.helpers import client_for, serve_app

LIST_PATH = "/api/v1/payout"

# What the server sends for one page, given the page number and limit the client asked for.
Pager = Callable[[int, int], list[dict[str, Any]]]


def payout(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"po-{n}", "order_id": f"order-{n}", **extra}


class PayoutServer:
    """Answers Get All Payout with ``pager``'s page and counts the requests it saw."""

    def __init__(self, pager: Pager) -> None:
        self.pager = pager
        self.asked: list[tuple[int, int]] = []  # (page, limit) of every list request
        self.base_url = ""

    async def handle(self, request: web.Request) -> web.Response:
        page, limit = int(request.query["page"]), int(request.query["limit"])
        self.asked.append((page, limit))
        body = {"status": True, "message": "ok", "data": self.pager(page, limit)}
        return web.json_response(body)

    @property
    def requests(self) -> int:
        return len(self.asked)


@asynccontextmanager
async def payout_server(pager: Pager) -> AsyncIterator[PayoutServer]:
    server = PayoutServer(pager)
    app = web.Application()
    app.router.add_get(LIST_PATH, server.handle)
    async with serve_app(app) as base_url:
        server.base_url = base_url
        yield server


def ignores_page(page: int, limit: int) -> list[dict[str, Any]]:
    """Page 1, whatever page is asked for."""
    return [payout(n) for n in range(limit)]


def never_ends(page: int, limit: int) -> list[dict[str, Any]]:
    """A full page of new payouts, for every page number."""
    first = (page - 1) * limit
    return [payout(n) for n in range(first, first + limit)]


def holding(total: int) -> Pager:
    """A well-behaved server holding ``total`` payouts."""

    def pager(page: int, limit: int) -> list[dict[str, Any]]:
        first = (page - 1) * limit
        return [payout(n) for n in range(first, min(first + limit, total))]

    return pager


def ids(payouts: list[Payout]) -> list[str]:
    return [p.id for p in payouts]


def number(page: Page[Payout]) -> int:
    return page.page


async def drain(source: AsyncIterator[Any], into: list[Any], pick: Callable[[Any], Any]) -> None:
    """Walk ``source`` into ``into`` (what was yielded before an error stays there)."""
    async for value in source:
        into.append(pick(value))


# -- a server that ignores ``page`` ----------------------------------------------------------------


async def test_a_server_ignoring_page_raises_after_the_second_page() -> None:
    async with payout_server(ignores_page) as server, client_for(server) as client:
        with pytest.raises(PaginationError) as caught:
            await client.payouts.list(limit=3)
    assert server.asked == [(1, 3), (2, 3)]  # two requests, not 22,831
    error = caught.value
    assert isinstance(error, InvalidResponseError)
    assert isinstance(error, APIError)
    assert error.page == 2
    assert "page 2 repeated page 1" in str(error)
    assert "ignore the 'page' query parameter" in str(error)
    assert "fetch_page()" in str(error)  # and what to do about it


async def test_iterating_yields_the_first_page_then_raises() -> None:
    async with payout_server(ignores_page) as server, client_for(server) as client:
        seen: list[str] = []
        with pytest.raises(PaginationError):
            await drain(client.payouts.list(limit=4), seen, lambda item: item.id)
        assert seen == ["po-0", "po-1", "po-2", "po-3"]
        pages: list[int] = []
        with pytest.raises(PaginationError):
            await drain(client.payouts.list(page=5, limit=4).pages(max_pages=100), pages, number)
        assert pages == [5]  # the walk starts where asked; the repeat is page 6
    assert server.asked[-2:] == [(5, 4), (6, 4)]
    assert server.requests == 4


async def test_a_repeat_is_recognised_by_id_even_when_the_objects_changed() -> None:
    calls = 0

    def ignores_page_while_updating(page: int, limit: int) -> list[dict[str, Any]]:
        nonlocal calls
        calls += 1
        return [payout(n, status="PENDING" if calls == 1 else "COMPLETED") for n in range(limit)]

    async with (
        payout_server(ignores_page_while_updating) as server,
        client_for(server) as client,
    ):
        with pytest.raises(PaginationError, match="page 2 repeated page 1"):
            await client.payouts.list(limit=2).to_list()
    assert server.requests == 2


async def test_a_short_page_that_repeats_just_ends_the_list() -> None:
    # Page 1 is not full: the list ends there, page 2 is never asked for.
    async with payout_server(holding(2)) as server, client_for(server) as client:
        assert ids(await client.payouts.list(limit=3)) == ["po-0", "po-1"]
    assert server.asked == [(1, 3)]


async def test_the_error_carries_the_operation_when_the_paginator_knows_it() -> None:
    async def fetch(page: int, limit: int) -> list[str]:
        return ["same"] * limit  # items without an ``id``: compared with ``==``

    paginator = AsyncPaginator(fetch, limit=2, method="GET", path=LIST_PATH)
    with pytest.raises(PaginationError) as caught:
        await paginator
    assert (caught.value.method, caught.value.path, caught.value.page) == ("GET", LIST_PATH, 2)
    assert str(caught.value).startswith(f"[GET {LIST_PATH}] page 2 repeated page 1")


# -- a list with no end: ``max_pages`` ------------------------------------------------------------


async def test_a_list_with_no_end_raises_once_past_max_pages() -> None:
    async with payout_server(never_ends) as server, client_for(server) as client:
        with pytest.raises(PaginationError) as caught:
            await client.payouts.list(limit=2).to_list(max_pages=3)
        assert server.requests == 4  # max_pages, plus the one that shows the list goes on
        assert caught.value.page == 4
        assert "more than max_pages=3 pages" in str(caught.value)
        assert "larger max_pages" in str(caught.value)

        walked: list[int] = []
        with pytest.raises(PaginationError, match="max_pages=2"):
            await drain(client.payouts.list(limit=2).pages(max_pages=2), walked, number)
        assert walked == [1, 2]  # every page within the bound, none past it
    assert server.requests == 4 + 3


async def test_a_list_that_ends_exactly_at_max_pages_is_not_an_error() -> None:
    async with payout_server(holding(6)) as server, client_for(server) as client:
        listing = client.payouts.list(limit=3)
        assert ids(await listing.to_list(max_pages=2)) == [f"po-{n}" for n in range(6)]
    assert server.asked == [(1, 3), (2, 3), (3, 3)]  # page 3 is empty: the list ended


async def test_the_default_bound_is_documented_and_applies() -> None:
    assert DEFAULT_MAX_PAGES == 10_000
    fetched = 0

    async def fetch(page: int, limit: int) -> list[int]:
        nonlocal fetched
        fetched += 1
        return list(range(page * limit, (page + 1) * limit))

    with pytest.raises(PaginationError, match="max_pages=5 "):
        await AsyncPaginator(fetch, limit=1, max_pages=5)
    assert fetched == 6
    fetched = 0
    with pytest.raises(PaginationError, match=f"max_pages={DEFAULT_MAX_PAGES} "):
        await AsyncPaginator(fetch, limit=1)
    assert fetched == DEFAULT_MAX_PAGES + 1


async def test_to_list_stopping_at_max_items_is_not_an_error() -> None:
    async with payout_server(never_ends) as server, client_for(server) as client:
        listing = client.payouts.list(limit=3)
        assert ids(await listing.to_list(max_items=5)) == [f"po-{n}" for n in range(5)]
        assert server.requests == 2
        # The bound counts pages fetched: five items fit in two pages, within max_pages=2.
        assert len(await listing.to_list(max_items=5, max_pages=2)) == 5
    assert server.requests == 4


async def test_a_well_behaved_list_is_walked_completely() -> None:
    async with payout_server(holding(7)) as server, client_for(server) as client:
        listing = client.payouts.list(limit=3)
        assert ids(await listing) == [f"po-{n}" for n in range(7)]
        assert server.asked == [(1, 3), (2, 3), (3, 3)]
        pages = [page async for page in listing.pages()]
        assert [(p.page, len(p.items), p.has_more) for p in pages] == [
            (1, 3, True),
            (2, 3, True),
            (3, 1, False),
        ]
        assert [item.order_id async for item in listing][-1] == "order-6"
    assert server.requests == 9


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "3"])
async def test_a_bad_max_pages_is_refused_before_any_request(bad: Any) -> None:
    async with payout_server(never_ends) as server, client_for(server) as client:
        listing = client.payouts.list(limit=2)
        with pytest.raises(ValidationError, match="max_pages") as caught:
            listing.pages(max_pages=bad)  # at the call, not at the first iteration
        assert caught.value.field == "max_pages"
        with pytest.raises(ValidationError, match="max_pages"):
            await listing.to_list(max_pages=bad)
    assert server.requests == 0

    async def fetch(page: int, limit: int) -> list[int]:
        raise AssertionError("fetched")  # pragma: no cover

    with pytest.raises(ValidationError, match="max_pages"):
        AsyncPaginator(fetch, max_pages=bad)


# -- the blocking paginator ----------------------------------------------------------------------


async def test_the_blocking_paginator_raises_the_same_errors() -> None:
    def use(base_url: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        with client_for(base_url, blocking=True) as client:
            listing = client.payouts.list(limit=3)
            assert isinstance(listing, paycombat_sync.Paginator)
            with pytest.raises(ValidationError, match="max_pages"):
                listing.pages(max_pages=0)
            with pytest.raises(ValidationError, match="max_pages"):
                listing.to_list(max_pages=0)
            with pytest.raises(paycombat_sync.PaginationError) as repeat:
                listing.to_list()
            seen["repeat"] = repeat.value
            items: list[str] = []
            with pytest.raises(paycombat_sync.PaginationError):
                items.extend(p.id for p in listing)
            seen["iterated"] = items
            with pytest.raises(paycombat_sync.PaginationError):
                list(listing.pages(max_pages=1))
        return seen

    async with payout_server(ignores_page) as server:
        seen = await anyio.to_thread.run_sync(use, server.base_url)
        assert server.requests == 2 + 2 + 2
        assert seen["repeat"].page == 2
        assert "ignore the 'page' query parameter" in str(seen["repeat"])
        assert seen["iterated"] == ["po-0", "po-1", "po-2"]

    async with payout_server(never_ends) as server:

        def walk_past(base_url: str) -> list[int]:
            with client_for(base_url, blocking=True) as client:
                listing = client.payouts.list(limit=2)
                assert len(listing.to_list(max_items=3)) == 3
                walked: list[int] = []
                with pytest.raises(paycombat_sync.PaginationError, match="max_pages=3"):
                    walked.extend(page.page for page in listing.pages(max_pages=3))
                return walked

        assert await anyio.to_thread.run_sync(walk_past, server.base_url) == [1, 2, 3]
        assert server.requests == 2 + 4
