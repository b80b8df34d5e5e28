"""`support-crew kickoff` through Typer's CliRunner: text, ticket file, --json, follow-ups, and the
error paths (bad ticket file, missing field, unknown customer, unreachable API, usage)."""

from __future__ import annotations

import json
import socket

from typer.testing import CliRunner

from main import app

runner = CliRunner()
EMAIL = "mia.garcia2723@example.com"


def _status_script(order_id_holder: dict[str, str]):
    """Manager delegates a status question; the specialist reads the customer's first order."""

    def specialist_read(call):
        customer = call.tool_results()[-1]
        order_id_holder["id"] = customer["orders"][0]
        return [("get_order_details", {"order_id": customer["orders"][0]})]

    def manager_final(call):
        report = call.messages[-1]["content"]
        return json.dumps({"outcome": "resolved", "reply": report, "escalation": None, "internal_summary": "status"})

    def bound_customer(call):
        task = next(m["content"] for m in call.messages if m["role"] == "user")
        # "Authenticated customer: <customer_id> (<full name>)"
        customer = next(
            line.split(":", 1)[1].split()[0] for line in task.splitlines() if "Authenticated customer:" in line
        )
        return [("get_customer_details", {"customer_id": customer})]

    return {
        "Support Manager": [
            lambda call: [
                (
                    "delegate_work_to_coworker",
                    {
                        "task": "Report the status of the customer's order",
                        "context": next(m["content"] for m in call.messages if m["role"] == "user"),
                        "coworker": "Order Specialist",
                    },
                )
            ],
            manager_final,
        ],
        "Order Specialist": [
            bound_customer,
            specialist_read,
            lambda call: f"Order {call.tool_results()[-1]['order_id']} is {call.tool_results()[-1]['status']}.",
        ],
    }


def test_kickoff_text_prints_the_reply(tmp_path, scripted_model) -> None:
    holder: dict[str, str] = {}
    scripted_model(_status_script(holder))
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path / "d"), "kickoff", "Where is my order?", "--from-email", EMAIL]
    )
    assert result.exit_code == 0, result.output
    assert f"Order {holder['id']} is " in result.output


def test_kickoff_ticket_file_json_and_follow_up(tmp_path, scripted_model) -> None:
    holder: dict[str, str] = {}
    scripted_model(_status_script(holder))
    ticket = tmp_path / "t.json"
    ticket.write_text(json.dumps({"id": "T-77", "from_email": EMAIL, "body": "Status of my order please"}))
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "d"), "kickoff", "--ticket", str(ticket), "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)
    assert first["ticket_id"] == "T-77" and first["outcome"] == "resolved"
    assert set(first) >= {
        "ticket_id",
        "outcome",
        "reply",
        "customer_id",
        "actions",
        "approvals",
        "escalation",
        "agents",
        "usage",
        "duration_ms",
        "error",
    }
    assert first["usage"]["llm_calls"] == 5

    # A follow-up: same id, no sender, the earlier messages in `thread`: the customer stays bound.
    scripted_model(_status_script(holder))
    ticket.write_text(
        json.dumps(
            {
                "id": "T-77",
                "body": "And what about it now?",
                "thread": [
                    {"role": "customer", "body": "Status of my order please"},
                    {"role": "agent", "body": first["reply"]},
                ],
            }
        )
    )
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "d"), "kickoff", "--ticket", str(ticket), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["customer_id"] == first["customer_id"]


def test_bad_ticket_file_is_named(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "T-1", "body": ')
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "d"), "kickoff", "--ticket", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: line 1: not valid JSON" in result.output


def test_missing_field_is_named(tmp_path) -> None:
    ticket = tmp_path / "t.json"
    ticket.write_text(json.dumps({"id": "T-1", "from_email": EMAIL}))
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "d"), "kickoff", "--ticket", str(ticket)])
    assert result.exit_code == 1
    assert "body: Field required" in result.output


def test_unknown_customer(tmp_path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path / "d"), "kickoff", "hi", "--from-email", "nobody@example.com"]
    )
    assert result.exit_code == 1
    assert "no customer with e-mail 'nobody@example.com'" in result.output


def test_unreachable_api(tmp_path) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = runner.invoke(
        app,
        ["--data-dir", str(tmp_path / "d"), "kickoff", "hi"],
        env={"SUPPORT_CREW_API_URL": f"http://127.0.0.1:{port}"},
    )
    assert result.exit_code == 1
    assert f"the store API at http://127.0.0.1:{port} is unreachable" in result.output


def test_usage_errors_exit_2(tmp_path) -> None:
    neither = runner.invoke(app, ["--data-dir", str(tmp_path / "d"), "kickoff"])
    assert neither.exit_code == 2 and "one of the two" in neither.output
    both = runner.invoke(app, ["--data-dir", str(tmp_path / "d"), "kickoff", "hi", "--ticket", "x.json"])
    assert both.exit_code == 2
    unknown = runner.invoke(app, ["kickoff", "--no-such-option"])
    assert unknown.exit_code == 2
