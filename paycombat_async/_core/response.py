"""Reading an answer: a size-capped body, then the PayCombat envelope, as ``data`` or an error.

Hostile servers are expected: a body larger than the cap (before or after decompression), deep
nesting, ``NaN`` in numbers, bytes that are not UTF-8, an envelope whose ``status`` is not a
success. Each becomes a typed error, returned rather than raised, carrying
``may_have_taken_effect``: whether PayCombat may have processed the request (a 5xx, a 2xx we
cannot read) or provably did not (a 4xx, a 429, a redirect). ``retry.classify`` decides the rest.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import aiohttp

from .._exceptions import (
    APIError,
    InvalidResponseError,
    PayCombatError,
    RateLimitError,
    ServerError,
    error_class_for_status,
)
from .retry import parse_retry_after

__all__ = ["Answering", "UnreadableBody", "interpret", "parse_json", "read_body", "unreadable"]

_CHUNK = 64 * 1024
_SUCCESS_WORDS = ("success", "ok")
MAX_DEPTH = 64
"""The deepest nesting accepted in a response: PayCombat's objects are a few levels deep, and
deeper data would only be a hazard (recursion) for code that walks it."""


class UnreadableBody(Exception):
    """The body is past the size cap (raised before it is held in memory) or cannot be decoded."""


def read_body(response: aiohttp.ClientResponse, limit: int) -> Awaitable[bytes]:
    """The body, decompressed, never holding more than about ``limit`` bytes of it.

    The common answer (a ``Content-Length`` under the cap, not compressed) is aiohttp's own
    ``read()``, awaited by the caller without a coroutine of ours around it.
    """
    length = response.content_length
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if length is not None and length > limit:
        raise UnreadableBody(f"its Content-Length {length} is over the {limit}-byte cap")
    if length is not None and encoding in ("", "identity"):
        return response.read()
    return _read_body(response, limit, length, encoding)


async def _read_body(
    response: aiohttp.ClientResponse, limit: int, length: int | None, encoding: str
) -> bytes:
    if length is not None:
        raw = await response.read()
    else:
        chunks: list[bytes] = []
        size = 0
        while chunk := await response.content.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise UnreadableBody(f"it is over the {limit}-byte cap")
            chunks.append(chunk)
        raw = b"".join(chunks)
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise UnreadableBody(f"unsupported Content-Encoding {encoding!r}")
    return _decompress(raw, limit, raw_deflate=False)


def _decompress(raw: bytes, limit: int, *, raw_deflate: bool) -> bytes:
    # 32 + MAX_WBITS reads both gzip and zlib headers; some servers send raw deflate instead.
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else 32 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(raw, limit + 1)
    except zlib.error:
        if raw_deflate:
            raise UnreadableBody("the body is not valid gzip or deflate data") from None
        return _decompress(raw, limit, raw_deflate=True)
    if len(out) > limit or decompressor.unconsumed_tail:
        raise UnreadableBody(f"it is over the {limit}-byte cap once decompressed")
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number - number != 0:  # 1e999 overflows to infinity: an amount must never arrive as inf
        raise ValueError(f"{text[:40]} is out of range")
    return number


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def parse_json(raw: bytes) -> Any:
    """Strict JSON: no ``NaN``/``Infinity``, no overflow to infinity, typed errors only.

    Raises ``ValueError`` for anything that is not such JSON (bad encoding, too deep, ...).
    """
    try:
        value = _decode(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"the body is not UTF-8 text: {exc.reason}") from None
    # Counting brackets is C-fast; only a body with many of them is walked for its depth. (Most
    # answers hold no array: one search skips the second count.)
    openers = raw.count(b"{") + (raw.count(b"[") if b"[" in raw else 0)
    if openers > MAX_DEPTH and _depth_exceeds(value, MAX_DEPTH):
        raise ValueError(f"the JSON is nested more than {MAX_DEPTH} levels deep")
    return value


# The scanner JSONDecoder.decode runs (set in its __init__; typeshed does not declare it).
_scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


def _decode(text: str) -> Any:
    """``_DECODER.decode(text)``, without its two Python frames and two regex matches when the
    document neither starts nor ends with whitespace (the common case).

    A speed exception (``benchmarks/PERFORMANCE.md``, "The speed exceptions"): about a third of
    the decode of a 1 kB answer, on 3.11 and 3.13 alike.
    """
    try:
        value, end = _scan(text, 0)
    except StopIteration:  # whitespace first, or no JSON value at all: decode() tells which
        return _DECODER.decode(text)
    if end != len(text):  # whitespace or more data after the value: decode() tells which
        return _DECODER.decode(text)
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` deep (iteratively: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if not isinstance(current, (dict, list)):
            continue
        if depth > limit:
            return True
        children = current.values() if isinstance(current, dict) else current
        stack.extend((child, depth + 1) for child in children)
    return False


class Answering(Protocol):
    """The call an answer is read for, as ``interpret`` needs it: only to report an error.

    One object rather than two callbacks: a call that succeeds creates no bound methods.
    """

    def context(self) -> dict[str, Any]:
        """The fields of an error about the answer: status, method, path, the scrubbed body."""
        ...

    def scrub(self, text: str) -> str:
        """``text`` without any secret (a server may echo a header)."""
        ...


def interpret(
    status: int, headers: Mapping[str, str], raw: bytes, *, expect_bytes: bool, call: Answering
) -> Any:
    """The response as ``data``, or the ``PayCombatError`` it stands for (returned, not raised).

    ``call.context()`` gives the error fields (method, path, the scrubbed body): built only for
    an error. ``call.scrub`` removes secrets from PayCombat's messages.
    """
    if 200 <= status < 300 and expect_bytes:
        if raw:
            return raw
        return InvalidResponseError("empty response", may_have_taken_effect=True, **call.context())
    try:
        envelope, readable = (parse_json(raw) if raw.strip() else None), True
    except ValueError:
        envelope, readable = None, False
    if status >= 400:
        cls = error_class_for_status(status)
        message = call.scrub(_message(envelope) or f"HTTP {status} from PayCombat")
        extra: dict[str, Any] = {}
        if cls in (RateLimitError, ServerError):
            extra["retry_after"] = parse_retry_after(headers.get("Retry-After"))
        # A 5xx may come after the request was processed; a 4xx (429 included) refused it.
        return cls(message, may_have_taken_effect=status >= 500, **extra, **call.context())
    if status >= 300:
        where = headers.get("Location", "elsewhere")
        return InvalidResponseError(
            call.scrub(
                f"PayCombat redirected the request to {where}; redirects are not followed "
                "(check base_url)"
            ),
            **call.context(),
        )
    if not isinstance(envelope, dict) or not readable:
        what = "an empty body" if not raw.strip() else "a body that is not the JSON envelope"
        return InvalidResponseError(
            f"PayCombat answered HTTP {status} with {what}",
            may_have_taken_effect=True,
            **call.context(),
        )
    flag = envelope.get("status", True)
    if flag is not True and not (isinstance(flag, str) and flag.lower() in _SUCCESS_WORDS):
        return APIError(
            call.scrub(_message(envelope) or "PayCombat reported a failure"), **call.context()
        )
    if "data" not in envelope:
        return InvalidResponseError(
            "the response has no 'data'", may_have_taken_effect=True, **call.context()
        )
    data = envelope["data"]
    if _is_upstream_envelope(data):
        if data.get("success") is False:
            nested = data.get("status_code")
            nested = nested if isinstance(nested, int) and not isinstance(nested, bool) else 0
            cls = error_class_for_status(nested) if nested >= 400 else APIError
            # PayCombat accepted the request and its provider failed or throttled it: the
            # provider may still act on it, so a 429 or 5xx here is not a refusal.
            return cls(
                call.scrub(_message(data) or "PayCombat reported a failure"),
                may_have_taken_effect=nested == 429 or nested >= 500,
                **call.context(),
            )
        data = data.get("data")
    return data


def _is_upstream_envelope(data: Any) -> bool:
    """Some endpoints pass the upstream (Finmo) envelope through inside ``data``."""
    return isinstance(data, dict) and "success" in data and "request_id" in data


def _message(envelope: Any) -> str | None:
    if not isinstance(envelope, dict):
        return None
    candidates = [envelope.get("message")]
    for nested in (envelope.get("error"), envelope.get("data")):
        if isinstance(nested, dict):
            candidates.append(nested.get("message"))
    for candidate in candidates:
        if isinstance(candidate, list):
            candidate = "; ".join(str(item) for item in candidate)
        if isinstance(candidate, str) and candidate.strip():
            return candidate
    return None


def unreadable(reason: str, context: dict[str, Any]) -> PayCombatError:
    """The error for a body that could not be read (it may have been a success)."""
    return InvalidResponseError(
        f"the response body could not be read: {reason}", may_have_taken_effect=True, **context
    )
