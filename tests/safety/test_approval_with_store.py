"""End to end with the sandbox store: a write tool over $100 is held by the gate and changes
nothing; two approver processes race on it later; the store applies the operation once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from safety.approvals import ApprovalGate, ApprovalQueue
from sandbox_store.server import SandboxServer
from tests.backends import Backend
from tools.client import StoreClient
from tools.context import ToolContext
from tools.orders import CancelPendingOrder

DATA = Path(__file__).resolve().parents[2] / "sandbox_store" / "data" / "orders.json"

_APPROVER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from safety.approvals import ApprovalQueue
    from storage.database import open_database
    from tools.client import StoreClient

    data_dir, database_url, approval_id, url, go_file, name = sys.argv[1:7]
    store = StoreClient(url, timeout_s=10)
    queue = ApprovalQueue(open_database("approvals", data_dir=Path(data_dir), url=database_url or None))
    while not os.path.exists(go_file):
        time.sleep(0.005)
    print(queue.approve(approval_id, approver=name,
                        executor=lambda op, args, key: store.apply_operation(op, args, idempotency_key=key)).status)
    store.close()
""")


def _pending_order_over(limit: float) -> tuple[str, str, float]:
    orders = json.loads(DATA.read_text())
    for order_id, order in orders.items():
        paid = sum(p["amount"] for p in order["payment_history"] if p["transaction_type"] == "payment")
        if order["status"] == "pending" and paid > limit:
            return order_id, order["user_id"], round(paid, 2)
    pytest.skip(f"no pending order over ${limit} in the sandbox data")


def test_held_cancellation_is_executed_once_by_racing_approver_processes(tmp_path: Path, policy, backend: Backend):
    order_id, customer_id, paid = _pending_order_over(100)
    queue = ApprovalQueue(backend.database("approvals"))
    with SandboxServer(tmp_path / "store.db") as server:
        store = StoreClient(server.base_url, timeout_s=10)
        try:
            ctx = ToolContext(
                ticket_id="T-E2E", customer_id=customer_id, gate=ApprovalGate(policy, queue, ticket_id="T-E2E")
            )
            tool = CancelPendingOrder(context=ctx, store=store)
            answer = json.loads(tool.run(order_id=order_id, reason="no longer needed"))

            assert answer["status"] == "pending_approval" and answer["amount"] == pytest.approx(paid)
            assert store.orders.get(order_id)["status"] == "pending"  # nothing changed yet
            [approval] = ctx.approvals

            go = tmp_path / "go"
            approvers = [
                subprocess.Popen(
                    [sys.executable, "-c", _APPROVER, *backend.argv, approval.id, server.base_url, str(go), name],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for name in ("alice", "bob")
            ]
            time.sleep(0.3)
            go.touch()
            results = [p.communicate(timeout=60) for p in approvers]
            assert all(p.returncode == 0 for p in approvers), [err for _, err in results]
            assert "executed" in [out.strip() for out, _ in results]

            order = store.orders.get(order_id)
            refunds = [p for p in order["payment_history"] if p["transaction_type"] == "refund"]
            assert order["status"] == "cancelled"
            assert sum(r["amount"] for r in refunds) == pytest.approx(paid)  # refunded once, not twice
            assert [e.event for e in queue.ticket_record("T-E2E")] == ["held", "approved", "executed"]
        finally:
            store.close()
