"""What handlers share: the request context they get, replies, and body/field checks."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
from aiohttp import web

from .._state import SandboxError, SandboxState

T = TypeVar("T")
_KIND_NAMES: dict[type[Any], str] = {str: "a string", dict: "an object", list: "an array"}
_WHOLE = re.compile("-?([0-9]+)")
_MAX_QUERY_DIGITS = 9
"""``page`` and ``limit`` up to 999,999,999: any page of any list the sandbox can hold."""

__all__ = [
    "Arrival",
    "Call",
    "Handler",
    "Reply",
    "SandboxError",
    "number",
    "optional",
    "paginate",
    "require_amount",
    "require_code",
    "require_id",
    "require_one_of",
    "require_str",
]


@attrs.frozen
class Reply:
    """A successful answer: wrapped as ``{"status": true, "message": ..., "data": ...}``."""

    data: Any
    message: str = "OK"
    status: int = 200


@attrs.frozen
class Call:
    """One request as a handler sees it: parsed body, path and query parameters, the state."""

    request: web.Request
    body: dict[str, Any]
    state: SandboxState

    def path(self, name: str) -> str:
        """A path parameter; a handler's one id is found whatever its placeholder's name."""
        info = self.request.match_info
        if name not in info and len(info) == 1:
            return next(iter(info.values()))
        return info[name]

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query.get(name, default)


Handler = Callable[[Call], Awaitable["Reply | web.StreamResponse"]]
Arrival = Callable[[SandboxState, Any], Callable[[], None]]
"""Runs as a request arrives (before any fault): may refuse it; returns what to run after."""


def require_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SandboxError(400, f"{name} is required")
    return value


def require_amount(body: dict[str, Any], name: str) -> Decimal:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SandboxError(400, f"{name} must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise SandboxError(400, f"{name} must be a number") from None
    if not amount.is_finite() or amount <= 0:
        raise SandboxError(400, f"{name} must be greater than 0")
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than Decimal's 28 (1e300): a 500 once
        raise SandboxError(400, f"{name} is too large") from None
    if amount != cents:
        raise SandboxError(400, f"{name} must have at most 2 decimal places")
    return amount


def optional(body: dict[str, Any], name: str, kind: type[T] = str) -> T | None:  # type: ignore[assignment]
    """An optional body field of type ``kind`` (a string by default): absent is None."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, kind):
        raise SandboxError(400, f"{name} must be {_KIND_NAMES.get(kind, kind.__name__)}")
    return value


def require_id(body: dict[str, Any], *names: str) -> str:
    """The first of ``names`` present in the body (an id under its name or plain ``id``)."""
    for name in names:
        value = optional(body, name)
        if value:
            return value
    raise SandboxError(400, f"{names[0]} is required")


def require_one_of(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    """A required string field from a closed set."""
    value = require_str(body, name)
    if value not in allowed:
        raise SandboxError(400, f"{name} must be one of {', '.join(allowed)}")
    return value


def require_code(body: dict[str, Any], name: str, length: int) -> str:
    value = require_str(body, name)
    if not re.fullmatch(f"[A-Z]{{{length}}}", value):
        raise SandboxError(400, f"{name} must be a {length}-letter upper-case code")
    return value


def paginate(call: Call, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One page of ``items`` by ``page`` (1-based) and ``limit`` (default 10), Finmo-style.

    ``items`` may be lazy: only what the page needs is pulled from it.
    """
    page = _whole(call, "page", 1)
    limit = _whole(call, "limit", 10)
    if page < 1 or not 1 <= limit <= 100:
        raise SandboxError(400, "page must be >= 1 and limit between 1 and 100")
    start = (page - 1) * limit
    return list(itertools.islice(items, start, start + limit))


def _whole(call: Call, name: str, default: int) -> int:
    """A query parameter as plain decimal digits (a ``-`` at most: no ``+``, exponent, ``_``,
    space or non-ASCII digit), at most ``_MAX_QUERY_DIGITS`` of them: ``?page=1e20`` or a page
    past any index is refused, not turned into a 500 further on."""
    value = call.query(name)
    if not value:
        return default
    whole = _WHOLE.fullmatch(value)
    if whole is None:
        raise SandboxError(400, "page and limit must be integers")
    if len(whole[1]) > _MAX_QUERY_DIGITS:
        raise SandboxError(400, f"{name} must be at most {10**_MAX_QUERY_DIGITS - 1}")
    return int(value)


def number(value: Decimal) -> int | float:
    """An amount as the JSON number PayCombat sends (``5``, ``12.5``)."""
    return int(value) if value == value.to_integral_value() else float(value)
