"""A scripted model drives full hierarchical runs: the manager delegates, a specialist calls
tools, the store changes, and the result reports it. Also: grants and budgets hold whatever the
model emits."""

from __future__ import annotations

import json

from core.models import Ticket
from runner.ticket_run import open_environment, run_ticket
from sandbox_store.access import store_client


def _final(outcome: str, reply: str) -> str:
    return json.dumps({"outcome": outcome, "reply": reply, "escalation": None, "internal_summary": reply})


def _small_pending_order(settings) -> tuple[str, str, float]:
    """A pending order under $50, read from the store the run will use (not hard-coded)."""
    with store_client(settings) as client:
        export = client.export()
    for order in export["orders"].values():
        paid = sum(p["amount"] for p in order["payment_history"] if p["transaction_type"] == "payment")
        if order["status"] == "pending" and paid < 50:
            return order["order_id"], export["users"][order["user_id"]]["email"], paid
    raise AssertionError("the seed store has no pending order under $50")


def test_manager_delegates_specialist_cancels_store_changes(settings, scripted_model) -> None:
    order_id, email, paid = _small_pending_order(settings)

    def read_then_cancel(call):
        order = call.tool_results()[-1]
        assert order["status"] == "pending"
        return [("cancel_pending_order", {"order_id": order["order_id"], "reason": "ordered by mistake"})]

    model = scripted_model(
        {
            "Support Manager": [
                [
                    (
                        "delegate_work_to_coworker",
                        {
                            "task": f"Cancel order {order_id}: ordered by mistake",
                            "context": "the whole ticket",
                            "coworker": "Order Specialist",
                        },
                    )
                ],
                _final("resolved", f"I have cancelled order {order_id}; ${paid:.2f} goes back to your payment method."),
            ],
            "Order Specialist": [
                [("get_order_details", {"order_id": order_id})],
                read_then_cancel,
                "Cancelled; refund issued.",
            ],
        }
    )
    ticket = Ticket(id="T-cancel", from_email=email, body=f"Please cancel {order_id}, I ordered it by mistake.")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)
        order_after = env.store.orders.get(order_id)

    assert result.outcome == "resolved", result
    assert result.customer_id is not None
    assert [(a.name, a.status) for a in result.actions] == [("cancel_pending_order", "done")]
    assert order_after["status"] == "cancelled"
    refunds = [p for p in order_after["payment_history"] if p["transaction_type"] == "refund"]
    assert round(sum(p["amount"] for p in refunds), 2) == round(paid, 2)
    assert result.agents == ["Order Specialist"]
    assert result.usage.llm_calls == 5 and result.usage.tool_calls == 2
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    # The specialist saw only its YAML grant; the manager only the delegation tools.
    specialist_tools = {name for call in model.calls if call.agent == "Order Specialist" for name in call.tools}
    assert "return_delivered_order_items" not in specialist_tools and "cancel_pending_order" in specialist_tools
    manager_tools = {name for call in model.calls if call.agent == "Support Manager" for name in call.tools}
    assert manager_tools == {"delegate_work_to_coworker"}  # our delegation tool only (crews/delegation.py)


def test_tool_outside_the_grant_is_blocked_whatever_the_model_emits(settings, scripted_model) -> None:
    order_id, email, _ = _small_pending_order(settings)
    scripted_model(
        {
            "Support Manager": [
                [("delegate_work_to_coworker", {"task": "help", "context": "ticket", "coworker": "technical"})],
                _final("resolved", "Done."),
            ],
            # The Technical Specialist is not granted cancel_pending_order: the call must not run.
            "Technical Specialist": [
                [("cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"})],
                "I could not do that.",
            ],
        }
    )
    ticket = Ticket(id="T-acl", from_email=email, body=f"My order {order_id}: please cancel it, no longer needed.")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)
        order_after = env.store.orders.get(order_id)
    assert order_after["status"] == "pending"
    assert result.actions == []
    # 'technical' was normalised to the exact role so the delegation reached the right agent.
    assert result.agents == ["Technical Specialist"]


def test_llm_call_budget_ends_escalated(settings, scripted_model, monkeypatch) -> None:
    loop = [[("get_customer_details", {"customer_id": "x"})]] * 40
    scripted_model(
        {
            "Support Manager": [
                [("delegate_work_to_coworker", {"task": "t", "context": "c", "coworker": "Billing Specialist"})]
            ]
            * 5,
            "Billing Specialist": loop,
        }
    )
    with open_environment(settings) as env:
        monkeypatch.setattr(env.policy.budgets, "max_llm_calls", 4)
        result = run_ticket(Ticket(id="T-budget", body="Why was I charged twice?"), env)
    assert result.outcome == "escalated"
    assert result.escalation is not None and "budget exceeded" in result.escalation.reason
    assert result.usage.llm_calls == 5  # the fifth call was refused by the guard
