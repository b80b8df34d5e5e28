"""The approval queue: a held operation is executed exactly once, later, from any process, even
under racing approvers; deny and expiry are final; everything lands in the ticket's record."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import ApprovalRecord
from safety.approvals import ApprovalGate, ApprovalNotFound, ApprovalQueue, ApprovalStateError
from tests.backends import Backend
from tools.context import ToolContext, idempotency_key
from tools.errors import ReadOnlyTicket, ToolError

ARGS = {"order_id": "#W2611340", "item_ids": ["6469567736", "8426249116"], "payment_method_id": "gift_card_1725971"}
KEY = idempotency_key("T-1", "return_delivered_order_items", ARGS)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class CountingExecutor:
    """Stands in for StoreClient.apply_operation: records every call, optionally slowly."""

    def __init__(self, delay: float = 0.0, fail_first: int = 0) -> None:
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.delay = delay
        self.fail_first = fail_first
        self._lock = threading.Lock()

    def __call__(self, operation: str, arguments: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append((operation, arguments, idempotency_key))
            failing = len(self.calls) <= self.fail_first
        time.sleep(self.delay)
        if failing:
            raise ToolError("upstream_timeout", "the store did not answer in time", retryable=True)
        return {"status": "done", "operation": operation, "amount": 536.65}


def _hold(queue: ApprovalQueue, **overrides: Any):
    fields = dict(
        ticket_id="T-1",
        customer_id="james_li_5688",
        operation="return_delivered_order_items",
        arguments=ARGS,
        idempotency_key=KEY,
        amount=536.65,
        reason="over $100",
    )
    return queue.hold(**{**fields, **overrides})


def test_hold_stores_exact_operation_and_approve_executes_it_once(tmp_path: Path, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    held = _hold(queue)
    assert held.status == "pending" and queue.list("pending") == [held]
    executor = CountingExecutor()

    first = queue.approve(held.id, approver="alice", executor=executor)
    second = queue.approve(held.id, approver="bob", executor=executor)

    assert first.status == "executed" and first.record.result == {
        "status": "done",
        "operation": "return_delivered_order_items",
        "amount": 536.65,
    }
    assert second.status == "already_executed" and second.ok
    assert executor.calls == [("return_delivered_order_items", ARGS, KEY)]
    assert queue.get(held.id).decided_by == "alice"
    assert [e.event for e in queue.ticket_record("T-1")] == ["held", "approved", "executed"]


def test_racing_threads_execute_once(tmp_path: Path, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    held = _hold(queue)
    executor = CountingExecutor(delay=0.2)
    start = threading.Barrier(8)
    outcomes = []

    def approver(n: int) -> None:
        own_queue = ApprovalQueue(backend.database("approvals"))  # each approver has its own connection
        start.wait()
        outcomes.append(own_queue.approve(held.id, approver=f"approver-{n}", executor=executor).status)

    threads = [threading.Thread(target=approver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(executor.calls) == 1
    assert outcomes.count("executed") == 1
    assert set(outcomes) <= {"executed", "in_progress", "already_executed"}
    assert queue.get(held.id).status == "executed"


_APPROVER_SCRIPT = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    from safety.approvals import ApprovalQueue
    from storage.database import open_database

    data_dir, database_url, approval_id, calls_file, go_file, name = sys.argv[1:7]

    def executor(operation, arguments, idempotency_key):
        with open(calls_file, "a") as f:
            f.write(json.dumps([operation, arguments, idempotency_key, name]) + "\\n")
        time.sleep(0.3)
        return {"status": "done", "operation": operation, "amount": 536.65}

    queue = ApprovalQueue(open_database("approvals", data_dir=Path(data_dir), url=database_url or None))
    while not os.path.exists(go_file):
        time.sleep(0.005)
    print(queue.approve(approval_id, approver=name, executor=executor).status)
""")


def test_two_processes_racing_after_a_restart_execute_once(tmp_path: Path, backend: Backend):
    # The hold is made by a process that then ends: the approval happens after a "restart".
    subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        from pathlib import Path
        from safety.approvals import ApprovalQueue
        from storage.database import open_database
        queue = ApprovalQueue(open_database("approvals", data_dir=Path({str(backend.data_dir)!r}), url={backend.url!r}))
        print(queue.hold(ticket_id="T-1", customer_id="james_li_5688", operation="return_delivered_order_items",
                         arguments={ARGS!r}, idempotency_key={KEY!r}, amount=536.65, reason="over $100").id)
    """),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    [held] = ApprovalQueue(backend.database("approvals")).list("pending")
    calls, go = tmp_path / "calls.jsonl", tmp_path / "go"
    approvers = [
        subprocess.Popen(
            [sys.executable, "-c", _APPROVER_SCRIPT, *backend.argv, held.id, str(calls), str(go), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alice", "bob")
    ]
    time.sleep(0.3)  # both are waiting for the start signal
    go.touch()
    results = [p.communicate(timeout=60) for p in approvers]

    assert all(p.returncode == 0 for p in approvers), [err for _, err in results]
    statuses = sorted(out.strip() for out, _ in results)
    assert statuses in (["executed", "in_progress"], ["already_executed", "executed"])
    lines = calls.read_text().splitlines()
    assert len(lines) == 1
    import json

    operation, arguments, key, _ = json.loads(lines[0])
    assert (operation, arguments, key) == ("return_delivered_order_items", ARGS, KEY)  # exactly what was held


def test_deny_records_who_and_why_and_blocks_execution(tmp_path: Path, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    held = _hold(queue)
    denied = queue.deny(held.id, approver="carol", reason="customer already refunded by phone")
    executor = CountingExecutor()

    outcome = queue.approve(held.id, approver="dave", executor=executor)

    assert (denied.status, denied.decided_by, denied.decision_reason) == (
        "denied",
        "carol",
        "customer already refunded by phone",
    )
    assert outcome.status == "denied" and not outcome.ok and executor.calls == []
    record = queue.ticket_record("T-1")
    assert [(e.event, e.actor) for e in record] == [("held", "gate"), ("denied", "carol")]
    assert record[-1].detail["reason"] == "customer already refunded by phone"
    with pytest.raises(ApprovalStateError, match="denied by carol"):
        queue.deny(held.id, approver="erin", reason="again")


def test_expired_request_can_no_longer_be_executed(tmp_path: Path, backend: Backend):
    clock = Clock()
    queue = ApprovalQueue(backend.database("approvals"), expiry=timedelta(hours=72), clock=clock)
    held = _hold(queue)
    clock.now += timedelta(hours=71, minutes=59)
    assert queue.get(held.id).status == "pending"
    clock.now += timedelta(minutes=1)
    executor = CountingExecutor()

    outcome = queue.approve(held.id, approver="alice", executor=executor)

    assert outcome.status == "expired" and executor.calls == []
    assert queue.list("expired")[0].id == held.id
    assert [e.event for e in queue.ticket_record("T-1")] == ["held", "expired"]
    with pytest.raises(ApprovalStateError):
        queue.deny(held.id, approver="alice", reason="too late")


def test_failed_execution_is_recorded_and_a_retry_executes_with_the_same_key(tmp_path: Path, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    held = _hold(queue)
    executor = CountingExecutor(fail_first=1)

    failed = queue.approve(held.id, approver="alice", executor=executor)
    retried = queue.approve(held.id, approver="alice", executor=executor)

    assert failed.status == "failed" and "did not answer" in failed.message
    assert retried.status == "executed"
    assert [key for _, _, key in executor.calls] == [KEY, KEY]
    assert [e.event for e in queue.ticket_record("T-1")] == ["held", "approved", "failed", "retried", "executed"]


def test_an_abandoned_execution_can_be_taken_over_after_the_stale_delay(tmp_path: Path, backend: Backend):
    clock = Clock()
    queue = ApprovalQueue(backend.database("approvals"), stale_execution=timedelta(minutes=10), clock=clock)
    held = _hold(queue)

    def crash(*_: Any, **__: Any) -> dict[str, Any]:
        raise KeyboardInterrupt  # the approver's process dies mid-execution

    with pytest.raises(KeyboardInterrupt):
        queue.approve(held.id, approver="alice", executor=crash)
    executor = CountingExecutor()
    assert queue.approve(held.id, approver="bob", executor=executor).status == "in_progress"
    clock.now += timedelta(minutes=10)
    assert queue.approve(held.id, approver="bob", executor=executor).status == "executed"
    assert executor.calls == [("return_delivered_order_items", ARGS, KEY)]


def test_holding_the_same_key_again_returns_the_existing_request(tmp_path: Path, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    first = _hold(queue)
    again = _hold(queue, reason="retried tool call")
    other = _hold(queue, idempotency_key="another-key")
    assert again.id == first.id and other.id != first.id
    assert len(queue.list()) == 2


def test_unknown_id(tmp_path: Path, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    with pytest.raises(ApprovalNotFound, match="approvals list"):
        queue.approve("apr-nope", approver="alice", executor=CountingExecutor())


# --- the gate ---------------------------------------------------------------------------------------
def _review(gate: ApprovalGate, ctx: ToolContext, amount: float, **kwargs: Any) -> ApprovalRecord | None:
    key = idempotency_key(ctx.ticket_id, "return_delivered_order_items", {**ARGS, "n": amount})
    return gate.review(
        ctx=ctx,
        operation="return_delivered_order_items",
        arguments=ARGS,
        amount=amount,
        idempotency_key=kwargs.get("key", key),
    )


def test_gate_allows_flags_and_holds_by_amount(tmp_path: Path, policy, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    events: list[dict[str, Any]] = []
    ctx = ToolContext(ticket_id="T-9", customer_id="james_li_5688", trace=events.append)
    gate = ApprovalGate(policy, queue, ticket_id="T-9")

    assert _review(gate, ctx, 49.99) is None and ctx.flags == []
    assert _review(gate, ctx, 75.0) is None
    assert ctx.flags == ["return_delivered_order_items of $75.00 flagged for review"]
    held = _review(gate, ctx, 536.65)

    assert isinstance(held, ApprovalRecord) and held.amount == 536.65 and held.arguments == ARGS
    stored = queue.get(held.id)
    assert (stored.ticket_id, stored.customer_id, stored.status) == ("T-9", "james_li_5688", "pending")
    assert stored.expires_at - stored.created_at == timedelta(hours=policy.approvals.expiry_hours)
    assert [e.event for e in queue.ticket_record("T-9")] == ["flagged", "held"]
    assert [e["decision"] for e in events if e["event"] == "approval_gate"] == ["allow", "allow_and_flag", "hold"]


def test_gate_refuses_read_only_tickets_and_denied_requests(tmp_path: Path, policy, backend: Backend):
    queue = ApprovalQueue(backend.database("approvals"))
    gate = ApprovalGate(policy, queue)
    with pytest.raises(ReadOnlyTicket):
        _review(gate, ToolContext(ticket_id="T-2", customer_id="c", read_only=True), 10)
    ctx = ToolContext(ticket_id="T-3", customer_id="c")
    held = _review(gate, ctx, 200, key="k-3")
    queue.deny(held.id, approver="carol", reason="suspicious")
    with pytest.raises(ToolError) as refused:
        _review(gate, ctx, 200, key="k-3")
    assert refused.value.code == "approval_denied" and "suspicious" in refused.value.message


def test_a_later_change_to_an_order_with_a_held_change_is_held_too(tmp_path: Path, policy, backend: Backend):
    """A held payment change, then an item change on the same order: applying the second now would
    lock the order ('pending (item modified)') and make the approved first one fail later."""
    queue = ApprovalQueue(backend.database("approvals"))
    ctx = ToolContext(ticket_id="T-chain", customer_id="c")
    gate = ApprovalGate(policy, queue, ticket_id="T-chain")
    first = gate.review(
        ctx=ctx,
        operation="modify_pending_order_payment",
        arguments={"order_id": "#W1", "payment_method_id": "paypal_1"},
        amount=300.0,
        idempotency_key="k-1",
    )
    assert first is not None
    ctx.approvals.append(first)  # as the write tool does
    small = {"order_id": "#W1", "item_ids": ["1"], "new_item_ids": ["2"], "payment_method_id": "paypal_1"}
    second = gate.review(
        ctx=ctx, operation="modify_pending_order_items", arguments=small, amount=3.0, idempotency_key="k-2"
    )
    assert second is not None and first.id in second.reason
    other_order = gate.review(
        ctx=ctx,
        operation="modify_pending_order_items",
        arguments={**small, "order_id": "#W2"},
        amount=3.0,
        idempotency_key="k-3",
    )
    assert other_order is None  # another order is not held back
    assert [r.id for r in queue.list(status="pending")] == [first.id, second.id]  # approved in this order


def test_a_gift_card_payment_waits_for_any_held_operation_of_the_ticket(tmp_path: Path, policy, backend: Backend):
    """A held cancellation may be what credits the gift card a later change pays with."""
    queue = ApprovalQueue(backend.database("approvals"))
    ctx = ToolContext(ticket_id="T-gc", customer_id="c")
    gate = ApprovalGate(policy, queue, ticket_id="T-gc")
    held = gate.review(
        ctx=ctx,
        operation="cancel_pending_order",
        arguments={"order_id": "#W1", "reason": "no longer needed"},
        amount=700.0,
        idempotency_key="k-1",
    )
    ctx.approvals.append(held)
    by_card = {"order_id": "#W2", "item_ids": ["1"], "new_item_ids": ["2"], "payment_method_id": "credit_card_1"}
    assert (
        gate.review(
            ctx=ctx, operation="modify_pending_order_items", arguments=by_card, amount=5.0, idempotency_key="k-2"
        )
        is None
    )
    by_gift_card = {**by_card, "payment_method_id": "gift_card_1"}
    waiting = gate.review(
        ctx=ctx, operation="modify_pending_order_items", arguments=by_gift_card, amount=5.0, idempotency_key="k-3"
    )
    assert waiting is not None and held.id in waiting.reason
