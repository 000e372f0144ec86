"""A throwaway PostgreSQL server for the tests: a cluster in a temporary directory, on loopback
and a free port, started once per test session (``pg_ctl start -w`` waits until it accepts
connections) and stopped at its end; each test gets a database of its own.

The server binaries are found in ``/usr/lib/postgresql/*/bin`` (Debian's ``postgresql``
package) or on ``PATH``. ``initdb`` refuses to run as root: as root, the cluster belongs to the
``postgres`` user (``runuser``). Without binaries (or as root without a ``postgres`` user) the
tests that need the server are skipped, unless ``CI`` or ``PAYCOMBAT_TEST_POSTGRES=required``
is set: then they fail.
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
import pytest

if TYPE_CHECKING:
    import psycopg

__all__ = ["PASSWORD", "PostgresServer", "postgres_server", "postgres_url"]

PASSWORD = "s3cret-pw"
"""The password in every URL the tests use (the server trusts loopback, so any would do): it
must never show in a repr, an error or a log line."""


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


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") or os.environ.get("PAYCOMBAT_TEST_POSTGRES") == "required":
        pytest.fail(f"PostgreSQL is required here: {reason}", pytrace=False)
    pytest.skip(reason)


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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session (superuser ``postgres``, trust on loopback)."""
    pytest.importorskip("psycopg", reason="needs the postgres extra: pip install -e '.[test]'")
    binaries = _binaries()
    if binaries is None:
        _unavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        )
        raise AssertionError  # unreachable
    as_user: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:  # initdb refuses root: the cluster is the postgres user's
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run initdb as")
            raise AssertionError from None  # unreachable
        runuser = shutil.which("runuser")
        if runuser is None:
            _unavailable("running as root and runuser is not installed")
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
                f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60 "
                "-c shared_buffers=16MB"
            )
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


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL (with a password) of a fresh database of its own for one test."""
    return postgres_server.url(postgres_server.create_database())
