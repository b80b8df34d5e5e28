"""The shared state's database, with two backends behind one small interface:

- SQLite (the zero-setup default): one file per part under the data directory (`journal.db`,
  `approvals.db`, `tickets.db`, `service.db`), WAL, and write transactions that take the file's
  write lock first (BEGIN IMMEDIATE);
- PostgreSQL (`SUPPORT_CREW_DATABASE_URL`): one database for a whole fleet, one schema per part
  (`journal`, `approvals`, `ticket_state`, `service`), and write transactions that first take a
  transaction-scoped advisory lock of the part (`pg_advisory_xact_lock`), so a read-then-write
  (claim a run, approve once, accept a ticket id once) is atomic against every connection of
  every machine, exactly as BEGIN IMMEDIATE makes it on one machine.

The parts write their SQL once, in the dialect both share (`?` placeholders, TEXT/INTEGER/REAL
columns, `ON CONFLICT ... DO UPDATE`, `RETURNING`); `_postgres_sql` makes the few translations
PostgreSQL needs. Schemas are numbered migrations recorded in each part's `schema_migrations`."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import psycopg
import psycopg_pool

from core.locks import immediate
from core.settings import redacted

Dialect = Literal["sqlite", "postgresql"]
Migration = tuple[int, str]


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the parts use of a connection: sqlite3's own, or `_PostgresConnection`."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...


# What a caller catches from either backend: any database error; a unique or foreign key
# violation; the database busy or out of reach for now (a later try may succeed).
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error, psycopg_pool.PoolTimeout)
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.OperationalError,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
)


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message names it and why."""


# Anything that means "the shared state could not be read or written now": what a command turns
# into a message and a fleet task into a retry.
UNREACHABLE: tuple[type[Exception], ...] = (DatabaseError, *DATABASE_ERRORS)


def utc_now() -> str:
    """Now as the databases keep times: ISO 8601 UTC to the millisecond (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Database:
    """One part's tables. `transaction()` for anything that writes, `reading()` for reads; each
    opens its own connection (or borrows one from the pool), so a Database is safe to share
    between threads and, after a fork, between processes."""

    dialect: Dialect
    name: str

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        raise NotImplementedError
        yield

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        raise NotImplementedError
        yield

    @contextmanager
    def statement(self) -> Iterator[Connection]:
        """A connection for single statements, each atomic on its own, outside the part's write
        lock (a heartbeat must not wait behind a long transaction)."""
        with self.reading() as db:
            yield db

    @contextmanager
    def exclusive(self, key: str) -> Iterator[bool]:
        """Hold `key` for the block against every process that shares this database; yields
        False when another holds it. SQLite files are on one machine: the callers' file locks
        cover them, so this holds nothing there."""
        yield True

    def now(self) -> str:
        """The database's clock (utc_now's format): what leases are measured on, so that workers
        on machines whose clocks differ agree on whose lease has lapsed."""
        return utc_now()

    def describe(self) -> str:
        raise NotImplementedError

    def migrate(self, migrations: Sequence[Migration]) -> None:
        """Apply the migrations not yet applied, each in its own transaction, in order."""
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
        for version, script in migrations:
            with self.transaction() as db:
                if db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                    continue
                for statement in _statements(script):
                    db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, utc_now()))

    def schema_version(self) -> int:
        with self.reading() as db:
            return int(db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0)


def _statements(script: str) -> list[str]:
    without_comments = re.sub(r"--[^\n]*", "", script)
    return [s for s in without_comments.split(";") if s.strip()]


class SqliteDatabase(Database):
    dialect: Dialect = "sqlite"

    def __init__(self, path: Path, name: str = "") -> None:
        self.path = Path(path)
        self.name = name or self.path.stem
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        try:
            # WAL: readers never wait for the writer, and a commit survives the process being
            # killed at any moment (it is lost only on power failure).
            db.execute("PRAGMA journal_mode = WAL")
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 30000")
        return db

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        db = self._connect()
        try:
            with immediate(db):
                yield db
        finally:
            db.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    def describe(self) -> str:
        return str(self.path)

    def migrate(self, migrations: Sequence[Migration]) -> None:
        self._adopt_user_version()
        super().migrate(migrations)

    def _adopt_user_version(self) -> None:
        """Files of earlier releases numbered their migrations in PRAGMA user_version: record
        those as applied so they are not run again."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone():
                return
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
            for number in range(1, version + 1):
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (number, utc_now()))


# --- PostgreSQL -----------------------------------------------------------------------------------
_DDL_TRANSLATIONS = (
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b", re.I), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),  # PostgreSQL's REAL is 4 bytes: amounts would round
    (re.compile(r"\bINTEGER\b"), "BIGINT"),  # SQLite's INTEGER is 8 bytes, PostgreSQL's 4
)


def _postgres_sql(sql: str) -> str:
    """`?` placeholders become `%s` (a literal `%` is doubled first); the DDL types SQLite and
    PostgreSQL spell differently are translated."""
    sql = sql.replace("%", "%%").replace("?", "%s")
    for pattern, replacement in _DDL_TRANSLATIONS:
        sql = pattern.sub(replacement, sql)
    return sql


class Row(tuple[Any, ...]):
    """A row readable by position and by column name, as sqlite3.Row is (`dict(row)` works)."""

    _names: tuple[str, ...]

    def __new__(cls, values: Sequence[Any], names: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def keys(self) -> tuple[str, ...]:
        return self._names

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names.index(key))
        return tuple.__getitem__(self, key)


def _row_factory(cursor: Any) -> Any:
    names = tuple(column.name for column in cursor.description or ())
    return lambda values: Row(values, names)


class _PostgresConnection:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        return self._connection.execute(_postgres_sql(sql), tuple(parameters))


class PostgresDatabase(Database):
    dialect: Dialect = "postgresql"

    def __init__(self, url: str, name: str) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise DatabaseError(f"{name!r} is not a schema name")
        self.url = url
        self.name = name
        # the part's advisory lock key: a stable signed 64-bit number from its name
        self._lock_key = int.from_bytes(
            hashlib.sha256(f"support-crew:{name}".encode()).digest()[:8], "big", signed=True
        )
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as connection:
                connection.execute("SELECT pg_advisory_lock(%s)", (self._lock_key,))
                try:
                    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {self.name}")
                finally:
                    connection.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key,))
        except psycopg.Error as e:
            raise DatabaseError(f"PostgreSQL at {redacted(self.url)}: {type(e).__name__}: {e}".strip()) from e

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """A pooled connection (one pool per URL for all parts) set to this part's schema."""
        with _pools.get(self.url).connection() as connection:
            connection.execute(f"SET search_path TO {self.name}")
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self._connection() as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            yield _PostgresConnection(connection)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self._connection() as connection:
            yield _PostgresConnection(connection)

    def now(self) -> str:
        with self._connection() as connection:
            moment: datetime = connection.execute("SELECT clock_timestamp()").fetchone()[0]
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")

    def describe(self) -> str:
        return f"{redacted(self.url)} (schema {self.name})"

    @contextmanager
    def exclusive(self, key: str = "") -> Iterator[bool]:
        """A session advisory lock on a connection of its own, released however the holder ends
        (the server drops it with the connection)."""
        digest = hashlib.sha256(f"support-crew:{self.name}:exclusive:{key}".encode()).digest()
        lock = int.from_bytes(digest[:8], "big", signed=True)
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as connection:
            held = bool(connection.execute("SELECT pg_try_advisory_lock(%s)", (lock,)).fetchone()[0])  # type: ignore[index]
            try:
                yield held
            finally:
                if held:
                    connection.execute("SELECT pg_advisory_unlock(%s)", (lock,))


class _Pools:
    """One small connection pool per (process, URL), shared by the parts (each sets its schema on
    checkout): a pool must not cross a fork, and a worker holds one or two connections, not one
    per part. Connections are checked before use, so a restarted server costs a reconnect, not
    a failed ticket."""

    def __init__(self) -> None:
        self._pools: dict[tuple[int, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Any:
        key = (os.getpid(), url)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = psycopg_pool.ConnectionPool(
                    url,
                    min_size=1,
                    max_size=8,
                    kwargs={"autocommit": True, "row_factory": _row_factory, "connect_timeout": 10},
                    check=psycopg_pool.ConnectionPool.check_connection,
                    open=True,
                    name="support-crew",
                )
                self._pools[key] = pool
            return pool

    def close_all(self) -> None:
        with self._lock:
            for key in [key for key in self._pools if key[0] == os.getpid()]:
                self._pools.pop(key).close()


_pools = _Pools()
close_pools = _pools.close_all


def open_database(name: str, *, data_dir: Path, url: str | None, file_name: str | None = None) -> Database:
    """Part `name` of the shared state: schema `name` of the PostgreSQL database at `url`, or
    `<data_dir>/<file_name or name.db>` when no URL is set."""
    if url:
        return PostgresDatabase(url, name)
    return SqliteDatabase(Path(data_dir) / (file_name or f"{name}.db"), name)
