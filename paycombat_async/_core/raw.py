"""Raw access: ``client.with_raw_response.<resource>.<method>(...)`` returns a ``RawResponse``.

The pipeline hands the last response it read to ``RAW_CAPTURE`` when a raw call has set it (a
context variable, so concurrent calls never see each other's responses). Errors are raised as
usual; a raw call only adds what a successful answer looked like on the wire.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["RAW_CAPTURE", "RawResponse", "capture"]

R = TypeVar("R")

Captured = tuple[int, Mapping[str, str], bytes]
RAW_CAPTURE: contextvars.ContextVar[list[Captured] | None] = contextvars.ContextVar(
    "paycombat_raw_capture", default=None
)
"""Set by a raw call; the pipeline appends ``(status, headers, body)`` of each response read."""

_REQUEST_ID_HEADERS = ("X-Request-Id", "Request-Id", "X-Amzn-RequestId")


def capture(status: int, headers: Mapping[str, str], raw: bytes) -> None:
    """Record one response for the raw call in progress, if any (the pipeline's seam)."""
    sink = RAW_CAPTURE.get()
    if sink is not None:
        sink.append((status, headers, raw))


@attrs.frozen
class RawResponse(Generic[R]):
    """A successful response as it came over the wire, with the value the SDK parsed from it.

    Attributes:
        status: the HTTP status.
        headers: the response headers (case-insensitive).
        content: the body's raw bytes.
        parsed: what the method returns without ``with_raw_response``.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=False)
    parsed: R = attrs.field(repr=False)

    @property
    def request_id(self) -> str | None:
        """The request id PayCombat sent, from a header or the upstream envelope, if any."""
        for name in _REQUEST_ID_HEADERS:
            if self.headers.get(name):
                return self.headers[name]
        try:
            body = json.loads(self.content)
        except ValueError:
            return None
        data = body.get("data") if isinstance(body, dict) else None
        found: Any = data.get("request_id") if isinstance(data, dict) else None
        return found if isinstance(found, str) else None

    def parse(self) -> R:
        """The parsed value (a model, a list, bytes or None)."""
        return self.parsed
