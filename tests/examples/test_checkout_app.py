"""examples/checkout_app: the shop served on loopback, the sandbox behind it, driven over HTTP as a
customer's browser and PayCombat would: order, choice of method, redirect to the hosted page,
payment, webhook, order paid."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from examples.checkout_app.app import WEBHOOK_PATH, create_app
from paycombat_async import CheckoutStatus, PayCombat
from paycombat_async.sandbox import LocalSandbox
from paycombat_async.testing import sandbox_env
from tests.helpers import serve_app

ORDER = {"amount": "100.00", "currency": "AUD", "country_code": "AU"}


@pytest.fixture
async def shop(
    paycombat_sandbox: LocalSandbox, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """The shop's URL, configured from the environment as in production, webhooks wired."""
    for name, value in sandbox_env(paycombat_sandbox).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SHOP_PUBLIC_URL", "https://shop.example")
    async with serve_app(create_app()) as url:
        paycombat_sandbox.webhooks.url = url + WEBHOOK_PATH
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def order_and_pay(browser: aiohttp.ClientSession, shop: str) -> tuple[dict[str, Any], str]:
    """Place an order and choose a method: the order, and where the customer was sent."""
    async with browser.post(f"{shop}/orders", json=ORDER) as placed:
        assert placed.status == 201
        order = await placed.json()
    assert order["status"] == "awaiting_payment"
    async with browser.post(
        f"{shop}/orders/{order['order_id']}/pay",
        data={"payin_method_name": "au_bank_npp"},  # the shop's payment form
        allow_redirects=False,
    ) as chosen:
        assert chosen.status == 303
        location = chosen.headers["Location"]
    return await current(browser, shop, order["order_id"]), location


async def current(browser: aiohttp.ClientSession, shop: str, order_id: str) -> dict[str, Any]:
    async with browser.get(f"{shop}/orders/{order_id}") as response:
        assert response.status == 200
        order: dict[str, Any] = await response.json()
        return order


async def test_an_order_is_paid_through_the_hosted_checkout_and_its_webhook(
    shop: str,
    browser: aiohttp.ClientSession,
    paycombat_sandbox: LocalSandbox,
    paycombat_client: PayCombat,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    paycombat_sandbox.webhooks.duplicate = True  # PayCombat may deliver a notification twice
    order, location = await order_and_pay(browser, shop)
    checkout = await paycombat_client.checkouts.retrieve(order["checkout_id"])
    assert location == checkout.checkout_url
    assert location.startswith(f"https://checkout.paycombat.com/?token={checkout.checkout_token}")
    assert checkout.description == order["order_id"]
    assert checkout.payin_method_name == "au_bank_npp"
    assert checkout.advanced_redirect_url is not None
    assert checkout.advanced_redirect_url.completed_url == (
        f"https://shop.example/orders/{order['order_id']}"
    )
    assert order["payin_id"] == checkout.payin_id
    assert order["status"] == "awaiting_payment"

    await paycombat_client.payins.simulate(order["payin_id"])  # the customer pays on the page
    await paycombat_sandbox.webhooks.drain()

    assert (await current(browser, shop, order["order_id"]))["status"] == "paid"
    assert [d.attempts for d in paycombat_sandbox.webhooks.deliveries] == [[200], [200]]
    completed = await paycombat_client.checkouts.retrieve(order["checkout_id"])
    assert completed.status is CheckoutStatus.COMPLETED
    # The checkout URL carries the merchant's token: it went to the browser, never to the logs.
    assert paycombat_sandbox.token not in caplog.text
    assert f"order {order['order_id']}: paid" in caplog.text


@pytest.mark.parametrize(
    ("outcome", "status"), [("FAILED", "payment_failed"), ("EXPIRED", "expired")]
)
async def test_a_payment_that_fails_or_expires_leaves_the_order_unpaid(
    shop: str,
    browser: aiohttp.ClientSession,
    paycombat_sandbox: LocalSandbox,
    paycombat_client: PayCombat,
    outcome: str,
    status: str,
) -> None:
    order, _ = await order_and_pay(browser, shop)
    await paycombat_client.payins.simulate(order["payin_id"], status=outcome)
    await paycombat_sandbox.webhooks.drain()
    assert (await current(browser, shop, order["order_id"]))["status"] == status


async def test_a_forged_notification_is_refused_and_changes_nothing(
    shop: str,
    browser: aiohttp.ClientSession,
    paycombat_sandbox: LocalSandbox,
    paycombat_client: PayCombat,
) -> None:
    order, _ = await order_and_pay(browser, shop)
    paycombat_sandbox.webhooks.unsigned = True
    paycombat_sandbox.webhooks.max_attempts = 1
    await paycombat_client.payins.simulate(order["payin_id"])
    await paycombat_sandbox.webhooks.drain()
    assert [d.attempts for d in paycombat_sandbox.webhooks.deliveries] == [[401]]
    assert (await current(browser, shop, order["order_id"]))["status"] == "awaiting_payment"


async def test_an_order_the_gateway_refuses_is_a_clear_error(
    shop: str, browser: aiohttp.ClientSession
) -> None:
    async with browser.post(f"{shop}/orders", json={**ORDER, "currency": "XYZ"}) as refused:
        assert refused.status == 502
        assert (await refused.text()).startswith("the payment could not be opened: ")
