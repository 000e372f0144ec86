"""``PostgresJournal``: the batch journal in a PostgreSQL table, for one batch (or overlapping
shards of it) run by any number of processes on any number of machines at once.

The contract is ``Journal``'s, with ``decide_claim`` as its claim rule, on psycopg 3 (the
``postgres`` extra: ``pip install 'paycombat[postgres]'``):

- operations that arrive together share one transaction (group commit, ``GroupCommit``), on one
  connection per journal (reopened when it is lost), in a handful of statements whatever their
  number: the rows are read, the operations decided in memory in order (``decide_claim``, with
  ``now`` from the database's clock, which every worker shares), and only the rows to write are
  locked (``SELECT ... FOR UPDATE``, in key order), decided again on what the lock found, and
  written together (an item another worker inserted meanwhile is locked and decided again). A
  claim that only finds a live owner (``wait``) or a decided item locks nothing;
- leases are renewed and released with ``SKIP LOCKED``: with the locks taken in key order, two
  workers' transactions do not wait for each other in a cycle (a deadlock, should one happen
  all the same, is retried);
- a serialization failure, a deadlock or a lost connection retries the whole transaction (on a
  new connection); anything else (the database unreachable, a statement timeout, refused
  permissions), or a retry that fails too, is a ``JournalError``. The callers of a transaction
  that raised were not told "claimed", so nothing is sent without its claim committed. A
  transaction whose COMMIT may have landed is applied again, which is safe: a claim finds the
  row it wrote itself (its owner and ``sent_at``) and still holds; other writes are idempotent;
- statements (lock waits included) end after ``statement_timeout``, and the server ends a
  session left idle inside a transaction as soon, so a worker that vanished holds no lock long.

The table is created on first use (``DDL``; teams that manage schemas create it themselves). Its
JSON columns are ``jsonb`` (amounts in them are strings, exact); times are seconds since the
epoch (``double precision``) on the database's clock, but ``sent_at`` which is the worker's.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
from typing import Any

import anyio
import attrs

from .._exceptions import JournalError
from .journal import (
    DEFAULT_LEASE,
    HELD,
    Claim,
    GroupCommit,
    JournalEntry,
    Op,
    decide_claim,
    entry_from_row,
    masked,
)

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.types.json import Jsonb
except ImportError as exc:  # pragma: no cover (the extra is installed wherever tests run)
    raise ImportError(
        "PostgresJournal needs the postgres extra: pip install 'paycombat[postgres]'",
        name=exc.name,
    ) from exc

__all__ = ["DDL", "DEFAULT_TABLE", "PostgresJournal"]

logger = logging.getLogger("paycombat")

DEFAULT_TABLE = "paycombat_journal"

DDL = """\
CREATE TABLE IF NOT EXISTS {table} (
    key          text PRIMARY KEY,
    order_id     text NOT NULL,
    fingerprint  text NOT NULL,
    state        text NOT NULL,  -- sending, settling, created, rejected, unknown, conflict
    payout       jsonb,
    error        jsonb,
    sent_at      double precision,  -- seconds since the epoch (the worker's clock)
    updated_at   timestamptz NOT NULL DEFAULT now(),
    owner        text,
    lease_until  double precision  -- seconds since the epoch (the database's clock)
);
CREATE INDEX IF NOT EXISTS {owner_index} ON {table} (owner)
    WHERE state IN ('sending', 'settling');
"""
"""The journal's table (``{table}``: ``paycombat_journal`` by default, and ``{owner_index}``:
the table's name with ``_owner``), created by ``open()`` if missing. To manage the schema
yourself, create it beforehand; the journal then needs only SELECT, INSERT and UPDATE on it."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")
_COLUMNS = (
    "key, order_id, fingerprint, state, payout, error, sent_at, owner, lease_until, updated_at"
)
_RETRIES = 3
"""Attempts of one transaction on a serialization failure, a deadlock or a lost connection."""
_RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
_DDL_LOCK = 0x7061_7963_6F6D_6261  # "paycomba": the advisory lock that serializes DDL


def _identifier(table: str) -> sql.Identifier:
    parts = table.split(".")
    if len(parts) > 2 or not all(_NAME.fullmatch(part) for part in parts):
        raise ValueError(
            f"table must be a name or schema.name of letters, digits and _ (not {table!r})"
        )
    return sql.Identifier(*parts)


def _jsonb(value: dict[str, Any] | None) -> Jsonb | None:
    # Amounts are Decimal: kept exact as strings, which the models read back.
    return None if value is None else Jsonb(value, dumps=lambda v: json.dumps(v, default=str))


_KEYED = frozenset({"claim", "put", "get"})


def _lost(exc: psycopg.OperationalError) -> bool:
    """Whether ``exc`` is the connection lost (not an error of the statement: a timeout, ...)."""
    state = exc.sqlstate
    return state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03")


def _already_claimed(row: JournalEntry | None, entry: JournalEntry) -> bool:
    return (
        row is not None
        and entry.sent_at is not None
        and row.state == entry.state == "sending"
        and row.owner == entry.owner
        and row.sent_at == entry.sent_at
        and row.fingerprint == entry.fingerprint
    )


def _key_of(op: Op) -> str:
    return str(op.args[0] if op.kind == "get" else op.args[0].key)


def _stored(entry: JournalEntry) -> JournalEntry:
    """``entry`` as its row holds it: a lease only while held."""
    return entry if entry.state in HELD else attrs.evolve(entry, lease_until=None)


def _put(entry: JournalEntry, until: float) -> JournalEntry:
    """The row a put leaves (as ``SQLiteJournal``'s): the owner recording its own progress
    (``settling``, ``sending`` again) is alive, so its lease is renewed (to ``until``) rather
    than dropped."""
    if entry.state in HELD and entry.lease_until is None:
        return attrs.evolve(entry, lease_until=until)
    return _stored(entry)


def _values(entry: JournalEntry) -> tuple[Any, ...]:
    return (
        entry.key,
        entry.order_id,
        entry.fingerprint,
        entry.state,
        _jsonb(entry.payout),
        _jsonb(entry.error),
        entry.sent_at,
        entry.owner,
        entry.lease_until if entry.state in HELD else None,
    )


class PostgresJournal(GroupCommit):
    """A ``Journal`` in a PostgreSQL table, shared by every worker that connects to it.

    Args:
        dsn: a ``postgresql://user:password@host:port/db?...`` URL or a ``key=value``
            connection string (libpq's ``PG*`` environment variables fill in what it leaves
            out). Its password is never shown: ``repr``, errors and logs mask it.
        lease: seconds a claim holds unless its owner renews it (see ``DEFAULT_LEASE``).
        table: the table (``name`` or ``schema.name``), created on first use if missing.
        connect_timeout: seconds to wait for a connection.
        statement_timeout: seconds any one statement may take (waiting for locks included),
            and, a little over it, a whole transaction; then ``JournalError``.
        create_table: create the table (``DDL``) if it is missing; ``False`` when the schema
            is managed elsewhere (a missing table is then a ``JournalError``).
    """

    def __init__(
        self,
        dsn: str,
        *,
        lease: float = DEFAULT_LEASE,
        table: str = DEFAULT_TABLE,
        connect_timeout: float = 10.0,
        statement_timeout: float = 30.0,
        create_table: bool = True,
    ) -> None:
        if not lease > 0 or not math.isfinite(lease):
            raise ValueError("lease must be a positive number of seconds")
        if not isinstance(dsn, str):
            raise TypeError("dsn must be a string (a postgresql:// URL or key=value pairs)")
        self.dsn = masked(dsn)
        """The connection string, its password masked."""
        self._dsn = dsn
        self.lease = float(lease)
        self.table = table
        self._table = _identifier(table)
        self._index = sql.Identifier(table.split(".")[-1] + "_owner")  # in the table's schema
        self._connect_timeout = connect_timeout
        self._statement_timeout = statement_timeout
        self._create_table = create_table
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._ready = False  # the table was found (or created) on some connection
        super().__init__()

    DDL = DDL

    def __repr__(self) -> str:
        return f"<PostgresJournal {self.dsn!r} table={self.table!r}>"

    # -- errors ----------------------------------------------------------------------------

    def _error(self, exc: BaseException, doing: str) -> JournalError:
        detail = str(exc).strip() or type(exc).__name__
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate:
            detail = f"{detail} (SQLSTATE {sqlstate})"
        password = self._password()
        if password:
            detail = detail.replace(password, "***")
        return JournalError(
            f"the journal {self.dsn!r} could not be {doing}: {detail}; nothing was sent for "
            "the items it could not record",
            path=self.dsn,
        )

    def _password(self) -> str | None:
        try:
            password = conninfo_to_dict(self._dsn).get("password")
        except psycopg.Error:
            return None
        return str(password) if password else None

    @property
    def _defaults(self) -> dict[str, Any]:
        """Connection parameters the DSN does not set: a name in ``pg_stat_activity``, and TCP
        keepalives (a connection whose peer vanished is noticed within about a minute)."""
        try:
            given = conninfo_to_dict(self._dsn)
        except psycopg.Error:
            return {}  # connecting says what is wrong with it
        defaults = {"application_name": "paycombat-journal", "keepalives": "1"}
        defaults |= {"keepalives_idle": "30", "keepalives_interval": "10", "keepalives_count": "3"}
        return {name: value for name, value in defaults.items() if name not in given}

    # -- the connection --------------------------------------------------------------------

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        """The journal's connection, (re)opened if need be, its table ready."""
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        self._conn = None
        if conn is not None:
            await conn.close()
        conn = await psycopg.AsyncConnection.connect(
            self._dsn,
            autocommit=True,
            connect_timeout=max(1, math.ceil(self._connect_timeout)),
            **self._defaults,
        )
        try:
            # A statement waits at most this long (for locks too); and a transaction of a
            # worker that vanished mid-way (its machine gone) holds its locks no longer.
            limit = f"{int(self._statement_timeout * 1000)}ms"
            await conn.execute(
                "SELECT set_config('statement_timeout', %s, false), "
                "set_config('idle_in_transaction_session_timeout', %s, false)",
                (limit, limit),
            )
            if not self._ready:
                await self._prepare_table(conn)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        return conn

    async def _prepare_table(self, conn: psycopg.AsyncConnection[Any]) -> None:
        found = await (
            await conn.execute("SELECT to_regclass(%s)", (self._table.as_string(conn),))
        ).fetchone()
        if (found is None or found[0] is None) and self._create_table:
            ddl = sql.SQL(DDL).format(table=self._table, owner_index=self._index)
            async with conn.transaction():
                # Concurrent CREATE TABLE IF NOT EXISTS can collide: one worker at a time.
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_DDL_LOCK,))
                await conn.execute(ddl)
        await conn.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(self._table))
        self._ready = True

    async def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with anyio.move_on_after(1):
                await conn.close()

    # -- transactions ----------------------------------------------------------------------

    async def _transact(self, ops: list[Op]) -> None:
        for attempt in range(1, _RETRIES + 1):
            connected = False
            try:
                with anyio.fail_after(self._statement_timeout + self._connect_timeout + 5):
                    conn = await self._connection()
                    connected = True
                    async with conn.transaction():
                        await self._apply(conn, ops)
                return
            except _RETRYABLE as exc:
                if attempt == _RETRIES:
                    raise self._error(exc, "written") from exc
                logger.info("the journal %s retries a transaction: %s", self.dsn, exc)
            except psycopg.OperationalError as exc:
                await self._discard()
                # A connection that could not be made fails at once; one lost on the way is
                # made again (a transaction whose COMMIT may have landed is applied again:
                # that is safe, see the module's docstring).
                if not connected or not _lost(exc) or attempt == _RETRIES:
                    raise self._error(exc, "written") from exc
                logger.info("the journal %s lost its connection: %s", self.dsn, exc)
            except psycopg.Error as exc:
                if self._conn is not None and self._conn.broken:
                    await self._discard()
                raise self._error(exc, "written") from exc
            except TimeoutError as exc:
                await self._discard()  # its state is unknown: never reuse it
                raise self._error(exc, "written (timed out)") from exc
            await anyio.sleep(random.uniform(0.01, 0.05) * 2**attempt)

    async def _apply(self, conn: psycopg.AsyncConnection[Any], ops: list[Op]) -> None:
        """Every operation of one transaction, in a handful of statements whatever their number.

        Items are decided in memory, in order, first on rows read without a lock: an item whose
        operations write nothing (a claim that waits, or finds it decided) is done. The rows to
        write are then locked (in key order), decided again on what the lock found, and written
        together; an item another worker inserted meanwhile is locked and decided once more.
        """
        cur = conn.cursor()
        await cur.execute("SELECT extract(epoch FROM clock_timestamp())::float8")
        (now,) = await cur.fetchone() or (0.0,)
        now = float(now)
        # Items in key order (each one's operations in their order).
        keyed = sorted((op for op in ops if op.kind in _KEYED), key=_key_of)
        read = sorted({_key_of(op) for op in keyed if op.kind != "put"})
        seen = await self._rows(cur, read, lock=False)
        written = self._replay(keyed, dict(seen), now)
        if written:
            locked = await self._rows(cur, sorted(written), lock=True)
            view: dict[str, JournalEntry | None] = {key: locked.get(key) for key in written}
            dirty = self._replay([op for op in keyed if _key_of(op) in written], view, now)
            await self._write(cur, [view[key] for key in sorted(dirty) if key in locked])
            fresh = [view[key] for key in sorted(dirty) if key not in locked]
            late = set(dirty) - set(locked) - await self._insert(cur, fresh)
            if late:  # inserted by another worker since: decide those again, on its row
                locked = await self._rows(cur, sorted(late), lock=True)
                view = {key: locked.get(key) for key in late}
                dirty = self._replay([op for op in keyed if _key_of(op) in late], view, now)
                await self._write(cur, [view[key] for key in sorted(dirty)])
        for op in ops:
            if op.kind == "all":
                await cur.execute(
                    sql.SQL("SELECT {c} FROM {t} ORDER BY key").format(
                        c=sql.SQL(_COLUMNS), t=self._table
                    )
                )
                op.result = [entry_from_row(row) for row in await cur.fetchall()]
            elif op.kind == "renew":
                keys, owner = op.args
                await cur.execute(
                    sql.SQL(
                        "UPDATE {t} SET lease_until = %s, updated_at = now() WHERE key IN ("
                        "SELECT key FROM {t} WHERE key = ANY(%s) AND owner = %s "
                        "AND state IN ('sending', 'settling') FOR UPDATE SKIP LOCKED)"
                    ).format(t=self._table),
                    (now + self.lease, list(keys), owner),
                )
            elif op.kind == "release":
                await cur.execute(
                    sql.SQL(
                        "UPDATE {t} SET lease_until = NULL, updated_at = now() WHERE key IN ("
                        "SELECT key FROM {t} WHERE owner = %s "
                        "AND state IN ('sending', 'settling') FOR UPDATE SKIP LOCKED)"
                    ).format(t=self._table),
                    (op.args[0],),
                )

    def _replay(self, ops: list[Op], view: dict[str, JournalEntry | None], now: float) -> set[str]:
        """Apply ``ops`` in order to ``view`` (rows by key, in memory), setting each one's
        result; the keys whose row changed."""
        written: set[str] = set()
        for op in ops:
            key = _key_of(op)
            if op.kind == "get":
                op.result = view.get(key)
            elif op.kind == "put":
                view[key] = _put(op.args[0], now + self.lease)
                written.add(key)
            elif _already_claimed(view.get(key), op.args[0]):
                # This very claim (its own sent_at) was committed by an attempt whose COMMIT's
                # answer was lost: it holds, and its item was not sent yet.
                op.result = Claim("send")
                view[key] = attrs.evolve(op.args[0], lease_until=now + self.lease)
                written.add(key)
            else:
                claim, write = decide_claim(view.get(key), op.args[0], now=now, lease=self.lease)
                op.result = claim
                if write is not None:
                    view[key] = _stored(write)
                    written.add(key)
        return written

    async def _rows(
        self, cur: psycopg.AsyncCursor[Any], keys: list[str], *, lock: bool
    ) -> dict[str, JournalEntry]:
        if not keys:
            return {}
        query = sql.SQL("SELECT {c} FROM {t} WHERE key = ANY(%s) ORDER BY key{lock}").format(
            c=sql.SQL(_COLUMNS), t=self._table, lock=sql.SQL(" FOR UPDATE" if lock else "")
        )
        await cur.execute(query, (keys,))
        return {row[0]: entry_from_row(row) for row in await cur.fetchall()}

    async def _write(
        self, cur: psycopg.AsyncCursor[Any], entries: list[JournalEntry | None]
    ) -> None:
        """Write over rows this transaction holds locked (one round trip: a pipeline)."""
        rows = [_values(entry) for entry in entries if entry is not None]
        if rows:
            await cur.executemany(
                sql.SQL(
                    "INSERT INTO {t} (key, order_id, fingerprint, state, payout, error, sent_at, "
                    "owner, lease_until) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET order_id = EXCLUDED.order_id, "
                    "fingerprint = EXCLUDED.fingerprint, state = EXCLUDED.state, "
                    "payout = EXCLUDED.payout, error = EXCLUDED.error, "
                    "sent_at = EXCLUDED.sent_at, owner = EXCLUDED.owner, "
                    "lease_until = EXCLUDED.lease_until, updated_at = now()"
                ).format(t=self._table),
                rows,
            )

    async def _insert(
        self, cur: psycopg.AsyncCursor[Any], entries: list[JournalEntry | None]
    ) -> set[str]:
        """Insert rows that were not there (one round trip); the keys inserted (the others were
        inserted by another worker meanwhile: a concurrent insert waits for the first)."""
        rows = [_values(entry) for entry in entries if entry is not None]
        if not rows:
            return set()
        await cur.executemany(
            sql.SQL(
                "INSERT INTO {t} (key, order_id, fingerprint, state, payout, error, sent_at, "
                "owner, lease_until) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (key) DO NOTHING RETURNING key"
            ).format(t=self._table),
            rows,
            returning=True,
        )
        inserted: set[str] = set()
        while True:
            row = await cur.fetchone()
            if row is not None:
                inserted.add(row[0])
            if not cur.nextset():
                return inserted

    # -- the Journal protocol --------------------------------------------------------------

    async def open(self) -> None:
        """Connect, create the table if it is missing, and read it; ``JournalError`` if any of
        that fails (the database unreachable, refused credentials, no permission)."""
        try:
            with anyio.fail_after(self._statement_timeout + self._connect_timeout + 5):
                await self._connection()
        except psycopg.Error as exc:
            await self._discard()
            raise self._error(exc, "opened") from exc
        except TimeoutError as exc:
            await self._discard()
            raise self._error(exc, "opened (timed out)") from exc

    async def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key`` (read in the next transaction)."""
        entry: JournalEntry | None = await self._submit(Op("get", key))
        return entry

    async def release(self, owner: str) -> None:
        """End every lease ``owner`` holds now: the next run takes its items over at once."""
        if self._ready:  # else this journal never reached the database: it claimed nothing
            await self._submit(Op("release", owner))

    async def entries(self) -> list[JournalEntry]:
        """Every entry, in key order (for inspection and tests)."""
        op = Op("all")
        await self._submit(op)
        entries: list[JournalEntry] = op.result
        return entries

    async def aclose(self) -> None:
        """Commit what cancelled writers left queued, and close the connection. Idempotent."""
        pending, self._pending = self._pending, []
        try:
            if pending:
                with anyio.CancelScope(shield=True):
                    await self._transact(pending)
        finally:
            await self._discard()

    async def __aenter__(self) -> PostgresJournal:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
