"""Idempotency keys: the same key and request answer the first answer and change nothing more;
the same key with another request is refused (409); racing duplicates apply once."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox_store.server import SandboxServer
from tools.client import StoreClient
from tools.errors import ToolError

CANCEL = {"order_id": "#W9728773", "reason": "no longer needed"}


def applied(server: SandboxServer, key: str) -> int:
    with sqlite3.connect(server.db_path) as conn:
        return conn.execute("SELECT count(*) FROM operation_log WHERE idempotency_key = ?", (key,)).fetchone()[0]


def test_same_key_same_request_returns_the_first_answer(store, client) -> None:
    first = client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-same")
    again = client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-same")
    assert again == first
    assert applied(store, "k-same") == 1
    # Without the key, the repeat is a new request, and the order is no longer pending.
    with pytest.raises(ToolError, match="cancelled"):
        client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-other")


def test_same_key_different_request_is_refused(store, client) -> None:
    client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-reuse")
    with pytest.raises(ToolError) as caught:
        client.apply_operation(
            "cancel_pending_order", {**CANCEL, "reason": "ordered by mistake"}, idempotency_key="k-reuse"
        )
    assert caught.value.code == "idempotency_key_reused" and not caught.value.retryable
    assert client.orders.get("#W9728773")["cancel_reason"] == "no longer needed"


def test_a_refusal_is_remembered_under_its_key(store, client) -> None:
    args = {"order_id": "#W2611340", "reason": "no longer needed"}  # processed: refused
    answers = []
    for _ in range(2):
        with pytest.raises(ToolError) as caught:
            client.apply_operation("cancel_pending_order", args, idempotency_key="k-refused")
        answers.append((caught.value.code, caught.value.message))
    assert answers[0] == answers[1] and answers[0][0] == "order_not_pending"
    assert applied(store, "k-refused") == 0


def test_dry_run_changes_nothing_and_leaves_the_key_unused(store, client) -> None:
    preview = client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-dry", dry_run=True)
    assert preview["status"] == "valid" and preview["order"]["status"] == "cancelled"
    assert client.orders.get("#W9728773")["status"] == "pending"
    done = client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-dry")
    assert done["status"] == "done"


def test_dry_run_of_an_applied_key_answers_what_it_answered(store, client) -> None:
    """A write that applied and lost its answer is retried by the agent: the check before the
    approval gate must see the first answer, not refuse it on the order's new status."""
    first = client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-lost")
    preview = client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-lost", dry_run=True)
    assert preview == first and preview["status"] == "done"
    assert applied(store, "k-lost") == 1


def test_racing_duplicates_apply_once(store, client) -> None:
    def send(_: int) -> dict:
        return client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-race")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(16)))
    assert all(a == answers[0] for a in answers) and answers[0]["status"] == "done"
    assert applied(store, "k-race") == 1
    order = client.orders.get("#W9728773")
    assert [p["transaction_type"] for p in order["payment_history"]] == ["payment", "refund"]


def test_two_servers_over_one_file_share_keys(store, client) -> None:
    with SandboxServer(store.db_path) as second, StoreClient(second.base_url, timeout_s=10) as other:
        first = client.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-two")
        assert other.apply_operation("cancel_pending_order", CANCEL, idempotency_key="k-two") == first
    assert applied(store, "k-two") == 1
