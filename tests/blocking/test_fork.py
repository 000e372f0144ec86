"""Fork safety as deployed (gunicorn ``--preload``, process pools): children never disturb parents.

After ``fork()`` the parent's event loop, its epoll selector and its pooled sockets are shared
with the child. A child that closes, unregisters or merely garbage-collects them (at exit, after
``sys.exit`` runs atexit handlers and collects) can pull the parent's pooled socket out of the
shared epoll; the parent's next call then hangs until its deadline. Each scenario runs in a real
subprocess that forks for real; after every child the parent's next call, on the connection it
already pooled, must succeed within a short deadline.

An idle client stops its loop thread before ``fork()`` (Python 3.12+ warns when a process with
threads forks); these scenarios fork in the middle of an iteration, which keeps it running, so
the child inherits a live loop.
"""

from __future__ import annotations

from paycombat_sync.sandbox import LocalSandbox
from tests.blocking import scripts

_SCRIPT = """
import gc, multiprocessing, os, sys, warnings
# Python 3.12+ warns when a process with threads forks (the client's loop thread, here).
warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)
from paycombat_sync import PayCombat
from tests.helpers import payout_args

client = PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3], timeout=5)
client.payouts.list().to_list()  # the parent's loop thread runs and its pool holds a socket


def in_child(scenario):
    if scenario == "exit":
        sys.exit(0)  # atexit handlers, then interpreter shutdown collects everything
    if scenario == "gc-exit":
        del globals()["client"]
        gc.collect()
        sys.exit(0)
    if scenario == "use":
        client.payouts.list().to_list()  # its own fresh loop and pool
        client.close()
        sys.exit(0)
    if scenario == "use-no-close":
        client.payouts.list().to_list()
        sys.exit(0)  # closed at exit
    raise AssertionError(scenario)


def fork(scenario):
    pid = os.fork()
    if pid == 0:
        try:
            in_child(scenario)
        except SystemExit:
            raise
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, (scenario, status)


def pool_child(_):
    client.payouts.list().to_list()  # a pool worker uses the client it inherited
    return os.getpid()


for scenario in ("exit", "gc-exit", "use", "use-no-close"):
    # An iteration under way: the loop thread keeps running (and its pool) through the fork.
    items = [payout_args(order_id=f"{scenario}-{n}") for n in range(2)]
    stream = iter(client.payouts.stream_many(items, concurrency=1, settle=0))
    next(stream)
    fork(scenario)
    assert len(list(stream)) == 1
    client.payouts.list().to_list()  # raises APITimeoutError after 5 s if the child broke it
    print(scenario, "ok", flush=True)

with multiprocessing.get_context("fork").Pool(2) as pool:
    assert len(pool.map(pool_child, range(4))) == 4
client.payouts.list().to_list()
print("pool ok", flush=True)
client.close()
"""


def test_forked_children_never_disturb_the_parents_pooled_connection(
    sandbox: LocalSandbox,
) -> None:
    done = scripts.run(_SCRIPT, sandbox)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == [
        "exit ok",
        "gc-exit ok",
        "use ok",
        "use-no-close ok",
        "pool ok",
        "",
    ]
    assert done.stderr == ""
    # Every call reached the sandbox: the parent's 6, the forked children's 2, the pool's 4.
    assert len(sandbox.requests_for("Get All Payout")) == 12
    assert len(sandbox.requests_for("Create Payout")) == 8  # two per scenario, each once


_SANDBOX_SCRIPT = """
import os, sys, warnings
warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)  # Python 3.12+
from paycombat_sync import PayCombat
from paycombat_sync.sandbox import LocalSandbox

with LocalSandbox() as sandbox, PayCombat(
    token=sandbox.token, signature_key=sandbox.signature_key, base_url=sandbox.base_url, timeout=5
) as client:
    client.payouts.list().to_list()
    pid = os.fork()
    if pid == 0:
        sys.exit(0)  # leaves both with-blocks in the child: "closes" the parent's sandbox there
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    client.payouts.list().to_list()  # the sandbox still serves, the pooled connection works
    assert len(sandbox.requests_for("Get All Payout")) == 2
print("ok")
"""


def test_a_forked_child_leaving_a_blocking_sandbox_does_not_stop_the_parents() -> None:
    done = scripts.run(_SANDBOX_SCRIPT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
    assert done.stderr == ""


_IDLE_SCRIPT = """
import os, sys, threading
# Registered before paycombat's own hook, so it runs after it: what fork() leaves running.
threads_at_fork = []
os.register_at_fork(before=lambda: threads_at_fork.append([t.name for t in threading.enumerate()]))
from paycombat_sync import PayCombat

client = PayCombat(token=sys.argv[1], signature_key=sys.argv[2], base_url=sys.argv[3], timeout=5)
client.payouts.list().to_list()
assert "paycombat-io" in [t.name for t in threading.enumerate()]
pid = os.fork()  # with -W error, Python 3.12+ raises here if a thread were still running
if pid == 0:
    client.payouts.list().to_list()
    client.close()
    os._exit(0)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0
assert threads_at_fork == [["MainThread"]], threads_at_fork
client.payouts.list().to_list()  # a new loop thread, a new pool
client.close()
print("ok")
"""


def test_an_idle_client_stops_its_loop_thread_before_fork_and_restarts_it_after(
    sandbox: LocalSandbox,
) -> None:
    done = scripts.run(_IDLE_SCRIPT, sandbox)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("ok\n", "")
    assert len(sandbox.requests_for("Get All Payout")) == 3  # the parent's 2, the child's 1
