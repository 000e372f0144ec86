"""An aiohttp shop that takes payments through PayCombat's hosted checkout.

The flow, one HTTP call each:

1. ``POST /orders`` (``{"amount": "100.00", "currency": "AUD", "country_code": "AU"}``): the
   shop records the order and opens a checkout for it (Create Payment Request), with the
   order's id as the checkout's ``description``: PayCombat's reference for it.
2. ``POST /orders/{order_id}/pay`` (``{"payin_method_name": "au_bank_npp"}``, JSON or a form):
   the customer's choice of method is bound to the checkout (Create New Checkout), and the
   customer is redirected (303) to the hosted checkout page to pay.
3. PayCombat notifies ``POST /paycombat/webhooks`` when the payment succeeds, fails or expires;
   the SDK's receiver checks the signature, processes each notification once, and acknowledges
   it only once processed. The shop moves the order to ``paid``, ``payment_failed`` or
   ``expired``, after checking that the payment is for the order's amount and currency.
4. ``GET /orders/{order_id}``: the order, as the shop sees it.

The hosted checkout URL carries the merchant's ``X-token`` (PayCombat puts it there): it only
ever goes to the customer's browser, in the redirect; it is never logged nor shown in JSON.

Configuration, from the environment: ``PAYCOMBAT_TOKEN``, ``PAYCOMBAT_SIGNATURE_KEY`` and
``PAYCOMBAT_BASE_URL`` (read by the client itself), and ``SHOP_PUBLIC_URL``, the address
customers reach the shop at (PayCombat sends them back there after paying).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
from aiohttp import web

from paycombat_async import AdvancedRedirectUrl, PayCombat, PayCombatError
from paycombat_async.webhooks import PayinEvent, PayinExpired, PayinFailed, PayinSucceeded, Receiver

logger = logging.getLogger("shop")

CLIENT = web.AppKey("client", PayCombat)
ORDERS = web.AppKey("orders", dict)
WEBHOOK_PATH = "/paycombat/webhooks"


@attrs.define
class Order:
    """An order of the shop, and the PayCombat objects that pay it."""

    id: str
    amount: Decimal
    currency: str
    country_code: str
    status: str = "awaiting_payment"
    checkout_id: str | None = None
    checkout_token: str | None = None
    payin_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "order_id": self.id,
            "status": self.status,
            "amount": str(self.amount),
            "currency": self.currency,
            "checkout_id": self.checkout_id,
            "payin_id": self.payin_id,
        }


def _orders(request: web.Request) -> dict[str, Order]:
    orders: dict[str, Order] = request.app[ORDERS]
    return orders


def _order(request: web.Request) -> Order:
    order = _orders(request).get(request.match_info["order_id"])
    if order is None:
        raise web.HTTPNotFound(text="no such order")
    return order


async def create_order(request: web.Request) -> web.Response:
    """``POST /orders``: record the order and open its checkout."""
    body = await request.json()
    try:
        amount = Decimal(str(body["amount"]))
        currency, country_code = str(body["currency"]), str(body["country_code"])
    except (KeyError, InvalidOperation):
        raise web.HTTPBadRequest(text="amount, currency and country_code are required") from None
    order = Order(
        id=f"ord_{secrets.token_hex(6)}",
        amount=amount,
        currency=currency,
        country_code=country_code,
    )
    public_url = os.environ.get("SHOP_PUBLIC_URL", "http://127.0.0.1:8080")
    back = f"{public_url}/orders/{order.id}"
    try:
        checkout = await request.app[CLIENT].checkouts.create_payment_request(
            amount=amount,
            currency=currency,
            country_code=country_code,
            description=order.id,  # PayCombat's reference for the order: its payins carry it
            advanced_redirect_url=AdvancedRedirectUrl(
                completed_url=back, failed_url=back, cancelled_url=back, expired_url=back
            ),
        )
    except PayCombatError as exc:  # refused (a currency not offered...) or unreachable
        raise web.HTTPBadGateway(text=f"the payment could not be opened: {exc.message}") from None
    order.checkout_id, order.checkout_token = checkout.id, checkout.checkout_token
    _orders(request)[order.id] = order
    logger.info("order %s: checkout %s opened", order.id, checkout.id)
    return web.json_response(order.as_json(), status=201)


async def pay(request: web.Request) -> web.Response:
    """``POST /orders/{order_id}/pay``: bind the chosen method, send the customer to pay."""
    order = _order(request)
    if order.status != "awaiting_payment" or order.checkout_token is None:
        raise web.HTTPConflict(text=f"the order is {order.status}")
    if request.content_type == "application/json":
        method = (await request.json()).get("payin_method_name")
    else:
        method = (await request.post()).get("payin_method_name")
    if not isinstance(method, str) or not method:
        raise web.HTTPBadRequest(text="payin_method_name is required")
    try:
        checkout = await request.app[CLIENT].checkouts.bind_payin_method(
            checkout_token=order.checkout_token, payin_method_name=method
        )
    except PayCombatError as exc:
        raise web.HTTPBadGateway(text=f"the payment could not be started: {exc.message}") from None
    if checkout.checkout_url is None:
        raise web.HTTPBadGateway(text="PayCombat gave no checkout page")
    order.payin_id = checkout.payin_id
    logger.info("order %s: paying with %s (payin %s)", order.id, method, checkout.payin_id)
    raise web.HTTPSeeOther(checkout.checkout_url)  # the URL itself is never logged


def settle(orders: dict[str, Order]) -> Receiver:
    """The webhook receiver: moves orders as their payments succeed, fail or expire."""
    receiver = Receiver(signature_key=os.environ["PAYCOMBAT_SIGNATURE_KEY"])

    @receiver.on(PayinEvent)
    async def payment(event: PayinEvent) -> None:
        payin = event.payin
        order = orders.get(payin.transaction or "")  # the checkout's description: our order id
        if order is None:
            logger.warning("payin %s is for no order of ours", payin.id)
            return
        if order.status == "paid":
            return  # a late failure or expiry of another attempt never unpays an order
        if isinstance(event, PayinSucceeded):
            # Paid is a fact about money: only for the order's own amount and currency.
            if (payin.amount, payin.iso_currency) != (order.amount, order.currency):
                order.status = "needs_review"
                logger.error("order %s: paid %s %s", order.id, payin.amount, payin.iso_currency)
                return
            order.status = "paid"
        elif isinstance(event, PayinFailed):
            order.status = "payment_failed"
        elif isinstance(event, PayinExpired):
            order.status = "expired"
        logger.info("order %s: %s (payin %s)", order.id, order.status, payin.id)

    return receiver


async def show_order(request: web.Request) -> web.Response:
    """``GET /orders/{order_id}``."""
    return web.json_response(_order(request).as_json())


async def _client(app: web.Application) -> AsyncIterator[None]:
    async with PayCombat() as client:  # PAYCOMBAT_TOKEN, _SIGNATURE_KEY, _BASE_URL
        app[CLIENT] = client
        yield


def create_app() -> web.Application:
    """The shop: its routes, its orders (in memory here: a database in a real shop), and a
    PayCombat client for its whole life."""
    app = web.Application()
    orders: dict[str, Order] = {}
    app[ORDERS] = orders
    app.cleanup_ctx.append(_client)
    app.router.add_post("/orders", create_order)
    app.router.add_post("/orders/{order_id}/pay", pay)
    app.router.add_get("/orders/{order_id}", show_order)
    app.router.add_post(WEBHOOK_PATH, settle(orders).handle)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    port = int(os.environ.get("SHOP_PORT", "8080"))
    web.run_app(create_app(), host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
