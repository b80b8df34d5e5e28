"""CrewAI's native Anthropic client, unmodified, against a loopback Messages API fake (the SDK reads
ANTHROPIC_BASE_URL): delegation, tool_use and tool_result blocks, the final JSON answer, a retried
429, and the provider's own usage; no call to the count_tokens endpoint."""

from __future__ import annotations

import pytest

from core.models import Ticket
from runner.ticket_run import open_environment, run_ticket
from tests.providers.conftest import (
    assert_no_token_estimate_warning,
    delegate,
    final,
    pending_orders,
    provider_settings,
    report,
    trace_events,
    use_anthropic,
)
from tests.providers.fake_servers import AnthropicFake, Fault, Hang

MODEL = "anthropic/claude-sonnet-4-5"


def test_anthropic_resolves_a_ticket_end_to_end_with_the_providers_usage(tmp_path, monkeypatch, caplog, capfd) -> None:
    settings = provider_settings(tmp_path, MODEL)
    order = next(o for o in pending_orders(settings) if o["paid"] < 50)
    order_id = order["order_id"]

    def cancel_after_reading(request):
        assert request.last_result()["status"] == "pending"  # the tool_result block reached the model
        return [("cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"})]

    scripts = {
        # one delegation marked final: the specialist's terminal report is the ticket's answer
        "Support Manager": [Fault(429), [delegate("Order Specialist", f"Cancel {order_id}", final=True)]],
        "Order Specialist": [
            [("get_order_details", {"order_id": order_id})],
            cancel_after_reading,
            report("done", f"Hello, order {order_id} is cancelled and ${order['paid']:.2f} is refunded."),
        ],
    }
    with AnthropicFake(scripts, usage=(2000, 150)).running() as fake:
        use_anthropic(monkeypatch, fake.url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-ant", from_email=order["email"], body=f"Cancel {order_id}."), env)
            after = env.store.orders.get(order_id)

    assert result.outcome == "resolved", result
    assert after["status"] == "cancelled" and after["cancel_reason"] == "no longer needed"
    assert order_id in result.reply and result.model == MODEL
    assert fake.faults_served == [429]
    assert result.usage.llm_calls == fake.answered == 4
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (4 * 2000, 4 * 150)
    assert result.usage.cost_usd == pytest.approx(4 * (2000 * 3.0 + 150 * 15.0) / 1e6)  # Sonnet 4.5's prices
    assert {e["tokens_from"] for e in trace_events(settings, "T-ant") if e["event"] == "llm_call"} == {"provider"}
    assert all(path == "/v1/messages" for path in fake.paths)  # never /v1/messages/count_tokens
    assert_no_token_estimate_warning(caplog, capfd)


def test_anthropic_managers_own_final_answer_after_a_server_error(tmp_path, monkeypatch) -> None:
    """The manager delegates (not final), reads the specialist's report and answers with the
    TicketResolution JSON in a second turn; the client retries a 500 on the way."""
    settings = provider_settings(tmp_path, MODEL)
    order = next(o for o in pending_orders(settings) if o["paid"] < 50)
    order_id = order["order_id"]

    def answer_from_the_report(request):
        assert request.last_result()["status"] == "done"  # the specialist's report came back as a tool_result
        return final("resolved", f"Hello, I have cancelled order {order_id}; ${order['paid']:.2f} is refunded.")

    scripts = {
        "Support Manager": [
            [delegate("Order Specialist", f"Cancel {order_id}: no longer needed")],
            Fault(500),  # the client retries a server error
            answer_from_the_report,
        ],
        "Order Specialist": [
            [("cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"})],
            report("done", f"Order {order_id} is cancelled."),
        ],
    }
    with AnthropicFake(scripts, usage=(2000, 150)).running() as fake:
        use_anthropic(monkeypatch, fake.url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-ant2", from_email=order["email"], body=f"Cancel {order_id}."), env)
            after = env.store.orders.get(order_id)

    assert result.outcome == "resolved", result
    assert after["status"] == "cancelled"
    assert result.reply.startswith("Hello, I have cancelled order") and result.model == MODEL
    assert fake.faults_served == [500]
    assert [r.role for r in fake.requests] == [
        "Support Manager",
        "Order Specialist",
        "Order Specialist",
        "Support Manager",
        "Support Manager",
    ]
    assert result.usage.llm_calls == fake.answered == 4
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (4 * 2000, 4 * 150)


def test_anthropic_hang_past_the_client_timeout_ends_escalated_with_the_reason(tmp_path, monkeypatch) -> None:
    settings = provider_settings(tmp_path, MODEL, llm_timeout_s=0.5, llm_retries=1)
    order = pending_orders(settings)[0]
    with AnthropicFake({"Support Manager": [Hang(3.0), Hang(3.0)]}).running() as fake:
        use_anthropic(monkeypatch, fake.url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-ant-hang", from_email=order["email"], body="Where is my order?"), env)

    assert len(fake.requests) == 2  # the first try and the client's one retry
    assert result.outcome == "escalated" and result.actions == [] and result.model is None
    assert result.escalation is not None
    assert "claude-sonnet-4-5" in result.escalation.reason and "Timeout" in result.escalation.reason
    ended = [e for e in trace_events(settings, "T-ant-hang") if e["event"] == "tier_ended"]
    assert [e["status"] for e in ended] == ["provider_failed"]


def test_anthropic_server_errors_past_the_retries_end_escalated(tmp_path, monkeypatch) -> None:
    settings = provider_settings(tmp_path, MODEL, llm_retries=1)
    order = pending_orders(settings)[0]
    with AnthropicFake({"Support Manager": [Fault(500), Fault(500)]}).running() as fake:
        use_anthropic(monkeypatch, fake.url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-ant-500", from_email=order["email"], body="Where is my order?"), env)

    assert fake.faults_served == [500, 500]  # the first try and the client's one retry
    assert result.outcome == "escalated" and result.actions == []
    assert result.escalation is not None and "InternalServerError" in result.escalation.reason
    ended = [e for e in trace_events(settings, "T-ant-500") if e["event"] == "tier_ended"]
    assert [(e["model"], e["status"]) for e in ended] == [(MODEL, "provider_failed")]
