"""`paycombat listen` (a process) and `paycombat trigger` (run to its end), driven as commands
against a merchant's aiohttp app that uses the SDK's receiver: duplicates acted on once, forgeries
refused, order and delay kept, overrides in the payload, and one line (exit 2, nothing sent) for
every bad input."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import web

from paycombat_async.webhooks import (
    PayinExpired,
    PayinSucceeded,
    PayoutReturned,
    PayoutSucceeded,
    Receiver,
    VirtualAccountRegistration,
    WebhookEvent,
)
from tests.helpers import run_cli
from tests.webhooks.helpers import Collector, serve

TOKEN = "snd_listen_test_token_0123456789"
KEY = "snd_listen_test_signature_key_01"
DEADLINE = 30.0


@pytest.fixture
def config(tmp_path: Path) -> dict[str, str]:
    """The environment of every command: the saved sandbox credentials in a folder of the test's
    own (so the signing key is known, and nothing is written to the user's home)."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "sandbox.json").write_text(json.dumps({"token": TOKEN, "signature_key": KEY}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYCOMBAT_")}
    env["PAYCOMBAT_CONFIG_DIR"] = str(folder)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class App:
    """The merchant's app: the SDK's deduplicating receiver, and a log of each request it got
    (status answered, arrival time, body)."""

    def __init__(self) -> None:
        self.events = Collector()
        self.receiver = Receiver(signature_key=KEY, on={WebhookEvent: self.events})
        self.arrivals: list[tuple[int, float, dict[str, Any]]] = []
        self._arrived = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = json.loads(await request.read())
        response = await self.receiver.handle(request)
        async with self._arrived:
            self.arrivals.append((response.status, time.monotonic(), body))
            self._arrived.notify_all()
        return response

    async def wait(self, count: int) -> list[tuple[int, float, dict[str, Any]]]:
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.arrivals) >= count), DEADLINE
            )
        return self.arrivals


async def paycombat(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    """Run a `paycombat` command to its end (``run_cli``): (exit code, stdout, stderr)."""
    done = await anyio.to_thread.run_sync(functools.partial(run_cli, *argv, env=env))
    return done.returncode, done.stdout, done.stderr


class Listening:
    """A running `paycombat listen`: its base URL and the lines it printed."""

    def __init__(self, process: asyncio.subprocess.Process, base_url: str) -> None:
        self.process = process
        self.base_url = base_url
        self.lines: list[str] = []

    async def deliveries(self, count: int) -> list[str]:
        """The next ``count`` delivery lines it prints."""
        assert self.process.stdout is not None
        found: list[str] = []
        while len(found) < count:
            line = await asyncio.wait_for(self.process.stdout.readline(), DEADLINE)
            assert line, f"listen ended early: {self.lines}"
            self.lines.append(line.decode().rstrip("\n"))
            if " -> " in self.lines[-1]:
                found.append(self.lines[-1])
        return found


@asynccontextmanager
async def listening(env: dict[str, str], url: str, *more: str) -> AsyncIterator[Listening]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "paycombat_async",
        "listen",
        "--forward-to",
        url,
        "--port",
        "0",
        "--max-attempts",
        "1",
        *more,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    header: list[str] = []
    try:
        while not header or not header[-1].startswith("Press Ctrl-C"):
            line = await asyncio.wait_for(process.stdout.readline(), DEADLINE)
            assert line, "listen ended before it was ready"
            header.append(line.decode().strip())
        base_url = next(h.split("=", 1)[1] for h in header if h.startswith("PAYCOMBAT_BASE_URL="))
        assert f"PAYCOMBAT_SIGNATURE_KEY={KEY}" in header  # the saved, stable key
        listen = Listening(process, base_url)
        listen.lines.extend(header)
        yield listen
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), DEADLINE)
        assert process.stderr is not None
        err = (await process.stderr.read()).decode()
    assert code == 0, err  # Ctrl-C ends it cleanly
    assert "Traceback" not in err


@pytest.fixture
async def app() -> AsyncIterator[tuple[App, str]]:
    merchant = App()
    async with serve(merchant.handle) as url:
        yield merchant, url


async def test_duplicates_arrive_n_times_and_the_receiver_acts_once(
    config: dict[str, str], app: tuple[App, str]
) -> None:
    merchant, url = app
    async with listening(config, url) as listen:
        code, out, err = await paycombat(
            config, "trigger", "payout.succeeded", "--duplicate", "3", "--base-url", listen.base_url
        )
        assert (code, err) == (0, "")
        assert "Created payout" in out
        assert "125.50 AUD" in out  # the currency's minor units
        assert out.splitlines()[-1] == "Delivered 3 copies each"
        lines = await listen.deliveries(3)
        arrivals = await merchant.wait(3)
    assert [status for status, _, _ in arrivals] == [200, 200, 200]
    assert len({body["id"] for _, _, body in arrivals}) == 1  # one notification, three times
    (event,) = merchant.events.events  # the deduplicating receiver acted once
    assert isinstance(event, PayoutSucceeded)
    assert all(f"payout.succeeded {event.object_id} -> {url}" in line for line in lines)
    assert all(line.endswith(" ms") and ": 200 in " in line for line in lines)


@pytest.mark.parametrize(
    ("switch", "shown"), [("--unsigned", "(unsigned)"), ("--wrong-signature", "(wrong signature)")]
)
async def test_unsigned_and_forged_deliveries_are_refused_by_the_receiver(
    config: dict[str, str], app: tuple[App, str], switch: str, shown: str
) -> None:
    merchant, url = app
    async with listening(config, url) as listen:
        code, _, err = await paycombat(
            config, "trigger", "payin.succeeded", switch, "--base-url", listen.base_url
        )
        assert (code, err) == (0, "")
        (line,) = await listen.deliveries(1)
        (arrival,) = await merchant.wait(1)
        # The switch was for that event only: the next one is signed and accepted.
        code, _, _ = await paycombat(
            config, "trigger", "payin.succeeded", "--base-url", listen.base_url
        )
        assert code == 0
        (accepted,) = await listen.deliveries(1)
        await merchant.wait(2)
    assert arrival[0] == 401
    assert shown in line
    assert ": 401 in " in line
    assert ": 200 in " in accepted
    assert "(unsigned)" not in accepted
    assert "(wrong signature)" not in accepted
    (event,) = merchant.events.events  # only the signed one reached the app's code
    assert isinstance(event, PayinSucceeded)
    assert event.verified


async def test_out_of_order_and_delay_are_observed(
    config: dict[str, str], app: tuple[App, str]
) -> None:
    merchant, url = app
    async with listening(config, url) as listen:
        code, _, err = await paycombat(
            config,
            "trigger",
            "payout.returned",
            "--out-of-order",
            "--delay",
            "0.4",
            "--base-url",
            listen.base_url,
        )
        assert (code, err) == (0, "")
        lines = await listen.deliveries(2)
        arrivals = await merchant.wait(2)
    assert [body["status"] for _, _, body in arrivals] == ["RETURNED", "SUCCESS"]
    assert arrivals[1][1] - arrivals[0][1] >= 0.4  # each delivery waited its delay
    assert "payout.returned" in lines[0]
    assert "payout.succeeded" in lines[1]
    # The receiver keeps the latest state: the stale SUCCESS is acknowledged, not dispatched.
    assert [type(e) for e in merchant.events.events] == [PayoutReturned]


async def test_overrides_reach_the_payload(config: dict[str, str], app: tuple[App, str]) -> None:
    merchant, url = app
    async with listening(config, url) as listen:
        code, out, err = await paycombat(
            config,
            "trigger",
            "payout.succeeded",
            "--override",
            "order_id=inv-2026-77",
            "--override",
            "sender_amount=99.9",
            "--override",
            "payout_beneficiary_param.individual.first_name=Lia",
            "--base-url",
            listen.base_url,
        )
        assert (code, err) == (0, "")
        assert "(99.90 AUD, order inv-2026-77)" in out
        ((status, _, body),) = await merchant.wait(1)
    assert status == 200
    assert body["order_id"] == "inv-2026-77"
    assert body["wire_amount"] == 99.9
    assert body["payee_name"] == "Lia Lima"
    (event,) = merchant.events.events
    assert event.order_id == "inv-2026-77"


async def test_every_event_arrives_as_its_kind(
    config: dict[str, str], app: tuple[App, str]
) -> None:
    merchant, url = app
    fired = {
        "payin.expired": PayinExpired,
        "virtual_account.approved": VirtualAccountRegistration,
    }
    async with listening(config, url) as listen:
        for name in fired:
            code, _, err = await paycombat(config, "trigger", name, "--base-url", listen.base_url)
            assert (code, err) == (0, "")
        lines = await listen.deliveries(len(fired))
        await merchant.events.wait(len(fired))
    assert [type(e) for e in merchant.events.events] == list(fired.values())
    assert [line.split()[1] for line in lines] == list(fired)


def _one_line(code: int, out: str, err: str) -> str:
    assert code == 2, (out, err)
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


async def test_bad_inputs_are_one_line_exit_2_and_nothing_is_sent(
    config: dict[str, str], app: tuple[App, str]
) -> None:
    merchant, url = app
    async with listening(config, url) as listen:
        at = ("--base-url", listen.base_url)
        for argv, needle in [
            (["trigger", "payout.succeded", *at], "did you mean payout.succeeded"),
            (["trigger", "payout.succeeded", "--override", "order_id", *at], "field=value"),
            (["trigger", "payout.succeeded", "--override", "amount=5", *at], "no field 'amount'"),
            (["trigger", "payout.succeeded", "--override", "sender_amount=ten", *at], "amount"),
            (["trigger", "payout.succeeded", "--out-of-order", *at], "payout.returned"),
            (["trigger", "payin.failed", "--unsigned", "--wrong-signature", *at], "choose one"),
            (["trigger", "payout.failed", "--base-url", "http://127.0.0.1:9"], "cannot reach"),
        ]:
            err = _one_line(*await paycombat(config, *argv))
            assert needle in err, err
        # Nothing was created: the sandbox holds no payout, and the app got nothing.
        code, out, err = await paycombat(
            config,
            "call",
            "payouts.list",
            "--all",
            "--json",
            "--base-url",
            listen.base_url,
            "--token",
            TOKEN,
            "--signature-key",
            KEY,
        )
        assert (code, json.loads(out)) == (0, [])
        port = listen.base_url.rsplit(":", 1)[1]
        busy = ("listen", "--forward-to", url, "--port", port)
        err = _one_line(*await paycombat(config, *busy))
        assert (
            f"cannot listen on 127.0.0.1:{port}: the port is in use; choose another with --port"
            in err
        )
    assert merchant.arrivals == []
    err = _one_line(*await paycombat(config, "listen", "--forward-to", "http://127.0.0.1:9/h"))
    assert "cannot reach --forward-to http://127.0.0.1:9/h" in err
    err = _one_line(*await paycombat(config, "listen", "--forward-to", "ftp://example/h"))
    assert "http://" in err


async def test_trigger_needs_a_sandbox_that_sends_webhooks(config: dict[str, str]) -> None:
    from paycombat_async.sandbox import LocalSandbox

    async with LocalSandbox(token=TOKEN, signature_key=KEY) as box:  # no webhook URL
        code, out, err = await paycombat(
            config, "trigger", "payout.succeeded", "--base-url", box.base_url
        )
        assert "sends no webhooks" in _one_line(code, out, err)
        assert box.requests_for("payouts.create") == []
