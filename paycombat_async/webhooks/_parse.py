"""``parse_event``: refuse hostile bodies, verify ``X-Signature``, then type the notification.

PayCombat signs ``HMAC-SHA256(signature_key, JSON.stringify(data))`` in hex (PayCombat docs:
Webhook PAYIN SUCCESS). A sender's bytes may differ from ``JSON.stringify`` (whitespace, escaped
non-ASCII), so the signature is checked, in constant time, over the bytes received and then over
their ``JSON.stringify`` form (``js_dumps`` of the parsed body). A body a framework re-encoded
(keys reordered, numbers reformatted) does not verify, by design.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .._codec.signing import js_dumps, signature_matches
from .._exceptions import ConfigurationError, WebhookPayloadError, WebhookSignatureError
from ._events import WebhookEvent, event_from_body

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "parse_event", "signature_header"]

MAX_BODY_BYTES = 1 << 20
"""Bodies larger than this (1 MiB) are refused: a payin or payout row is about 2 KB."""
MAX_DEPTH = 32
"""Deeper nesting is refused: PayCombat's rows are flat but for a few small objects."""
SIGNATURE_HEADER = "X-Signature"
_UNPARSED = object()


def signature_header(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[str]:
    """Every ``X-Signature`` value in ``headers``, matched case-insensitively.

    Takes a dict, aiohttp's ``CIMultiDict``, Werkzeug's ``Headers``, Django's ``request.headers``
    or a WSGI ``environ`` (``HTTP_X_SIGNATURE``).
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = ("x-signature", "http_x_signature")
    return [str(v) for k, v in items if isinstance(k, str) and k.lower() in wanted]


def _parse(raw: bytes) -> Any:
    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        # Amounts as Decimal: exact in the models, and js_dumps still prints them as JS would.
        return json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=no_constants)
    except RecursionError:
        raise WebhookPayloadError("Webhook body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f"Webhook body is not JSON: {type(exc).__name__}") from None


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise WebhookPayloadError(f"Webhook body is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _stringified(parsed: Any) -> bytes | None:
    """``JSON.stringify(JSON.parse(raw))``, or ``None`` if JavaScript would print it otherwise."""
    try:
        return js_dumps(parsed)
    except (TypeError, ValueError):
        return None


def _verify(raw: bytes, parsed: Any, key: str, signatures: list[str]) -> bool:
    # hmac.compare_digest refuses non-ASCII str: such a header is simply not a hex digest.
    candidates = [s for s in signatures if s.isascii()]
    if any(signature_matches(raw, key, s) for s in candidates):
        return True
    stringified = None if parsed is _UNPARSED else _stringified(parsed)
    return stringified is not None and any(
        signature_matches(stringified, key, s) for s in candidates
    )


def parse_event(
    raw_body: bytes,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    signature_key: str | None,
    allow_unsigned: bool = False,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> WebhookEvent:
    """Verify and parse one PayCombat notification into a typed event.

    Pass the body exactly as received (``await request.read()``, Flask's
    ``request.get_data()``, Django's ``request.body``), never a body your framework parsed and
    re-encoded. The ``X-Signature`` header (HMAC-SHA256 hex under your signature key) is checked
    in constant time against those bytes and, failing that, against their ``JSON.stringify``
    form, which is what PayCombat's docs sign.

    Unsigned notifications: PayCombat documents ``X-Signature`` as optional. With
    ``allow_unsigned=True`` a notification *without* the header is accepted with
    ``verified=False`` (a header that is present must still match when a key is given); with
    ``signature_key=None`` as well nothing is checked. Anyone can send such a request: before
    acting on an unverified event, confirm it with ``client.payins.retrieve(event.object_id)``
    or ``client.payouts.retrieve(event.object_id)``.

    Args:
        raw_body: the request body, as bytes.
        headers: the request headers (any mapping, or ``(name, value)`` pairs).
        signature_key: your signature key; ``None`` only together with ``allow_unsigned=True``.
        allow_unsigned: accept notifications that carry no ``X-Signature`` (see above).
        max_body_bytes: refuse larger bodies.

    Returns:
        A :class:`PayinSucceeded`, :class:`PayinFailed`, :class:`PayinExpired`,
        :class:`PayoutSucceeded`, :class:`PayoutFailed`, :class:`PayoutReturned`,
        :class:`VirtualAccountRegistration`, or :class:`UnknownEvent` for anything else.

    Raises:
        WebhookSignatureError: a key was given and the signature is missing or wrong.
        WebhookPayloadError: the body is too large, not JSON, too deep, not an object, or a
            known kind whose fields have the wrong types.
        ConfigurationError: ``signature_key=None`` without ``allow_unsigned=True``.
    """
    if signature_key is None and not allow_unsigned:
        raise ConfigurationError(
            "parse_event needs signature_key; pass allow_unsigned=True to accept unsigned "
            "notifications (and confirm each with a Retrieve call)"
        )
    if isinstance(raw_body, (bytearray, memoryview)):
        raw_body = bytes(raw_body)
    if not isinstance(raw_body, bytes):
        raise WebhookPayloadError(
            f"Pass the raw body as bytes, not {type(raw_body).__name__} (a re-encoded body "
            "cannot be verified)"
        )
    if len(raw_body) > max_body_bytes:
        raise WebhookPayloadError(f"Webhook body is larger than {max_body_bytes} bytes")
    signatures = signature_header(headers)
    try:
        body: Any = _parse(raw_body)
        _check_depth(body)
        problem = None
    except WebhookPayloadError as exc:
        body, problem = _UNPARSED, exc
    verified = False
    if signature_key is not None and (signatures or not allow_unsigned):
        if not signatures:
            raise WebhookSignatureError(f"Webhook has no {SIGNATURE_HEADER} header")
        if not _verify(raw_body, body, signature_key, signatures):
            raise WebhookSignatureError(f"Webhook {SIGNATURE_HEADER} does not match its body")
        verified = True
    if problem is not None:
        raise problem
    if not isinstance(body, dict):
        raise WebhookPayloadError(f"Webhook body must be a JSON object, not {type(body).__name__}")
    return event_from_body(body, verified)
