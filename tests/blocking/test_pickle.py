"""A client is not picklable: a clear ``TypeError`` saying to create one per process.

Process pools pickle what is sent to a worker; the error must name the fix rather than the
internal object that happens to refuse first (a local function, a lock, a socket).
"""

from __future__ import annotations

import concurrent.futures
import copy
import multiprocessing
import pickle

import pytest

import paycombat_async
from paycombat_sync import PayCombat
from paycombat_sync.sandbox import LocalSandbox
from tests.helpers import client_for, payout_args

ONE_PER_PROCESS = "one client per process, in the worker"


def test_pickling_a_used_blocking_client_or_its_resources_is_a_clear_type_error(
    client: PayCombat,
) -> None:
    client.payouts.create(**payout_args())
    for obj in (client, client.payouts):
        with pytest.raises(TypeError, match=ONE_PER_PROCESS):
            pickle.dumps(obj)
    with pytest.raises(TypeError, match=ONE_PER_PROCESS):
        copy.copy(client)
    assert client.payouts.list().to_list()  # still usable


async def test_pickling_an_async_client_is_a_clear_type_error() -> None:
    async with paycombat_async.PayCombat(token="t", signature_key="k") as client:
        with pytest.raises(TypeError, match=ONE_PER_PROCESS):
            pickle.dumps(client)


def test_sending_a_client_to_a_process_pool_worker_says_what_to_do(sandbox: LocalSandbox) -> None:
    with (
        client_for(sandbox) as client,
        concurrent.futures.ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn")
        ) as pool,
    ):
        future = pool.submit(repr, client)
        with pytest.raises(TypeError, match=ONE_PER_PROCESS):
            future.result(timeout=60)
