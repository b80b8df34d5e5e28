"""Applying one store operation as one SQLite transaction, with its idempotency key.

The key is looked up and recorded inside the same BEGIN IMMEDIATE transaction that applies the
operation, so two requests with one key (two threads, two processes, a retry racing the original)
cannot both apply it: the second waits for the write lock, then finds the first answer.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sqlite3
from typing import Any

from sandbox_store import records, shipping
from sandbox_store.errors import NotFound, StoreError
from sandbox_store.operations import OPERATIONS, Effect

Answer = tuple[int, dict[str, Any]]

_RETURN_STATUSES = ("return requested", "exchange requested")


def fingerprint(operation: str, arguments: dict[str, Any]) -> str:
    canonical = json.dumps({"operation": operation, "arguments": arguments}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def execute_write(
    conn: sqlite3.Connection,
    *,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None = None,
    dry_run: bool = False,
) -> Answer:
    """Apply `operation` and return (HTTP status, body). A refused precondition answers 4xx and
    changes nothing; with a key, that answer is remembered too, like a success. `dry_run` checks
    the preconditions and previews the effect without changing anything or storing the key; a
    dry run with a key already used for the same request answers what that request answered (the
    write may have applied and lost its answer: its retry must not be judged on the new state)."""
    if operation not in OPERATIONS:
        raise NotFound(
            "unknown_operation", f"Unknown operation '{operation}'; the store operations are: {', '.join(OPERATIONS)}."
        )
    conn.execute("BEGIN" if dry_run else "BEGIN IMMEDIATE")
    try:
        answer = _execute_in_transaction(conn, operation, arguments, idempotency_key, dry_run)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("ROLLBACK" if dry_run else "COMMIT")
    return answer


def _execute_in_transaction(
    conn: sqlite3.Connection, operation: str, arguments: dict[str, Any], key: str | None, dry_run: bool
) -> Answer:
    use_key = key is not None and not dry_run
    request_print = fingerprint(operation, arguments)
    if key is not None:
        prior = records.find_idempotent_answer(conn, key=key)
        if prior is not None:
            prior_print, status, body = prior
            if prior_print != request_print:
                raise StoreError(
                    "idempotency_key_reused",
                    f"Idempotency key '{key}' was already used for a different request. A retry must "
                    "repeat the first request exactly; a new request needs a new key.",
                    status=409,
                )
            return status, body
    try:
        effect = _apply(conn, operation, arguments)
    except StoreError as error:
        if not use_key:
            raise
        answer: Answer = (error.status, error.to_body())
    else:
        if dry_run:
            return 200, _body("valid", operation, arguments, effect)
        _persist(conn, operation, arguments, effect, key)
        answer = (200, _body("done", operation, arguments, effect))
    if use_key and key is not None:  # use_key implies a key; the check narrows it for the type checker
        records.put_idempotent_answer(
            conn, key=key, fingerprint=request_print, status_code=answer[0], response=answer[1]
        )
    return answer


def _apply(conn: sqlite3.Connection, operation: str, arguments: dict[str, Any]) -> Effect:
    function = OPERATIONS[operation]
    wanted = inspect.signature(function).parameters
    kwargs = {k: v for k, v in arguments.items() if k in wanted}
    if "order" in wanted:
        order = records.get_order(conn, order_id=arguments["order_id"])
        kwargs["order"] = order
        user_id = order["user_id"]
    else:
        user_id = arguments["user_id"]
    if "user" in wanted:
        kwargs["user"] = records.get_user(conn, user_id=user_id)
    if "products" in wanted:
        kwargs["products"] = records.get_products(
            conn, product_ids=[item["product_id"] for item in kwargs["order"]["items"]]
        )
    kwargs.pop("order_id", None)
    kwargs.pop("user_id", None)
    return function(**kwargs)


def _persist(
    conn: sqlite3.Connection, operation: str, arguments: dict[str, Any], effect: Effect, key: str | None
) -> None:
    if effect.user is not None:
        user_id = effect.order["user_id"] if effect.order is not None else arguments["user_id"]
        records.put_user(conn, user_id=user_id, user=effect.user)
    if effect.order is not None:
        order = effect.order
        records.put_order(conn, order=order)
        for refund in effect.refunds:
            records.add_refund(
                conn,
                order_id=order["order_id"],
                amount=refund.amount,
                payment_method_id=refund.payment_method_id,
                operation=operation,
            )
        if order["status"] in _RETURN_STATUSES:
            items = order.get("return_items") or order.get("exchange_items") or []
            records.put_return_label(conn, label=shipping.return_label(order=order, item_ids=items))
    records.log_operation(conn, idempotency_key=key, operation=operation, arguments=arguments)


def _body(status: str, operation: str, arguments: dict[str, Any], effect: Effect) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "operation": operation, "amount": effect.amount}
    if effect.order is not None:
        body["order"] = effect.order
    else:
        body["customer"] = {"customer_id": arguments["user_id"], **(effect.user or {})}
    return body
