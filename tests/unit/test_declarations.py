"""Adding an operation is one declaration: the route table, both clients and the docs follow.

A throwaway resource is declared here, given its sandbox handlers, and called through both
packages without a line written for either.
"""

from __future__ import annotations

import builtins
import inspect
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
import pytest

import paycombat_async
import paycombat_async.resources as resources
import paycombat_sync
from paycombat_async import OPERATIONS, AsyncPaginator, Paginator, ValidationError
from paycombat_async._core.retry import Resend
from paycombat_async.models import Model
from paycombat_async.resources._base import (
    PATH,
    M,
    PageRequest,
    Request,
    Resource,
    paged,
)
from paycombat_async.resources._declare import endpoint
from paycombat_async.resources._dual import dual_iterator, dual_method
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.sandbox.handlers import ALL_HANDLERS
from paycombat_async.sandbox.handlers._common import Call, Reply, paginate
from tools.readme import render_table


@attrs.frozen(kw_only=True)
class Widget(Model):
    """A throwaway model."""

    id: str
    size: int | None = None


@attrs.frozen
class WidgetIdRequest(Request):
    widget_id: str = attrs.field(metadata=PATH)


@attrs.frozen(kw_only=True)
class PolishWidgetRequest(Request):
    widget_id: str = attrs.field(metadata=PATH)
    shine: int = 1
    extra: dict[str, Any] | None = None


def declare() -> type[Resource[Any]]:
    """The throwaway resource: declared when a test asks, so no other test ever sees it."""

    class Widgets(Resource[M]):
        """``client.widgets``: a resource declared by a test."""

        client_attribute = "widgets"

        retrieve = endpoint(
            method="GET",
            path="/api/v1/widget/{widget_id}",
            request=WidgetIdRequest,
            returns=Widget,
            documented=False,
            doc="Get Widget: one widget.",
        )
        polish = endpoint(
            method="PATCH",
            path="/api/v1/widget/polish/{widget_id}",
            request=PolishWidgetRequest,
            returns=Widget,
            resend=Resend.IDEMPOTENT,
            doc="Polish Widget: make it shine.",
        )
        list = endpoint(
            method="GET",
            path="/api/v1/widget",
            request=PageRequest,
            returns=paged(Widget),
            doc="Get All Widget: every widget.",
        )

        @dual_method()
        async def sizes(self: Any, *ids: str) -> builtins.list[int | None]:
            """The size of each widget (one hand-written method, for both packages)."""
            return [(await self.retrieve(widget_id)).size for widget_id in ids]

        @dual_iterator
        async def walk(self: Any, count: int) -> AsyncIterator[str]:
            """Yield ``count`` widget ids (a hand-written async generator, for both packages)."""
            for number in range(count):
                yield f"w{number}"

    return Widgets


KEYS = ("widgets.retrieve", "widgets.polish", "widgets.list")


@pytest.fixture
def widgets_class() -> Iterator[type[Resource[Any]]]:
    yield declare()
    for key in KEYS:
        OPERATIONS.remove(key)


async def get_widget(call: Call) -> Reply:
    widget_id = call.path("widget_id")
    size = call.body.get("shine", len(widget_id))
    return Reply({"id": widget_id, "size": size, "colour": "red"})


async def list_widgets(call: Call) -> Reply:
    return Reply(paginate(call, [{"id": f"w{n}"} for n in range(5)]))


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch, widgets_class: type[Resource[Any]]) -> None:
    """The sandbox handlers and the client attribute: what adding a resource takes."""
    slot = resources.Slot("widgets", widgets_class)  # a row of resources.DECLARED, in effect
    monkeypatch.setattr(resources.ClientResources, "widgets", slot, raising=False)
    for key, handler in zip(KEYS, (get_widget, get_widget, list_widgets), strict=True):
        monkeypatch.setitem(ALL_HANDLERS, key, handler)


@pytest.mark.usefixtures("widgets_class")
def test_the_declaration_is_in_the_route_table_and_the_docs_table() -> None:
    op = OPERATIONS["widgets.polish"]
    assert (op.title, op.method, op.signed, op.resend) == (
        "Polish Widget",
        "PATCH",
        True,
        Resend.IDEMPOTENT,
    )
    assert OPERATIONS.find("polish widget") is op
    table = render_table(OPERATIONS.values())
    assert "| Polish Widget | `client.widgets.polish` | PATCH |" in table
    assert (
        "| Get Widget | `client.widgets.retrieve` | GET | `/api/v1/widget/{widget_id}` |" in table
    )


@pytest.mark.usefixtures("handlers")
async def test_the_async_client_gets_the_methods(
    client: paycombat_async.PayCombat, sandbox: LocalSandbox
) -> None:
    widgets: Any = client.widgets  # type: ignore[attr-defined]
    assert await widgets.retrieve("abc") == Widget(id="abc", size=3, extra={"colour": "red"})
    polished = await widgets.polish(widget_id="abc", shine=7, extra={"wax": True})
    assert polished.size == 7
    sent = sandbox.requests_for("Polish Widget")[-1]
    assert json.loads(sent.body) == {"shine": 7, "wax": True}
    assert sent.signature
    listing = widgets.list(limit=2)
    assert isinstance(listing, AsyncPaginator)
    assert [w.id for w in await listing] == ["w0", "w1", "w2", "w3", "w4"]
    assert await widgets.sizes("a", "bb") == [1, 2]
    assert [w async for w in widgets.walk(2)] == ["w0", "w1"]
    with pytest.raises(ValidationError):
        widgets.list(limit=0)
    assert inspect.iscoroutinefunction(widgets.polish)
    assert list(inspect.signature(widgets.polish).parameters) == [
        "widget_id",
        "shine",
        "extra",
    ]
    assert "404, 409 or 422" in (widgets.polish.__doc__ or "")


@pytest.mark.usefixtures("handlers")
def test_the_blocking_client_gets_the_same_methods(
    paycombat_sync_client: paycombat_sync.PayCombat,
) -> None:
    twin: Any = paycombat_sync_client.widgets  # type: ignore[attr-defined]
    assert twin.retrieve("abc").size == 3
    assert twin.polish(widget_id="abc", shine=2).size == 2
    listing_twin = twin.list(limit=3)
    assert isinstance(listing_twin, Paginator)
    assert [w.id for w in listing_twin] == ["w0", "w1", "w2", "w3", "w4"]
    assert twin.sizes("abcd") == [4]
    assert list(twin.walk(3)) == ["w0", "w1", "w2"]
    assert list(inspect.signature(twin.polish).parameters) == ["widget_id", "shine", "extra"]
    assert list(inspect.signature(twin.sizes).parameters) == ["ids"]
    assert twin.sizes.__doc__ == type(twin).sizes.__doc__
    assert not inspect.iscoroutinefunction(twin.polish)
