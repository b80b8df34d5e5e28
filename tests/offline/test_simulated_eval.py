"""The model over evaluation cases with a simulated crew and store (offline_model.devtools.simulate):
a fast, deterministic check of whole tickets - delegation, tool calls, outcome and reply."""

from __future__ import annotations

import json
from pathlib import Path

import core.environment  # noqa: F401

import pytest

from offline_model.devtools import simulate
from offline_model.llm import OfflineLLM

HERE = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def harness():
    return OfflineLLM(model="offline"), *simulate.load_crew(), simulate.load_data()


def _pass_rate(cases: list[dict], harness) -> tuple[float, list[str]]:
    llm, agents, tasks, data = harness
    results = [simulate.run_case(llm, case, data, agents, tasks) for case in cases]
    failed = [f"{r['id']}: {r['reasons']}" for r in results if not r["passed"]]
    return 1 - len(failed) / len(results), failed


def test_dev_sample(dev_cases, harness):
    rate, failed = _pass_rate(dev_cases[::12], harness)
    assert rate >= 0.95, failed


def test_dev_extra(extra_cases, harness):
    rate, failed = _pass_rate(extra_cases, harness)
    assert rate >= 0.95, failed


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("*.jsonl")))
def test_hand_written_cases(name, harness):
    cases = [json.loads(line) for line in (HERE / name).read_text().splitlines() if line.strip()]
    rate, failed = _pass_rate(cases, harness)
    assert rate >= 0.9, failed


TRAPS = Path(__file__).resolve().parent / "traps"


def test_no_write_nobody_asked_for(harness):
    """Across every hand-written file and the trap files (tickets built to provoke a wrong write:
    items named in questions, praise or descriptions beside the request, false conditions, old
    payment methods, current addresses), no case changes the store in a way its expected actions
    do not. Traps are not held to a pass rate: asking back is fine, writing wrongly is not."""
    llm, agents, tasks, data = harness
    unasked = []
    for path in sorted([*HERE.glob("*.jsonl"), *TRAPS.glob("*.jsonl")]):
        for line in path.read_text().splitlines():
            if line.strip():
                result = simulate.run_case(llm, json.loads(line), data, agents, tasks)
                unasked += [f"{result['id']}: {a}" for a in result["unasked"]]
    assert unasked == []


def test_same_ticket_same_result(extra_cases, harness):
    llm, agents, tasks, data = harness
    case = next(c for c in extra_cases if c["id"] == "X-006")
    first = simulate.run_case(llm, case, data, agents, tasks)
    second = simulate.run_case(llm, case, data, agents, tasks)
    assert first["answer"] == second["answer"] and first["trace"] == second["trace"]
