"""The store's SQLite file: schema (numbered migrations recorded in a table), seeding from the data
files, fresh copies from a cached template, and export in the data's exact shape.

Users, orders and products are kept as JSON documents (text exactly as `json.dumps` wrote it, with
the position they had in the data file), so an export rebuilds the files' shape key for key.
Everything else (idempotency keys, refunds ledger, return labels, operation log) lives in side
tables and never touches those documents.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILES = ("users.json", "orders.json", "products.json")

# Append only: a migration, once shipped, is never edited (its number is recorded in each store).
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE users (
            user_id TEXT PRIMARY KEY, pos INTEGER NOT NULL, email TEXT NOT NULL,
            first_name TEXT NOT NULL, last_name TEXT NOT NULL, zip TEXT NOT NULL, doc TEXT NOT NULL);
        CREATE INDEX users_email ON users (email);
        CREATE INDEX users_name_zip ON users (last_name, first_name, zip);
        CREATE TABLE orders (
            order_id TEXT PRIMARY KEY, pos INTEGER NOT NULL, user_id TEXT NOT NULL, doc TEXT NOT NULL);
        CREATE INDEX orders_user ON orders (user_id);
        CREATE TABLE products (product_id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL);
        CREATE TABLE tracking (tracking_id TEXT PRIMARY KEY, order_id TEXT NOT NULL);
    """,
    ),
    (
        2,
        """
        CREATE TABLE idempotency (
            key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status_code INTEGER NOT NULL,
            response TEXT NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE operation_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT, operation TEXT NOT NULL,
            arguments TEXT NOT NULL, at TEXT NOT NULL);
        CREATE TABLE refunds (
            id INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, amount REAL NOT NULL,
            payment_method_id TEXT NOT NULL, operation TEXT NOT NULL, at TEXT NOT NULL);
        CREATE INDEX refunds_order ON refunds (order_id);
        CREATE TABLE return_labels (
            order_id TEXT PRIMARY KEY, rma TEXT NOT NULL, carrier TEXT NOT NULL,
            label_url TEXT NOT NULL, items TEXT NOT NULL, created_at TEXT NOT NULL);
    """,
    ),
    # Which records differ (or may differ) from the seed, kept by triggers, so a reset or a diff
    # against the seed touches only those. A store migrated from an older schema marks every record.
    (
        3,
        """
        CREATE TABLE changed_records (tbl TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tbl, key));
        INSERT INTO changed_records SELECT 'users', user_id FROM users;
        INSERT INTO changed_records SELECT 'orders', order_id FROM orders;
        INSERT INTO changed_records SELECT 'products', product_id FROM products;
        INSERT INTO changed_records SELECT 'tracking', tracking_id FROM tracking;
    """
        + "".join(
            f"""
        CREATE TRIGGER {table}_inserted AFTER INSERT ON {table} BEGIN
            INSERT OR IGNORE INTO changed_records VALUES ('{table}', NEW.{key}); END;
        CREATE TRIGGER {table}_updated AFTER UPDATE ON {table} BEGIN
            INSERT OR IGNORE INTO changed_records VALUES ('{table}', OLD.{key});
            INSERT OR IGNORE INTO changed_records VALUES ('{table}', NEW.{key}); END;
        CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} BEGIN
            INSERT OR IGNORE INTO changed_records VALUES ('{table}', OLD.{key}); END;
        """
            for table, key in (
                ("users", "user_id"),
                ("orders", "order_id"),
                ("products", "product_id"),
                ("tracking", "tracking_id"),
            )
        ),
    ),
]

# Seeded tables (tracked by changed_records) and their keys; every other table starts empty.
SEEDED_TABLES = {"users": "user_id", "orders": "order_id", "products": "product_id", "tracking": "tracking_id"}

_template_lock = threading.Lock()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def connect(db_path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode: callers open transactions explicitly (BEGIN IMMEDIATE for
    writes), so several threads and processes can share one file safely."""
    conn = sqlite3.connect(db_path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    for version, sql in MIGRATIONS:
        if version in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now_iso()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a script into statements; a trigger body's semicolons do not end its statement."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"Incomplete SQL statement in a migration: {buffer.strip()[:80]}")
    return statements


def seed(conn: sqlite3.Connection, data_dir: Path = DATA_DIR) -> None:
    """Load the three data files into an empty, migrated store."""
    users, orders, products = (_read_json(data_dir / name) for name in DATA_FILES)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    uid,
                    pos,
                    u["email"].lower(),
                    u["name"]["first_name"].lower(),
                    u["name"]["last_name"].lower(),
                    u["address"]["zip"],
                    json.dumps(u),
                )
                for pos, (uid, u) in enumerate(users.items())
            ],
        )
        conn.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)",
            [(oid, pos, o["user_id"], json.dumps(o)) for pos, (oid, o) in enumerate(orders.items())],
        )
        conn.executemany(
            "INSERT INTO products VALUES (?, ?, ?)",
            [(pid, pos, json.dumps(p)) for pos, (pid, p) in enumerate(products.items())],
        )
        conn.executemany(
            "INSERT INTO tracking VALUES (?, ?)",
            [(tid, oid) for oid, o in orders.items() for f in o["fulfillments"] for tid in f["tracking_id"]],
        )
        conn.execute("DELETE FROM changed_records")  # the seed itself is the reference
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise FileNotFoundError(
            f"Store data file {path} is missing: the sandbox store is seeded from "
            f"{', '.join(DATA_FILES)} in {path.parent}."
        ) from e


# --- fresh stores -------------------------------------------------------------------------------


def template_path(data_dir: Path = DATA_DIR) -> Path:
    """Where the seeded template for these data files and this schema is cached (the folder given to
    `set_template_dir`, else a temp folder), keyed by a hash of both, so a change of either builds a
    new one."""
    stats = tuple((name, (data_dir / name).stat().st_mtime_ns, (data_dir / name).stat().st_size) for name in DATA_FILES)
    folder = _template_dir or Path(tempfile.gettempdir()) / "support-crew-store"
    return folder / f"template-{_template_digest(Path(data_dir).resolve(), stats)}.sqlite"


_template_dir: Path | None = None


def set_template_dir(folder: Path) -> None:
    """Where this process caches seeded templates; the program keeps it inside its data directory."""
    global _template_dir
    _template_dir = Path(folder).resolve()


@functools.lru_cache(maxsize=8)
def _template_digest(data_dir: Path, stats: tuple[Any, ...]) -> str:
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update((data_dir / name).read_bytes())
    for version, sql in MIGRATIONS:
        digest.update(f"{version}:{sql}".encode())
    return digest.hexdigest()[:16]


def ensure_template(data_dir: Path = DATA_DIR) -> Path:
    """Build the seeded template once per data version; concurrent builders each write a private
    file and atomically rename it, so a reader never sees a half-built template."""
    target = template_path(data_dir)
    if target.exists():
        return target
    with _template_lock:
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".building")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            conn = connect(tmp)
            try:
                conn.execute("PRAGMA journal_mode = WAL")  # persists in the file and its copies
                migrate(conn)
                seed(conn, data_dir)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            _remove_sidecars(tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return target


def create_fresh_store(path: Path, *, data_dir: Path = DATA_DIR) -> Path:
    """Create (or overwrite) `path` as a freshly seeded store by copying the cached template."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    template = ensure_template(data_dir)
    path.unlink(missing_ok=True)
    _remove_sidecars(path)
    shutil.copyfile(template, path)
    return path


def reset_store(path: Path, *, data_dir: Path = DATA_DIR) -> None:
    """Bring an existing store, possibly open in a running server, back to its fresh content, in
    one transaction: the seeded records that changed are copied back from the template and every
    other table is made equal to the template's (empty) one. Costs milliseconds, not a reseed."""
    template = ensure_template(data_dir)
    conn = connect(Path(path))
    try:
        conn.execute("ATTACH DATABASE ? AS fresh", (str(template),))
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _restore_from_fresh(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.execute("DETACH DATABASE fresh")
    finally:
        conn.close()


def _restore_from_fresh(conn: sqlite3.Connection) -> None:
    for table, key in conn.execute("SELECT tbl, key FROM changed_records").fetchall():
        column = SEEDED_TABLES[table]
        conn.execute(f"DELETE FROM main.{table} WHERE {column} = ?", (key,))
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM fresh.{table} WHERE {column} = ?", (key,))
    others = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM fresh.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if row[0] not in SEEDED_TABLES and row[0] != "changed_records"
    ]
    for table in others:  # side tables (empty when fresh) and schema_migrations
        conn.execute(f"DELETE FROM main.{table}")
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM fresh.{table}")
    if conn.execute("SELECT 1 FROM fresh.sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        conn.execute("DELETE FROM main.sqlite_sequence")
        conn.execute("INSERT INTO main.sqlite_sequence SELECT * FROM fresh.sqlite_sequence")
    conn.execute("DELETE FROM changed_records")


def open_store(path: Path, *, data_dir: Path = DATA_DIR) -> Path:
    """Seed on first use; bring an existing store up to the latest schema."""
    path = Path(path)
    if not path.exists():
        return create_fresh_store(path, data_dir=data_dir)
    conn = connect(path)
    try:
        migrate(conn)
    finally:
        conn.close()
    return path


def _remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- export -------------------------------------------------------------------------------------


def export_store_json(db_path: Path | sqlite3.Connection) -> str:
    """The store as JSON text `{"users", "orders", "products"}`, records in data-file order. Built
    from the stored document texts without re-parsing them."""
    conn = db_path if isinstance(db_path, sqlite3.Connection) else connect(Path(db_path))
    try:
        conn.execute("BEGIN")  # one consistent snapshot of the three tables
        parts = []
        for table, key in (("users", "user_id"), ("orders", "order_id"), ("products", "product_id")):
            rows = conn.execute(f"SELECT {key}, doc FROM {table} ORDER BY pos").fetchall()
            body = ", ".join(f"{json.dumps(k)}: {doc}" for k, doc in rows)
            parts.append(f'"{table}": {{{body}}}')
        conn.execute("COMMIT")
    finally:
        if conn is not db_path:
            conn.close()
    return "{" + ", ".join(parts) + "}"


def export_store(db_path: Path) -> dict[str, Any]:
    """The store as `{"users": ..., "orders": ..., "products": ...}` in the data files' shape."""
    return json.loads(export_store_json(db_path))


def export_store_changes(db_path: Path | sqlite3.Connection, *, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """Only the records that differ from a fresh store: `{"users", "orders", "products"}`, each
    `{id: record}` (None for a record that no longer exists). A quick way to see, and to check,
    what a run changed; the full store is the fresh data with these records replaced."""
    template = ensure_template(data_dir)
    conn = db_path if isinstance(db_path, sqlite3.Connection) else connect(Path(db_path))
    changes: dict[str, Any] = {"users": {}, "orders": {}, "products": {}}
    try:
        conn.execute("ATTACH DATABASE ? AS fresh", (str(template),))
        try:
            conn.execute("BEGIN")  # one snapshot for the three tables
            for table in changes:
                key = SEEDED_TABLES[table]
                rows = conn.execute(
                    f"SELECT c.key, m.doc FROM changed_records c "
                    f"LEFT JOIN main.{table} m ON m.{key} = c.key "
                    f"LEFT JOIN fresh.{table} f ON f.{key} = c.key "
                    f"WHERE c.tbl = ? AND m.doc IS NOT f.doc ORDER BY coalesce(m.pos, f.pos)",
                    (table,),
                ).fetchall()
                changes[table] = {k: None if doc is None else json.loads(doc) for k, doc in rows}
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")  # read-only: nothing to undo
            conn.execute("DETACH DATABASE fresh")
    finally:
        if conn is not db_path:
            conn.close()
    return changes
