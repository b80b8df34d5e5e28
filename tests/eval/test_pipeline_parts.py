"""The parts of one case's pipeline that touch the real store and the real approval queue:
approving a run's held operations as a person would, and the expected store by replay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.models import EvalCase
from evaluation.pipeline import ExpectedStores, approve_all
from evaluation.scoring import diff_stores, wrong_writes
from safety.approvals import ApprovalQueue
from tools.errors import ToolError


class RecordingStore:
    """Stands for StoreClient.apply_operation; refuses the operations named in `refuse`."""

    def __init__(self, refuse: set[str] = frozenset()) -> None:
        self.refuse = refuse
        self.calls: list[tuple[str, dict[str, Any], str]] = []

    def apply_operation(self, name: str, kwargs: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        self.calls.append((name, kwargs, idempotency_key))
        if name in self.refuse:
            raise ToolError("order_not_pending", "The order is no longer pending.")
        return {"status": "done", "operation": name}


def hold(queue: ApprovalQueue, ticket_id: str, operation: str, key: str) -> str:
    return queue.hold(
        ticket_id=ticket_id,
        customer_id="u1",
        operation=operation,
        arguments={"order_id": "#W1", "reason": "no longer needed"},
        idempotency_key=key,
        amount=120.0,
        reason="over $100",
    ).id


def test_approve_all_executes_each_held_operation_of_the_ticket_once(tmp_path: Path) -> None:
    queue = ApprovalQueue(tmp_path / "approvals.db")
    first = hold(queue, "T-1", "cancel_pending_order", "k1")
    hold(queue, "T-2", "cancel_pending_order", "k2")  # another ticket's request stays pending
    store = RecordingStore()

    approved, errors = approve_all(queue, store, "T-1")

    assert (approved, errors) == (1, {})
    assert store.calls == [("cancel_pending_order", {"order_id": "#W1", "reason": "no longer needed"}, "k1")]
    assert queue.get(first).status == "executed" and queue.get(first).decided_by == "eval"
    assert [held.ticket_id for held in queue.list(status="pending")] == ["T-2"]
    assert approve_all(queue, store, "T-1") == (0, {})  # nothing left to approve: no second execution


def test_approve_all_reports_an_operation_the_store_refuses(tmp_path: Path) -> None:
    queue = ApprovalQueue(tmp_path / "approvals.db")
    held = hold(queue, "T-1", "modify_pending_order_items", "k1")
    approved, errors = approve_all(queue, RecordingStore(refuse={"modify_pending_order_items"}), "T-1")
    assert approved == 0
    assert list(errors) == [held]
    assert errors[held].startswith(
        "modify_pending_order_items failed: the store refused or failed: The order is no longer pending."
    )


@pytest.fixture(scope="module")
def expected_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExpectedStores]:
    stores = ExpectedStores(tmp_path_factory.mktemp("expected"))
    yield stores
    stores.close()


def first_case(path: Path, wanted: str) -> EvalCase:
    for line in path.read_text(encoding="utf-8").splitlines():
        case = EvalCase.model_validate_json(line)
        if wanted in case.tags:
            return case
    raise AssertionError(f"no case tagged {wanted!r} in {path}")


DEV = Path(__file__).resolve().parents[3] / "shared" / "tickets" / "dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason=f"{DEV} not found (shared/ sits beside the repository)")
def test_expected_store_is_the_replay_of_the_expected_actions(expected_stores: ExpectedStores) -> None:
    case = first_case(DEV, "cancel")
    (action,) = [a for a in case.expected.actions if a.name == "cancel_pending_order"][:1]
    fresh, no_errors = expected_stores.compute(
        case.model_copy(update={"expected": case.expected.model_copy(update={"actions": []})})
    )
    expected, errors = expected_stores.compute(case)

    assert no_errors == [] and errors == []
    order_id = action.kwargs["order_id"]
    assert fresh["orders"][order_id]["status"] == "pending"
    assert expected["orders"][order_id]["status"] == "cancelled"
    assert expected["orders"][order_id]["cancel_reason"] == action.kwargs["reason"]
    assert any(
        reason.startswith(f"order {order_id}: status 'pending' != expected 'cancelled'")
        for reason in diff_stores(fresh, expected)
    )
    # a second compute starts again from a fresh store: the same case gives the same store
    assert json.dumps(expected_stores.compute(case)[0], sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_expected_action_that_fails_on_a_fresh_store_is_a_reason(expected_stores: ExpectedStores) -> None:
    case = EvalCase.model_validate(
        {
            "id": "BAD-1",
            "body": "cancel",
            "expected": {
                "outcome": "resolved",
                "actions": [
                    {"name": "cancel_pending_order", "kwargs": {"order_id": "#W0000000", "reason": "no longer needed"}}
                ],
            },
        }
    )
    _, errors = expected_stores.compute(case)
    assert len(errors) == 1
    assert errors[0].startswith("expected action 1 (cancel_pending_order) fails on a fresh store: ")
    assert errors[0].endswith("; fix the case")


@pytest.mark.skipif(not DEV.exists(), reason=f"{DEV} not found (shared/ sits beside the repository)")
def test_the_initial_store_is_the_fresh_store_even_after_a_replay(tmp_path: Path) -> None:
    from sandbox_store.db import create_fresh_store, export_store

    case = first_case(DEV, "cancel")
    stores = ExpectedStores(tmp_path / "expected")
    try:
        expected, errors = stores.compute(case)  # leaves the replay server holding this case's writes
        initial = stores.fresh()
        assert errors == [] and stores.fresh() is initial  # exported once
    finally:
        stores.close()
    assert initial == export_store(create_fresh_store(tmp_path / "fresh.db"))
    assert diff_stores(initial, expected) != []  # the replayed case did change the store
    assert wrong_writes(initial, expected, expected) == []
    assert wrong_writes(initial, expected, initial) == []  # a run that did nothing only misses
