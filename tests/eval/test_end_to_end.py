"""Five real cases through the whole program (intake, crew with the offline model, tools, sandbox
store, approvals) and the scoring, checked against `store replay`'s expected stores.

The cases cover: a return held for approval (over $100) that the harness approves, a return that
goes straight through, an order-status question with `reply_includes`, a ticket without identity
(needs_info) and a pasted card number with `reply_excludes`. Whether the offline model gets each
one right is the evaluation's business; this test checks that the harness scores what really
happened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

try:
    import runner.ticket_run  # noqa: F401
    from offline_model.llm import OfflineLLM  # noqa: F401
except Exception as error:  # until the runner and the offline model land
    first_line = (str(error).splitlines() or [""])[0]
    pytest.skip(
        f"the whole pipeline is not importable yet ({type(error).__name__}: {first_line}); this "
        "end-to-end test runs once runner.ticket_run and offline_model.llm exist",
        allow_module_level=True,
    )

from core.settings import Settings
from evaluation.evaluate import run_evaluation
from evaluation.scoring import diff_stores, wrong_writes
from sandbox_store.db import create_fresh_store, export_store
from sandbox_store.replay import replay_cases

TICKETS = Path(__file__).resolve().parents[3] / "shared" / "tickets"
CASE_IDS = {"dev.jsonl": ["D-0001", "D-0003"], "dev_extra.jsonl": ["X-001", "X-036", "X-039"]}
NOT_STORE = ("outcome ", "reply ")


def pick_cases(target: Path) -> Path:
    lines = []
    for name, ids in CASE_IDS.items():
        for line in (TICKETS / name).read_text(encoding="utf-8").splitlines():
            if json.loads(line)["id"] in ids:
                lines.append(line)
    assert len(lines) == 5, f"expected 5 cases {CASE_IDS} in {TICKETS}"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.skipif(not TICKETS.exists(), reason=f"{TICKETS} not found (shared/ sits beside the repository)")
def test_real_cases_are_scored_against_the_replayed_stores(tmp_path: Path) -> None:
    cases = pick_cases(tmp_path / "cases.jsonl")
    stores = tmp_path / "stores"
    report = run_evaluation(
        cases,
        settings=Settings(data_dir=tmp_path / "data"),
        stores_dir=stores,
        report_path=tmp_path / "report.json",
        progress=False,
    )

    assert report.total == 5
    assert json.loads((tmp_path / "report.json").read_text())["total"] == 5
    for case in report.cases:
        assert case.outcome is not None, f"{case.id} did not run: {case.reasons}"
        assert not any(reason.startswith("harness error") for reason in case.reasons), case.reasons
        assert case.passed == (case.reasons == [])

    # The harness's store verdict and wrong writes agree with `store replay`'s expected stores and
    # a fresh store made here.
    replayed = tmp_path / "replayed"
    assert replay_cases(cases, replayed).failures == []
    fresh = export_store(create_fresh_store(tmp_path / "fresh.db"))
    for case in report.cases:
        final = json.loads((stores / f"{case.id}.json").read_text())
        expected = json.loads((replayed / f"{case.id}.json").read_text())
        store_reasons = [reason for reason in case.reasons if not reason.startswith(NOT_STORE)]
        assert store_reasons == diff_stores(final, expected), case.id
        assert case.wrong_writes == wrong_writes(fresh, expected, final), case.id
    written = json.loads((tmp_path / "report.json").read_text())
    assert written["wrong_writes"] == {
        "cases": sum(1 for case in report.cases if case.wrong_writes),
        "records": sum(len(case.wrong_writes) for case in report.cases),
    }
    assert [case["wrong_writes"] for case in written["cases"]] == [case.wrong_writes for case in report.cases]

    held = next(case for case in report.cases if case.id == "D-0001")
    if held.outcome == "pending_approval":  # the $354.49 return waited for a person: the harness approved it
        assert held.approvals_approved >= 1
        assert not any(reason.startswith("outcome ") for reason in held.reasons)
