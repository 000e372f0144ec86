"""Under gevent (gunicorn ``-k gevent --preload``), a call fails with an error naming gevent.

paycombat is imported (and the client even used) before gevent monkey-patches the process, as
with ``--preload``. The blocking client cannot run its event loop on a real thread of its own once
``threading`` is patched, so every call raises ``ClientStateError`` naming the cause and the fix
(not "client is closed"), no "event loop is running" warning appears, and the process exits
cleanly. Runs in a real subprocess: monkey-patching cannot be undone.
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
from paycombat_sync import ClientStateError, PayCombat

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

def outcome(c):
    try:
        c.payouts.list().to_list()
    except ClientStateError as exc:
        return str(exc)
    return "no error"

print(gevent.spawn(outcome, preloaded).get(timeout=10))
print(gevent.spawn(outcome, client()).get(timeout=10))
pid = os.fork()  # a gunicorn worker forked after patching
if pid == 0:
    print(gevent.spawn(outcome, preloaded).get(timeout=10), flush=True)
    sys.exit(0)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0
with client() as closed_early:  # close works (and does not wait on the hub)
    pass
"""


def test_calls_under_gevent_raise_an_error_naming_gevent_and_the_fix(
    sandbox: LocalSandbox,
) -> None:
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
    lines = done.stdout.strip().split("\n")
    assert len(lines) == 3, done.stdout
    for line in lines:
        assert "gevent has monkey-patched threading" in line
        assert "gunicorn -k gthread" in line
        assert "closed" not in line
    assert done.stderr == ""  # no "event loop is running" warning, no error at exit
    assert len(sandbox.requests_for("Get All Payout")) == 1  # only the call before patching
