"""Client configuration: credentials, base URL, deadline and retry policy, with env fallbacks."""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import os
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus, urlsplit

import attrs

from .._codec.signing import Signer
from .._exceptions import ConfigurationError
from .observer import Observer, observer_for
from .retry import RetryPolicy

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "ClientConfig"]

DEFAULT_BASE_URL = "https://api.paycombat.com"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024


def _redacted(value: str) -> str:
    return f"{value[:4]}…" if value.startswith(("snd_", "prd_")) else "…"


@attrs.frozen(kw_only=True, slots=False)
class ClientConfig:
    """Everything a client needs to talk to PayCombat. Secrets never appear in its repr."""

    token: str = attrs.field(repr=_redacted)
    signature_key: str | None = attrs.field(repr=lambda v: "…" if v else "None")
    base_url: str = DEFAULT_BASE_URL
    timeout: float | None = DEFAULT_TIMEOUT
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_connections: int = 100
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    """The largest response body read, after decompression; a larger one is an error."""
    tracer_provider: TracerProvider | None = attrs.field(default=None, repr=False)
    """Where the spans of calls go (``None``: OpenTelemetry's global tracer provider)."""
    meter_provider: MeterProvider | None = attrs.field(default=None, repr=False)
    """Where the metrics of calls go (``None``: OpenTelemetry's global meter provider)."""

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

    @functools.cached_property
    def signer(self) -> Signer | None:
        """Signs request bodies with ``signature_key`` (None without one)."""
        return Signer(self.signature_key) if self.signature_key else None

    @functools.cached_property
    def observer(self) -> Observer | None:
        """What the client reports its calls to (OpenTelemetry, ``PAYCOMBAT_LOG=debug``), or
        None when there is nothing to report to: decided once, here."""
        return observer_for(self)

    @functools.cached_property
    def secret_forms(self) -> tuple[str, ...]:
        """Every form a secret may be echoed in (as is, JSON-escaped, percent-encoded), longest
        first so that a longer form is scrubbed before a shorter one inside it."""
        forms = {
            form
            for secret in self.secrets
            for json_form in (
                json.dumps(secret)[1:-1],
                json.dumps(secret, ensure_ascii=False)[1:-1],
            )
            for form in (
                secret,
                json_form,
                json_form.replace("/", "\\/"),  # JSON encoders that escape "/" (PHP's default)
                quote(secret, safe=""),
                quote(secret),
                quote_plus(secret, safe=""),
                quote_plus(secret),
            )
        }
        return tuple(sorted(forms, key=len, reverse=True))

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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> ClientConfig:
        token = token if token is not None else os.environ.get("PAYCOMBAT_TOKEN")
        if not token or not token.strip():
            raise ConfigurationError(
                "No PayCombat token: pass token=... or set PAYCOMBAT_TOKEN "
                "(for the local sandbox, use LocalSandbox().token)."
            )
        _check_secret("token", token)
        if signature_key is None:
            signature_key = os.environ.get("PAYCOMBAT_SIGNATURE_KEY") or None
        if signature_key is not None:
            _check_secret("signature_key", signature_key)
        base_url = (base_url or os.environ.get("PAYCOMBAT_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
        if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
            raise ConfigurationError(
                f"base_url {base_url!r} is plain http to a host that is not this machine: the "
                "X-token would cross the network unencrypted. Use https, or pass "
                "allow_insecure_http=True if a trusted proxy terminates TLS."
            )
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ConfigurationError(
                f"timeout must be a positive, finite number of seconds, or None; got {timeout!r}"
            )
        policy = retry or RetryPolicy()
        if max_retries is not None:
            if isinstance(max_retries, bool) or max_retries < 0:
                raise ConfigurationError("max_retries must be 0 or more")
            policy = attrs.evolve(policy, max_retries=max_retries)
        if isinstance(max_connections, bool) or not isinstance(max_connections, int):
            raise ConfigurationError("max_connections must be a whole number")
        if max_connections < 1:
            raise ConfigurationError("max_connections must be at least 1")
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise ConfigurationError("max_response_bytes must be a positive whole number")
        return cls(
            token=token,
            signature_key=signature_key,
            base_url=base_url,
            timeout=timeout,
            retry=policy,
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
        )


def _check_secret(name: str, value: str) -> None:
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string")
    # A control character (a line break above all) would let the value split an HTTP header.
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        raise ConfigurationError(f"The {name} contains a control character or a line break.")
    if value != value.strip():
        raise ConfigurationError(f"The {name} has surrounding whitespace.")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
