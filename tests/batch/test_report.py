"""The batch report's figures on a small fixture whose numbers are worked out by hand."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from backlog.journal import Journal
from backlog.report import percentile, print_report, summarize
from core.models import ActionRecord, ApprovalRecord, Escalation, Result, Ticket, Usage
from runner.traces import TraceWriter


def make(
    tid: str, outcome: str, seconds: float, llm: int, prompt: int, *, actions: list[str] = (), approval: bool = False
) -> Result:
    return Result(
        ticket_id=tid,
        outcome=outcome,
        reply="r",
        duration_ms=int(seconds * 1000),
        usage=Usage(llm_calls=llm, prompt_tokens=prompt, completion_tokens=10, tool_calls=len(actions) + 1),
        actions=[ActionRecord(name="cancel_pending_order", arguments={}, status=s) for s in actions],
        approvals=[ApprovalRecord(id="ap-1", operation="refund", arguments={}, amount=120.0, reason="over $100")]
        if approval
        else [],
        escalation=Escalation(reason="asked for a human", summary="s") if outcome == "escalated" else None,
    )


RESULTS = [
    make("T-1", "resolved", 1.0, 2, 1000, actions=["done"]),
    make("T-2", "pending_approval", 2.0, 3, 2000, actions=["pending_approval"], approval=True),
    make("T-3", "escalated", 3.0, 4, 3000),
    make("T-4", "resolved", 4.0, 5, 4000, actions=["error", "done"]),
]
TAGS = {"T-1": ["cancel"], "T-2": ["refund", "cancel"], "T-3": ["human-request"], "T-4": ["cancel"]}


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_overall_and_per_tag_figures() -> None:
    report = summarize(RESULTS, TAGS, tags_from="test")
    overall = report.overall
    assert overall.tickets == 4
    assert overall.outcomes == {
        "resolved": 2,
        "pending_approval": 1,
        "needs_info": 0,
        "escalated": 1,
        "refused": 0,
        "failed": 0,
    }
    assert overall.escalation_rate == 0.25
    assert overall.approval_rate == 0.25
    assert overall.action_error_rate == 0.25  # 1 of 4 attempted operations
    assert overall.tool_error_rate is None  # no traces given
    assert (overall.p50_s, overall.p95_s) == (2.5, 3.85)
    assert overall.llm_calls_per_ticket == 3.5
    assert overall.prompt_tokens_per_ticket == 2500
    assert overall.completion_tokens_per_ticket == 10
    assert overall.tool_calls_per_ticket == 2.0

    assert list(report.by_tag) == ["cancel", "human-request", "refund"]
    cancel = report.by_tag["cancel"]
    assert cancel.tickets == 3 and cancel.outcomes["resolved"] == 2
    assert cancel.p50_s == 2.0 and cancel.llm_calls_per_ticket == pytest.approx(10 / 3, abs=0.01)
    assert report.by_tag["human-request"].escalation_rate == 1.0
    assert report.by_tag["human-request"].action_error_rate is None  # no operation attempted


def test_print_report_reads_tags_from_the_journal_and_tool_errors_from_traces(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("".join(r.model_dump_json() + "\n" for r in RESULTS) + "garbage\n")
    with Journal(tmp_path) as journal:
        journal.batch(out).enqueue([Ticket(id=tid, body="b", tags=tags) for tid, tags in TAGS.items()])
    writer = TraceWriter(tmp_path)
    for tid, statuses in {"T-1": ["ok", "ok", "ok"], "T-4": ["ok", "error", "error", "ok", "ok"]}.items():
        sink = writer.for_ticket(tid)
        for status in statuses:
            sink({"event": "tool_call", "tool": "get_order_details", "arguments": {}, "status": status})
        sink.close()

    buffer = io.StringIO()
    report = print_report(out, data_dir=tmp_path, as_json=True, console=Console(file=buffer, width=80))
    printed = json.loads(buffer.getvalue())
    assert printed == report.model_dump()
    assert report.overall.tickets == 4  # the garbage line is skipped (and reported on stderr)
    assert report.overall.tool_error_rate == 0.25  # 2 failures in 8 traced calls
    assert report.by_tag["cancel"].tickets == 3
    assert report.tags_from and "journal" in report.tags_from

    table = io.StringIO()
    print_report(out, tickets_path=None, data_dir=None, console=Console(file=table, width=250))
    text = table.getvalue()
    assert "Batch report" in text and "tag:" not in text  # no tags without journal or --tickets
    assert "25.0%" in text and "2.50" in text

    # an 80-column terminal: a figure per row, a group per column, every column readable
    narrow = io.StringIO()
    print_report(out, data_dir=tmp_path, console=Console(file=narrow, width=80))
    lines = narrow.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(f"tag: {tag}" in narrow.getvalue() for tag in report.by_tag)
    assert any("tool err %" in line and "25.0%" in line for line in lines)
