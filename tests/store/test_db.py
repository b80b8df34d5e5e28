"""The SQLite store: seeding, fresh copies, reset, export in the data's exact shape."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from sandbox_store.db import (
    DATA_DIR,
    MIGRATIONS,
    connect,
    create_fresh_store,
    export_store,
    export_store_changes,
    export_store_json,
    open_store,
    reset_store,
)
from sandbox_store.writes import execute_write


def test_fresh_store_exports_exactly_the_data_files(tmp_path: Path) -> None:
    path = create_fresh_store(tmp_path / "s.sqlite")
    exported = json.loads(export_store_json(path))
    for name in ("users", "orders", "products"):
        raw = json.loads((DATA_DIR / f"{name}.json").read_text())
        assert exported[name] == raw
        assert list(exported[name]) == list(raw)  # same record order
        assert json.dumps(exported[name]) == json.dumps(raw)  # same keys, key order and numbers


def test_migrations_are_recorded(tmp_path: Path) -> None:
    conn = connect(create_fresh_store(tmp_path / "s.sqlite"))
    versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [v for v, _ in MIGRATIONS]


def test_open_store_seeds_on_first_use_and_keeps_an_existing_store(tmp_path: Path) -> None:
    path = open_store(tmp_path / "new" / "s.sqlite")
    conn = connect(path)
    execute_write(
        conn, operation="cancel_pending_order", arguments={"order_id": "#W9728773", "reason": "no longer needed"}
    )
    conn.close()
    open_store(path)
    assert export_store(path)["orders"]["#W9728773"]["status"] == "cancelled"


def test_fresh_store_is_cheap(tmp_path: Path) -> None:
    create_fresh_store(tmp_path / "warm.sqlite")  # builds or finds the template
    started = time.perf_counter()
    for i in range(20):
        create_fresh_store(tmp_path / f"s{i}.sqlite")
    per_store = (time.perf_counter() - started) / 20
    assert per_store < 0.05, f"a fresh store took {per_store * 1000:.1f} ms"


def test_reset_restores_every_table_and_changes_lists_what_differs(tmp_path: Path) -> None:
    path = create_fresh_store(tmp_path / "s.sqlite")
    conn = connect(path)
    status, _body = execute_write(
        conn,
        operation="cancel_pending_order",
        idempotency_key="k",
        arguments={"order_id": "#W9728773", "reason": "ordered by mistake"},
    )
    assert status == 200
    changes = export_store_changes(conn)
    assert set(changes["orders"]) == {"#W9728773"} and set(changes["users"]) == {"omar_silva_7446"}
    assert changes["products"] == {}
    reset_store(path)
    assert export_store_changes(conn) == {"users": {}, "orders": {}, "products": {}}
    for table in ("idempotency", "operation_log", "refunds", "return_labels"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert export_store_json(conn) == export_store_json(create_fresh_store(tmp_path / "f.sqlite"))


def test_concurrent_connections_see_one_consistent_store(tmp_path: Path) -> None:
    path = create_fresh_store(tmp_path / "s.sqlite")
    reader = sqlite3.connect(path)
    writer = connect(path)
    execute_write(
        writer,
        operation="modify_user_address",
        arguments={
            "user_id": "noah_brown_6181",
            "address1": "1 A St",
            "address2": "",
            "city": "X",
            "state": "CA",
            "country": "USA",
            "zip": "90001",
        },
    )
    doc = json.loads(reader.execute("SELECT doc FROM users WHERE user_id = 'noah_brown_6181'").fetchone()[0])
    assert doc["address"]["zip"] == "90001"
