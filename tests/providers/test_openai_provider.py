"""CrewAI's native OpenAI client, unmodified, against a loopback Chat Completions fake: the crew's
whole path (delegation, tool calls and their results, the final JSON answer, the client's retries
on 429 and 500, a hang past the timeout, the circuit breaker) and the provider's usage figures."""

from __future__ import annotations

import pytest
from crewai.llms.base_llm import BaseLLM

from core.models import Ticket
from runner.providers import provider_llm
from runner.ticket_run import open_environment, run_ticket
from tests.providers.conftest import (
    assert_no_token_estimate_warning,
    delegate,
    final,
    pending_orders,
    provider_settings,
    report,
    trace_events,
    use_openai,
)
from tests.providers.fake_servers import Chaos, Fault, Hang, OpenAIFake

MODEL = "openai/gpt-4.1-mini"


def test_openai_resolves_a_ticket_end_to_end_with_the_providers_usage(tmp_path, monkeypatch, caplog, capfd) -> None:
    settings = provider_settings(tmp_path, MODEL)
    order = next(o for o in pending_orders(settings) if o["paid"] < 50)
    order_id = order["order_id"]

    def cancel_after_reading(request):
        seen = request.last_result()  # the tool's result came back to the model through the client
        assert seen["order_id"] == order_id and seen["status"] == "pending"
        return [("cancel_pending_order", {"order_id": order_id, "reason": "ordered by mistake"})]

    scripts = {
        "Support Manager": [
            [delegate("Order Specialist", f"Cancel order {order_id}: ordered by mistake")],
            final("resolved", f"I have cancelled order {order_id}; ${order['paid']:.2f} goes back to you."),
        ],
        "Order Specialist": [
            Fault(429),  # the client retries a rate limit ...
            [("get_order_details", {"order_id": order_id})],
            cancel_after_reading,
            Fault(500),  # ... and a server error
            report("done", f"Order {order_id} is cancelled."),
        ],
    }
    with OpenAIFake(scripts).running() as fake:
        use_openai(monkeypatch, fake.base_url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-oai", from_email=order["email"], body=f"Cancel {order_id} please"), env)
            after = env.store.orders.get(order_id)

    assert result.outcome == "resolved", result
    assert [(a.name, a.status) for a in result.actions] == [("cancel_pending_order", "done")]
    assert after["status"] == "cancelled"
    assert order_id in result.reply and result.model == MODEL
    assert fake.faults_served == [429, 500]
    # usage is what the provider reported, call by call, and its cost is at gpt-4.1-mini's prices
    assert result.usage.llm_calls == fake.answered == 5
    assert result.usage.prompt_tokens == fake.reported_prompt_tokens == 5 * 1200
    assert result.usage.completion_tokens == fake.reported_completion_tokens == 5 * 80
    assert result.usage.cost_usd == pytest.approx(5 * (1200 * 0.40 + 80 * 1.60) / 1e6)
    events = trace_events(settings, "T-oai")
    llm_calls = [e for e in events if e["event"] == "llm_call"]
    assert len(llm_calls) == 5 and {e["tokens_from"] for e in llm_calls} == {"provider"}
    assert {e["model"] for e in llm_calls} == {"gpt-4.1-mini"}
    assert [e["event"] for e in events if e["event"].startswith("tier_")] == ["tier_started", "tier_ended"]
    # no count endpoint was called and no estimate warning was printed
    assert all(path.endswith("/chat/completions") for path in fake.paths)
    assert_no_token_estimate_warning(caplog, capfd)


def test_the_warning_check_sees_crewais_estimate_warning(caplog, capfd) -> None:
    """The check above can fail: CrewAI's stock estimate (what our local count replaces) logs it."""
    llm = provider_llm("openai/qwen3", base_url="http://127.0.0.1:9/v1", timeout_s=1, retries=0)
    BaseLLM.get_input_tokens_count(llm, [{"role": "user", "content": "hello there"}])
    with pytest.raises(AssertionError, match="approximate input token count"):
        assert_no_token_estimate_warning(caplog, capfd)


def test_a_hang_past_the_client_timeout_ends_escalated_with_the_reason(tmp_path, monkeypatch) -> None:
    settings = provider_settings(tmp_path, MODEL, llm_timeout_s=0.5, llm_retries=1)
    order = pending_orders(settings)[0]
    with OpenAIFake({"Support Manager": [Hang(3.0), Hang(3.0)]}).running() as fake:
        use_openai(monkeypatch, fake.base_url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-hang", from_email=order["email"], body="Where is my order?"), env)

    assert len(fake.requests) == 2  # the first try and the client's one retry
    assert result.outcome == "escalated" and result.actions == []
    assert result.escalation is not None
    assert "gpt-4.1-mini" in result.escalation.reason and "Timeout" in result.escalation.reason
    ended = [e for e in trace_events(settings, "T-hang") if e["event"] == "tier_ended"]
    assert [e["status"] for e in ended] == ["provider_failed"]


def test_the_circuit_breaker_opens_after_repeated_failures_and_then_fails_fast(tmp_path, monkeypatch) -> None:
    settings = provider_settings(tmp_path, MODEL, llm_retries=0)
    order = pending_orders(settings)[0]
    with OpenAIFake(chaos=Chaos(rate=1.0, seed=1, statuses=(500,))).running() as fake:
        use_openai(monkeypatch, fake.base_url)
        with open_environment(settings) as env:
            results = [
                run_ticket(Ticket(id=f"T-cb{i}", from_email=order["email"], body="Where is my order?"), env)
                for i in range(4)
            ]

    assert len(fake.requests) == 3  # the fourth ticket never reached the provider
    assert all(r.outcome == "escalated" for r in results)
    reasons = [r.escalation.reason for r in results if r.escalation]
    assert "InternalServerError" in reasons[0]
    assert "circuit breaker" in reasons[3] and "open" in reasons[3]
