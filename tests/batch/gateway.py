"""An independent PayCombat-like gateway for the batch tests, misbehaving as real gateways do.

It shares no code with ``paycombat_async.sandbox``: two endpoints (Create Payout and Get All
Payout), no signature checks, no balances, and switches that tests set before or during a run::

    gateway = Gateway(commit_then_fail={"b-3"}, refuse_duplicate_order_id=True)
    async with run_gateway(gateway) as base_url, client_for_gateway(base_url) as client:
        ...
    assert gateway.count_by_order_id()["b-3"] == 1

Every request is handled in arrival order after ``latency`` seconds; a create then decides, with
no ``await`` in between, whether to refuse or commit (so a duplicate check is atomic, like a
unique constraint), and answers ``answer_latency`` seconds after committing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import attrs
from aiohttp import web

from paycombat_async import PayCombat
from tests.helpers import CREATE_PATH, client_for, serve_app

__all__ = ["CREATE_PATH", "LIST_PATH", "Gateway", "client_for_gateway", "run_gateway"]

LIST_PATH = "/api/v1/payout"

ReceivedRequest = tuple[str, str, dict[str, str], dict[str, Any] | None]
"""(method, path, query, JSON body or None) as the gateway received it."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(value: object) -> int | float:
    """An amount as the JSON number a gateway sends (``25``, ``12.5``)."""
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _failure(status: int, message: str) -> web.Response:
    return web.json_response({"status": False, "message": message}, status=status)


def _positive(query: dict[str, str], name: str, default: int) -> int:
    value = int(query.get(name, default))
    if value < 1:
        raise ValueError(name)
    return value


@attrs.define(eq=False)
class Gateway:
    """The gateway's state and switches; serve it with ``run_gateway``."""

    ignore_order_id_filter: bool = False
    """Get All Payout ignores ``order_id`` and pages through every payout."""
    ignore_page: bool = False
    """Get All Payout always answers page 1."""
    refuse_duplicate_order_id: bool = False
    """A create whose ``order_id`` a payout already carries gets 409 ``Duplicate order_id <id>``."""
    commit_then_fail: set[str] | Callable[[str], bool] = attrs.Factory(set)
    """For these order_ids (or where the callable says so): create, then answer 500."""
    commit_then_fail_rate: float = 0.0
    """On top of ``commit_then_fail``: this fraction of creates, drawn from ``rng``."""
    reject_with: dict[str, tuple[int, str]] = attrs.Factory(dict)
    """order_id -> (status, message): answered without creating anything."""
    latency: float = 0.0
    """Seconds every request waits on arrival, before it is handled."""
    answer_latency: float = 0.0
    """Seconds a create waits after committing, before answering (a client may give up)."""
    rng: random.Random = attrs.Factory(lambda: random.Random(0))
    payouts: list[dict[str, Any]] = attrs.Factory(list)
    """Every payout, oldest first."""
    requests: list[ReceivedRequest] = attrs.Factory(list)
    creates_arrived: int = 0
    """Create Payout requests received so far (counted on arrival, before ``latency``)."""
    _arrival: asyncio.Event = attrs.field(factory=asyncio.Event, init=False, repr=False)

    # --- what tests read and set -------------------------------------------------------------

    def payouts_for(self, order_id: str) -> list[dict[str, Any]]:
        return [p for p in self.payouts if p["order_id"] == order_id]

    def count_by_order_id(self) -> Counter[str]:
        return Counter(p["order_id"] for p in self.payouts)

    def seed(self, payout: dict[str, Any]) -> dict[str, Any]:
        """Store an existing payout as is (missing fields filled in); order_ids may repeat."""
        record = {**self._payout({}), **payout}
        self.payouts.append(record)
        return record

    def seed_payout(
        self,
        *,
        order_id: str,
        amount: Decimal | float | str = 5000,
        currency: str = "AUD",
        account_number: str = "87654321",
        payee_name: str = "Old Payee",
        status: str = "SUCCESS",
    ) -> dict[str, Any]:
        """Store an older payout, e.g. one to another account whose order_id a batch reuses."""
        return self.seed(
            {
                "order_id": order_id,
                "wire_amount": _number(amount),
                "currency": currency,
                "beneficiary_account_number": account_number,
                "payee_name": payee_name,
                "status": status,
            }
        )

    async def wait_for_creates(self, n: int, timeout: float = 10.0) -> None:
        """Return once ``n`` creates have arrived in all (TimeoutError after ``timeout`` s)."""
        async with asyncio.timeout(timeout):
            while self.creates_arrived < n:
                await self._arrival.wait()

    # --- the app -----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(CREATE_PATH, self._create)
        app.router.add_get(LIST_PATH, self._list)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    async def _arrive(self, request: web.Request) -> Any:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        self.requests.append((request.method, request.path, dict(request.query), body))
        if request.path == CREATE_PATH and request.method == "POST":
            self.creates_arrived += 1
            self._arrival.set()  # wake every waiter, then arm a fresh event for the next one
            self._arrival = asyncio.Event()
        if self.latency:
            await asyncio.sleep(self.latency)
        return body

    def _fails_after_commit(self, order_id: str) -> bool:
        chosen = self.commit_then_fail
        hit = chosen(order_id) if callable(chosen) else order_id in chosen
        drawn = bool(self.commit_then_fail_rate) and self.rng.random() < self.commit_then_fail_rate
        return hit or drawn

    async def _create(self, request: web.Request) -> web.Response:
        body = await self._arrive(request)
        if not isinstance(body, dict):
            return _failure(400, "Request body must be a JSON object")
        order_id = body.get("order_id")
        key = order_id if isinstance(order_id, str) else ""
        if key in self.reject_with:
            status, message = self.reject_with[key]
            return _failure(status, message)
        if self.refuse_duplicate_order_id and key and self.payouts_for(key):
            return _failure(409, f"Duplicate order_id {key}")
        try:
            payout = self._payout(body)
        except (ArithmeticError, ValueError):
            return _failure(400, "sender_amount must be a number")
        self.payouts.append(payout)
        fail = self._fails_after_commit(key)
        if self.answer_latency:
            await asyncio.sleep(self.answer_latency)
        if fail:
            return _failure(500, "Internal server error")
        return web.json_response({"status": True, "message": "Created", "data": payout})

    async def _list(self, request: web.Request) -> web.Response:
        await self._arrive(request)
        query = dict(request.query)
        try:
            page = _positive(query, "page", 1)
            limit = _positive(query, "limit", 10)
        except ValueError:
            return _failure(400, "page and limit must be whole numbers of at least 1")
        order_id = query.get("order_id")
        found = (
            self.payouts
            if order_id is None or self.ignore_order_id_filter
            else self.payouts_for(order_id)
        )
        if self.ignore_page:
            page = 1
        data = found[(page - 1) * limit : page * limit]
        return web.json_response({"status": True, "message": "ok", "data": data})

    async def _unknown(self, request: web.Request) -> web.Response:
        await self._arrive(request)
        return _failure(404, f"Cannot {request.method} {request.path}")

    @staticmethod
    def _payout(body: dict[str, Any]) -> dict[str, Any]:
        param = body.get("payout_beneficiary_param")
        param = param if isinstance(param, dict) else {}
        individual = param.get("individual") or {}
        payee = " ".join(
            str(individual[k]) for k in ("first_name", "last_name") if individual.get(k)
        ) or str((param.get("company") or {}).get("name", ""))
        stamp = _now()
        return {
            "id": str(uuid.uuid4()),
            "payout_id_finmo": f"payout_{uuid.uuid4().hex}",
            "status": "PENDING",
            "order_id": body.get("order_id"),
            "wire_amount": _number(body.get("sender_amount", 0)),
            "currency": body.get("sender_currency"),
            "payee_name": payee,
            "beneficiary": body.get("payout_beneficiary_id") or "",
            "beneficiary_bank": body.get("payout_method_name"),
            "beneficiary_account_number": param.get("account_number"),
            "beneficiary_account_iban": param.get("iban"),
            "approval": "APPROVED",
            "created_at": stamp,
            "updated_at": stamp,
        }


@asynccontextmanager
async def run_gateway(gateway: Gateway) -> AsyncIterator[str]:
    """Serve ``gateway`` on a free loopback port; yields its base URL."""
    async with serve_app(gateway.app()) as base_url:
        yield base_url


def client_for_gateway(base_url: str, **kwargs: Any) -> PayCombat:
    """A client of the gateway (which checks no credentials): ``tests.helpers.client_for``."""
    return client_for(base_url, **kwargs)
