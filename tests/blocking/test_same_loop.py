"""A blocking call the caller's own event loop would have to answer fails at once.

The real case: async test code starts ``paycombat_async.sandbox.LocalSandbox`` on its loop and
then calls it through ``paycombat_sync.PayCombat`` from that same thread. The sandbox cannot answer
while the thread waits, so without the guard the call would hang until its deadline.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import pytest

from paycombat_async.sandbox import LocalSandbox as AsyncLocalSandbox
from paycombat_async.sandbox._server import serving_loop
from paycombat_sync import ClientStateError, PayCombat
from tests.blocking.conftest import io_threads


async def test_a_blocking_call_to_a_sandbox_on_the_callers_own_loop_is_refused_at_once() -> None:
    before = io_threads()
    async with AsyncLocalSandbox() as sandbox:
        client = PayCombat(
            token=sandbox.token,
            signature_key=sandbox.signature_key,
            base_url=sandbox.base_url.replace("127.0.0.1", "localhost"),
            timeout=600,  # the test would hang for this long without the guard
        )
        try:
            with pytest.raises(ClientStateError, match="would hang until its deadline"):
                client.payouts.list().to_list()
            with pytest.raises(ClientStateError, match="paycombat_async"):
                client.payouts.retrieve("p-1")
            assert sandbox.requests == []  # refused before anything was sent
            assert io_threads() == before  # nor was a thread started for it
        finally:
            client.close()


async def test_the_same_client_works_from_another_thread_while_that_loop_serves() -> None:
    async with AsyncLocalSandbox() as sandbox:
        results: list[object] = []

        def call() -> None:
            with PayCombat(
                token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url
            ) as client:
                results.append(client.payouts.list().to_list())

        # A worker thread has no running loop of its own: nothing to refuse, nothing to warn.
        await anyio.to_thread.run_sync(call)
        assert results == [[]]
        assert len(sandbox.requests_for("Get All Payout")) == 1


def test_a_stopped_sandbox_no_longer_counts() -> None:
    # The registry forgets a sandbox once closed: a later server on the same port is not it.
    async def serve_and_stop() -> str:
        async with AsyncLocalSandbox() as sandbox:
            return sandbox.base_url

    base_url = anyio.run(serve_and_stop)
    url = urlsplit(base_url)
    assert serving_loop(url.hostname, url.port) is None
