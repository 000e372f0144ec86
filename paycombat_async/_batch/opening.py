"""``open_journal``: the journal a batch's ``journal=`` names, SQLite or PostgreSQL.

It sits above both journals (``journal`` holds the contract and ``SQLiteJournal``; ``postgres``
builds on them), so neither imports the other's user. ``postgres`` is imported only for a
``postgresql://`` URL: psycopg is the optional ``postgres`` extra.
"""

from __future__ import annotations

import os

from .._exceptions import JournalError
from .journal import Journal, SQLiteJournal, is_database_url, masked

__all__ = ["open_journal"]


def open_journal(where: str | os.PathLike[str]) -> Journal:
    """The journal a batch's ``journal=`` names: a ``postgresql://`` URL (``PostgresJournal``,
    with the ``postgres`` extra) or the path of a SQLite file."""
    text = os.fspath(where)
    if is_database_url(text):
        try:
            from .postgres import PostgresJournal
        except ImportError as exc:
            raise JournalError(str(exc), path=masked(text)) from exc
        return PostgresJournal(text)
    return SQLiteJournal(where)
