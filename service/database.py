"""The service's SQLite database: one connection per call (safe across the API's threads, the
dispatcher and the webhook sender), WAL, and write transactions that take the lock up front."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core.locks import immediate
from service.schema import MIGRATIONS

DB_NAME = "service.db"


def utc_now() -> str:
    """Now as the database keeps times: ISO 8601 UTC, to the millisecond (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ServiceDatabase:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ServiceDatabase:
        return cls(Path(data_dir) / DB_NAME)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 30000")
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: the write lock is taken first, so a read-then-write (claim the next run,
        accept a ticket id once) is atomic against every other connection, in any process."""
        db = self._connect()
        try:
            with immediate(db):
                yield db
        finally:
            db.close()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    def _migrate(self) -> None:
        db = self._connect()
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
            for version, script in MIGRATIONS:
                db.execute("BEGIN IMMEDIATE")
                try:
                    if db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                        db.execute("ROLLBACK")
                        continue
                    for statement in filter(str.strip, script.split(";")):
                        db.execute(statement)
                    db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, utc_now()))
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        finally:
            db.close()

    def schema_version(self) -> int:
        with self.reading() as db:
            return int(db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0)
