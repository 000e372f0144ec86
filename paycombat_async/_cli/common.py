"""What every ``paycombat`` command that calls the API shares: the credential options, the
client they make, and one line for an API error."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .._client import PayCombat
from .._exceptions import PayCombatError

__all__ = ["NO_CREDENTIALS", "api_client", "credential_options", "run_api"]

F = TypeVar("F", bound=Callable[..., Any])
NO_CREDENTIALS = (
    "no API token: pass --token TOKEN or set PAYCOMBAT_TOKEN (with --signature-key or "
    "PAYCOMBAT_SIGNATURE_KEY, and --base-url or PAYCOMBAT_BASE_URL); for a local sandbox, "
    "'paycombat sandbox' prints all three"
)


def credential_options(func: F) -> F:
    """The options every command that calls the API takes (environment variables first)."""
    for option in reversed(
        [
            click.option("--base-url", envvar="PAYCOMBAT_BASE_URL", help="API host."),
            click.option("--token", envvar="PAYCOMBAT_TOKEN", help="X-token (or PAYCOMBAT_TOKEN)."),
            click.option(
                "--signature-key",
                envvar="PAYCOMBAT_SIGNATURE_KEY",
                help="Signing key (or PAYCOMBAT_SIGNATURE_KEY).",
            ),
            click.option(
                "--timeout",
                type=float,
                default=60.0,
                show_default=True,
                help="Deadline of each call, in seconds.",
            ),
        ]
    ):
        func = option(func)
    return func


def api_client(options: dict[str, Any], **extra: Any) -> PayCombat:
    """The client for the credential options (popped from ``options``); one line if unusable."""
    token = options.get("token")
    if token is None or not str(token).strip():
        raise click.ClickException(NO_CREDENTIALS)
    try:
        return PayCombat(
            token=options.pop("token"),
            signature_key=options.pop("signature_key"),
            base_url=options.pop("base_url"),
            timeout=options.pop("timeout"),
            **extra,
        )
    except PayCombatError as exc:
        raise click.ClickException(exc.message) from None


def run_api(coro: Any) -> Any:
    """Run ``coro``; a ``PayCombatError`` becomes one line (exit code 1)."""
    try:
        return asyncio.run(coro)
    except PayCombatError as exc:
        raise click.ClickException(str(exc)) from None
