"""`store replay`: every expected action of the evaluation cases replays on a fresh store through
the API, and gives exactly the store an independent reading of CONTRACTS §2 gives."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest

from sandbox_store.replay import apply_case, load_cases, replay_cases
from tests.store.conftest import TICKETS_DIR
from tests.store.oracle import Overlay
from tests.store.oracle import apply as oracle_apply
from tools.amounts import operation_amount, products_needed

CASE_FILES = sorted(TICKETS_DIR.glob("*.jsonl"))
pytestmark = pytest.mark.skipif(not CASE_FILES, reason=f"no evaluation cases in {TICKETS_DIR}")


def all_cases():
    return [case for path in CASE_FILES for case in load_cases(path)]


def test_every_case_replays_to_the_contracts_store(store_server, client, seed_data) -> None:
    cases = all_cases()
    assert len(cases) >= 483
    started = time.perf_counter()
    for case in cases:
        overlay = Overlay(seed_data)
        expected_amounts = []
        for action in case.expected.actions:
            view = overlay.view(action.kwargs)
            order = view["orders"].get(action.kwargs.get("order_id"))
            needed = products_needed(action.name, order or {})
            expected_amounts.append(
                operation_amount(
                    action.name,
                    action.kwargs,
                    order=copy.deepcopy(order),
                    products={pid: seed_data["products"][pid] for pid in needed},
                )
            )
            oracle_apply(view, action.name, action.kwargs)
        outcome = apply_case(case, server=store_server, client=client)
        assert outcome.failures == [], f"{case.id}: {[str(f) for f in outcome.failures]}"
        # The money each operation moved, as the store reports it, is what the approval gate saw.
        assert [a["amount"] for a in outcome.answers] == expected_amounts, case.id
        assert client.export_changes() == overlay.changes(), case.id
    elapsed = time.perf_counter() - started
    print(f"\nreplayed {len(cases)} cases in {elapsed:.1f}s")


def test_replay_cases_writes_each_store_and_reports_failures(tmp_path: Path, seed_data) -> None:
    cases = [json.loads(line) for line in (TICKETS_DIR / "dev.jsonl").read_text().splitlines()[:6]]
    broken = copy.deepcopy(cases[1])
    broken["id"] = "BROKEN-1"
    broken["expected"]["actions"].insert(
        0, {"name": "cancel_pending_order", "kwargs": {"order_id": "#W2611340", "reason": "no longer needed"}}
    )
    cases_file = tmp_path / "cases.jsonl"
    cases_file.write_text("\n".join(json.dumps(c) for c in [*cases, broken]) + "\n")

    report = replay_cases(cases_file, tmp_path / "stores", work_dir=tmp_path)

    assert report.cases == 7
    assert [(f.case_id, f.index, f.code) for f in report.failures] == [("BROKEN-1", 0, "order_not_pending")]
    for case in [*cases, broken]:
        written = json.loads((tmp_path / "stores" / f"{case['id']}.json").read_text())
        expected = copy.deepcopy(seed_data)
        for action in case["expected"]["actions"]:
            if case["id"] == "BROKEN-1" and action["kwargs"].get("order_id") == "#W2611340":
                continue  # refused: changes nothing
            oracle_apply(expected, action["name"], action["kwargs"])
        assert written == expected, case["id"]


def test_load_cases_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "A", "expected": {"actions": []}}\n{"id": "B"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        load_cases(path)
