"""Under gevent (gunicorn ``-k gevent --preload``) the blocking client works, cooperatively.

As with gunicorn: the master imports paycombat and uses a client, then forks a worker that
monkey-patches itself and then uses the inherited client and new ones. Once ``threading`` is
patched, the client's loop must still run on an OS thread of its own, and a waiting call must let
other greenlets run. No "event loop is running" warning may appear, and closing or exiting must
not block gevent's hub. Runs in a real subprocess: monkey-patching cannot be undone. (A thread
started before patching that ends after it trips gevent itself: not a supported setup.)
"""

from __future__ import annotations

import pytest

from paycombat_sync.sandbox import LocalSandbox
from tests.blocking import scripts

pytest.importorskip("gevent", reason="gevent is in the test extra")

_SCRIPT = """
import os, sys, traceback, warnings
from paycombat_sync import NotFoundError, PayCombat

warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)  # Python 3.12+

def client():
    return PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3], timeout=5)

preloaded = client()
preloaded.payouts.list().to_list()  # the master (--preload) used it: its loop thread runs


def worker():
    # gevent itself warns that ssl was imported before patching (the scenario under test).
    warnings.filterwarnings("ignore", "Monkey-patching ssl", Warning)
    from gevent import monkey
    monkey.patch_all()
    import gevent

    assert preloaded.payouts.list().to_list() == []  # main greenlet; its thread starts now
    calls = [gevent.spawn(preloaded.payouts.list().to_list) for _ in range(10)]
    gevent.joinall(calls, timeout=30, raise_error=True)
    assert [call.value for call in calls] == [[]] * 10
    print("greenlets ok", flush=True)

    ticks = []
    def tick():
        while True:
            gevent.sleep(0.01)
            ticks.append(1)

    ticker = gevent.spawn(tick)
    try:
        preloaded.payouts.retrieve("held-back")  # the sandbox holds this answer for 0.5 s
    except NotFoundError:
        pass
    ticker.kill()
    assert len(ticks) >= 5, ticks  # other greenlets ran while the call waited
    print("cooperative ok", flush=True)
    closed = client()
    closed.payouts.list().to_list()
    closed.close()  # does not block the hub; preloaded is left for the at-exit close


pid = os.fork()  # the gevent worker
if pid == 0:
    try:
        worker()
    except Exception:
        traceback.print_exc()
        os._exit(1)
    sys.exit(0)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0
assert preloaded.payouts.list().to_list() == []  # the master's client is undisturbed
print("master ok", flush=True)
preloaded.close()
"""


def test_the_blocking_client_works_under_gevent_patched_after_import(
    sandbox: LocalSandbox,
) -> None:
    sandbox.inject("Retrieve Payout", latency=0.5)
    done = scripts.run(_SCRIPT, sandbox)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["greenlets ok", "cooperative ok", "master ok", ""]
    assert done.stderr == ""  # no "event loop is running" warning, no error at exit
    assert len(sandbox.requests_for("Get All Payout")) == 14
    assert len(sandbox.requests_for("Retrieve Payout")) == 1


_PATCHED_FIRST = """
from gevent import monkey
monkey.patch_all()  # as gevent recommends: before anything else is imported
import sys
import gevent
from paycombat_sync import PayCombat

with PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3]) as client:
    assert client.payouts.list().to_list() == []
    calls = [gevent.spawn(client.payouts.list().to_list) for _ in range(5)]
    gevent.joinall(calls, timeout=30, raise_error=True)
    assert [call.value for call in calls] == [[]] * 5
print("ok")
"""


def test_the_blocking_client_works_when_gevent_patched_first(sandbox: LocalSandbox) -> None:
    done = scripts.run(_PATCHED_FIRST, sandbox)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
    assert done.stderr == ""
    assert len(sandbox.requests_for("Get All Payout")) == 6
