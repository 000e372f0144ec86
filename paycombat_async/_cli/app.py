"""The ``paycombat`` command group, with the ``sandbox``, ``demo`` and ``payouts batch`` commands
(the tour is ``demo.py``, a batch's run ``batch.py``); ``call``, ``listen`` (``webhooks.py``),
``trigger`` and ``payouts report`` are commands of their own modules, and what several commands
share is in ``common.py``.

Help texts are plain text (click prints them as written), so they carry no reST marks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from .._version import __version__
from ..resources import OPERATIONS
from .call import call, unknown_operation
from .common import (
    NO_CREDENTIALS,
    InputStop,
    api_client,
    credential_options,
    delivery_switches,
    run_api,
    sandbox_lines,
    start_sandbox,
)
from .report import report
from .trigger import trigger
from .webhooks import listen

__all__ = ["cli"]

ARGV: list[str] = []
"""The command line as given (set by ``paycombat_async._cli.main``): the command to run again."""
SECRET_OPTIONS = ("--token", "--signature-key")
RESET_WHEN = ("before", "after")
FAULT_TYPES: dict[str, Callable[[str], Any]] = {
    "latency": float,
    "status": int,
    "retry_after": float,
    "html": lambda v: v.lower() in ("1", "true", "yes"),
    "reset": str,
    "malformed": lambda v: v.lower() in ("1", "true", "yes"),
    "commit": lambda v: v.lower() in ("1", "true", "yes"),
    "rate": float,
    "times": int,
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="paycombat")
def cli() -> None:
    """PayCombat from the command line: a local sandbox, a demo, any API call, payout batches,
    and the webhook loop (listen, trigger)."""


# -- sandbox ---------------------------------------------------------------------------------


def _parse_fault(spec: str) -> tuple[str, dict[str, Any]]:
    title, _, settings = spec.partition(":")
    if title not in OPERATIONS:
        raise click.BadParameter(unknown_operation(title), param_hint="--fault")
    fields: dict[str, Any] = {}
    for setting in filter(None, settings.split(",")):
        name, _, value = setting.partition("=")
        if name.strip() not in FAULT_TYPES:
            raise click.BadParameter(
                f"unknown fault setting {name!r}; use {', '.join(FAULT_TYPES)}",
                param_hint="--fault",
            )
        try:
            fields[name.strip()] = FAULT_TYPES[name.strip()](value.strip())
        except ValueError:
            raise click.BadParameter(f"bad value in {setting!r}", param_hint="--fault") from None
    _check_fault(setting_of=fields)
    return title, fields


def _check_fault(setting_of: dict[str, Any]) -> None:
    """Refuse values the sandbox would ignore or choke on, naming the setting."""
    problems: dict[str, Callable[[Any], bool | str]] = {
        "rate": lambda v: 0 <= v <= 1 or "must be between 0 and 1",
        "reset": lambda v: v in RESET_WHEN or f"must be {' or '.join(RESET_WHEN)}",
        "latency": lambda v: v >= 0 or "must be 0 or more seconds",
        "retry_after": lambda v: v >= 0 or "must be 0 or more seconds",
        "status": lambda v: 100 <= v <= 599 or "must be an HTTP status (100-599)",
        "times": lambda v: v >= 1 or "must be 1 or more",
    }
    for name, value in setting_of.items():
        check = problems.get(name)
        verdict = check(value) if check is not None else True
        if verdict is not True:
            raise click.BadParameter(f"{name}={value} {verdict}", param_hint="--fault")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--token", help="The X-token to accept (default: random snd_...).")
@click.option("--signature-key", help="The signature key (default: random).")
@click.option("--seed", type=int, help="Seed for faults injected with a rate (reproducible).")
@click.option(
    "--refuse-duplicate-order-id", is_flag=True, help="Answer 409 to a reused payout order_id."
)
@click.option("--webhook-url", help="POST signed notifications here on every state change.")
@delivery_switches("webhook-")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="'TITLE:key=value,...'",
    help="Inject a fault, e.g. 'Create Payout:status=503,rate=0.05' or "
    "'Create Payout:latency=2,rate=0.01' (settings: " + ", ".join(FAULT_TYPES) + ").",
)
def sandbox(
    host: str,
    port: int,
    token: str | None,
    signature_key: str | None,
    seed: int | None,
    refuse_duplicate_order_id: bool,
    webhook_url: str | None,
    switches: dict[str, Any],
    faults: tuple[str, ...],
) -> None:
    """Serve the local PayCombat sandbox (in memory) until Ctrl-C.

    It prints its credentials, its faults and its webhook settings at start. 'paycombat
    trigger' fires webhook events through it once --webhook-url is set; 'paycombat listen'
    serves one that forwards to your app and prints each delivery.
    """
    parsed = [_parse_fault(spec) for spec in faults]

    async def serve() -> None:
        from ..sandbox import LocalSandbox

        box = LocalSandbox(
            host=host,
            port=port,
            token=token,
            signature_key=signature_key,
            seed=seed,
            refuse_duplicate_order_id=refuse_duplicate_order_id,
            webhook_url=webhook_url,
        )
        for title, fields in parsed:
            box.inject(title, **fields)
        box.webhooks.switch(**switches)
        try:
            await start_sandbox(box)
        except InputStop as exc:
            raise click.ClickException(str(exc)) from None
        try:
            print("PayCombat local sandbox (in-memory; state is lost on exit)")
            for line in sandbox_lines(box):
                print(line)
            for line in _sandbox_settings(parsed, box.webhooks.settings(), seed):
                print(line)
            print("Press Ctrl-C to stop.", flush=True)
            await asyncio.Event().wait()
        finally:
            await box.aclose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


def _sandbox_settings(
    faults: list[tuple[str, dict[str, Any]]], webhooks: dict[str, Any], seed: int | None
) -> list[str]:
    """What ``paycombat sandbox`` prints about its faults and webhooks at start."""
    lines = ["Faults:" if faults else "Faults: none (add with --fault)"]
    for title, fields in faults:
        key = OPERATIONS[title].key
        settings = ", ".join(f"{name}={value}" for name, value in fields.items()) or "none"
        lines.append(f"  {OPERATIONS[title].title} ({key}): {settings}")
    if faults and seed is not None:
        lines.append(f"  (rates drawn with --seed {seed})")
    if not webhooks["url"]:
        lines.append("Webhooks: off (set --webhook-url, or use 'paycombat listen')")
        return lines
    if webhooks["unsigned"]:
        signing = "unsigned"
    else:
        signing = "WRONG signature" if webhooks["wrong_signature"] else "signed (X-Signature)"
    order = "out of order (swapped pairs)" if webhooks["out_of_order"] else "in order"
    lines.append(
        f"Webhooks: to {webhooks['url']}, {signing}, {webhooks['copies']} copy(ies) each, "
        f"{order}, delay {webhooks['delay']:g}s, up to {webhooks['max_attempts']} attempts"
    )
    return lines


# -- demo ------------------------------------------------------------------------------------


@cli.command()
@click.option("-v", "--verbose", is_flag=True, help="Log every request.")
def demo(verbose: bool) -> None:
    """A tour of the SDK against a local sandbox, ending with a 1,000-payout batch."""
    from .demo import run_demo

    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="  %(name)s: %(message)s")
    asyncio.run(run_demo())


# -- payouts batch ---------------------------------------------------------------------------


@cli.group()
def payouts() -> None:
    """Payouts in bulk."""


@payouts.command()
@click.argument(
    "csv_path", metavar="PAYOUTS.CSV", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write one result per row: as they arrive, then in input order.",
)
@click.option(
    "--journal",
    metavar="PATH|URL",
    help="The resume journal: a SQLite file (default: PAYOUTS.CSV.journal beside it), or a "
    "postgresql:// URL for one batch shared by workers on several machines.",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=32, show_default=True)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    help="At most this many requests per second.",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to wait before looking up a payout in doubt.",
)
@click.option(
    "--resend-after-settle",
    is_flag=True,
    help="Resend a payout still absent after the settle period.",
)
@click.option(
    "--delimiter",
    metavar="CHAR",
    help="The CSV's delimiter (default: detected among , ; tab |); 'tab' for a tab.",
)
@click.option(
    "--ignore-column",
    "ignored",
    multiple=True,
    metavar="NAME",
    help="A column to skip (repeatable), e.g. a spreadsheet's own notes column.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary (counts, exit code, results file, journal) as one JSON object on "
    "standard output; the table goes to standard error.",
)
@credential_options
def batch(
    csv_path: Path,
    out_path: Path,
    journal: str | None,
    concurrency: int,
    rate: float | None,
    settle: float,
    resend_after_settle: bool,
    delimiter: str | None,
    ignored: tuple[str, ...],
    as_json: bool,
    **options: Any,
) -> int:
    """Create every payout of PAYOUTS.CSV, each exactly once, resumably.

    Columns are the keyword names of payouts.create; nested fields are dotted, e.g.
    payout_beneficiary_param.individual.first_name. Give every row an order_id: it is how a
    payout is found again. Run the same command again after a crash or an interruption: the
    journal skips what was created and looks up what was in flight.

    Before the first payout is sent, the header (every required column), the journal and
    the --out file are checked: a mistake there is one line and exit code 2, nothing sent.
    The results file is written as results arrive, so an interrupted run leaves every row
    decided so far; Ctrl-C stops sending, records the payouts in flight and prints the
    command to run again.

    \b
    Exit codes:
      0    all created
      2    usage or input error (nothing was sent)
      3    some rejected (not created; see results file)
      4    some unknown (may exist: run the same command again; they are looked
           up, not resent), or the batch stopped early (e.g. the journal
           failed): run it again
      5    some conflict (a payout under the row's order_id is not the row's:
           check it by hand; nothing was resent)
      130  interrupted (Ctrl-C); 143 terminated (SIGTERM): run the same
           command again
    """
    from .batch import BatchInputError, BatchRun, delimiter_option, journal_option

    if options.get("token") is None or not str(options["token"]).strip():
        raise click.UsageError(NO_CREDENTIALS)
    try:
        run = BatchRun(
            csv_path=csv_path,
            out_path=out_path,
            journal=journal_option(journal, csv_path),
            concurrency=concurrency,
            rate=rate,
            settle=settle,
            resend_after_settle=resend_after_settle,
            console=Console(stderr=as_json, soft_wrap=True),
            delimiter=delimiter_option(delimiter),
            ignored=ignored,
            as_json=as_json,
            again=_again(),
        )
        run.prepare()
    except BatchInputError as exc:
        raise click.UsageError(str(exc)) from None

    async def go() -> int:
        async with api_client(options) as client:
            return await run.run(client)

    code: int = run_api(go())
    return code


def _again() -> str:
    """The command line as given, without secrets (they come from the environment or must be
    passed again)."""
    args, hidden, skip = [], False, False
    for arg in ARGV:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in SECRET_OPTIONS:
            hidden = True
            skip = "=" not in arg
            continue
        args.append(arg)
    command = shlex.join(["paycombat", *args])
    return command + (" (with your --token/--signature-key)" if hidden else "")


cli.add_command(call)  # paycombat call (call.py)
payouts.add_command(report)  # paycombat payouts report (report.py)
cli.add_command(listen)  # paycombat listen (webhooks.py)
cli.add_command(trigger)  # paycombat trigger (trigger.py)
