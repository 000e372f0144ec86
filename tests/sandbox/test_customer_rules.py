"""Sandbox emulation of customers: the nested Finmo envelope, and what it refuses itself."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from paycombat_async import (
    OPERATIONS,
    BadRequestError,
    PayCombat,
)
from paycombat_async.sandbox import LocalSandbox
from tests.aio.test_customers import (
    ANA,
)


async def test_sandbox_nests_the_finmo_envelope(client: PayCombat, sandbox: LocalSandbox) -> None:
    created = await client.customers.create(description="raw", type="individual", individual=ANA)
    path = OPERATIONS["Get Detail Customer by Id"].render_path({"customer_id": created.customer_id})
    async with (
        aiohttp.ClientSession() as session,
        session.get(sandbox.base_url + path, headers={"X-token": sandbox.token}) as response,
    ):
        payload = await response.json()
    assert payload["status"] is True
    nested = payload["data"]
    assert nested["success"] is True
    assert nested["status_code"] == 200
    assert set(nested) == {
        "request_id",
        "request_time",
        "success",
        "status_code",
        "status_text",
        "data",
    }
    assert nested["data"]["customer_id"] == created.customer_id


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "individual", "individual": ANA}, "description"),
        ({"description": "x", "type": "person", "individual": ANA}, "type"),
        ({"description": "x", "type": "individual"}, "individual"),
        ({"description": "x", "type": "company", "company": {"name": "A"}}, "registration_number"),
    ],
)
async def test_sandbox_rejects_what_the_sdk_rejects(
    client: PayCombat, body: dict[str, Any], message: str
) -> None:
    # Past the SDK's own checks, straight through the pipeline: the sandbox must refuse too.
    with pytest.raises(BadRequestError) as caught:
        await client.pipeline.call(OPERATIONS["Create Customer"], body=body)
    assert caught.value.status == 400
    assert message in caught.value.message
