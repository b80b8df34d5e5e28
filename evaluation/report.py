"""The evaluation report: its JSON shape (CONTRACTS §5) and the summary printed at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from evaluation.scoring import count_wrong_writes, pass_rate, tally_by_tag, tally_wrong_writes_by_tag

MAX_FAILURES_SHOWN = 40
MAX_REASONS_SHOWN = 4


class CaseReport(BaseModel):
    """One case's line in the report. `outcome` is the run's own outcome (null when the case never
    ran: a malformed line or a harness error); `reasons` is empty exactly when the case passed."""

    id: str
    passed: bool
    outcome: str | None
    reasons: list[str]
    wrong_writes: list[str] = Field(default_factory=list)  # records the run changed to what was not expected
    expected_outcome: str | None = None
    tags: list[str] = Field(default_factory=list)
    line: int | None = None
    duration_ms: int = 0  # the run of the ticket (Result.duration_ms)
    case_ms: int = 0  # the whole case: environment, run, approvals, stores, scoring
    usage: dict[str, int | float | None] = Field(default_factory=dict)
    approvals_approved: int = 0


class WrongWriteTally(BaseModel):
    cases: int = 0  # cases with at least one wrong write
    records: int = 0  # wrong writes (store records) in all


class TagTally(BaseModel):
    passed: int
    total: int
    rate: float
    wrong_writes: WrongWriteTally = Field(default_factory=WrongWriteTally)


class EvalReport(BaseModel):
    total: int
    passed: int
    pass_rate: float
    wrong_writes: WrongWriteTally = Field(default_factory=WrongWriteTally)
    cases: list[CaseReport]
    by_tag: dict[str, TagTally] = Field(default_factory=dict)
    cases_file: str = ""
    llm: str = ""
    workers: int = 1
    duration_s: float = 0.0

    @classmethod
    def from_cases(cls, cases: list[CaseReport], **meta: Any) -> EvalReport:
        passed = sum(case.passed for case in cases)
        by_tag = tally_by_tag((case.tags, case.passed) for case in cases)
        wrong_by_tag = tally_wrong_writes_by_tag((case.tags, len(case.wrong_writes)) for case in cases)
        return cls(
            total=len(cases),
            passed=passed,
            pass_rate=pass_rate(passed, len(cases)),
            wrong_writes=WrongWriteTally(**count_wrong_writes(len(case.wrong_writes) for case in cases)),
            cases=cases,
            by_tag={
                tag: TagTally(**tally, wrong_writes=WrongWriteTally(**wrong_by_tag[tag]))
                for tag, tally in by_tag.items()
            },
            **meta,
        )

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _wrong_writes(tally: WrongWriteTally) -> str:
    if not tally.records:
        return "0"
    return f"{tally.records} in {tally.cases} case{'s' if tally.cases != 1 else ''}"


def print_report(report: EvalReport, console: Console | None = None) -> None:
    """Totals, a per-tag table, the cases with wrong writes and the failing cases with their
    (truncated) reasons."""
    console = console or Console()
    totals = Table(title="Evaluation", show_header=False)
    totals.add_row("cases file", report.cases_file or "-")
    totals.add_row("total", str(report.total))
    totals.add_row("passed", str(report.passed))
    totals.add_row("pass rate", _percent(report.pass_rate))
    totals.add_row("wrong writes", _wrong_writes(report.wrong_writes))
    totals.add_row("wall time", f"{report.duration_s:.1f} s ({report.workers} worker(s))")
    console.print(totals)

    if report.by_tag:
        tags = Table(title="By tag")
        for column in ("tag", "passed", "total", "rate", "wrong writes"):
            tags.add_column(column, justify="left" if column == "tag" else "right")
        for tag, tally in report.by_tag.items():
            tags.add_row(
                tag, str(tally.passed), str(tally.total), _percent(tally.rate), _wrong_writes(tally.wrong_writes)
            )
        console.print(tags)

    writers = [case for case in report.cases if case.wrong_writes]
    if writers:
        table = Table(title=f"Wrong writes ({_wrong_writes(report.wrong_writes)})", show_lines=True)
        table.add_column("case", no_wrap=True)
        table.add_column("record: what differs from expected")
        for case in writers[:MAX_FAILURES_SHOWN]:
            lines = case.wrong_writes[:MAX_REASONS_SHOWN]
            if len(case.wrong_writes) > MAX_REASONS_SHOWN:
                lines.append(f"... and {len(case.wrong_writes) - MAX_REASONS_SHOWN} more")
            table.add_row(case.id, "\n".join(lines))
        console.print(table)
        if len(writers) > MAX_FAILURES_SHOWN:
            console.print(
                f"... and {len(writers) - MAX_FAILURES_SHOWN} more cases with wrong writes in --report R.json"
            )

    failures = [case for case in report.cases if not case.passed]
    if not failures:
        return
    table = Table(title=f"Failing cases ({len(failures)})", show_lines=True)
    table.add_column("case", no_wrap=True)
    table.add_column("outcome")
    table.add_column("reasons")
    for case in failures[:MAX_FAILURES_SHOWN]:
        reasons = case.reasons[:MAX_REASONS_SHOWN]
        if len(case.reasons) > MAX_REASONS_SHOWN:
            reasons.append(f"... and {len(case.reasons) - MAX_REASONS_SHOWN} more")
        outcome = f"{case.outcome or '-'}\n(expected {case.expected_outcome or '-'})"
        table.add_row(case.id, outcome, "\n".join(reasons))
    console.print(table)
    if len(failures) > MAX_FAILURES_SHOWN:
        console.print(
            f"... and {len(failures) - MAX_FAILURES_SHOWN} more failing cases; write them all with --report R.json"
        )
