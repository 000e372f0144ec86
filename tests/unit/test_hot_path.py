"""The per-call fast paths behave as the general paths they shortcut.

Each shortcut exists to allocate less per call (``benchmarks/PERFORMANCE.md``): taking a place in
flight without a coroutine, reading a plain body with aiohttp's own ``read()``, and the answer
checked through the call object instead of two bound methods. What they must not change: the
FIFO order of waiting calls, the size cap, which bodies are decompressed, and what a call's repr
shows.
"""

from __future__ import annotations

import asyncio
import contextvars
import decimal
import gc
import weakref
from typing import Any

import pytest
from aiohttp import web

from paycombat_async import OPERATIONS, ValidationError
from paycombat_async._core.config import ClientConfig
from paycombat_async._core.pipeline import Call, Pipeline
from paycombat_async._core.ratelimit import Limiter
from paycombat_async._core.response import UnreadableBody, parse_json, read_body
from paycombat_async.models.payout import PayoutBeneficiaryParam
from tests.helpers import client_for, payout_args, serve_app

# -- the limiter: a free place is taken without waiting -------------------------------------


def test_a_limiter_with_nothing_to_wait_for_lets_every_call_in() -> None:
    limiter = Limiter()
    assert all(limiter.enter() for _ in range(1000))
    limiter.release()  # safe to pair with an entry that took nothing


async def test_places_in_flight_are_taken_without_waiting_until_none_is_left() -> None:
    limiter = Limiter(max_in_flight=2)
    assert limiter.enter()
    assert limiter.enter()
    assert not limiter.enter()  # full: the caller has to ``await acquire()``
    limiter.release()
    assert limiter.enter()


async def test_a_rate_cap_or_a_429_pause_always_goes_through_acquire() -> None:
    assert not Limiter(rate=100).enter()
    paused = Limiter(max_in_flight=5)
    paused.throttle(30)
    assert not paused.enter()


async def test_a_free_place_is_not_taken_past_a_call_already_queued() -> None:
    limiter = Limiter(max_in_flight=1)
    assert limiter.enter()
    queued = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)  # now waiting for the place
    limiter.release()  # the place is the queued call's...
    assert not limiter.enter()  # ...not a newcomer's, even before the queued call has run
    await asyncio.wait_for(queued, 1)
    limiter.release()
    assert limiter.enter()


async def test_places_given_back_while_a_call_waits_are_counted_once_each() -> None:
    limiter = Limiter(max_in_flight=1)
    assert limiter.enter()
    queued = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    limiter.release()  # the place goes to the queued call...
    limiter.release()  # ...and another one frees up before it has run
    await asyncio.wait_for(queued, 1)
    assert limiter.enter()  # one place left over, and only one
    assert not limiter.enter()


async def test_waiting_calls_get_places_in_the_order_they_asked() -> None:
    limiter = Limiter(max_in_flight=1)
    assert limiter.enter()
    order: list[int] = []

    async def wait(n: int) -> None:
        await limiter.acquire()
        order.append(n)

    tasks = [asyncio.create_task(wait(n)) for n in range(3)]
    await asyncio.sleep(0)
    for _ in range(3):
        limiter.release()
        await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert order == [0, 1, 2]


@pytest.mark.parametrize("after_handover", [False, True])
async def test_a_call_cancelled_while_waiting_leaves_its_place_to_the_next(
    after_handover: bool,
) -> None:
    limiter = Limiter(max_in_flight=1)
    assert limiter.enter()
    first = asyncio.create_task(limiter.acquire())
    second = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)  # both queued, in this order
    if after_handover:
        limiter.release()  # the place is handed to the first, which is cancelled before it runs
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    if not after_handover:
        limiter.release()
    await asyncio.wait_for(second, 1)  # the place went on to the second
    assert not limiter.enter()  # and was not counted twice
    limiter.release()
    assert limiter.enter()


async def test_a_slot_takes_one_place_whichever_way_it_gets_it() -> None:
    limiter = Limiter(max_in_flight=1)
    await asyncio.wait_for(_hold(limiter), 1)  # a free place: taken at once
    assert limiter.enter()  # given back, and taken once only
    waiting = asyncio.create_task(_hold(limiter))
    await asyncio.sleep(0)
    assert not waiting.done()  # the slow path: it waits for the place taken above
    limiter.release()
    await asyncio.wait_for(waiting, 1)


async def _hold(limiter: Limiter) -> None:
    async with limiter.slot():
        pass


# -- the body: a plain answer is aiohttp's own read() ---------------------------------------


class _Response:
    """What ``read_body`` reads of an ``aiohttp.ClientResponse``."""

    def __init__(self, length: int | None, encoding: str | None = None) -> None:
        self.content_length = length
        self.headers = {} if encoding is None else {"Content-Encoding": encoding}
        self.reading = _Reading()

    def read(self) -> _Reading:
        return self.reading


class _Reading:
    def __await__(self) -> Any:
        yield from ()
        return b"body"


@pytest.mark.parametrize("encoding", [None, "", "identity", " Identity "])
def test_a_plain_body_of_known_length_is_read_by_aiohttp_alone(encoding: str | None) -> None:
    response = _Response(4, encoding)
    assert read_body(response, 10) is response.reading  # type: ignore[arg-type]


@pytest.mark.parametrize(("length", "encoding"), [(None, None), (4, "gzip"), (4, "br")])
async def test_other_bodies_are_read_under_the_cap(
    length: int | None, encoding: str | None
) -> None:
    reading = read_body(_Response(length, encoding), 10)  # type: ignore[arg-type]
    assert asyncio.iscoroutine(reading)  # our own reader: chunks under the cap, decompression
    reading.close()


def test_a_declared_length_over_the_cap_is_refused_before_anything_is_read() -> None:
    with pytest.raises(UnreadableBody, match="Content-Length 11 is over the 10-byte cap"):
        read_body(_Response(11), 10)  # type: ignore[arg-type]


# -- the call object: what interpret gets, and what its repr does not show ------------------


def test_a_calls_repr_never_shows_its_headers() -> None:
    config = ClientConfig.from_arguments(
        token="snd_secret_token",
        signature_key="snd_secret_key",
        base_url=None,
        timeout=None,
        max_retries=None,
        retry=None,
        max_connections=10,
        max_response_bytes=1000,
        allow_insecure_http=False,
    )
    pipeline = Pipeline(config)
    op = OPERATIONS["payouts.retrieve"]
    call = Call(
        pipeline=pipeline,
        op=op,
        path="/x",
        url=None,  # type: ignore[arg-type]
        payload=None,
        headers={"X-token": config.token},
        query=None,
        reference=None,
        expect_bytes=False,
        task=None,
    )
    assert "snd_secret" not in repr(call)
    call.status, call.body = 500, b'{"message": "bad token snd_secret_token"}'
    assert call.scrub("echo snd_secret_token") == "echo [REDACTED]"
    assert "snd_secret" not in call.context()["body"]


# -- JSON: a document that is nothing but itself is scanned directly -------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ('{"a":[1,2.5]}', {"a": [1, 2.5]}),
        (' \n{"a":1}', {"a": 1}),
        ('{"a":1} \r\n', {"a": 1}),
    ],
)
def test_a_document_is_read_whole_with_or_without_whitespace_around_it(
    text: str, value: Any
) -> None:
    assert parse_json(text.encode()) == value


@pytest.mark.parametrize("text", ['{"a":1} {"b":2}', '{"a":1}x', "", "   ", "nul", '{"a": NaN}'])
def test_anything_else_is_not_json(text: str) -> None:
    with pytest.raises(ValueError):  # any ValueError: the caller maps them all alike
        parse_json(text.encode())


# -- what a call in flight holds: only what it sends --------------------------------------


async def test_a_call_in_flight_does_not_hold_the_arguments_it_was_built_from() -> None:
    # Thousands of calls waiting at once (one gather) are walked by every full collection:
    # each holds its request bytes, not the objects and dicts they were made from.
    arrived, answer = asyncio.Event(), asyncio.Event()

    async def create(request: web.Request) -> web.Response:
        await request.read()
        arrived.set()
        await answer.wait()
        return web.json_response({"status": True, "data": {"id": "p1"}})

    app = web.Application()
    app.router.add_post(OPERATIONS["payouts.create"].path, create)
    async with serve_app(app) as base_url, client_for(base_url) as client:
        try:
            beneficiary = PayoutBeneficiaryParam(account_number="12345678", bsb="123456")
            gone = weakref.ref(beneficiary)
            args = payout_args(payout_beneficiary_param=beneficiary, order_id="in-flight")
            task = asyncio.ensure_future(client.payouts.create(**args))
            del beneficiary, args
            await asyncio.wait_for(arrived.wait(), 5)
            gc.collect()
            assert gone() is None  # the caller's arguments
            bodies = [
                o for o in gc.get_objects() if type(o) is dict and o.get("order_id") == "in-flight"
            ]
            assert bodies == []  # the JSON-ready body the bytes were serialized from
            answer.set()
            assert (await asyncio.wait_for(task, 5)).id == "p1"
        finally:
            answer.set()


def _answering_p1() -> web.Application:
    """A server that answers Create and Retrieve Payout with payout ``p1``."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"status": True, "data": {"id": "p1"}})

    app = web.Application()
    app.router.add_post(OPERATIONS["payouts.create"].path, answer)
    app.router.add_get(OPERATIONS["payouts.retrieve"].path, answer)
    return app


async def test_a_finished_call_leaves_nothing_in_its_tasks_context() -> None:
    # A gather keeps every task (and so its context) until the last one ends: whatever a call
    # sets there is held 10,000 times over, for every full collection to walk.
    async with serve_app(_answering_p1()) as base_url, client_for(base_url) as client:

        async def one_call() -> list[str]:
            decimal.getcontext()  # Python's own: any Decimal arithmetic in a task sets it
            before = {var.name for var in contextvars.copy_context()}
            await client.payouts.create(**payout_args())
            return sorted({var.name for var in contextvars.copy_context()} - before)

        set_by_calls = await asyncio.gather(*(one_call() for _ in range(3)))
    assert set_by_calls == [[], [], []]


# -- a path, rendered on every call --------------------------------------------------------


def test_a_path_is_rendered_with_each_id_as_one_percent_encoded_segment() -> None:
    op = OPERATIONS["payouts.retrieve"]
    prefix = op.path.split("{", 1)[0]
    assert op.render_path({"payout_id": "p-1_x.~"}) == prefix + "p-1_x.~"
    assert op.render_path({"payout_id": "a/b c?"}) == prefix + "a%2Fb%20c%3F"
    assert OPERATIONS["payouts.create"].render_path() == OPERATIONS["payouts.create"].path


@pytest.mark.parametrize("params", [None, {}, {"other": "x"}])
def test_a_missing_path_parameter_is_named_before_anything_is_sent(
    params: dict[str, str] | None,
) -> None:
    with pytest.raises(ValidationError, match=r"missing path parameter\(s\) \['payout_id'\]"):
        OPERATIONS["payouts.retrieve"].render_path(params)


@pytest.mark.parametrize("bad", ["", " ", ".", ".."])
def test_a_blank_id_or_a_dot_segment_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        OPERATIONS["payouts.retrieve"].render_path({"payout_id": bad})
    assert caught.value.field == "payout_id"
