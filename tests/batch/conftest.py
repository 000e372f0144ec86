"""The batch tests' own fixtures: a throwaway PostgreSQL server (``postgres.py``)."""

from tests.batch.postgres import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]
