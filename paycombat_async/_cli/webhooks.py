"""``paycombat listen``: a local sandbox that forwards its signed webhooks to the merchant's app.

It serves an in-memory sandbox whose webhook sender (``LocalSandbox.webhooks``) posts to the app,
and prints every delivery attempt and the app's answer. ``paycombat trigger`` (``trigger.py``)
makes that sandbox send events.

The sandbox's token and signing key are kept in a small file (``sandbox.json`` in the user's
configuration folder), so the key a receiver is configured with stays the same from one
``listen`` to the next, and ``trigger`` finds the sandbox with no flags at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from .._codec.signing import sign
from .._exceptions import PayCombatError
from .common import InputStop, sandbox_lines, start_sandbox

__all__ = ["DEFAULT_PORT", "event_name", "listen", "local_credentials"]

DEFAULT_PORT = 8765
"""The port ``listen`` (and ``paycombat sandbox``) serve on, and ``trigger`` looks at."""
CONFIG_NAME = "sandbox.json"


# -- the stable sandbox credentials ----------------------------------------------------------


def config_path() -> Path:
    """Where the local sandbox's token and signing key are kept (``PAYCOMBAT_CONFIG_DIR``, else
    ``$XDG_CONFIG_HOME/paycombat``, else ``~/.config/paycombat``)."""
    folder = os.environ.get("PAYCOMBAT_CONFIG_DIR")
    if not folder:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        folder = str(Path(base) / "paycombat")
    return Path(folder) / CONFIG_NAME


def local_credentials() -> tuple[str, str]:
    """The local sandbox's ``(token, signature key)``: read from ``config_path()``, made and
    saved (owner-only) on first use."""
    path = config_path()
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        saved = json.loads(path.read_text(encoding="utf-8"))
        token, key = saved["token"], saved["signature_key"]
        if isinstance(token, str) and isinstance(key, str) and token and key:
            return token, key
    from ..sandbox import LocalSandbox

    token, key = LocalSandbox.new_credentials()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump({"token": token, "signature_key": key}, out)
    except OSError as exc:
        raise click.ClickException(
            f"cannot save the sandbox's signing key in {path}: {exc.strerror}; pass "
            "--signature-key and --token, or set PAYCOMBAT_CONFIG_DIR to a writable folder"
        ) from None
    return token, key


# -- listen ----------------------------------------------------------------------------------


def _check_url(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(
            f"{url!r} is not an http:// or https:// URL", param_hint="--forward-to"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise click.BadParameter(f"{url!r} has a bad port", param_hint="--forward-to") from None
    return parts.hostname, port


async def _reachable(url: str, host: str, port: int) -> None:
    """Connect once to the app (and close): a typo in the URL is found before anything runs."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
    except (OSError, TimeoutError) as exc:
        if isinstance(exc, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(exc, TimeoutError):
            reason = "no answer within 5s"
        else:
            reason = exc.strerror or type(exc).__name__
        raise InputStop(
            f"cannot reach --forward-to {url}: {reason}; start your app first, or fix the URL "
            "(nothing was sent)"
        ) from None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


def event_name(body: bytes) -> tuple[str, str]:
    """``(event, object id)`` of a notification body, named as the SDK's receiver names it."""
    from ..webhooks import parse_event

    try:  # listen prints the signing itself: here only the body is read
        event = parse_event(body, {}, signature_key=None, allow_unsigned=True)
    except PayCombatError:
        return "unknown", ""
    name = str(event.kind.value)
    if name == "virtual_account.registration":
        name = f"virtual_account.{str(event.status).lower()}"
    return name, event.object_id


def _describe(key: str) -> Callable[[Any], str]:
    """How ``listen`` prints one attempt of a delivery: time, event, id, signing, answer."""

    def line(delivery: Any) -> str:
        name, object_id = event_name(delivery.body)
        if delivery.signature is None:
            signing = " (unsigned)"
        elif delivery.signature != sign(delivery.body, key):
            signing = " (wrong signature)"
        else:
            signing = ""
        outcome, seconds = delivery.attempts[-1], delivery.seconds[-1]
        answer = f"{outcome}" if isinstance(outcome, int) else f"not answered: {outcome}"
        attempt = f" attempt {len(delivery.attempts)}" if len(delivery.attempts) > 1 else ""
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        return (
            f"{stamp}  {name} {object_id}{signing} -> {delivery.url}{attempt}: "
            f"{answer} in {seconds * 1000:.0f} ms"
        )

    return line


async def _until_stopped() -> None:
    """Wait for Ctrl-C or SIGTERM (either ends ``listen`` cleanly, exit code 0)."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stopped.set)
            handled.append(signum)
    try:
        await stopped.wait()
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


@click.command()
@click.option(
    "--forward-to",
    required=True,
    metavar="URL",
    help="Your app's webhook URL, e.g. http://localhost:8000/paycombat/webhooks.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--token", help="The X-token to accept (default: the saved one).")
@click.option(
    "--signature-key", help="The signing key (default: the saved one, the same on every run)."
)
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Attempts per delivery the app does not answer 2xx (backoff 0.5s, doubled).",
)
def listen(
    forward_to: str,
    host: str,
    port: int,
    token: str | None,
    signature_key: str | None,
    max_attempts: int,
) -> int:
    """Serve a local sandbox that forwards its signed webhooks to your app, until Ctrl-C.

    It starts its own in-memory sandbox on --host/--port and prints its PAYCOMBAT_BASE_URL,
    PAYCOMBAT_TOKEN and PAYCOMBAT_SIGNATURE_KEY. The token and signing key are saved in
    ~/.config/paycombat/sandbox.json (or $XDG_CONFIG_HOME/paycombat, or $PAYCOMBAT_CONFIG_DIR)
    and reused on every run, so configure your receiver with the key once. Each notification
    is POSTed to --forward-to with its X-Signature, exactly as PayCombat sends it, and one line
    per attempt is printed: time, event, object id, your app's answer and how long it took. A
    delivery not answered 2xx is retried (--max-attempts).

    Fire events from another terminal with 'paycombat trigger EVENT' (it finds this sandbox
    on the default port, with the saved token, by itself), or call the sandbox with the SDK
    or 'paycombat call'. The PAYCOMBAT_* environment variables are not read here: a live
    token in your shell never reaches the sandbox or its output.

    \b
    Exit codes:
      0  stopped with Ctrl-C or SIGTERM
      2  usage or input error: --forward-to unreachable, port in use
         (nothing sent)
    """
    target = _check_url(forward_to)
    if not (token and signature_key):
        saved_token, saved_key = local_credentials()
        token, signature_key = token or saved_token, signature_key or saved_key

    async def serve() -> None:
        from ..sandbox import LocalSandbox

        await _reachable(forward_to, *target)
        box = LocalSandbox(host=host, port=port, token=token, signature_key=signature_key)
        box.webhooks.url = forward_to
        box.webhooks.max_attempts = max_attempts
        await start_sandbox(box)
        describe = _describe(signature_key)
        box.webhooks.observers.append(lambda delivery: print(describe(delivery), flush=True))
        try:
            print(f"PayCombat local sandbox, forwarding its webhooks to {forward_to}")
            for line in sandbox_lines(box):
                print(line)
            print("Verify X-Signature with that key (the same on every run).")
            again = "" if port == DEFAULT_PORT else f" --base-url {box.base_url}"
            print(f"Fire an event: paycombat trigger payout.succeeded{again}")
            print("Press Ctrl-C to stop.", flush=True)
            await _until_stopped()
        finally:
            await box.aclose()

    try:
        asyncio.run(serve())
    except InputStop as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        pass
    return 0
