"""Traces: one redacted JSONL file per ticket, and the tree `support-crew trace ID` prints."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from core.models import Result, Usage
from runner.traces import TraceWriter, load_trace, render_trace_tree, show_trace, trace_path

CARD = "4539 1488 0346 8726"


def text_of(renderable) -> str:
    console = Console(record=True, width=240, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def write_sample(data_dir: Path) -> Path:
    writer = TraceWriter(data_dir)
    first = writer.for_ticket("T-1", attempt=1)
    first({"event": "llm_call", "agent": "Support Manager", "completion_tokens": 12, "latency_ms": 40})
    first.close()  # the first attempt was interrupted: no run_end
    sink = writer.for_ticket("T-1", attempt=2)
    sink(
        {
            "event": "llm_call",
            "agent": "Support Manager",
            "prompt_tokens": 900,
            "completion_tokens": 30,
            "latency_ms": 55.2,
        }
    )
    sink(
        {
            "event": "delegation",
            "kind": "delegate_work_to_coworker",
            "coworker": "Order Specialist",
            "task": "cancel order #W1 for the customer",
        }
    )
    sink(
        {
            "event": "tool_call",
            "tool": "get_order_details",
            "arguments": {"order_id": "#W1"},
            "status": "ok",
            "latency_ms": 12,
        }
    )
    sink(
        {
            "event": "tool_call",
            "agent": "Order Specialist",
            "tool": "cancel_pending_order",
            "arguments": {"order_id": "#W1", "note": f"card {CARD}", "email": "chen.lopez1681@example.com"},
            "status": "error",
            "error_code": "order_not_pending",
            "latency_ms": 8,
        }
    )
    sink(
        {
            "event": "tool_call",
            "tool": "return_delivered_order_items",
            "arguments": {"order_id": "#W2"},
            "status": "pending_approval",
            "latency_ms": 9,
        }
    )
    sink({"event": "llm_call", "agent": "Support Manager", "completion_tokens": 44, "latency_ms": 20})
    sink({"event": "memory_recall", "customer_facts": 2})
    sink.finish(
        Result(ticket_id="T-1", outcome="refused", reply="no", duration_ms=1234, usage=Usage(llm_calls=3, tool_calls=2))
    )
    return trace_path(data_dir, "T-1")


def test_events_are_redacted_timed_and_flushed(tmp_path: Path) -> None:
    path = write_sample(tmp_path)
    raw = path.read_text()
    assert CARD not in raw and "4539148803468726" not in raw
    assert "chen.lopez1681@example.com" not in raw
    events = load_trace(path)
    assert [e["event"] for e in events][:2] == ["run_start", "llm_call"]
    assert all("ts" in e and isinstance(e["elapsed_ms"], float) for e in events)
    assert [e["attempt"] for e in events if e["event"] == "run_start"] == [1, 2]
    assert events[-1]["event"] == "run_end" and events[-1]["outcome"] == "refused"


def test_a_line_cut_by_a_kill_is_skipped_when_reading(tmp_path: Path) -> None:
    path = write_sample(tmp_path)
    with open(path, "a") as handle:
        handle.write('{"event": "tool_call", "tool": "get_or')
    assert load_trace(path)[-1]["event"] == "run_end"


def test_tree_nests_specialist_work_under_its_delegation(tmp_path: Path) -> None:
    text = text_of(render_trace_tree(write_sample(tmp_path)))
    lines = text.splitlines()

    def line_with(fragment: str) -> str:
        return next(line for line in lines if fragment in line)

    def depth(line: str) -> int:
        return len(line) - len(line.lstrip(" │├└─┣┗┃━"))

    assert lines[0].startswith("ticket T-1")
    assert "attempt 1" in text and "attempt 2" in text
    delegation = line_with("delegate Order Specialist: cancel order #W1")
    tool_ok = line_with("tool get_order_details(order_id=#W1) → ok")
    tool_error = line_with("tool cancel_pending_order(")
    manager_after = line_with("44 completion tokens")
    assert "→ error order_not_pending" in tool_error and "8 ms" in tool_error
    assert "→ pending_approval 9 ms" in line_with("tool return_delivered_order_items")
    assert depth(tool_ok) > depth(delegation) and depth(tool_error) == depth(tool_ok)
    assert depth(manager_after) == depth(delegation)  # the manager's call closes the delegation
    assert "900 prompt + 30 completion tokens" in text
    assert "refused in 1,234 ms (3 LLM calls, 2 tool calls)" in text
    assert "memory_recall" in text and CARD not in text


def test_specialists_working_side_by_side_get_their_own_branches(tmp_path: Path) -> None:
    sink = TraceWriter(tmp_path).for_ticket("T-2")
    for coworker, task in (("Returns Specialist", "return the notebooks"), ("Order Specialist", "status of #W9")):
        sink({"event": "delegation", "kind": "delegate_work_to_coworker", "coworker": coworker, "task": task})
    # their events interleave, each naming its agent
    sink({"event": "llm_call", "agent": "Returns Specialist", "completion_tokens": 5, "latency_ms": 1})
    sink(
        {
            "event": "tool_call",
            "agent": "Order Specialist",
            "tool": "get_order_details",
            "arguments": {"order_id": "#W9"},
            "status": "ok",
            "latency_ms": 3,
        }
    )
    sink(
        {
            "event": "tool_call",
            "agent": "Returns Specialist",
            "tool": "return_delivered_order_items",
            "arguments": {"order_id": "#W8"},
            "status": "done",
            "latency_ms": 4,
        }
    )
    sink({"event": "llm_call", "agent": "Support Manager", "completion_tokens": 7, "latency_ms": 2})
    sink.finish(Result(ticket_id="T-2", outcome="resolved", reply="ok", duration_ms=10, usage=Usage(llm_calls=3)))
    lines = text_of(render_trace_tree(trace_path(tmp_path, "T-2"))).splitlines()
    under = {}
    current = None
    for line in lines:
        if "delegate " in line:
            current = line.split("delegate ")[1].split(":")[0]
        elif "── tool " in line and current:
            under[line.split("tool ")[1].split("(")[0]] = current
    assert under == {"get_order_details": "Order Specialist", "return_delivered_order_items": "Returns Specialist"}


def test_show_trace_prints_or_says_there_is_none(tmp_path: Path) -> None:
    write_sample(tmp_path)
    console = Console(record=True, width=200, color_system=None, file=io.StringIO())
    assert show_trace(tmp_path, "T-1", console=console)
    assert "delegate Order Specialist" in console.export_text()
    assert not show_trace(tmp_path, "T-404", console=console)
