"""Under gevent (gunicorn ``-k gevent --preload``) the blocking client works, cooperatively.

paycombat is imported, and the client even used, before gevent monkey-patches the process, as
with ``--preload``. Once ``threading`` is patched the client's loop must still run on an OS thread
of its own, and a waiting call must let other greenlets run. No "event loop is running" warning
may appear, and closing or exiting must not block gevent's hub. Runs in a real subprocess:
monkey-patching cannot be undone.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from paycombat_sync.sandbox import LocalSandbox

pytest.importorskip("gevent", reason="gevent is in the test extra")

_SCRIPT = """
import os, sys, warnings
from paycombat_sync import NotFoundError, PayCombat

def client():
    return PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3], timeout=5)

preloaded = client()
preloaded.payouts.list().to_list()  # the master used it: its loop thread runs

# gevent itself warns that ssl was imported before patching (that is the scenario under test).
warnings.filterwarnings("ignore", "Monkey-patching ssl", Warning)
warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)  # Python 3.12+
from gevent import monkey
monkey.patch_all()
import gevent

assert preloaded.payouts.list().to_list() == []  # from the main greenlet
fresh = client()  # its loop thread starts after patching
calls = [gevent.spawn(fresh.payouts.list().to_list) for _ in range(10)]
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
    fresh.payouts.retrieve("held-back")  # the sandbox holds this answer back for 0.5 s
except NotFoundError:
    pass
ticker.kill()
assert len(ticks) >= 5, ticks  # other greenlets ran while the call waited
print("cooperative ok", flush=True)

pid = os.fork()  # a worker forked after patching uses the client it inherited
if pid == 0:
    assert preloaded.payouts.list().to_list() == []
    preloaded.close()
    sys.exit(0)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0
assert preloaded.payouts.list().to_list() == []  # the parent's is undisturbed
print("fork ok", flush=True)
fresh.close()  # does not wait on the hub; preloaded is left for the at-exit close
"""


def test_the_blocking_client_works_under_gevent_patched_after_import(
    sandbox: LocalSandbox,
) -> None:
    sandbox.inject("Retrieve Payout", latency=0.5)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            textwrap.dedent(_SCRIPT),
            sandbox.token,
            sandbox.signature_key,
            sandbox.base_url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["greenlets ok", "cooperative ok", "fork ok", ""]
    assert done.stderr == ""  # no "event loop is running" warning, no error at exit
    assert len(sandbox.requests_for("Get All Payout")) == 14
    assert len(sandbox.requests_for("Retrieve Payout")) == 1
