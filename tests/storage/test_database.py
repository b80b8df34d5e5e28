"""The storage layer's promises, on both backends: migrations run once and in order, one SQL
dialect works on both (placeholders, a literal %, amounts kept exact, rows by name and position),
write transactions are atomic read-then-writes across connections, a failed one leaves nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage.database import PostgresDatabase, SqliteDatabase
from tests.backends import Backend

MIGRATIONS = [
    (1, "CREATE TABLE items (id TEXT PRIMARY KEY, note TEXT, amount REAL NOT NULL, n INTEGER NOT NULL DEFAULT 0)"),
    (
        2,
        "CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL); "
        "CREATE INDEX log_what ON log (what)",
    ),
]


def test_migrations_run_once_in_order_and_are_recorded(backend: Backend) -> None:
    db = backend.database("parts")
    db.migrate(MIGRATIONS[:1])
    assert db.schema_version() == 1
    db.migrate(MIGRATIONS)  # the first is not run again (it would fail: the table exists)
    backend.database("parts").migrate(MIGRATIONS)  # nor by another opener
    assert db.schema_version() == 2


def test_one_dialect_for_both(backend: Backend) -> None:
    db = backend.database("parts")
    db.migrate(MIGRATIONS)
    with db.transaction() as tx:
        tx.execute("INSERT INTO items (id, note, amount) VALUES (?, ?, ?)", ("a", "50% off", 12345.67))
        tx.execute("INSERT INTO log (what) VALUES (?)", ("first",))
        tx.execute("INSERT INTO log (what) VALUES (?)", ("second",))
    with db.reading() as rx:
        row = rx.execute("SELECT * FROM items WHERE note LIKE '%off%' AND id = ?", ("a",)).fetchone()
        assert dict(row) == {"id": "a", "note": "50% off", "amount": 12345.67, "n": 0}  # REAL kept exact
        assert row["amount"] == row[2]
        assert [r[0] for r in rx.execute("SELECT what FROM log ORDER BY seq").fetchall()] == ["first", "second"]


def test_a_failed_transaction_leaves_nothing(backend: Backend) -> None:
    db = backend.database("parts")
    db.migrate(MIGRATIONS)
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("INSERT INTO items (id, amount) VALUES (?, ?)", ("a", 1.0))
        raise RuntimeError("stop")
    with db.reading() as rx:
        assert rx.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_read_then_write_is_atomic_across_connections(backend: Backend) -> None:
    """Eight threads each read the counter and write it plus one: none of the increments is lost."""
    db = backend.database("parts")
    db.migrate(MIGRATIONS)
    with db.transaction() as tx:
        tx.execute("INSERT INTO items (id, amount) VALUES ('counter', 0)")
    start = threading.Barrier(8)

    def bump() -> None:
        start.wait()
        for _ in range(5):
            with db.transaction() as tx:
                n = tx.execute("SELECT n FROM items WHERE id = 'counter'").fetchone()[0]
                tx.execute("UPDATE items SET n = ? WHERE id = 'counter'", (n + 1,))

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.reading() as rx:
        assert rx.execute("SELECT n FROM items WHERE id = 'counter'").fetchone()[0] == 40


def test_parts_of_one_postgres_database_are_separate_schemas(postgres_url: str) -> None:
    journal, service = PostgresDatabase(postgres_url, "journal"), PostgresDatabase(postgres_url, "service")
    for db in (journal, service):
        db.migrate([(1, "CREATE TABLE tickets (id TEXT PRIMARY KEY)")])  # the same name in each
    with journal.transaction() as tx:
        tx.execute("INSERT INTO tickets VALUES ('T-1')")
    with service.reading() as rx:
        assert rx.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_exclusive_is_held_by_one_holder_at_a_time(postgres_url: str) -> None:
    db = PostgresDatabase(postgres_url, "service")
    with db.exclusive() as first:
        with db.exclusive() as second:
            assert first and not second
        with db.transaction() as tx:  # the holder does not block the part's writes
            tx.execute("SELECT 1")
    with db.exclusive() as again:
        assert again


def test_an_sqlite_file_of_an_earlier_release_keeps_its_migrations(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute(MIGRATIONS[0][1])
        old.execute("PRAGMA user_version = 1")
    db = SqliteDatabase(path)
    db.migrate(MIGRATIONS)
    assert db.schema_version() == 2


def test_pooled_connections_survive_the_server_dropping_them(postgres_url: str) -> None:
    """A PostgreSQL restart or failover ends every session: the next transaction gets a fresh
    connection instead of failing on a dead one."""
    import psycopg

    db = PostgresDatabase(postgres_url, "parts")
    db.migrate(MIGRATIONS)
    with db.transaction() as tx:
        tx.execute("INSERT INTO items (id, amount) VALUES ('a', 1)")
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert ended is not None and ended[0] >= 1
    with db.transaction() as tx:
        tx.execute("UPDATE items SET n = n + 1 WHERE id = 'a'")
    with db.reading() as rx:
        assert rx.execute("SELECT n FROM items WHERE id = 'a'").fetchone()[0] == 1
