"""``paycombat call``: any operation by its docs title or key; the list of operations, every page
of a list, and JSON that a job can parse (enums by value, amounts exact)."""

from __future__ import annotations

import difflib
import json
import sys
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import click

from .._core.pagination import DEFAULT_LIMIT, LIMIT_PARAM, MAX_LIMIT, list_items, page_params
from .._core.pipeline import Pipeline
from .._core.routes import Operation
from ..resources import OPERATIONS
from .common import api_client, credential_options, declaration, run_api

__all__ = [
    "call",
    "dumps",
    "more_pages",
    "operation_rows",
    "paging",
    "unknown_operation",
    "walk",
]

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
    declared = declaration(op.key)
    if getattr(declared, "kind", None) != "list":  # a ListEndpoint's kind
        return None
    return bool(declared.shape.paged)


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


def _load_json(data: str) -> Any:
    text = data
    if data.startswith("@"):
        source = data[1:]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read {source}: {exc.strerror}", param_hint="--data"
            ) from None
        except UnicodeDecodeError as exc:
            raise click.BadParameter(
                f"{source} is not UTF-8 (byte {exc.start}); JSON must be UTF-8", param_hint="--data"
            ) from None
    try:
        return json.loads(text, parse_float=Decimal)  # amounts stay exact
    except RecursionError:
        raise click.BadParameter(
            "the JSON is nested too deeply to be a PayCombat body", param_hint="--data"
        ) from None
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--data") from None


def _pairs(values: tuple[str, ...], hint: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, item = value.partition("=")
        if not sep:
            raise click.BadParameter(f"expected name=value, got {value!r}", param_hint=hint)
        pairs[name] = item
    return pairs


@click.command()
@click.argument("name", metavar="OPERATION", required=False)
@click.option("--data", help="The JSON body: inline, @file.json, or @- for standard input.")
@click.option(
    "--path",
    "path_params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A path parameter, e.g. --path payout_id=...",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter, e.g. --param status=PENDING",
)
@click.option("--all", "every_page", is_flag=True, help="A list: walk every page, not the first.")
@click.option(
    "--json", "as_json", is_flag=True, help="Compact JSON on one line (for jobs to parse)."
)
@click.option(
    "--list",
    "list_operations",
    is_flag=True,
    help="List every operation (docs title, key, method, path) and exit.",
)
@credential_options
def call(
    name: str | None,
    data: str | None,
    path_params: tuple[str, ...],
    params: tuple[str, ...],
    every_page: bool,
    as_json: bool,
    list_operations: bool,
    **options: Any,
) -> None:
    """Run any PayCombat operation by its docs title or its key and print its data as JSON.

    \b
    Examples:
      paycombat call --list
      paycombat call "Create Payout" --data @body.json
      paycombat call payouts.retrieve --path payout_id=...
      paycombat call payouts.list --param status=PENDING --all --json

    A list prints its first page unless --all is given (then every page, 100 items a page).
    Amounts print as exact decimal strings, statuses as their values (PENDING).
    """
    if list_operations:
        rows = operation_rows()
        if as_json:
            click.echo(dumps(rows, compact=True))
            return
        width = max(len(row["title"]) for row in rows)
        keys = max(len(row["key"]) for row in rows)
        for row in rows:
            click.echo(
                f"{row['title']:<{width}}  {row['key']:<{keys}}  {row['method']:<6} {row['path']}"
            )
        return
    if name is None:
        raise click.UsageError("name an operation, e.g. payouts.list; 'paycombat call --list'")
    if name not in OPERATIONS:
        raise click.BadParameter(unknown_operation(name), param_hint="OPERATION")
    op = OPERATIONS[name]
    paged = paging(op)
    if every_page and paged is None:
        raise click.UsageError(f"--all walks a list; {op.title} ({op.key}) is not one")
    every_page = every_page and paged is True  # a list answered whole has one page
    body = _load_json(data) if data is not None else None
    path = _pairs(path_params, "--path")
    query = _pairs(params, "--param")

    async def run() -> Any:
        async with api_client(options) as client:
            pipeline = client.pipeline
            if every_page:
                return await walk(pipeline, op, path, query)
            return await pipeline.call(op, path_params=path, body=body, params=query)

    result = run_api(run())  # a missing path parameter is a ValidationError, said in one line
    if isinstance(result, bytes):
        sys.stdout.buffer.write(result)
        return
    click.echo(dumps(result, compact=as_json))
    if paged and not every_page and more_pages(result, query):
        shown = len(result) if isinstance(result, list) else "?"
        click.echo(
            f"paycombat: showing the first page only ({shown} items); add --all for every page",
            err=True,
        )
