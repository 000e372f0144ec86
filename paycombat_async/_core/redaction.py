"""What a log line, a span or an error may show of a call: everything but its secrets.

``without_secrets`` takes the token and signature key out of a text (in every form a server may
echo them: ``ClientConfig.secret_forms``); the pipeline runs it over every message it raises.
``scrub_text`` and ``scrub_body`` go further for what the client reports (``observer``): account
and card numbers, and URLs (a checkout link is as good as the checkout), are redacted too.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "BODY_LOG_LIMIT",
    "REDACTED",
    "scrub_body",
    "scrub_query",
    "scrub_text",
    "without_secrets",
]

REDACTED = "[REDACTED]"

BODY_LOG_LIMIT = 4000
"""Characters of a body a DEBUG line shows (after scrubbing)."""


def without_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with each of ``secrets`` (``ClientConfig.secret_forms``: longest first) redacted."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


_SENSITIVE_PARTS = (
    "account_number",
    "iban",
    "card",
    "cvv",
    "cvc",
    "token",
    "secret",
    "password",
    "signature",
    "personal_number",
    "url",
)
"""A JSON key holding any of these (in any case) has its value redacted: secrets, account and
card numbers, national id numbers, and links (a checkout URL is as good as the checkout)."""
_SENSITIVE_KEYS = frozenset({"pan", "account"})
_FREE_TEXT_KEYS = frozenset({"message", "msg", "error", "errors", "detail", "description"})
"""Keys whose values are prose that may quote a number back (an error message)."""
_NUMBER = re.compile(r"(?<![\w.])\d(?:[ -]?\d){7,}(?![\w.])")
"""Eight digits or more, maybe grouped by spaces or dashes: an account or card number."""
_URL = re.compile(r"\bhttps?://\S+", re.IGNORECASE)


def _sensitive(key: str) -> bool:
    folded = key.casefold()
    return folded in _SENSITIVE_KEYS or any(part in folded for part in _SENSITIVE_PARTS)


def scrub_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Prose with ``secrets`` (every form, longest first), long numbers and URLs redacted."""
    return _NUMBER.sub(REDACTED, _URL.sub(REDACTED, without_secrets(text, secrets)))


def _scrub_json(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {
            k: REDACTED if _sensitive(str(k)) else _scrub_json(v, str(k)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_json(item, key) for item in value]
    if isinstance(value, str):
        if _URL.match(value):
            return REDACTED
        if key.casefold() in _FREE_TEXT_KEYS:
            return scrub_text(value)
    return value


def scrub_body(body: bytes | None, secrets: tuple[str, ...] = ()) -> str:
    """A request or response body for a log line: JSON with its sensitive fields redacted,
    other text scrubbed as prose, anything else as its size; at most ``BODY_LOG_LIMIT``."""
    if not body:
        return ""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(body)} bytes>"
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        shown = scrub_text(text, secrets)
    else:
        # (and a secret the server echoed under an innocent key)
        shown = without_secrets(
            json.dumps(_scrub_json(document), ensure_ascii=False, default=str), secrets
        )
    if len(shown) > BODY_LOG_LIMIT:
        shown = f"{shown[:BODY_LOG_LIMIT]}... ({len(shown)} characters)"
    return shown


def scrub_query(query: list[tuple[str, str]] | None) -> str:
    if not query:
        return ""
    shown = "&".join(f"{k}={REDACTED if _sensitive(k) else v}" for k, v in query)
    return f"?{shown}"
