"""Under gevent (gunicorn ``-k gevent --preload``) the blocking client works, cooperatively.

As with gunicorn: the master imports paycombat and uses a client, then forks a worker that
monkey-patches itself and then uses the inherited client and new ones. Once ``threading`` is
patched, the client's loop must still run on an OS thread of its own, and a waiting call must let
other greenlets run. No "event loop is running" warning may appear, and closing or exiting must
not block gevent's hub. A client built before patching holds OS locks: greenlets using it all at
once, while its loop thread starts, must never wait on one (that blocks the whole hub). Runs in a
real subprocess: monkey-patching cannot be undone. (A thread started before patching that ends
after it trips gevent itself: not a supported setup.) ``test_gunicorn_gevent.py`` runs the same
under real gunicorn workers.
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


_CREATED_BEFORE_PATCHING = """
import sys, warnings
from paycombat_sync import ClientStateError, PayCombat
from paycombat_sync import _portal

def client():
    return PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3], timeout=5)

# Built before patching: whatever they lock with is an OS lock, which blocks gevent's hub (and so
# every greenlet) for a greenlet that waits on it while another holds it.
shared, interrupted, closing = client(), client(), client()

warnings.filterwarnings("ignore", "Monkey-patching ssl", Warning)  # imported before patching
from gevent import monkey
monkey.patch_all()
import gevent

ticks = []
def tick():
    while True:
        gevent.sleep(0.005)
        ticks.append(1)

ticker = gevent.spawn(tick)
# All at once, from cold: the first starts the loop thread, the others wait for it meanwhile.
calls = [gevent.spawn(shared.payouts.list().to_list) for _ in range(10)]
gevent.joinall(calls, timeout=20, raise_error=True)
assert [call.value for call in calls] == [[]] * 10
ticker.kill()
assert ticks, "no other greenlet ran while the loop thread started"
print("cold start ok", flush=True)

starts = []
start = _portal.PortalThread

def slow_start(*args):  # a start that takes a while, switching to other greenlets meanwhile
    starts.append(gevent.getcurrent())
    gevent.sleep(0.2)
    return start(*args)

_portal.PortalThread = slow_start
first = gevent.spawn(interrupted.payouts.list().to_list)
gevent.sleep(0)  # first is starting the loop thread
waiting = [gevent.spawn(interrupted.payouts.list().to_list) for _ in range(9)]
gevent.sleep(0)  # they wait for its start
first.kill()  # interrupted while starting: one of the others starts the thread instead
gevent.joinall(waiting, timeout=20, raise_error=True)
assert [call.value for call in waiting] == [[]] * 9
assert len(starts) == 2 and starts[0] is first and isinstance(first.value, gevent.GreenletExit)
print("interrupted start ok", flush=True)

def attempt():
    try:
        return closing.payouts.list().to_list()
    except ClientStateError as exc:
        return exc

threads = len(sys._current_frames())
starter = gevent.spawn(attempt)
gevent.sleep(0)
waiter = gevent.spawn(attempt)
gevent.sleep(0)
closing.close()  # while its loop thread starts: that thread is stopped, both callers told
gevent.joinall([starter, waiter], timeout=20, raise_error=True)
assert all(isinstance(call.value, ClientStateError) for call in (starter, waiter))
for _ in range(500):  # the loop thread started for the closed client ends (within 5 s)
    if len(sys._current_frames()) <= threads:
        break
    gevent.sleep(0.01)
assert len(sys._current_frames()) <= threads, sys._current_frames()
print("closed while starting ok", flush=True)
"""


def test_a_client_created_before_patching_serves_many_greenlets(sandbox: LocalSandbox) -> None:
    done = scripts.run(_CREATED_BEFORE_PATCHING, sandbox, timeout=40)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == [
        "cold start ok",
        "interrupted start ok",
        "closed while starting ok",
        "",
    ]
    assert done.stderr == ""
    assert len(sandbox.requests_for("Get All Payout")) == 19
