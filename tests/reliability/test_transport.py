"""aiohttp never resends a request behind the retry policy's back, or the client refuses to start.

aiohttp resends a PUT, DELETE or GET once when a pooled connection turns out to be closed, even
when the server had read it. Its only switch is private (``ClientSession._retry_connection``), so
these tests pin both halves on the aiohttp installed, which ``pyproject.toml`` must allow: the
switch takes effect on a real socket, and a session without it (a renamed or removed switch) makes
the first call fail loudly instead of letting money moves be resent.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from packaging.requirements import Requirement

from paycombat_async import APIConnectionError, ConfigurationError, OutcomeUnknownError
from paycombat_async._core import transport as _transport
from tests.helpers import client_config, client_for
from tests.rawserver import RawServer, close, envelope, reset, respond

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def _aiohttp_required() -> Requirement:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    (required,) = [Requirement(d) for d in dependencies if Requirement(d).name == "aiohttp"]
    return required


def test_the_installed_aiohttp_is_one_the_package_allows() -> None:
    assert _aiohttp_required().specifier.contains(aiohttp.__version__), aiohttp.__version__


FIRST_WITH_SWITCH = "3.11.0"
"""aiohttp 3.10 resends every idempotent request on a lost pooled connection, with no switch."""


def test_every_aiohttp_the_package_allows_has_the_switch() -> None:
    allowed = _aiohttp_required().specifier
    assert allowed.contains(FIRST_WITH_SWITCH)
    assert not allowed.contains("3.10.11")  # the last 3.10


FAULTS = [reset, close]
METHODS = ["PUT", "DELETE", "GET"]


@pytest.mark.parametrize("fault", FAULTS, ids=["reset", "closed"])
@pytest.mark.parametrize("method", METHODS)
async def test_aiohttp_itself_would_resend_a_request_its_pooled_connection_lost(
    server: RawServer, method: str, fault: Any
) -> None:
    # The control: without the switch this aiohttp sends the request again on a new connection.
    server.then(respond(200, envelope({"warm": True})), fault())
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}/warm") as warm:
            await warm.read()
        async with session.request(method, f"{server.base_url}/again") as again:
            assert again.status == 200  # the resend, answered by the server's default
    assert [(r.method, r.connection) for r in server.requests] == [
        ("GET", 0),
        (method, 0),
        (method, 1),
    ]


@pytest.mark.parametrize("fault", FAULTS, ids=["reset", "closed"])
@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_a_write_whose_pooled_connection_was_lost_after_reading_it_is_not_resent(
    server: RawServer, method: str, fault: Any
) -> None:
    server.then(respond(200, envelope({"warm": True})), fault())
    async with client_for(server, timeout=2) as c:
        assert await c.request("GET", "/api/v1/anything") == {"warm": True}
        body = None if method == "DELETE" else {"order_id": "write-1"}
        with pytest.raises(OutcomeUnknownError):
            await c.request(method, "/api/v1/anything", json=body)
    assert [(r.method, r.connection) for r in server.requests] == [("GET", 0), (method, 0)]


@pytest.mark.parametrize("fault", FAULTS, ids=["reset", "closed"])
async def test_a_read_is_resent_by_the_retry_policy_only(server: RawServer, fault: Any) -> None:
    server.then(respond(200, envelope({"warm": True})), fault())
    server.default = respond(200, envelope({"n": 1}))
    async with client_for(server, timeout=2, max_retries=0) as c:
        assert await c.request("GET", "/api/v1/anything") == {"warm": True}
        with pytest.raises(APIConnectionError):
            await c.request("GET", "/api/v1/anything")
    assert len(server.requests) == 2  # max_retries=0: not resent, not even by aiohttp


# -- an aiohttp whose switch is gone --------------------------------------------------------


@pytest.fixture
def switch_checked_anew() -> Iterator[None]:
    _transport._READS_SWITCH.clear()
    yield
    _transport._READS_SWITCH.clear()


def _renamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """An aiohttp whose sessions have no ``_retry_connection`` (say, renamed)."""
    init = aiohttp.ClientSession.__init__

    def without_switch(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        del self._retry_connection

    monkeypatch.setattr(aiohttp.ClientSession, "__init__", without_switch)


def _ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """An aiohttp that still sets ``_retry_connection`` but no longer reads it."""

    async def request(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("never sent")

    monkeypatch.setattr(aiohttp.ClientSession, "_request", request)


@pytest.mark.usefixtures("switch_checked_anew")
@pytest.mark.parametrize("break_switch", [_renamed, _ignored], ids=["missing", "not read"])
async def test_an_aiohttp_without_the_switch_fails_loudly_before_sending(
    server: RawServer, monkeypatch: pytest.MonkeyPatch, break_switch: Any
) -> None:
    break_switch(monkeypatch)
    async with client_for(server, timeout=2) as c:
        for _ in range(2):  # every call, not only the first
            with pytest.raises(ConfigurationError, match=r"aiohttp .* '_retry_connection'"):
                await c.request("PUT", "/api/v1/anything", json={"order_id": "never-sent"})
    assert server.requests == []


async def test_the_switch_is_turned_off_on_the_installed_aiohttp() -> None:
    config = client_config(max_response_bytes=1000)
    session, _ = _transport.new_session(config, asyncio.get_running_loop())
    async with session:
        assert session._retry_connection is False
    assert _transport._reads_resend_switch(aiohttp.ClientSession)
