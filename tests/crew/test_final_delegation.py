"""A delegation the manager marks `final` ends the ticket with the specialist's report, with no
second manager call, but only when that is safe: one delegation, a report a program can read, and
every request ended. Otherwise the manager is called again to combine, as usual."""

from __future__ import annotations

import json

import pytest

from core.models import Ticket
from crews.delegation import final_resolution
from runner.ticket_run import open_environment, run_ticket
from sandbox_store.access import store_client


def _report(status: str, reply: str, **extra) -> str:
    return json.dumps({"status": status, "reply": reply, "summary": f"#1 status: {status}", **extra})


def _customer_with_order(settings) -> tuple[str, str]:
    with store_client(settings) as client:
        export = client.export()
    order = next(iter(export["orders"].values()))
    return export["users"][order["user_id"]]["email"], order["order_id"]


def _delegate(coworker: str, final: bool, task: str = "Tell the customer the status of their order") -> tuple:
    return ("delegate_work_to_coworker", {"task": task, "context": "the ticket", "coworker": coworker, "final": final})


def _manager_calls(model) -> int:
    return sum(1 for call in model.calls if call.agent == "Support Manager")


def test_final_delegation_answers_without_a_second_manager_call(settings, scripted_model) -> None:
    email, order_id = _customer_with_order(settings)
    model = scripted_model(
        {
            "Support Manager": [[_delegate("Order Specialist", True)]],
            "Order Specialist": [
                [("get_order_details", {"order_id": order_id})],
                lambda call: _report("answered", f"Hello,\n\nOrder {order_id} is {call.tool_results()[-1]['status']}."),
            ],
        }
    )
    ticket = Ticket(id="T-final", from_email=email, body=f"What is the status of {order_id}?")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)

    assert _manager_calls(model) == 1
    assert result.usage.llm_calls == 3
    assert result.outcome == "resolved"
    assert order_id in result.reply
    # the specialist was told its reply goes out as written (config/tasks.yaml delegated_task)
    specialist_task = next(c for c in model.calls if c.agent == "Order Specialist").messages[1]["content"]
    assert "goes to the customer as written" in specialist_task
    # every model call is traced whole, whatever order the event bus delivers its two events in
    events = [
        json.loads(line) for line in (settings.resolved_data_dir / "traces" / "T-final.jsonl").read_text().splitlines()
    ]
    llm_calls = [e for e in events if e["event"] == "llm_call"]
    assert len(llm_calls) == 3
    assert all(e["prompt_tokens"] and e["latency_ms"] is not None for e in llm_calls)
    assert sum(e["prompt_tokens"] for e in llm_calls) == result.usage.prompt_tokens


@pytest.mark.parametrize(
    "answer",
    [
        _report("done", "Partly done.", results=[{"request": 1, "intent": "cancel", "status": "failed", "reply": "x"}]),
        _report(
            "done",
            "Ask the returns team.",
            results=[
                {
                    "request": 1,
                    "intent": "return",
                    "status": "done",
                    "reply": "x",
                    "reroute": "return_delivered_order_items",
                }
            ],
        ),
        "Your order is on its way.",  # prose: nothing a program can read
    ],
)
def test_the_manager_goes_on_when_the_report_is_not_terminal(settings, scripted_model, answer) -> None:
    email, order_id = _customer_with_order(settings)
    model = scripted_model(
        {
            "Support Manager": [
                [_delegate("Order Specialist", True)],
                json.dumps(
                    {
                        "outcome": "resolved",
                        "reply": "Combined by the manager.",
                        "escalation": None,
                        "internal_summary": "combined",
                    }
                ),
            ],
            "Order Specialist": [answer],
        }
    )
    with open_environment(settings) as env:
        result = run_ticket(Ticket(id="T-go-on", from_email=email, body=f"Status of {order_id}?"), env)

    assert _manager_calls(model) == 2
    assert result.reply.startswith("Combined by the manager.")


def test_two_delegations_in_one_turn_are_combined_by_the_manager(settings, scripted_model) -> None:
    email, _ = _customer_with_order(settings)
    model = scripted_model(
        {
            # a model that wrongly marks both final: neither report may become the answer alone
            "Support Manager": [
                [_delegate("Order Specialist", True), _delegate("Billing Specialist", True, "Explain the charge")],
                json.dumps(
                    {"outcome": "resolved", "reply": "Both answered.", "escalation": None, "internal_summary": "two"}
                ),
            ],
            "Order Specialist": [_report("answered", "Your order is pending.")],
            "Billing Specialist": [_report("answered", "The charge is the order total.")],
        }
    )
    with open_environment(settings) as env:
        result = run_ticket(Ticket(id="T-two", from_email=email, body="Status and the charge?"), env)

    assert _manager_calls(model) == 2
    assert result.reply.startswith("Both answered.")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("done", "resolved"),
        ("pending_approval", "resolved"),
        ("answered", "resolved"),
        ("needs_info", "needs_info"),
        ("refused", "refused"),
        ("escalated", "escalated"),
        ("failed", None),
    ],
)
def test_report_status_maps_to_the_ticket_outcome(status, outcome) -> None:
    escalation = {"reason": "asked for a person", "priority": "normal", "summary": "wants a call back"}
    resolution = final_resolution("Report:\n```json\n" + _report(status, "Hi.", escalation=escalation) + "\n```")
    assert (resolution.outcome if resolution else None) == outcome
    if outcome == "escalated":
        assert resolution.escalation is not None and resolution.escalation.reason == "asked for a person"
    elif resolution is not None:
        assert resolution.escalation is None
