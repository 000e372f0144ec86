"""A throwaway PostgreSQL server for the tests (``tests/postgres_cluster.py``): started once per
test session and stopped at its end; each test gets a database of its own.

Without a way to run one here (no server binaries, or root without a ``postgres`` user) the
tests that need the server are skipped, unless ``CI`` or ``PAYCOMBAT_TEST_POSTGRES=required``
is set: then they fail.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from tests.postgres_cluster import (
    PASSWORD,
    PostgresServer,
    PostgresUnavailable,
    throwaway_cluster,
)

__all__ = ["PASSWORD", "PostgresServer", "postgres_server", "postgres_url"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") or os.environ.get("PAYCOMBAT_TEST_POSTGRES") == "required":
        pytest.fail(f"PostgreSQL is required here: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session (superuser ``postgres``, trust on loopback)."""
    pytest.importorskip("psycopg", reason="needs the postgres extra: pip install -e '.[test]'")
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway_cluster())
        except PostgresUnavailable as exc:
            _unavailable(str(exc))
            raise AssertionError from None  # unreachable
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL (with a password) of a fresh database of its own for one test."""
    return postgres_server.url(postgres_server.create_database())
