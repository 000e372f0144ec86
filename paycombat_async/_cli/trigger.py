"""``paycombat trigger EVENT``: make the local sandbox send a webhook event, with chaos switches.

It creates the objects an event needs through the sandbox's HTTP API and moves them with the
sandbox's simulate calls, so the sandbox itself sends the event: the notifications are the
sandbox's own (its ``WebhookSender``), never a second implementation. The chaos switches
(``common.delivery_switches``, the options ``paycombat sandbox`` takes with a ``--webhook-``
prefix) travel to the sender over the sandbox's control route (``PATCH
LocalSandbox.webhooks_path``), set just for the event's notifications (the sender takes them
when a notification is made) and put back after.
"""

from __future__ import annotations

import asyncio
import copy
import difflib
import json
import secrets
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import aiohttp
import attrs
import click

from .._client import PayCombat
from .._exceptions import PayCombatError, ValidationError
from ..sandbox import LocalSandbox
from .batch import money, plain
from .common import BENEFICIARY, InputStop, declaration, delivery_switches
from .webhooks import DEFAULT_PORT, local_credentials

__all__ = ["EVENTS", "build_create", "trigger"]


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


# -- trigger ---------------------------------------------------------------------------------


def _override_value(field_type: str, name: str, text: str) -> Any:
    if "Decimal" in field_type:
        try:
            return Decimal(text)
        except InvalidOperation:
            raise InputStop(f"--override {name}={text}: {text!r} is not an amount") from None
    if field_type.startswith("bool"):
        return text.lower() in ("1", "true", "yes")
    return text


def build_create(event: Event, overrides: tuple[str, ...]) -> dict[str, Any]:
    """The create call's keyword arguments: the event's defaults, then each ``field=value``
    (dotted for a nested field), checked by the SDK's own request class before sending."""
    endpoint = declaration(event.create)  # every event's create is declared
    fields = {field.name: str(field.type) for field in attrs.fields(endpoint.request)}
    arguments = copy.deepcopy(event.defaults)
    for reference in ("order_id", "order_reference"):  # what a receiver finds its order by
        if reference in fields:
            arguments[reference] = f"trigger-{secrets.token_hex(6)}"
    for override in overrides:
        name, sep, text = override.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputStop(f"--override expects field=value, got {override!r}")
        top, *rest = name.split(".")
        if top not in fields or top == "extra":
            close = difflib.get_close_matches(top, fields, n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise InputStop(
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
            raise InputStop(f"--override {name}: {top} is not a group of fields")
        target[rest[-1]] = text
    try:
        endpoint.build((), arguments)
    except ValidationError as exc:
        raise InputStop(f"--override: {exc}") from None
    return arguments


async def _control(
    session: aiohttp.ClientSession, base_url: str, token: str, changes: dict[str, Any] | None
) -> dict[str, Any]:
    """``GET`` (or ``PATCH`` with ``changes``) the sandbox's webhook settings."""
    path = LocalSandbox.webhooks_path
    url = base_url.rstrip("/") + path
    headers = {"X-token": token}
    try:
        async with session.request(
            "PATCH" if changes is not None else "GET", url, json=changes, headers=headers
        ) as response:
            text = await response.text()
            status = response.status
    except (OSError, aiohttp.ClientError, TimeoutError) as exc:
        raise InputStop(
            f"cannot reach the sandbox at {base_url} ({type(exc).__name__}); start one with: "
            "paycombat listen --forward-to URL (nothing was sent)"
        ) from None
    if status == 401:
        raise InputStop(
            f"the sandbox at {base_url} refused the token (nothing was sent); set "
            "PAYCOMBAT_TOKEN and PAYCOMBAT_SIGNATURE_KEY to what 'paycombat listen' or "
            "'paycombat sandbox' printed"
        )
    try:
        data: dict[str, Any] = json.loads(text)["data"]
    except (ValueError, KeyError, TypeError):
        data = {}
    if status != 200 or not isinstance(data, dict) or "copies" not in data:
        raise InputStop(
            f"{base_url} answered {status} to {path}: it is not a local PayCombat "
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
@delivery_switches("")
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
    switches: dict[str, Any],
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
    if switches["out_of_order"] and len(event.moves) < 2:
        raise click.UsageError(
            f"--out-of-order swaps an event's notifications; {event.name} sends one "
            "(payout.returned sends two: SUCCESS, then RETURNED)"
        )
    if token is None or signature_key is None:
        saved_token, saved_key = local_credentials()
        token, signature_key = token or saved_token, signature_key or saved_key
    try:
        arguments = build_create(event, overrides)
    except InputStop as exc:
        raise click.UsageError(str(exc)) from None

    async def fire() -> list[str]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            before = await _control(session, base_url, token, None)
            if not before.get("url"):
                raise InputStop(
                    f"the sandbox at {base_url} sends no webhooks (nothing was sent); run "
                    "'paycombat listen --forward-to URL' or 'paycombat sandbox --webhook-url URL'"
                )
            restore = {name: before[name] for name in switches}
            async with PayCombat(
                token=token, signature_key=signature_key, base_url=base_url
            ) as client:
                await _control(session, base_url, token, switches)
                try:
                    lines = await _steps(client, event, arguments, before["url"])
                    return [*lines, *_chaos_line(switches)]
                finally:
                    await _control(session, base_url, token, restore)

    try:
        lines = asyncio.run(fire())
    except InputStop as exc:
        raise click.UsageError(str(exc)) from None
    except PayCombatError as exc:
        raise click.ClickException(f"{event.name}: {exc}") from None
    for line in lines:
        click.echo(line)
    return 0


def _chaos_line(switches: dict[str, Any]) -> list[str]:
    """What ``trigger`` did to this event's deliveries, in one line (none when nothing)."""
    said = [f"{switches['copies']} copies each"] if switches["copies"] > 1 else []
    said += ["out of order"] if switches["out_of_order"] else []
    said += [f"{switches['delay']:g}s delay each"] if switches["delay"] else []
    said += ["unsigned"] if switches["unsigned"] else []
    said += ["wrong signature"] if switches["wrong_signature"] else []
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
