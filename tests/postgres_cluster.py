"""A throwaway PostgreSQL cluster: created in a temporary directory, started on loopback and a
free port (``pg_ctl start -w`` waits until it accepts connections), stopped and removed at the
end. Used by the tests' ``postgres_server`` fixture (``tests/batch/postgres.py``) and by
``benchmarks/bench_workers.py``; it needs neither pytest nor a running server.

The server binaries are found in ``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql``
package) or on ``PATH``. ``initdb`` refuses to run as root: as root, the cluster belongs to the
``postgres`` user (``runuser``). When it cannot be had, ``PostgresUnavailable`` says why.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import psycopg

__all__ = ["PASSWORD", "PostgresServer", "PostgresUnavailable", "throwaway_cluster"]

PASSWORD = "s3cret-pw"
"""The password in every URL the tests use (the server trusts loopback, so any would do): it
must never show in a repr, an error or a log line."""


class PostgresUnavailable(Exception):
    """No throwaway cluster can be made here (no binaries, or root without a postgres user)."""


@attrs.frozen
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{self.user}:{password}@{self.host}:{self.port}/{database}"

    def admin(self, database: str = "postgres") -> psycopg.Connection[Any]:
        """A blocking psycopg connection (autocommit) to ``database``."""
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def create_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def _binaries() -> Path | None:
    def version(path: Path) -> tuple[int, ...]:
        name = path.parent.name
        return tuple(int(part) for part in name.split(".") if part.isdigit())

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        found.append(Path(on_path).parent)
    for directory in found:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
"""Durability off: what the tests run with (a throwaway cluster need not survive a crash)."""


@contextlib.contextmanager
def throwaway_cluster(
    *, durable: bool = False, max_connections: int = 60
) -> Iterator[PostgresServer]:
    """A PostgreSQL server (superuser ``postgres``, trust on loopback) for the ``with`` block.

    ``durable=False`` turns fsync and synchronous commit off (``FAST``), as the tests want;
    ``True`` keeps PostgreSQL's defaults, as a production server runs. Raises
    ``PostgresUnavailable`` before anything is made if there is no way to run one here.
    """
    binaries = _binaries()
    if binaries is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        )
    as_user: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:  # initdb refuses root: the cluster is the postgres user's
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable(
                "running as root and there is no 'postgres' user to run initdb as"
            ) from None
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresUnavailable("running as root and runuser is not installed")
        as_user = [str(runuser), "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="paycombat-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, sockets = root / "data", root / "sockets"

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - the PostgreSQL binaries, fixed arguments
            [*as_user, *command], capture_output=True, text=True, check=False, cwd=root
        )

    started = False
    try:
        for directory in (data, sockets):
            made = run("mkdir", "-m", "700", str(directory))
            assert made.returncode == 0, made.stderr
        made = run(
            str(binaries / "initdb"),
            "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
        for _ in range(3):  # a free port may be taken before the server binds it: try another
            port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} "
                f"-c max_connections={max_connections} -c shared_buffers=16MB"
            )
            if not durable:
                options += f" {FAST}"
            start = run(
                str(binaries / "pg_ctl"),
                "start", "-w", "-t", "60", "-D", str(data), "-l", str(root / "log"),
                "-o", options,
            )  # fmt: skip
            if start.returncode == 0:
                started = True
                break
        if not started:
            log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
            raise AssertionError(f"pg_ctl start failed: {start.stdout}{start.stderr}\n{log}")
        yield PostgresServer("127.0.0.1", port, "postgres")
    finally:
        if started:
            run(str(binaries / "pg_ctl"), "stop", "-m", "immediate", "-w", "-D", str(data))
        with contextlib.suppress(OSError):
            shutil.rmtree(root)
