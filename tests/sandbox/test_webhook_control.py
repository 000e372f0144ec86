"""The sandbox's webhook control route (``/sandbox/webhooks``, what ``paycombat trigger`` uses):
token-only, strict about what it takes, and the switches apply to notifications made while set."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from paycombat_async import PayCombat
from paycombat_async._codec.signing import sign
from paycombat_async.sandbox import LocalSandbox
from tests.helpers import payout_args
from tests.webhooks.helpers import serve
from tests.webhooks.test_sandbox_sender import Inbox


async def _control(
    sandbox: LocalSandbox, changes: Any = None, token: str | None = None
) -> tuple[int, Any]:
    headers = {"X-token": sandbox.token if token is None else token}
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            "GET" if changes is None else "PATCH",
            sandbox.base_url + "/sandbox/webhooks",
            data=None if changes is None else json.dumps(changes),
            headers=headers,
        ) as response,
    ):
        return response.status, json.loads(await response.read())


async def test_it_reports_and_changes_the_switches(sandbox: LocalSandbox) -> None:
    status, answer = await _control(sandbox)
    assert status == 200
    assert answer["data"] == {
        "url": None,
        "copies": 1,
        "delay": 0.0,
        "out_of_order": False,
        "unsigned": False,
        "wrong_signature": False,
        "max_attempts": 5,
        "deliveries": 0,
    }
    status, answer = await _control(
        sandbox, {"url": "http://127.0.0.1:9/h", "copies": 3, "wrong_signature": True}
    )
    assert status == 200
    assert (answer["data"]["copies"], answer["data"]["wrong_signature"]) == (3, True)
    assert sandbox.webhooks.copies == 3
    assert isinstance(sandbox.webhooks.copies, int)
    assert sandbox.webhooks.url == "http://127.0.0.1:9/h"


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"copies": 0}, "copies must be 1 or more"),
        ({"copies": 1.5}, "copies must be int"),
        ({"delay": -1}, "delay 0 or more"),
        ({"delay": True}, "delay must be"),
        ({"unsigned": "yes"}, "unsigned must be bool"),
        ({"retries": 2}, "unknown webhook setting 'retries'"),
        ([1], "must be a JSON object"),
    ],
)
async def test_it_refuses_what_it_cannot_apply(
    sandbox: LocalSandbox, changes: Any, needle: str
) -> None:
    before = sandbox.webhooks.settings()
    status, answer = await _control(sandbox, changes)
    assert status == 400
    assert needle in answer["message"]
    assert sandbox.webhooks.settings() == before


async def test_it_needs_the_token(sandbox: LocalSandbox) -> None:
    status, answer = await _control(sandbox, {"unsigned": True}, token="snd_wrong")
    assert status == 401
    assert sandbox.webhooks.unsigned is False
    assert sandbox.refused[401] == 1
    assert sandbox.token not in json.dumps(answer)


async def test_switches_apply_to_notifications_made_while_they_are_set(
    sandbox: LocalSandbox, client: PayCombat
) -> None:
    inbox = Inbox()
    async with serve(inbox.handle) as url:
        sandbox.webhooks.url = url
        sandbox.webhooks.copies, sandbox.webhooks.wrong_signature = 2, True
        forged = await client.payouts.create(**payout_args(order_id="c-1"))
        await client.payouts.simulate(forged.id, status="SUCCESS")
        sandbox.webhooks.copies, sandbox.webhooks.wrong_signature = 1, False  # before delivery
        signed = await client.payouts.create(**payout_args(order_id="c-2"))
        await client.payouts.simulate(signed.id, status="SUCCESS")
        await sandbox.webhooks.drain()
    bodies = [json.loads(raw)["order_id"] for raw, _ in inbox.received]
    assert bodies == ["c-1", "c-1", "c-2"]
    signatures = [headers["X-Signature"] for _, headers in inbox.received]
    assert signatures[0] != sign(inbox.received[0][0], sandbox.signature_key)
    assert signatures[2] == sign(inbox.received[2][0], sandbox.signature_key)
    assert all(len(d.seconds) == len(d.attempts) == 1 for d in sandbox.webhooks.deliveries)
