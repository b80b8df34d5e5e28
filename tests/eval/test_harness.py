"""The evaluation harness around scoring: reading the cases file, the report, --stores-dir,
--keep, workers, and cases that break the harness. The program itself is replaced by a scripted
pipeline (each case line says what its run does in a `fake` field), so these tests are fast."""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from core.models import EvalCase, Result
from core.settings import Settings
from evaluation.cases import MalformedCase, load_cases, ticket_of
from evaluation.evaluate import print_report, run_evaluation
from evaluation.pipeline import CaseRun

FRESH = {
    "users": {"u1": {"name": {"first_name": "Ada", "last_name": "Lee"}, "orders": ["#W1"]}},
    "orders": {"#W1": {"order_id": "#W1", "user_id": "u1", "status": "pending", "payment_history": []}},
    "products": {},
}


def applied(case: EvalCase) -> dict[str, Any]:
    """A stand-in for replaying expected.actions: each action leaves its name on its order."""
    store = copy.deepcopy(FRESH)
    for action in case.expected.actions:
        store["orders"][action.kwargs["order_id"]]["status"] = action.name
    return store


class ScriptedPipeline:
    """Runs no crew: the case's `fake` field says the outcome, the reply, whether the store gets
    the expected change, or whether the harness breaks (raise) or the worker dies (crash)."""

    def __init__(self, marker_dir: Path | None = None, delay_s: float = 0.0) -> None:
        self.marker_dir = marker_dir
        self.delay_s = delay_s
        self.closed = False

    def warm_up(self) -> None:
        if self.marker_dir is not None:
            (self.marker_dir / f"warm-{os.getpid()}").touch()

    def run_case(self, case: EvalCase, data_dir: Path) -> CaseRun:
        script = (case.model_extra or {}).get("fake", {})
        time.sleep(self.delay_s)
        if script.get("raise"):
            raise RuntimeError("store did not start")
        if script.get("crash"):
            os._exit(3)  # the worker process dies mid-case
        assert data_dir.is_dir() and not any(data_dir.iterdir()), "each case starts in an empty data dir"
        (data_dir / "trace.jsonl").write_text("{}\n")
        expected = applied(case)
        result = Result(
            ticket_id=case.id,
            outcome=script.get("outcome", "resolved"),
            reply=script.get("reply", "Done."),
            duration_ms=5,
        )
        final = copy.deepcopy(expected if script.get("apply", True) else FRESH)
        if "write" in script:  # the run also sets #W1's status to this
            final["orders"]["#W1"]["status"] = script["write"]
        return CaseRun(
            result=result,
            final_store=final,
            expected_store=expected,
            initial_store=copy.deepcopy(FRESH),
            approvals_approved=int(script.get("approvals", 0)),
        )

    def close(self) -> None:
        self.closed = True


def case_line(
    case_id: str,
    *,
    tags: list[str],
    outcome: str = "resolved",
    actions: int = 0,
    includes: list[str] | None = None,
    **fake: Any,
) -> str:
    return json.dumps(
        {
            "id": case_id,
            "body": f"ticket {case_id}",
            "tags": tags,
            "fake": fake,
            "expected": {
                "actions": [
                    {"name": "cancel_pending_order", "kwargs": {"order_id": "#W1", "reason": "no longer needed"}}
                ]
                * actions,
                "outcome": outcome,
                "reply_includes": includes or [],
            },
        }
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def write_cases(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_report_lists_cases_in_file_order_with_reasons_and_tag_totals(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(
        tmp_path / "cases.jsonl",
        [
            case_line("A-1", tags=["cancel"], actions=1),
            case_line("A-2", tags=["cancel"], actions=1, apply=False, outcome="resolved", includes=["cancelled"]),
            "{not json",
            "",
            json.dumps({"id": "A-4", "body": "no expectation", "tags": ["status"]}),
            case_line("A-1", tags=["cancel"]),
            case_line("A-6", tags=["status"], fake_outcome="x", outcome="needs_info"),
        ],
    )
    report_path = tmp_path / "out" / "report.json"
    report = run_evaluation(
        cases, settings=settings, report_path=report_path, progress=False, pipeline=ScriptedPipeline()
    )

    assert [case.id for case in report.cases] == ["A-1", "A-2", "line-3", "A-4", "A-1@line-6", "A-6"]
    assert (report.total, report.passed, report.pass_rate) == (6, 1, round(1 / 6, 4))
    reasons = {case.id: case.reasons for case in report.cases}
    assert reasons["A-1"] == []
    assert reasons["A-2"] == [
        "order #W1: status 'pending' != expected 'cancel_pending_order'",
        "reply lacks 'cancelled'",
    ]
    assert reasons["line-3"][0].startswith("line 3: not valid JSON")
    assert reasons["A-4"] == ["line 5: invalid case: expected: Field required"]
    assert reasons["A-1@line-6"] == ["line 6: duplicate id 'A-1' (first on line 1)"]
    assert reasons["A-6"] == ["outcome 'resolved' != expected 'needs_info'"]
    no_wrong_writes = {"cases": 0, "records": 0}
    assert report.by_tag["cancel"].model_dump() == {
        "passed": 1,
        "total": 3,
        "rate": 0.3333,
        "wrong_writes": no_wrong_writes,
    }
    assert report.by_tag["status"].model_dump() == {
        "passed": 0,
        "total": 2,
        "rate": 0.0,
        "wrong_writes": no_wrong_writes,
    }

    written = json.loads(report_path.read_text())
    assert {"total", "passed", "pass_rate", "cases"} <= set(written)
    assert written["cases"][1] == {**written["cases"][1], "id": "A-2", "passed": False, "outcome": "resolved"}
    assert {"id", "passed", "outcome", "reasons"} <= set(written["cases"][0])
    assert written["cases"][2]["outcome"] is None


def test_stores_dir_gets_each_final_store_and_case_dirs_are_removed(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(
        tmp_path / "cases.jsonl",
        [
            case_line("S-1", tags=["t"], actions=1),
            case_line("S-2", tags=["t"], actions=1, apply=False),
        ],
    )
    stores = tmp_path / "stores"
    run_evaluation(cases, settings=settings, stores_dir=stores, progress=False, pipeline=ScriptedPipeline())

    assert sorted(path.name for path in stores.iterdir()) == ["S-1.json", "S-2.json"]
    assert json.loads((stores / "S-1.json").read_text())["orders"]["#W1"]["status"] == "cancel_pending_order"
    assert json.loads((stores / "S-2.json").read_text()) == FRESH
    assert list((settings.resolved_data_dir / "eval-runs").iterdir()) == []


def test_keep_dir_keeps_each_case_directory_with_both_stores(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(tmp_path / "cases.jsonl", [case_line("K-1", tags=["t"], actions=1, apply=False)])
    run_evaluation(cases, settings=settings, keep_dir=tmp_path / "keep", progress=False, pipeline=ScriptedPipeline())

    (case_dir,) = (tmp_path / "keep").glob("run-*/00001-K-1")
    assert (case_dir / "trace.jsonl").exists()
    assert json.loads((case_dir / "final_store.json").read_text()) == FRESH
    expected = json.loads((case_dir / "expected_store.json").read_text())
    assert expected["orders"]["#W1"]["status"] == "cancel_pending_order"


def test_a_case_that_breaks_the_harness_fails_alone(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(
        tmp_path / "cases.jsonl",
        [
            case_line("H-1", tags=["t"], **{"raise": True}),
            case_line("H-2", tags=["t"]),
        ],
    )
    pipeline = ScriptedPipeline()
    report = run_evaluation(cases, settings=settings, progress=False, pipeline=pipeline)

    broken, fine = report.cases
    assert not broken.passed and broken.outcome is None
    assert broken.reasons[0].startswith("harness error: RuntimeError: store did not start (at test_harness.py:")
    assert fine.passed and pipeline.closed


def test_workers_run_cases_in_separate_processes(tmp_path: Path, settings: Settings) -> None:
    lines = [case_line(f"P-{n}", tags=["t"], actions=n % 2, apply=n != 3) for n in range(1, 6)]
    cases = write_cases(tmp_path / "cases.jsonl", lines)
    markers = tmp_path / "markers"
    markers.mkdir()
    seen: list[str] = []
    report = run_evaluation(
        cases,
        settings=settings,
        workers=2,
        progress=False,
        pipeline=ScriptedPipeline(markers, delay_s=0.2),
        on_case=lambda c: seen.append(c.id),
    )

    warmed = {path.name for path in markers.iterdir()}
    assert len(warmed) == 2 and f"warm-{os.getpid()}" not in warmed
    assert [case.id for case in report.cases] == [f"P-{n}" for n in range(1, 6)]
    assert sorted(seen) == sorted(case.id for case in report.cases)
    assert [case.passed for case in report.cases] == [True, True, False, True, True]
    assert report.workers == 2


def test_a_case_that_kills_its_worker_is_retried_once_then_failed(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(
        tmp_path / "cases.jsonl",
        [
            case_line("C-1", tags=["t"]),
            case_line("C-2", tags=["t"], crash=True),
            case_line("C-3", tags=["t"]),
            case_line("C-4", tags=["t"]),
        ],
    )
    report = run_evaluation(cases, settings=settings, workers=2, progress=False, pipeline=ScriptedPipeline(delay_s=0.1))

    by_id = {case.id: case for case in report.cases}
    assert [case.id for case in report.cases] == ["C-1", "C-2", "C-3", "C-4"]
    assert by_id["C-2"].reasons[0].startswith("harness error: the worker process died twice while running this case")
    assert all(by_id[case_id].passed for case_id in ("C-1", "C-3", "C-4"))


def test_workers_that_cannot_start_stop_the_evaluation(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(tmp_path / "cases.jsonl", [case_line("W-1", tags=["t"]), case_line("W-2", tags=["t"])])
    with pytest.raises(RuntimeError, match="workers could not start"):
        run_evaluation(
            cases,
            settings=settings,
            workers=2,
            progress=False,
            pipeline=ScriptedPipeline(marker_dir=tmp_path / "missing-dir"),
        )


def test_invalid_arguments_are_refused(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(ValueError, match="--workers must be at least 1"):
        run_evaluation(tmp_path / "x.jsonl", settings=settings, workers=0, pipeline=ScriptedPipeline())
    with pytest.raises(FileNotFoundError):
        run_evaluation(tmp_path / "missing.jsonl", settings=settings, progress=False, pipeline=ScriptedPipeline())


def test_printed_summary_shows_totals_tags_and_failing_reasons(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(
        tmp_path / "cases.jsonl",
        [
            case_line("R-1", tags=["cancel"], actions=1),
            case_line("R-2", tags=["cancel", "chat"], outcome="refused"),
        ],
    )
    report = run_evaluation(cases, settings=settings, progress=False, pipeline=ScriptedPipeline())
    console = Console(record=True, width=160)
    print_report(report, console)
    text = console.export_text()
    assert "pass rate" in text and "50.0%" in text
    assert "chat" in text and "0.0%" in text
    assert "R-2" in text and "outcome 'resolved' != expected 'refused'" in text
    assert "R-1 " not in text.split("Failing cases")[1]


def test_wrong_writes_are_counted_by_case_by_tag_and_in_total(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(
        tmp_path / "cases.jsonl",
        [
            case_line("W-1", tags=["cancel"], actions=1),  # the expected write
            case_line("W-2", tags=["cancel"], actions=1, apply=False),  # a miss: nothing written
            case_line("W-3", tags=["cancel", "status"], actions=1, write="refunded"),  # the wrong change
            case_line("W-4", tags=["status"], write="cancelled"),  # a change where none was expected
        ],
    )
    report_path = tmp_path / "report.json"
    report = run_evaluation(
        cases, settings=settings, report_path=report_path, progress=False, pipeline=ScriptedPipeline()
    )

    by_id = {case.id: case for case in report.cases}
    assert by_id["W-1"].wrong_writes == [] and by_id["W-2"].wrong_writes == []
    assert by_id["W-3"].wrong_writes == ["order #W1: status 'refunded' != expected 'cancel_pending_order'"]
    assert by_id["W-4"].wrong_writes == ["order #W1: status 'cancelled' != expected 'pending'"]

    written = json.loads(report_path.read_text())
    assert list(written)[:5] == ["total", "passed", "pass_rate", "wrong_writes", "cases"]
    assert written["wrong_writes"] == {"cases": 2, "records": 2}
    assert written["by_tag"]["cancel"] == {
        "passed": 1,
        "total": 3,
        "rate": 0.3333,
        "wrong_writes": {"cases": 1, "records": 1},
    }
    assert written["by_tag"]["status"]["wrong_writes"] == {"cases": 2, "records": 2}
    assert [case["wrong_writes"] for case in written["cases"]] == [
        [],
        [],
        ["order #W1: status 'refunded' != expected 'cancel_pending_order'"],
        ["order #W1: status 'cancelled' != expected 'pending'"],
    ]

    console = Console(record=True, width=160)
    print_report(report, console)
    text = console.export_text()
    assert "wrong writes" in text and "2 in 2 cases" in text and "1 in 1 case " in text
    wrong_table = text.split("Wrong writes (2 in 2 cases)")[1].split("Failing cases")[0]
    assert "W-3" in wrong_table and "status 'refunded' != expected 'cancel_pending_order'" in wrong_table
    assert "W-2" not in wrong_table


def test_the_crew_never_sees_the_expectation(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "cases.jsonl", [case_line("E-1", tags=["t"], actions=1)])
    ((line, case),) = load_cases(path)
    assert line == 1 and isinstance(case, EvalCase) and not isinstance(case, MalformedCase)
    ticket = ticket_of(case)
    assert "expected" not in ticket.model_dump() and ticket.body == "ticket E-1" and ticket.tags == ["t"]


def test_an_empty_file_gives_an_empty_report_without_starting_the_program(tmp_path: Path, settings: Settings) -> None:
    cases = write_cases(tmp_path / "cases.jsonl", ["", "   "])
    markers = tmp_path / "markers"
    markers.mkdir()
    report = run_evaluation(cases, settings=settings, workers=2, progress=False, pipeline=ScriptedPipeline(markers))
    assert (report.total, report.passed, report.pass_rate, report.cases) == (0, 0, 0.0, [])
    assert list(markers.iterdir()) == []
