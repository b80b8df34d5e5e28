"""Keyword-only data functions over one SQLite connection: read and write the JSON documents and
the side tables. No business rules here (those are in operations.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from sandbox_store.db import now_iso
from sandbox_store.errors import NotFound

Record = dict[str, Any]


def _doc(row: tuple[str] | None) -> Record | None:
    return None if row is None else json.loads(row[0])


# --- users --------------------------------------------------------------------------------------


def find_user(conn: sqlite3.Connection, *, user_id: str) -> Record | None:
    return _doc(conn.execute("SELECT doc FROM users WHERE user_id = ?", (user_id,)).fetchone())


def get_user(conn: sqlite3.Connection, *, user_id: str) -> Record:
    user = find_user(conn, user_id=user_id)
    if user is None:
        raise NotFound(
            "customer_not_found",
            f"No customer has the id '{user_id}'. Look the customer up by e-mail or by full name and zip code first.",
        )
    return user


def find_user_id_by_email(conn: sqlite3.Connection, *, email: str) -> str | None:
    row = conn.execute("SELECT user_id FROM users WHERE email = ?", (email.strip().lower(),)).fetchone()
    return None if row is None else row[0]


def find_user_id_by_name_zip(conn: sqlite3.Connection, *, first_name: str, last_name: str, zip: str) -> str | None:
    row = conn.execute(
        "SELECT user_id FROM users WHERE first_name = ? AND last_name = ? AND zip = ?",
        (first_name.strip().lower(), last_name.strip().lower(), zip.strip()),
    ).fetchone()
    return None if row is None else row[0]


def put_user(conn: sqlite3.Connection, *, user_id: str, user: Record) -> None:
    conn.execute(
        "UPDATE users SET doc = ?, email = ?, first_name = ?, last_name = ?, zip = ? WHERE user_id = ?",
        (
            json.dumps(user),
            user["email"].lower(),
            user["name"]["first_name"].lower(),
            user["name"]["last_name"].lower(),
            user["address"]["zip"],
            user_id,
        ),
    )


# --- orders -------------------------------------------------------------------------------------


def find_order(conn: sqlite3.Connection, *, order_id: str) -> Record | None:
    return _doc(conn.execute("SELECT doc FROM orders WHERE order_id = ?", (order_id,)).fetchone())


def get_order(conn: sqlite3.Connection, *, order_id: str) -> Record:
    order = find_order(conn, order_id=order_id)
    if order is None:
        raise NotFound(
            "order_not_found",
            f"No order has the id '{order_id}'. Order ids look like "
            "'#W1234567'; list the customer's orders to find the right one.",
        )
    return order


def list_user_orders(conn: sqlite3.Connection, *, user_id: str) -> list[Record]:
    rows = conn.execute("SELECT doc FROM orders WHERE user_id = ? ORDER BY pos", (user_id,)).fetchall()
    return [json.loads(doc) for (doc,) in rows]


def put_order(conn: sqlite3.Connection, *, order: Record) -> None:
    conn.execute("UPDATE orders SET doc = ? WHERE order_id = ?", (json.dumps(order), order["order_id"]))


# --- products -----------------------------------------------------------------------------------


def get_product(conn: sqlite3.Connection, *, product_id: str) -> Record:
    product = _doc(conn.execute("SELECT doc FROM products WHERE product_id = ?", (product_id,)).fetchone())
    if product is None:
        raise NotFound(
            "product_not_found", f"No product has the id '{product_id}'. Use list_product_types to find product ids."
        )
    return product


def get_products(conn: sqlite3.Connection, *, product_ids: Iterable[str]) -> dict[str, Record]:
    return {pid: get_product(conn, product_id=pid) for pid in set(product_ids)}


def list_products(conn: sqlite3.Connection) -> list[Record]:
    return [json.loads(doc) for (doc,) in conn.execute("SELECT doc FROM products ORDER BY pos")]


# --- side tables --------------------------------------------------------------------------------


def order_id_for_tracking(conn: sqlite3.Connection, *, tracking_id: str) -> str:
    row = conn.execute("SELECT order_id FROM tracking WHERE tracking_id = ?", (tracking_id,)).fetchone()
    if row is None:
        raise NotFound(
            "tracking_not_found",
            f"No shipment has the tracking id '{tracking_id}'. Tracking ids are listed in the order's fulfillments.",
        )
    return row[0]


def add_refund(
    conn: sqlite3.Connection, *, order_id: str, amount: float, payment_method_id: str, operation: str
) -> None:
    conn.execute(
        "INSERT INTO refunds (order_id, amount, payment_method_id, operation, at) VALUES (?, ?, ?, ?, ?)",
        (order_id, amount, payment_method_id, operation, now_iso()),
    )


def list_refunds(conn: sqlite3.Connection, *, order_id: str | None = None) -> list[Record]:
    sql = "SELECT order_id, amount, payment_method_id, operation, at FROM refunds"
    rows = conn.execute(
        sql + (" WHERE order_id = ? ORDER BY id" if order_id else " ORDER BY id"), (order_id,) if order_id else ()
    ).fetchall()
    keys = ("order_id", "amount", "payment_method_id", "operation", "at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def put_return_label(conn: sqlite3.Connection, *, label: Record) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO return_labels VALUES (?, ?, ?, ?, ?, ?)",
        (label["order_id"], label["rma"], label["carrier"], label["label_url"], json.dumps(label["items"]), now_iso()),
    )


def find_return_label(conn: sqlite3.Connection, *, order_id: str) -> Record | None:
    row = conn.execute(
        "SELECT order_id, rma, carrier, label_url, items FROM return_labels WHERE order_id = ?", (order_id,)
    ).fetchone()
    if row is None:
        return None
    return {"order_id": row[0], "rma": row[1], "carrier": row[2], "label_url": row[3], "items": json.loads(row[4])}


def log_operation(conn: sqlite3.Connection, *, idempotency_key: str | None, operation: str, arguments: Record) -> None:
    conn.execute(
        "INSERT INTO operation_log (idempotency_key, operation, arguments, at) VALUES (?, ?, ?, ?)",
        (idempotency_key, operation, json.dumps(arguments, sort_keys=True), now_iso()),
    )


def list_operation_log(conn: sqlite3.Connection) -> list[Record]:
    rows = conn.execute("SELECT idempotency_key, operation, arguments, at FROM operation_log ORDER BY id")
    return [{"idempotency_key": k, "operation": op, "arguments": json.loads(a), "at": at} for k, op, a, at in rows]


def find_idempotent_answer(conn: sqlite3.Connection, *, key: str) -> tuple[str, int, Record] | None:
    row = conn.execute("SELECT fingerprint, status_code, response FROM idempotency WHERE key = ?", (key,)).fetchone()
    return None if row is None else (row[0], row[1], json.loads(row[2]))


def put_idempotent_answer(
    conn: sqlite3.Connection, *, key: str, fingerprint: str, status_code: int, response: Record
) -> None:
    conn.execute(
        "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)",
        (key, fingerprint, status_code, json.dumps(response), now_iso()),
    )
