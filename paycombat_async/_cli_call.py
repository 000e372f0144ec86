"""What ``paycombat call`` needs beyond running one operation: the list of operations, walking
every page of a list, and JSON that a job can parse (enums by value, amounts exact)."""

from __future__ import annotations

import difflib
import json
from decimal import Decimal
from enum import Enum
from typing import Any

from ._pagination import DEFAULT_LIMIT, LIMIT_PARAM, MAX_LIMIT, list_items, page_params
from ._pipeline import Pipeline
from ._routes import Operation
from .resources import OPERATIONS

__all__ = ["dumps", "more_pages", "operation_rows", "paging", "unknown_operation", "walk"]

MAX_PAGES = 10_000
"""A list longer than this many full pages is stopped: a server that never ends is not a list."""


def unknown_operation(name: str) -> str:
    """One line for a name that is neither an operation's key nor its docs title."""
    names = [op.title for op in OPERATIONS.values()] + list(OPERATIONS)
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"no operation titled or keyed {name!r}{hint} (see 'paycombat call --list')"


def operation_rows() -> list[dict[str, str]]:
    """Every operation: docs title, key, method, path (the order of the docs' sections)."""
    return [
        {"title": op.title, "key": op.key, "method": op.method, "path": op.path}
        for op in OPERATIONS.values()
    ]


def paging(op: Operation) -> bool | None:
    """Whether ``op`` is a list read page by page (``page``/``limit``): True; a list answered
    whole: False; not a list: None."""
    from .resources import resource_classes
    from .resources._declare import ListEndpoint

    attribute, _, method = op.key.partition(".")
    for cls in resource_classes():
        declared = vars(cls).get(method) if cls.client_attribute == attribute else None
        if isinstance(declared, ListEndpoint):
            return bool(declared.shape.paged)
    return None


async def walk(
    pipeline: Pipeline, op: Operation, path: dict[str, str], query: dict[str, Any]
) -> list[Any]:
    """Every item of a paged list: pages of ``MAX_LIMIT`` from page 1 until one is not full."""
    items: list[Any] = []
    for number in range(1, MAX_PAGES + 1):
        params = page_params(number, MAX_LIMIT, query)
        page = list_items(await pipeline.call(op, path_params=path, params=params))
        items.extend(page)
        if len(page) < MAX_LIMIT:
            break
    return items


def more_pages(items: Any, query: dict[str, str]) -> bool:
    """Whether a first page asked with ``query`` was full, so that more may follow."""
    try:
        limit = int(query.get(LIMIT_PARAM, DEFAULT_LIMIT))
    except ValueError:
        return True
    return not isinstance(items, list) or len(items) >= limit


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def dumps(data: Any, *, compact: bool) -> str:
    """``data`` as JSON: statuses by value, amounts as exact decimal strings."""
    if compact:
        return json.dumps(data, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2)
