"""Secrets stay out of logs, reprs, errors and tracebacks; the client's lifecycle is clean."""

from __future__ import annotations

import asyncio
import logging
import pickle
import traceback
from collections.abc import Awaitable, Callable

import anyio
import pytest

from paycombat_async import (
    ClientStateError,
    ConfigurationError,
    PayCombat,
    PayCombatError,
    RetryPolicy,
)
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import client_for, payout_args, scripted_server

# Resends once, without waiting (the suite's NO_WAIT resends twice).
ONE_RESEND = RetryPolicy(max_retries=1, initial_backoff=0, max_backoff=0, max_retry_after=0)


async def test_secrets_never_reach_logs_reprs_errors_or_tracebacks(
    sandbox: LocalSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = (sandbox.token, sandbox.signature_key)
    errors: list[PayCombatError] = []

    async def expect_error(coro: object) -> None:
        try:
            await coro  # type: ignore[misc]
        except PayCombatError as exc:
            errors.append(exc)
        else:
            raise AssertionError("expected an error")

    async with client_for(sandbox, timeout=0.5, retry=ONE_RESEND) as client:
        shown = [repr(client), repr(client.config), str(client.config)]
        payout_id = (await client.payouts.create(**payout_args())).id
        for fault in (
            {"status": 503},
            {"status": 401},
            {"reset": "after"},
            {"malformed": True},
            {"latency": 5},
            {"status": 502, "html": True},
        ):
            sandbox.faults.clear()
            sandbox.inject("Create Payout", **fault)  # type: ignore[arg-type]
            await expect_error(client.payouts.create(**payout_args()))
            sandbox.inject("Retrieve Payout", times=None, **fault)  # type: ignore[arg-type]
            await expect_error(client.payouts.retrieve(payout_id))
        sandbox.faults.clear()
        await expect_error(client.payouts.retrieve("missing"))
        await expect_error(client.payouts.create(**payout_args(sender_amount=1.5)))
    async with client_for(
        sandbox, signature_key="snd_wrong_key_0000000000000000", retry=ONE_RESEND
    ) as wrong_key:
        await expect_error(wrong_key.payouts.create(**payout_args()))
    # A server that echoes the token back (checkout URLs embed it) must not leak it either.
    async with (
        scripted_server() as server,
        client_for(
            server, token=sandbox.token, signature_key=sandbox.signature_key, retry=ONE_RESEND
        ) as echo,
    ):
        server.reply(400, f'{{"status": false, "message": "bad token {sandbox.token}"}}')
        await expect_error(echo.payouts.retrieve("x"))

    assert len(errors) == 16
    for error in errors:
        shown += [str(error), repr(error), error.body or "", repr(error.__cause__)]
        shown.append("".join(traceback.format_exception(error)))
        shown.append(pickle.dumps(error).decode("latin-1"))
    shown += [record.getMessage() for record in caplog.records]
    shown += [logging.Formatter().format(record) for record in caplog.records]
    for text in shown:
        for secret in secrets:
            assert secret not in text


def test_no_token_is_a_clear_error_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYCOMBAT_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match="PAYCOMBAT_TOKEN"):
        PayCombat()


def test_arguments_fall_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYCOMBAT_TOKEN", "snd_from_env")
    monkeypatch.setenv("PAYCOMBAT_SIGNATURE_KEY", "key_from_env")
    monkeypatch.setenv("PAYCOMBAT_BASE_URL", "http://127.0.0.1:9/")
    config = PayCombat().config
    assert (config.token, config.signature_key, config.base_url) == (
        "snd_from_env",
        "key_from_env",
        "http://127.0.0.1:9",
    )
    assert config.environment == "sandbox"
    monkeypatch.delenv("PAYCOMBAT_BASE_URL")
    assert PayCombat(token="prd_x").config.base_url == "https://api.paycombat.com"


@pytest.mark.parametrize(
    "kwargs",
    [{"base_url": "ftp://x"}, {"timeout": 0}, {"max_retries": -1}, {"token": " snd_x "}],
)
def test_bad_configuration_is_refused(kwargs: dict[str, object]) -> None:
    kwargs.setdefault("token", "snd_x")
    with pytest.raises(ConfigurationError):
        PayCombat(**kwargs)  # type: ignore[arg-type]


async def test_signed_calls_need_a_signature_key(sandbox: LocalSandbox) -> None:
    async with PayCombat(token=sandbox.token, base_url=sandbox.base_url) as client:
        with pytest.raises(ConfigurationError, match="signature_key"):
            await client.payouts.create(**payout_args())
    assert sandbox.requests_for("Create Payout") == []


async def test_a_closed_client_says_so(client: PayCombat) -> None:
    await client.aclose()
    await client.aclose()  # idempotent
    assert client.is_closed
    with pytest.raises(ClientStateError, match="closed"):
        await client.payouts.retrieve("p")


async def test_a_client_used_from_another_event_loop_raises_instead_of_hanging(
    client: PayCombat,
) -> None:
    with pytest.raises(PayCombatError):
        await client.payouts.retrieve("missing")  # binds the session to this loop

    def use_from_another_loop() -> None:
        asyncio.run(client.payouts.retrieve("missing"))

    with pytest.raises(ClientStateError, match="another event loop"):
        await anyio.to_thread.run_sync(use_from_another_loop)


async def test_cancelling_a_call_leaves_nothing_unclosed(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    sandbox.inject("Create Payout", latency=30)
    with anyio.move_on_after(0.1) as scope:
        await client.payouts.create(**payout_args())
    assert scope.cancelled_caught
    # the fixture closes the client and the sandbox; warnings are errors, so a leak fails here


async def test_the_escape_hatch_goes_through_the_same_pipeline(
    client: PayCombat, sandbox: LocalSandbox
) -> None:
    created = await client.request("POST", "/api/v1/payout/create-payout", json=payout_args())
    assert created["order_id"] == "order-1"
    fetched = await client.request("GET", f"/api/v1/payout-method/retrieve-payout/{created['id']}")
    assert fetched == created
    with pytest.raises(PayCombatError):
        await client.request("GET", "/api/v1/no-such-path")


async def test_a_call_in_flight_when_the_client_closes_says_the_client_was_closed() -> None:
    from aiohttp import web

    from paycombat_async import ClientStateError, OutcomeUnknownError
    from tests.helpers import client_for, payout_args, serve_app

    arrived = anyio.Event()
    release = anyio.Event()

    async def stall(request: web.Request) -> web.Response:
        await request.read()
        arrived.set()
        await release.wait()
        return web.json_response({"status": True, "data": {}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stall)
    async with serve_app(app) as base_url:
        try:
            client = client_for(base_url)
            outcomes: dict[str, BaseException] = {}

            async def call(name: str, make: Callable[[], Awaitable[object]]) -> None:
                try:
                    await make()
                except Exception as exc:
                    outcomes[name] = exc

            async with anyio.create_task_group() as tg:
                tg.start_soon(call, "read", lambda: client.payouts.retrieve("po_1"))
                await arrived.wait()
                arrived = anyio.Event()
                create = lambda: client.payouts.create(**payout_args(order_id="closing"))  # noqa: E731
                tg.start_soon(call, "create", create)
                await arrived.wait()
                await client.aclose()
            read_error, create_error = outcomes["read"], outcomes["create"]
            assert isinstance(read_error, ClientStateError)
            assert "closed while the call was in flight" in str(read_error)
            # The payout had reached the server: its outcome is unknown, and says why.
            assert isinstance(create_error, OutcomeUnknownError)
            assert create_error.order_id == "closing"
            assert "closed while the call was in flight" in str(create_error)
        finally:
            release.set()
