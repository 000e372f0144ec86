"""``paycombat listen`` and ``paycombat trigger``: the webhook development loop.

``listen`` serves a local sandbox whose webhook sender posts to the merchant's app, and prints
every delivery and the app's answer. ``trigger`` creates the objects an event needs through
that sandbox's HTTP API, moves them with the sandbox's simulate calls, and so makes the sandbox
send the event: the notifications are the sandbox's own (``sandbox._webhooks``), never a second
implementation. Its chaos switches travel to the sender over the sandbox's control route
(``PATCH /sandbox/webhooks``), set just for the event's notifications and put back after.

The sandbox's token and signing key are kept in a small file (``sandbox.json`` in the user's
configuration folder), so the key a receiver is configured with stays the same from one
``listen`` to the next, and ``trigger`` finds the sandbox with no flags at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import difflib
import errno
import json
import os
import secrets
import signal
import string
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import attrs
import click

from ._cli_batch import money, plain
from ._client import PayCombat
from ._exceptions import PayCombatError, ValidationError
from ._signing import sign
from .sandbox._server import WEBHOOKS_PATH

__all__ = ["EVENTS", "listen", "trigger"]

DEFAULT_PORT = 8765
"""The port ``listen`` (and ``paycombat sandbox``) serve on, and ``trigger`` looks at."""
CONFIG_NAME = "sandbox.json"
BENEFICIARY = {
    "individual": {"first_name": "Ana", "last_name": "Lima"},
    "account_number": "12345678",
    "bsb": "123456",
}
EXIT_USAGE, EXIT_FAILED = 2, 1


@attrs.frozen
class Event:
    """What ``trigger`` does for one event: create an object, then move it through statuses
    (each move the sandbox notifies)."""

    name: str
    create: str
    """The resource method that creates the object, e.g. ``payouts.create``."""
    defaults: dict[str, Any]
    moves: tuple[str, ...]
    """The simulated statuses, in order; one notification each."""


_PAYOUT = {
    "payout_beneficiary_param": BENEFICIARY,
    "sender_amount": Decimal("125.50"),
    "sender_currency": "AUD",
    "sender_country": "AU",
    "beneficiary_amount": Decimal("125.50"),
    "beneficiary_currency": "AUD",
    "payout_method_name": "au_bank_acct",
    "purpose_code": "SELF",
}
_PAYIN = {
    "amount": Decimal("249.90"),
    "currency": "AUD",
    "payin_method_name": "au_bank_npp",
    "country": "AU",
    "customer_full_name": "Mia Chen",
}
_VIRTUAL_ACCOUNT = {
    "payin_method_name": "KB국민은행",
    "amount": Decimal(50000),
    "user_name": "김민지",
}
EVENTS = {
    event.name: event
    for event in (
        Event("payout.succeeded", "payouts.create", _PAYOUT, ("SUCCESS",)),
        Event("payout.failed", "payouts.create", _PAYOUT, ("FAILED",)),
        Event("payout.returned", "payouts.create", _PAYOUT, ("SUCCESS", "RETURNED")),
        Event("payin.succeeded", "payins.create", _PAYIN, ("SUCCESS",)),
        Event("payin.failed", "payins.create", _PAYIN, ("FAILED",)),
        Event("payin.expired", "payins.create", _PAYIN, ("EXPIRED",)),
        Event(
            "virtual_account.approved",
            "payins.create_virtual_account",
            _VIRTUAL_ACCOUNT,
            ("APPROVED",),
        ),
        Event(
            "virtual_account.failed", "payins.create_virtual_account", _VIRTUAL_ACCOUNT, ("FAILED",)
        ),
    )
}
_SIMULATE = {  # the create's key: (the simulate method, what it creates)
    "payouts.create": ("simulate", "payout"),
    "payins.create": ("simulate", "payin"),
    "payins.create_virtual_account": ("simulate_virtual_account", "virtual account"),
}


class _Stop(Exception):
    """An input error found before anything was sent: one line, exit code 2."""


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
    alphabet = string.ascii_letters + string.digits
    token = "snd_" + secrets.token_urlsafe(24)
    key = "snd_" + "".join(secrets.choice(alphabet) for _ in range(32))
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
        raise _Stop(
            f"cannot reach --forward-to {url}: {reason}; start your app first, or fix the URL "
            "(nothing was sent)"
        ) from None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


def event_name(body: bytes) -> tuple[str, str]:
    """``(event, object id)`` of a notification body, named as the SDK's receiver names it."""
    from .webhooks._events import event_from_body

    try:
        payload = json.loads(body)
        event = event_from_body(payload, verified=False)
    except (ValueError, PayCombatError):
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
        from .sandbox import LocalSandbox

        await _reachable(forward_to, *target)
        box = LocalSandbox(host=host, port=port, token=token, signature_key=signature_key)
        box.webhooks.url = forward_to
        box.webhooks.max_attempts = max_attempts
        try:
            await box.start()
        except OSError as exc:
            await box.aclose()
            reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise _Stop(
                f"cannot listen on {host}:{port}: {reason}; choose another with --port"
            ) from None
        describe = _describe(signature_key)
        box.webhooks.observers.append(lambda delivery: print(describe(delivery), flush=True))
        try:
            print(f"PayCombat local sandbox, forwarding its webhooks to {forward_to}")
            print(f"  PAYCOMBAT_BASE_URL={box.base_url}")
            print(f"  PAYCOMBAT_TOKEN={box.token}")
            print(f"  PAYCOMBAT_SIGNATURE_KEY={box.signature_key}")
            print("Verify X-Signature with that key (the same on every run).")
            again = "" if port == DEFAULT_PORT else f" --base-url {box.base_url}"
            print(f"Fire an event: paycombat trigger payout.succeeded{again}")
            print("Press Ctrl-C to stop.", flush=True)
            await _until_stopped()
        finally:
            await box.aclose()

    try:
        asyncio.run(serve())
    except _Stop as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        pass
    return 0


# -- trigger ---------------------------------------------------------------------------------


def _endpoint(key: str) -> Any:
    """The declared endpoint (request class, operation) of a resource method key."""
    from .resources import resource_classes

    attribute, _, method = key.partition(".")
    for cls in resource_classes():
        if cls.client_attribute == attribute and method in vars(cls):
            return vars(cls)[method]
    raise LookupError(key)


def _override_value(field_type: str, name: str, text: str) -> Any:
    if "Decimal" in field_type:
        try:
            return Decimal(text)
        except InvalidOperation:
            raise _Stop(f"--override {name}={text}: {text!r} is not an amount") from None
    if field_type.startswith("bool"):
        return text.lower() in ("1", "true", "yes")
    return text


def build_create(event: Event, overrides: tuple[str, ...]) -> dict[str, Any]:
    """The create call's keyword arguments: the event's defaults, then each ``field=value``
    (dotted for a nested field), checked by the SDK's own request class before sending."""
    endpoint = _endpoint(event.create)
    fields = {field.name: str(field.type) for field in attrs.fields(endpoint.request)}
    arguments = copy.deepcopy(event.defaults)
    for reference in ("order_id", "order_reference"):  # what a receiver finds its order by
        if reference in fields:
            arguments[reference] = f"trigger-{secrets.token_hex(6)}"
    for override in overrides:
        name, sep, text = override.partition("=")
        name = name.strip()
        if not sep or not name:
            raise _Stop(f"--override expects field=value, got {override!r}")
        top, *rest = name.split(".")
        if top not in fields or top == "extra":
            close = difflib.get_close_matches(top, fields, n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise _Stop(
                f"--override {name}: {event.create} has no field {top!r}{hint} "
                f"(fields: {', '.join(f for f in fields if f != 'extra')})"
            )
        if not rest:
            arguments[top] = _override_value(fields[top], name, text)
            continue
        target = arguments.setdefault(top, {})
        for part in rest[:-1]:
            target = target.setdefault(part, {}) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            raise _Stop(f"--override {name}: {top} is not a group of fields")
        target[rest[-1]] = text
    try:
        endpoint.build((), arguments)
    except ValidationError as exc:
        raise _Stop(f"--override: {exc}") from None
    return arguments


def _switches(
    copies: int, out_of_order: bool, delay: float, unsigned: bool, wrong_signature: bool
) -> dict[str, Any]:
    chaos: dict[str, Any] = {"copies": copies, "out_of_order": out_of_order, "delay": delay}
    chaos.update(unsigned=unsigned, wrong_signature=wrong_signature)
    return chaos


async def _control(
    session: aiohttp.ClientSession, base_url: str, token: str, changes: dict[str, Any] | None
) -> dict[str, Any]:
    """``GET`` (or ``PATCH`` with ``changes``) the sandbox's webhook settings."""
    url = base_url.rstrip("/") + WEBHOOKS_PATH
    headers = {"X-token": token}
    try:
        async with session.request(
            "PATCH" if changes is not None else "GET", url, json=changes, headers=headers
        ) as response:
            text = await response.text()
            status = response.status
    except (OSError, aiohttp.ClientError, TimeoutError) as exc:
        raise _Stop(
            f"cannot reach the sandbox at {base_url} ({type(exc).__name__}); start one with: "
            "paycombat listen --forward-to URL (nothing was sent)"
        ) from None
    if status == 401:
        raise _Stop(
            f"the sandbox at {base_url} refused the token (nothing was sent); set "
            "PAYCOMBAT_TOKEN and PAYCOMBAT_SIGNATURE_KEY to what 'paycombat listen' or "
            "'paycombat sandbox' printed"
        )
    try:
        data: dict[str, Any] = json.loads(text)["data"]
    except (ValueError, KeyError, TypeError):
        data = {}
    if status != 200 or not isinstance(data, dict) or "copies" not in data:
        raise _Stop(
            f"{base_url} answered {status} to {WEBHOOKS_PATH}: it is not a local PayCombat "
            "sandbox (trigger works with 'paycombat listen' or 'paycombat sandbox' only)"
        )
    return data


def _amount_of(record: Any) -> str:
    amount = getattr(record, "wire_amount", None) or getattr(record, "amount", None)
    # A payin's ISO code is its iso_currency (its ``currency`` is the class, FIAT).
    currency = getattr(record, "iso_currency", None) or getattr(record, "currency", None)
    return money(amount, plain(currency)) if amount is not None else ""


@click.command()
@click.argument("event_name", metavar="EVENT")
@click.option(
    "--override",
    "overrides",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A field of the create call (repeatable), dotted when nested, e.g. "
    "order_id=inv-42, sender_amount=99.95, payout_beneficiary_param.individual.first_name=Li.",
)
@click.option(
    "--duplicate",
    type=click.IntRange(min=1),
    default=1,
    metavar="N",
    help="Deliver each notification N times in all (your receiver must act once).",
)
@click.option(
    "--out-of-order",
    is_flag=True,
    help="Deliver the event's notifications last first (payout.returned: RETURNED before "
    "SUCCESS; your receiver must not move the payout back).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="S",
    help="Wait S seconds before each delivery.",
)
@click.option("--unsigned", is_flag=True, help="Send no X-Signature (your receiver must refuse).")
@click.option(
    "--wrong-signature",
    is_flag=True,
    help="Sign with another key: a forgery your receiver must refuse (401).",
)
@click.option(
    "--base-url",
    envvar="PAYCOMBAT_BASE_URL",
    default=f"http://127.0.0.1:{DEFAULT_PORT}",
    show_default=True,
    help="The sandbox 'paycombat listen' (or 'paycombat sandbox') serves.",
)
@click.option("--token", envvar="PAYCOMBAT_TOKEN", help="Its X-token (default: the saved one).")
@click.option(
    "--signature-key",
    envvar="PAYCOMBAT_SIGNATURE_KEY",
    help="Its signing key (default: the saved one).",
)
def trigger(
    event_name: str,
    overrides: tuple[str, ...],
    duplicate: int,
    out_of_order: bool,
    delay: float,
    unsigned: bool,
    wrong_signature: bool,
    base_url: str,
    token: str | None,
    signature_key: str | None,
) -> int:
    """Make the local sandbox send EVENT to your app (through 'paycombat listen').

    \b
    EVENT is one of:
      payout.succeeded  payout.failed  payout.returned (SUCCESS, then RETURNED)
      payin.succeeded   payin.failed   payin.expired
      virtual_account.approved  virtual_account.failed  (KRW registration)

    It creates the object through the sandbox's API (Create Payout, Create Payin or Create
    Virtual Account, with --override fields), then moves it with the sandbox's simulate calls:
    the sandbox signs and sends each notification to the URL 'paycombat listen --forward-to'
    gave it. Against 'paycombat sandbox --webhook-url URL', set the PAYCOMBAT_* variables it
    printed. The chaos switches apply to this event's notifications only, so you can prove
    before going live that your receiver acts once on duplicates, keeps the latest state when
    notifications arrive out of order, and refuses unsigned or forged ones.

    \b
    Exit codes:
      0  the event was fired (watch 'paycombat listen' for the deliveries)
      1  the sandbox refused a call (the message says which)
      2  usage or input error: unknown event, bad --override, no sandbox or
         no webhook URL (nothing was sent)
    """
    event = EVENTS.get(event_name)
    if event is None:
        close = difflib.get_close_matches(event_name, EVENTS, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise click.BadParameter(
            f"no event {event_name!r}; {hint}events: {', '.join(EVENTS)}", param_hint="EVENT"
        )
    if unsigned and wrong_signature:
        raise click.UsageError("--unsigned and --wrong-signature: choose one")
    if out_of_order and len(event.moves) < 2:
        raise click.UsageError(
            f"--out-of-order swaps an event's notifications; {event.name} sends one "
            "(payout.returned sends two: SUCCESS, then RETURNED)"
        )
    if token is None or signature_key is None:
        saved_token, saved_key = local_credentials()
        token, signature_key = token or saved_token, signature_key or saved_key
    try:
        arguments = build_create(event, overrides)
    except _Stop as exc:
        raise click.UsageError(str(exc)) from None
    chaos = _switches(duplicate, out_of_order, delay, unsigned, wrong_signature)

    async def fire() -> list[str]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            before = await _control(session, base_url, token, None)
            if not before.get("url"):
                raise _Stop(
                    f"the sandbox at {base_url} sends no webhooks (nothing was sent); run "
                    "'paycombat listen --forward-to URL' or 'paycombat sandbox --webhook-url URL'"
                )
            restore = {name: before[name] for name in chaos}
            async with PayCombat(
                token=token, signature_key=signature_key, base_url=base_url
            ) as client:
                await _control(session, base_url, token, chaos)
                try:
                    lines = await _steps(client, event, arguments, before["url"])
                    return [*lines, *_chaos_line(chaos)]
                finally:
                    await _control(session, base_url, token, restore)

    try:
        lines = asyncio.run(fire())
    except _Stop as exc:
        raise click.UsageError(str(exc)) from None
    except PayCombatError as exc:
        raise click.ClickException(f"{event.name}: {exc}") from None
    for line in lines:
        click.echo(line)
    return 0


def _chaos_line(chaos: dict[str, Any]) -> list[str]:
    """What ``trigger`` did to this event's deliveries, in one line (none when nothing)."""
    said = [f"{chaos['copies']} copies each"] if chaos["copies"] > 1 else []
    said += ["out of order"] if chaos["out_of_order"] else []
    said += [f"{chaos['delay']:g}s delay each"] if chaos["delay"] else []
    said += ["unsigned"] if chaos["unsigned"] else []
    said += ["wrong signature"] if chaos["wrong_signature"] else []
    return [f"Delivered {', '.join(said)}"] if said else []


async def _steps(client: PayCombat, event: Event, arguments: dict[str, Any], url: str) -> list[str]:
    """Create the object and move it through the event's statuses; what happened, in lines."""
    resource_name, _, method = event.create.partition(".")
    resource = getattr(client, resource_name)
    create: Callable[..., Awaitable[Any]] = getattr(resource, method)
    created = await create(**arguments)
    simulate_name, noun = _SIMULATE[event.create]
    reference = arguments.get("order_id") or arguments.get("order_reference")
    about = ", ".join(filter(None, (_amount_of(created), reference and f"order {reference}")))
    lines = [f"Created {noun} {created.id}" + (f" ({about})" if about else "")]
    simulate = getattr(resource, simulate_name)
    for status in event.moves:
        moved = await simulate(created.id, status=status)
        lines.append(f"Moved it to {plain(moved.status)}: the sandbox notifies {url}")
    return lines
