"""CliRunner tests for the commands beyond kickoff/validate: store, approvals, trace, report,
memory, knowledge, eval — each with an error path. A scripted model makes the held approval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import PROJECT_ROOT
from main import app

runner = CliRunner()
SHARED_TICKETS = PROJECT_ROOT.parent / "shared" / "tickets"


def _cli(data_dir: Path, *args: str):
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


@pytest.fixture
def held_cancellation(tmp_path, scripted_model):
    """One kickoff that leaves a cancellation over $100 waiting for approval."""
    data_dir = tmp_path / "d"
    order_id = "#W9205196"  # chen_moore_6080's pending order, $2749.56 by card
    scripted_model(
        {
            "Support Manager": [
                [
                    (
                        "delegate_work_to_coworker",
                        {
                            "task": f"Cancel {order_id}, ordered by mistake",
                            "context": "t",
                            "coworker": "Order Specialist",
                        },
                    )
                ],
                json.dumps(
                    {
                        "outcome": "resolved",
                        "reply": "Your cancellation is awaiting approval.",
                        "escalation": None,
                        "internal_summary": "held",
                    }
                ),
            ],
            "Order Specialist": [
                [("cancel_pending_order", {"order_id": order_id, "reason": "ordered by mistake"})],
                "Held for approval.",
            ],
        }
    )
    result = _cli(
        data_dir,
        "kickoff",
        f"Please cancel {order_id}, I ordered it by mistake.",
        "--from-email",
        "chen.moore4507@example.com",
        "--json",
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["outcome"] == "pending_approval"
    return data_dir, order_id, outcome


def test_approvals_list_show_approve_once_and_deny(held_cancellation) -> None:
    data_dir, order_id, outcome = held_cancellation
    approval_id = outcome["approvals"][0]["id"]
    listed = _cli(data_dir, "approvals", "list")
    assert listed.exit_code == 0 and approval_id in listed.output and "pending" in listed.output
    shown = _cli(data_dir, "approvals", "show", approval_id)
    assert shown.exit_code == 0 and "cancel_pending_order" in shown.output and "held" in shown.output

    approved = _cli(data_dir, "approvals", "approve", approval_id, "--by", "alice")
    assert approved.exit_code == 0 and "executed" in approved.output
    again = _cli(data_dir, "approvals", "approve", approval_id, "--by", "bob")
    assert again.exit_code == 0 and "already_executed" in again.output
    denied = _cli(data_dir, "approvals", "deny", approval_id, "--reason", "too late")
    assert denied.exit_code == 1  # an executed request can no longer be denied

    exported = data_dir / "export.json"
    assert _cli(data_dir, "store", "export", "--out", str(exported)).exit_code == 0
    order = json.loads(exported.read_text())["orders"][order_id]
    assert order["status"] == "cancelled"
    assert sum(1 for p in order["payment_history"] if p["transaction_type"] == "refund") == 1  # once

    missing = _cli(data_dir, "approvals", "approve", "apr-nope")
    assert missing.exit_code == 1 and "no approval request 'apr-nope'" in missing.output


def test_trace_and_report(held_cancellation, tmp_path) -> None:
    data_dir, _, outcome = held_cancellation
    tree = _cli(data_dir, "trace", outcome["ticket_id"])
    assert tree.exit_code == 0 and "Order Specialist" in tree.output and "cancel_pending_order" in tree.output
    assert _cli(data_dir, "trace", "no-such-ticket").exit_code == 1

    results = tmp_path / "out.jsonl"
    results.write_text(json.dumps(outcome) + "\n")
    as_json = _cli(data_dir, "report", str(results), "--json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["overall"]["tickets"] == 1
    assert _cli(data_dir, "report", str(tmp_path / "missing.jsonl")).exit_code == 2


def test_store_replay_and_memory_commands(tmp_path) -> None:
    data_dir = tmp_path / "d"
    cases = tmp_path / "cases.jsonl"
    lines = (SHARED_TICKETS / "dev_extra.jsonl").read_text().splitlines()
    cases.write_text("\n".join(line for line in lines if json.loads(line)["id"] in ("X-043", "X-046")) + "\n")
    replayed = _cli(data_dir, "store", "replay", str(cases), "--stores-dir", str(tmp_path / "stores"))
    assert replayed.exit_code == 0, replayed.output
    store = json.loads((tmp_path / "stores" / "X-043.json").read_text())
    assert store["orders"]["#W6348442"]["status"] == "cancelled"
    assert _cli(data_dir, "store", "replay", str(tmp_path / "none.jsonl"), "--stores-dir", "x").exit_code == 2

    shown = _cli(data_dir, "memory", "show", "lucas_davis_5124")
    assert shown.exit_code == 0 and "nothing remembered" in shown.output
    forgotten = _cli(data_dir, "memory", "forget", "lucas_davis_5124")
    assert forgotten.exit_code == 0 and "0 record(s) deleted" in forgotten.output
    assert _cli(data_dir, "memory", "forget", "../etc").exit_code == 1


def test_knowledge_check_prints_figures(tmp_path) -> None:
    result = _cli(tmp_path / "d", "knowledge", "check")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["top3_rate"] >= 0.9 and figures["questions"] >= 30


def test_eval_command_writes_report_and_stores(tmp_path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = (SHARED_TICKETS / "dev_extra.jsonl").read_text().splitlines()
    cases.write_text("\n".join(line for line in lines if json.loads(line)["id"] in ("X-001", "X-036")) + "\nnot json\n")
    report = tmp_path / "r.json"
    result = _cli(tmp_path / "d", "eval", str(cases), "--report", str(report), "--stores-dir", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    assert data["total"] == 3 and data["passed"] == 2  # the malformed line counts as a failed case
    assert {c["id"] for c in data["cases"] if c["passed"]} == {"X-001", "X-036"}
    assert (tmp_path / "s" / "X-001.json").is_file()
    assert _cli(tmp_path / "d", "eval", str(tmp_path / "missing.jsonl")).exit_code == 2
