"""What the ``paycombat`` commands share: the credential options, the client they make, one line
for an API error or an input error, the webhook sender's switches as options, starting a local
sandbox, and finding the declaration behind an operation."""

from __future__ import annotations

import asyncio
import errno
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from .._client import PayCombat
from .._exceptions import PayCombatError

if TYPE_CHECKING:
    from rich.console import Console

    from ..sandbox import LocalSandbox

__all__ = [
    "BENEFICIARY",
    "NO_CREDENTIALS",
    "InputStop",
    "api_client",
    "credential_options",
    "declaration",
    "delivery_switches",
    "run_api",
    "sandbox_lines",
    "say",
    "start_sandbox",
]

F = TypeVar("F", bound=Callable[..., Any])
BENEFICIARY = {
    "individual": {"first_name": "Ana", "last_name": "Lima"},
    "account_number": "12345678",
    "bsb": "123456",
}
"""The payee of the demo's and ``trigger``'s payouts (an Australian bank account)."""
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


def say(console: Console, text: str) -> None:
    """Print ``text`` as written: an order id or an error may hold ``[brackets]`` that rich
    would take for markup, and numbers it would colour."""
    console.print(text, markup=False, highlight=False)


class InputStop(Exception):
    """An input error found before anything was sent: one line, exit code 2."""


def declaration(key: str) -> Any:
    """The declaration behind a resource method key (``payouts.create``), or ``None``."""
    from ..resources import resource_classes

    attribute, _, method = key.partition(".")
    for cls in resource_classes():
        if cls.client_attribute == attribute and method in vars(cls):
            return vars(cls)[method]
    return None


# -- the local sandbox -----------------------------------------------------------------------

SWITCH_OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "copies": (
        "duplicate",
        {
            "type": click.IntRange(min=1),
            "default": 1,
            "metavar": "N",
            "help": "Deliver each notification N times in all (your receiver must act once).",
        },
    ),
    "out_of_order": (
        "out-of-order",
        {
            "is_flag": True,
            "help": "Deliver notifications in swapped pairs, the second first (payout.returned: "
            "RETURNED before SUCCESS; your receiver must not move the payout back).",
        },
    ),
    "delay": (
        "delay",
        {
            "type": click.FloatRange(min=0),
            "default": 0.0,
            "metavar": "S",
            "help": "Wait S seconds before each delivery.",
        },
    ),
    "unsigned": (
        "unsigned",
        {"is_flag": True, "help": "Send no X-Signature (your receiver must refuse)."},
    ),
    "wrong_signature": (
        "wrong-signature",
        {
            "is_flag": True,
            "help": "Sign with another key: a forgery your receiver must refuse (401).",
        },
    ),
}
"""The sandbox's webhook switches: ``WebhookSender``'s attribute -> (its option, after a
prefix; the option's settings)."""


def delivery_switches(prefix: str) -> Callable[[F], F]:
    """The webhook switches as options ``--{prefix}duplicate``..., handed to the command as one
    ``switches`` dict under the ``WebhookSender`` attributes' names (``copies``, ``delay``...).

    ``paycombat sandbox`` sets them for every notification (``--webhook-duplicate``),
    ``paycombat trigger`` for one event's (``--duplicate``): the same switches, one way.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            switches = {name: kwargs.pop(name) for name in SWITCH_OPTIONS}
            if switches["unsigned"] and switches["wrong_signature"]:
                raise click.UsageError(
                    f"--{prefix}unsigned and --{prefix}wrong-signature: choose one"
                )
            return func(*args, switches=switches, **kwargs)

        for name, (flag, settings) in reversed(SWITCH_OPTIONS.items()):
            command = click.option(f"--{prefix}{flag}", name, **settings)(command)
        return cast(F, command)

    return decorate


async def start_sandbox(box: LocalSandbox) -> None:
    """Start ``box`` on its host and port; ``InputStop`` (closed again) if it cannot listen."""
    try:
        await box.start()
    except OSError as exc:
        await box.aclose()
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise InputStop(
            f"cannot listen on {box.host}:{box.port}: {reason}; choose another with --port"
        ) from None


def sandbox_lines(box: LocalSandbox) -> list[str]:
    """A running sandbox's ``PAYCOMBAT_*`` variables, as a command prints them at start."""
    return [
        f"  PAYCOMBAT_BASE_URL={box.base_url}",
        f"  PAYCOMBAT_TOKEN={box.token}",
        f"  PAYCOMBAT_SIGNATURE_KEY={box.signature_key}",
    ]
