"""Fault injection (CONTRACTS §5): parsing SUPPORT_CREW_FAULTS, writes that take effect and lose
their answer, and concurrent keyed writes under error=0.3,timeout=0.1 applied exactly once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sandbox_store.db import create_fresh_store, export_store_changes
from sandbox_store.faults import FaultPlan
from sandbox_store.server import SandboxServer
from tests.store.oracle import expected_changes
from tools.client import StoreClient
from tools.context import idempotency_key
from tools.errors import ToolError


def test_parse_fault_plan() -> None:
    plan = FaultPlan.parse("error=0.2, timeout=0.05,latency_ms=20")
    assert (plan.error, plan.timeout, plan.latency_ms, plan.active) == (0.2, 0.05, 20.0, True)
    assert FaultPlan.parse("") == FaultPlan() and not FaultPlan().active
    assert FaultPlan.parse("seed=3,hang_ms=50,after=1").seed == 3


@pytest.mark.parametrize(
    "spec, problem",
    [
        ("eror=0.2", "cannot read 'eror=0.2'"),
        ("error", "cannot read 'error'"),
        ("error=lots", "'error' must be a number"),
        ("error=1.5", "'error' is a share between 0 and 1"),
        ("error=0.7,timeout=0.5", "must not exceed 1"),
    ],
)
def test_bad_fault_plan_says_what_is_wrong(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match="SUPPORT_CREW_FAULTS") as caught:
        FaultPlan.parse(spec)
    assert problem in str(caught.value)


def test_a_write_can_take_effect_and_lose_its_answer(tmp_path: Path) -> None:
    db = create_fresh_store(tmp_path / "s.sqlite")
    args = {"order_id": "#W9728773", "reason": "no longer needed"}
    with (
        SandboxServer(db, "error=1,after=1") as faulty,
        StoreClient(faulty.base_url, timeout_s=5, retries=2, backoff_s=0.001) as client,
    ):
        with pytest.raises(ToolError) as caught:
            client.apply_operation("cancel_pending_order", args, idempotency_key="lost-answer")
        assert caught.value.retryable and caught.value.code == "store_unavailable"
        assert faulty.fault_stats.counts["error_after"] == 3
    # The change was made once, although all three answers were lost ...
    assert export_store_changes(db)["orders"]["#W9728773"]["status"] == "cancelled"
    with SandboxServer(db) as healthy, StoreClient(healthy.base_url, timeout_s=5) as client:
        # ... and a retry with the same key gets the first answer instead of a second cancellation.
        answer = client.apply_operation("cancel_pending_order", args, idempotency_key="lost-answer")
    assert answer["status"] == "done"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM operation_log").fetchone()[0] == 1


def _writes(seed_data: dict) -> list[tuple[str, dict]]:
    """Distinct writes: cancellations of pending orders and address changes of their customers."""
    pending = [o for o in seed_data["orders"].values() if o["status"] == "pending"]
    writes = [("cancel_pending_order", {"order_id": o["order_id"], "reason": "no longer needed"}) for o in pending[:30]]
    users = sorted({o["user_id"] for o in pending[30:60]})[:10]
    writes += [
        (
            "modify_user_address",
            {
                "user_id": u,
                "address1": f"{i} Fault Lane",
                "address2": "",
                "city": "Reno",
                "state": "NV",
                "country": "USA",
                "zip": "89501",
            },
        )
        for i, u in enumerate(users)
    ]
    return writes


def test_concurrent_keyed_writes_under_faults_apply_exactly_once(tmp_path: Path, seed_data: dict) -> None:
    db = create_fresh_store(tmp_path / "hammer.sqlite")
    writes = _writes(seed_data)
    keys = [idempotency_key("hammer", name, args) for name, args in writes]
    # Every write is sent by two workers at once, so retries also race their twin.
    jobs = [i for i in range(len(writes)) for _ in range(2)]
    answers: dict[int, list[dict]] = {i: [] for i in range(len(writes))}
    lock = threading.Lock()

    with (
        SandboxServer(db, "error=0.3,timeout=0.1,hang_ms=400,seed=11") as server,
        StoreClient(
            server.base_url,
            timeout_s=0.2,
            retries=4,
            backoff_s=0.005,
            backoff_max_s=0.05,
            breaker_fail_max=8,
            breaker_reset_s=0.1,
        ) as client,
    ):

        def drive(i: int) -> None:
            name, args = writes[i]
            deadline = time.monotonic() + 60
            while True:  # as the ticket runner would: try again later with the same key
                try:
                    answer = client.apply_operation(name, args, idempotency_key=keys[i])
                    break
                except ToolError as error:
                    assert error.retryable, f"{name} {args}: {error.code}: {error.message}"
                    assert time.monotonic() < deadline, "a write never got through"
                    time.sleep(0.02)
            with lock:
                answers[i].append(answer)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(drive, jobs))
        stats = server.fault_stats.counts

    # Faults really happened, including writes applied before their answer was lost.
    assert stats["error_after"] > 0 and stats["timeout_after"] > 0 and stats["error_before"] > 0
    # Every write succeeded, and both workers of a write got the same (first) answer.
    for i, pair in answers.items():
        assert len(pair) == 2 and pair[0] == pair[1] and pair[0]["status"] == "done", writes[i]
    # None applied twice, none lost: one log entry per key, and the store is exactly all writes once.
    with sqlite3.connect(db) as conn:
        logged = Counter(k for (k,) in conn.execute("SELECT idempotency_key FROM operation_log"))
    assert logged == Counter(keys)
    expected = expected_changes(seed_data, [{"name": n, "kwargs": a} for n, a in writes])
    assert export_store_changes(db) == expected
