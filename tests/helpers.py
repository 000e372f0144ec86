"""Test helpers shared by the suite: a payout request that the sandbox accepts, a scripted
loopback server, a client for any test server (``client_for``) and a client's settings without
one, the documented payloads and the model round trip, the example programs' runner and the
``paycombat`` command's (``run_cli``).

The fixtures themselves (a sandbox, a client bound to it, webhooks, faults) are the pytest
plugin's, ``paycombat_async.testing``; ``tests/conftest.py`` gives them the suite's names.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import pkgutil
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol, overload

import attrs
from aiohttp import web

import paycombat_sync
import paycombat_sync.sandbox
from paycombat_async import PayCombat, Payout, models
from paycombat_async._codec.signing import js_dumps
from paycombat_async._core.config import ClientConfig
from paycombat_async.models._base import Model
from paycombat_async.models._converter import structure, unstructure
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.testing import DEFAULT_CLIENT_OPTIONS, sandbox_env
from paycombat_async.testing import NO_WAIT as NO_WAIT  # resends without waiting: never sleeps


def payout_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "payout_beneficiary_param": {
            "individual": {"first_name": "Ana", "last_name": "Lima"},
            "account_number": "12345678",
            "bsb": "123456",
        },
        "sender_amount": Decimal("25.00"),
        "sender_currency": "AUD",
        "sender_country": "AU",
        "beneficiary_amount": Decimal("25.00"),
        "beneficiary_currency": "AUD",
        "payout_method_name": "au_bank_acct",
        "purpose_code": "SELF",
        "order_id": "order-1",
    }
    args.update(overrides)
    return args


async def pay_out(client: PayCombat, amount: Decimal, **overrides: Any) -> Payout:
    """Create a payout of ``amount`` AUD (sent and received), ``payout_args`` otherwise."""
    args = payout_args(sender_amount=amount, beneficiary_amount=amount, **overrides)
    return await client.payouts.create(**args)


@attrs.define
class Scripted:
    """A loopback server that answers every request with the next scripted response."""

    base_url: str = ""
    responses: list[tuple[int, bytes, dict[str, str]]] = attrs.Factory(list)
    seen: list[web.Request] = attrs.Factory(list)
    bodies: list[bytes] = attrs.Factory(list)

    def reply(self, status: int, body: bytes | str, **headers: str) -> None:
        raw = body.encode() if isinstance(body, str) else body
        self.responses.append((status, raw, headers))

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(request)
        self.bodies.append(await request.read())
        status, body, headers = (
            self.responses.pop(0) if self.responses else (200, b'{"status":true,"data":{}}', {})
        )
        return web.Response(
            status=status,
            body=body,
            headers=headers,
            content_type=headers.pop("content_type", "application/json"),
        )


@asynccontextmanager
async def serve_app(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def scripted_server() -> AsyncIterator[Scripted]:
    scripted = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", scripted.handle)
    async with serve_app(app) as base_url:
        scripted.base_url = base_url
        yield scripted


CREATE_PATH = "/api/v1/payout/create-payout"
PAYOUT = {"id": "p-1", "order_id": "order-1", "status": "PENDING"}
"""The payout a scripted or raw server answers with (``payout_args``' order_id)."""


# -- clients ---------------------------------------------------------------------------------

TOKEN = "snd_test_token_value"
SIGNATURE_KEY = "snd_test_signature_key"
"""The credentials of a client of a server that checks none (a raw or scripted server)."""


class Served(Protocol):
    """A test server: ``RawServer``, ``Scripted``, a sandbox (which also has credentials)."""

    @property
    def base_url(self) -> str: ...


@overload
def client_for(
    server: paycombat_sync.sandbox.LocalSandbox,
    *,
    blocking: Literal[True] | None = None,
    **options: Any,
) -> paycombat_sync.PayCombat: ...
@overload
def client_for(
    server: str | Served, *, blocking: Literal[True], **options: Any
) -> paycombat_sync.PayCombat: ...
@overload
def client_for(
    server: str | Served, *, blocking: Literal[False] | None = None, **options: Any
) -> PayCombat: ...
def client_for(
    server: str | Served, *, blocking: bool | None = None, **options: Any
) -> PayCombat | paycombat_sync.PayCombat:
    """A client of a test server (its URL, or the server), with the plugin fixtures' options
    (resends without waiting, a 10 s deadline) unless ``options`` say otherwise.

    A sandbox's own credentials are used, or ``TOKEN``/``SIGNATURE_KEY`` for a server that checks
    none. The client is blocking (``paycombat_sync``) when ``blocking`` says so, or by default
    when ``server`` is a blocking sandbox.
    """
    if blocking is None:
        blocking = isinstance(server, paycombat_sync.sandbox.LocalSandbox)
    base_url = server if isinstance(server, str) else server.base_url
    credentials: dict[str, Any] = {
        "token": getattr(server, "token", TOKEN),
        "signature_key": getattr(server, "signature_key", SIGNATURE_KEY),
    }
    client = paycombat_sync.PayCombat if blocking else PayCombat
    return client(base_url=base_url, **{**credentials, **DEFAULT_CLIENT_OPTIONS, **options})


def client_config(**overrides: Any) -> ClientConfig:
    """A client's settings as the pipeline and transport get them, without a client: for tests of
    those layers alone. A sandbox token and signing key, 10 connections, the rest by default."""
    arguments: dict[str, Any] = {
        "token": "snd_x",
        "signature_key": "k",
        "base_url": None,
        "timeout": None,
        "max_retries": None,
        "retry": None,
        "max_connections": 10,
    }
    return ClientConfig.from_arguments(**{**arguments, **overrides})


# -- documented payloads and the models --------------------------------------------------------

# The PAYIN SUCCESS webhook example (PayCombat docs: Webhooks), made valid JSON: the docs print
# single quotes and unquoted timestamps.
PAYIN_SUCCESS_WEBHOOK: dict[str, Any] = {
    "id": "005e1272-baec-43f6-8f7b-8ab8ddda8144",
    "merchant_id": "42e90341-cc68-4fbc-9baf-c3714b6fce0d",
    "status": "SUCCESS",
    "amount": 100,
    "original_amount": 100,
    "amount_type": "AUD",
    "transaction": "invoice_13032025_002",
    "transaction_date": "2025-03-19T13:18:09.000Z",
    "payment_method": "au_bank_npp",
    "order_reference": "invoice_19032025_14414443",
    "customer_full_name": "Fajar 20",
    "reply_code": "invoice_19032025_11@paycombat.com",
    "brand": "Blackpink",
    "currency": "FIAT",
    "credit_type": "PAYIN",
    "payer_id": "invoice_06032025_002",
    "recon_id": "invoice_06032025_002",
    "order_reference_1": "invoice_06032025_002",
    "order_reference_2": "invoice_06032025_002",
    "platform_identifier": "invoice_06032025_002",
    "trx_type": "DIRECT_PAYIN",
    "customer_email": "fajarwww@yopmail.com",
    "customer_phone": "+6285156781122",
    "customer_personal_number": "",
    "fee_taken": 0,
    "fee_expected": 0,
    "charge_back": 0,
    "rolling_serve": 0,
    "retrieval": 0,
    "is_black_list": 0,
    "ip_address": "",
    "billing_address_country": "AU",
    "billing_address_city": "",
    "billing_address_zip_code": "",
    "billing_address": "",
    "bin": "",
    "is_3ds": "",
    "created_at": "2025-03-19T08:48:03.000Z",
    "updated_at": "2025-03-19T08:48:03.000Z",
    "deleted_at": None,
    "payment_date": None,
    "type": "PAYIN",
}


def round_trip(example: dict[str, Any], cls: type[Any]) -> dict[str, Any]:
    """Structure ``example`` into ``cls`` and back to JSON; model fields the example lacks
    come back as null, so those (and only those) are dropped before comparing."""
    out = json.loads(js_dumps(unstructure(structure(example, cls))))
    return {k: v for k, v in out.items() if k in example or v is not None}


def sent_body(sandbox: LocalSandbox, title: str) -> dict[str, Any]:
    """The JSON body of the one request titled ``title`` that ``sandbox`` received."""
    (request,) = sandbox.requests_for(title)
    body: dict[str, Any] = json.loads(request.body)
    return body


def model_classes() -> list[type[Model]]:
    """Every model class: each one defined or imported in a module of ``models``, once."""
    found: list[type[Model]] = []
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"{models.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and attrs.has(value) and issubclass(value, Model):
                found += [] if value in found else [value]
    return found


def run_example(
    script: Path, sandbox: LocalSandbox | paycombat_sync.sandbox.LocalSandbox, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run an example program with this interpreter, its client configured from the environment
    as a merchant's would be: the sandbox's ``PAYCOMBAT_*`` variables."""
    return subprocess.run(  # noqa: S603 - this interpreter, the example, fixed arguments
        [sys.executable, str(script), *args],
        env={**os.environ, **sandbox_env(sandbox)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_ONE_COMMAND = threading.Lock()


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    if env is None:
        yield
        return
    before = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def run_cli(*argv: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run one ``paycombat`` command to its end (exit code, standard output and error) in this
    process, as ``python -m paycombat_async`` runs it in its own, with ``env`` as its environment.

    For commands that end by themselves (``call``, ``trigger``, a refused ``listen``): a new
    interpreter would spend about a second of CPU importing the command line each time. A
    command that serves until stopped (``listen``, ``sandbox``) runs as a process. Call it from a
    worker thread in an async test (``anyio.to_thread``): the command runs its own event loop.
    """
    from paycombat_async._cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        _ONE_COMMAND,  # the environment and standard streams are the process's
        _environment(env),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(list(argv))
    return subprocess.CompletedProcess(["paycombat", *argv], code, out.getvalue(), err.getvalue())
