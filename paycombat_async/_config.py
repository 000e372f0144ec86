"""Client configuration: credentials, base URL, deadline and retry policy, with env fallbacks."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import attrs

from ._exceptions import ConfigurationError
from ._retry import RetryPolicy

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "ClientConfig"]

DEFAULT_BASE_URL = "https://api.paycombat.com"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2


def _redacted(value: str) -> str:
    return f"{value[:4]}…" if value.startswith(("snd_", "prd_")) else "…"


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything a client needs to talk to PayCombat. Secrets never appear in its repr."""

    token: str = attrs.field(repr=_redacted)
    signature_key: str | None = attrs.field(repr=lambda v: "…" if v else "None")
    base_url: str = DEFAULT_BASE_URL
    timeout: float | None = DEFAULT_TIMEOUT
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_connections: int = 100

    @property
    def environment(self) -> str:
        """ "sandbox" for ``snd_`` tokens, "production" for ``prd_``; a hint, never enforced."""
        if self.token.startswith("snd_"):
            return "sandbox"
        return "production" if self.token.startswith("prd_") else "unknown"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values that must never reach a log, repr or error."""
        return tuple(s for s in (self.token, self.signature_key) if s)

    @classmethod
    def from_arguments(
        cls,
        *,
        token: str | None,
        signature_key: str | None,
        base_url: str | None,
        timeout: float | None,
        max_retries: int | None,
        retry: RetryPolicy | None,
        max_connections: int,
    ) -> ClientConfig:
        token = token if token is not None else os.environ.get("PAYCOMBAT_TOKEN")
        if not token or not token.strip():
            raise ConfigurationError(
                "No PayCombat token: pass token=... or set PAYCOMBAT_TOKEN "
                "(for the local sandbox, use LocalSandbox().token)."
            )
        if token != token.strip() or "\n" in token:
            raise ConfigurationError("The token has surrounding whitespace or a line break.")
        if signature_key is None:
            signature_key = os.environ.get("PAYCOMBAT_SIGNATURE_KEY") or None
        base_url = (base_url or os.environ.get("PAYCOMBAT_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
        if timeout is not None and (isinstance(timeout, bool) or timeout <= 0):
            raise ConfigurationError("timeout must be a positive number of seconds, or None")
        policy = retry or RetryPolicy()
        if max_retries is not None:
            if isinstance(max_retries, bool) or max_retries < 0:
                raise ConfigurationError("max_retries must be 0 or more")
            policy = attrs.evolve(policy, max_retries=max_retries)
        if max_connections < 1:
            raise ConfigurationError("max_connections must be at least 1")
        return cls(
            token=token,
            signature_key=signature_key,
            base_url=base_url,
            timeout=timeout,
            retry=policy,
            max_connections=max_connections,
        )
