"""Model tiers (`--llm A,B`): a ticket moves, afresh, to the next model when the model hands it over
or its provider fails; idempotency keys keep the earlier tier's writes and approval requests from
happening twice; after the last tier it is escalated with the reason; the batch loses no ticket
under provider faults; the report counts tickets per tier."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from rich.console import Console

from backlog.batch import run_batch
from backlog.report import summarize, tier_costs_from_traces
from core.models import Escalation, Ticket
from core.settings import Settings
from runner import ticket_run
from runner.ticket_run import open_environment, run_ticket
from runner.tiers import TierAttempt
from tests.fakes import ScriptedLLM
from tests.providers.conftest import (
    delegate,
    final,
    pending_orders,
    provider_settings,
    report,
    trace_events,
    use_openai,
)
from tests.providers.fake_servers import Chaos, FakeRequest, Fault, OpenAIFake
from tools.context import ToolContext

STATUS_TICKET = Ticket(
    id="B-01",
    from_email="chen.lopez1681@example.com",
    subject="Order status",
    body="Hi,\n\nCould you tell me the current status of my order #W1790752? It's the mechanical keyboard.\n\nChen",
)


def _tiers(settings: Settings, ticket_id: str) -> list[tuple[str, str]]:
    return [(e["model"], e["status"]) for e in trace_events(settings, ticket_id) if e["event"] == "tier_ended"]


def _handing_over_offline(monkeypatch: pytest.MonkeyPatch, handover: str) -> None:
    """The `offline` tier played by a scripted model that reads part of the ticket only: it changes
    nothing and hands the ticket over. Every other tier is built for real."""
    real = ticket_run.make_llm

    def make_llm(name: str, **options: Any) -> Any:
        if name != "offline":
            return real(name, **options)
        answer = final("needs_info", "We will get back to you.", handover=handover)
        return ScriptedLLM({"Support Manager": [answer]}, model="offline")

    monkeypatch.setattr(ticket_run, "make_llm", make_llm)


def test_a_failing_first_tier_gives_the_ticket_to_the_offline_model(tmp_path, monkeypatch) -> None:
    # OPENAI_BASE_URL is the suite's closed loopback port (tests/conftest.py): connection refused
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-fake")
    settings = provider_settings(tmp_path, "openai/gpt-4.1-mini,offline", llm_retries=0)
    with open_environment(settings) as env:
        result = run_ticket(STATUS_TICKET, env)

    assert result.outcome == "resolved", result
    assert result.model == "offline" and "#W1790752" in result.reply
    assert _tiers(settings, "B-01") == [("openai/gpt-4.1-mini", "provider_failed"), ("offline", "answered")]
    assert result.usage.cost_usd == 0.0  # the failed call is not billed, the offline model is free


def test_a_ticket_the_first_tier_hands_over_is_resolved_by_the_second(tmp_path, monkeypatch) -> None:
    settings = provider_settings(tmp_path, "offline,openai/gpt-4.1-mini")
    order = next(o for o in pending_orders(settings) if o["paid"] < 50)
    order_id = order["order_id"]
    _handing_over_offline(monkeypatch, "the part about the gift wrapping")
    scripts = {
        "Support Manager": [[delegate("Order Specialist", f"Cancel {order_id}", final=True)]],
        "Order Specialist": [
            [("cancel_pending_order", {"order_id": order_id, "reason": "ordered by mistake"})],
            report("done", f"Hello, order {order_id} is cancelled."),
        ],
    }
    with OpenAIFake(scripts).running() as fake:
        use_openai(monkeypatch, fake.base_url)
        with open_environment(settings) as env:
            ticket = Ticket(id="T-hand", from_email=order["email"], body=f"Cancel {order_id}, and gift wrap it?")
            result = run_ticket(ticket, env)
            after = env.store.orders.get(order_id)

    assert result.outcome == "resolved" and result.model == "openai/gpt-4.1-mini", result
    assert after["status"] == "cancelled"
    assert _tiers(settings, "T-hand") == [("offline", "handed_over"), ("openai/gpt-4.1-mini", "answered")]
    # usage covers both tiers: the scripted tier's counted calls and the provider's reported ones
    assert result.usage.llm_calls == 1 + fake.answered
    assert result.usage.prompt_tokens > fake.reported_prompt_tokens
    # each tier's own usage and cost is traced, and the report's cost per tier comes from it
    ended = [e for e in trace_events(settings, "T-hand") if e["event"] == "tier_ended"]
    own_cost = (fake.reported_prompt_tokens * 0.40 + fake.reported_completion_tokens * 1.60) / 1e6
    assert [(e["llm_calls"], e["cost_usd"]) for e in ended] == [(1, 0.0), (fake.answered, pytest.approx(own_cost))]
    assert ended[1]["prompt_tokens"] == fake.reported_prompt_tokens
    costs = tier_costs_from_traces(settings.resolved_data_dir, ["T-hand"])
    assert costs == {"T-hand": {"offline": 0.0, "openai/gpt-4.1-mini": pytest.approx(own_cost)}}
    by_tier = summarize([result], tier_costs=costs).overall.cost_per_ticket_by_model
    assert by_tier == {"offline": 0.0, "openai/gpt-4.1-mini": pytest.approx(own_cost)}


def test_after_the_last_tier_the_ticket_is_escalated_with_the_handover(tmp_path, monkeypatch) -> None:
    settings = provider_settings(tmp_path, "offline")
    order = pending_orders(settings)[0]
    _handing_over_offline(monkeypatch, "the sentence about a second parcel")
    with open_environment(settings) as env:
        result = run_ticket(Ticket(id="T-last", from_email=order["email"], body="Where is my second parcel?"), env)

    assert result.outcome == "escalated" and result.actions == []
    assert result.escalation is not None
    assert "handed the ticket over: the sentence about a second parcel" in result.escalation.reason
    assert "the sentence about a second parcel" in result.escalation.summary
    # no model answered it: the result names none, and the report counts it apart from the tiers
    assert result.model is None
    assert summarize([result]).overall.tickets_by_model == {"escalated after all tiers": 1}


def test_the_next_tier_repeats_no_write_and_requests_no_approval_twice(tmp_path, monkeypatch) -> None:
    """Tier 1 cancels a small order (done) and a big one (held for approval), then its provider
    fails; tier 2 starts afresh and asks for both again with the same arguments."""
    settings = provider_settings(tmp_path, "openai/gpt-4.1-mini,openai/gpt-4.1", llm_retries=1)
    orders = pending_orders(settings)
    small, big = next(
        (s, b) for s in orders for b in orders if s["paid"] < 50 and b["paid"] > 100 and s["user_id"] == b["user_id"]
    )
    cancels = [
        ("cancel_pending_order", {"order_id": small["order_id"], "reason": "no longer needed"}),
        ("cancel_pending_order", {"order_id": big["order_id"], "reason": "no longer needed"}),
    ]
    task = f"Cancel {small['order_id']} and {big['order_id']}"
    scripts = {
        "Support Manager": [[delegate("Order Specialist", task, final=True)]] * 2,
        "Order Specialist": [
            cancels,
            Fault(500),
            Fault(500),  # tier 1's client gives up: its provider failed
            cancels,  # tier 2, afresh
            report("pending_approval", "One order is cancelled, the other waits for approval."),
        ],
    }
    fake = OpenAIFake(scripts)
    with fake.running():
        use_openai(monkeypatch, fake.base_url)
        with open_environment(settings) as env:
            ticket = Ticket(id="T-twice", from_email=small["email"], body=f"Please {task.lower()}.")
            result = run_ticket(ticket, env)
            small_after = env.store.orders.get(small["order_id"])
            big_after = env.store.orders.get(big["order_id"])
            held = [a for a in env.approvals.list() if a.ticket_id == "T-twice"]

    assert _tiers(settings, "T-twice") == [
        ("openai/gpt-4.1-mini", "provider_failed"),
        ("openai/gpt-4.1", "answered"),
    ]
    refunds = [p for p in small_after["payment_history"] if p["transaction_type"] == "refund"]
    assert small_after["status"] == "cancelled" and len(refunds) == 1  # applied once
    assert big_after["status"] == "pending"
    assert len(held) == 1  # requested once
    # (the two calls of one answer run side by side: their order is not fixed)
    assert sorted((a.arguments["order_id"], a.status) for a in result.actions) == sorted(
        [(small["order_id"], "done"), (big["order_id"], "pending_approval")]
    )
    assert [a.id for a in result.approvals] == [held[0].id]
    assert result.outcome == "pending_approval"


def test_a_later_tier_keeps_the_customer_an_earlier_tier_bound(tmp_path, monkeypatch) -> None:
    """Tier 1 identifies the writer by name and ZIP (the intake bound no one: no sender address),
    then its provider fails; tier 2 starts afresh and tries to identify someone else the ticket
    names. A ticket speaks for one customer: the first binding stands."""
    settings = provider_settings(tmp_path, "openai/gpt-4.1-mini,openai/gpt-4.1", llm_retries=0)
    noah = {"first_name": "Noah", "last_name": "Brown", "zip": "80279"}  # noah_brown_6181
    ivan = {"first_name": "Ivan", "last_name": "Santos", "zip": "75277"}  # ivan_santos_6635
    body = "I am Noah Brown, ZIP 80279. My neighbour Ivan Santos, ZIP 75277, asks where his order is."
    seen_by_tier_2: list[Any] = []

    def report_after_trying(request: FakeRequest) -> str:
        seen_by_tier_2.append(request.last_result())
        return report("answered", "Hello Noah, we can only discuss your own account.")

    scripts = {
        "Support Manager": [[delegate("Order Specialist", "Identify the customer, answer", final=True)]] * 2,
        "Order Specialist": [
            [("find_customer_by_name_zip", noah)],
            Fault(500),  # tier 1's provider fails (no client retry)
            [("find_customer_by_name_zip", ivan)],  # tier 2, afresh
            report_after_trying,
        ],
    }
    with OpenAIFake(scripts).running() as fake:
        use_openai(monkeypatch, fake.base_url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-bound", body=body), env)

    assert _tiers(settings, "T-bound") == [
        ("openai/gpt-4.1-mini", "provider_failed"),
        ("openai/gpt-4.1", "answered"),
    ]
    assert result.customer_id == "noah_brown_6181", result
    assert seen_by_tier_2 and "ivan_santos_6635" not in json.dumps(seen_by_tier_2), seen_by_tier_2
    lookups = [e for e in trace_events(settings, "T-bound") if e["event"] == "tool_call"]
    assert all("ivan_santos_6635" not in json.dumps(e) for e in lookups)


def test_the_merged_context_keeps_the_first_escalation_and_every_flag() -> None:
    first = Escalation(reason="tier 1 asked for a person", priority="high", summary="s1")
    later = Escalation(reason="tier 2 asked too", priority="normal", summary="s2")
    intake_ctx = ToolContext(ticket_id="T", flags=["intake flag"])
    one = TierAttempt(tier=1, model="a", ctx=ToolContext(ticket_id="T", customer_id="c1", escalation=first))
    one.ctx.flags = ["refund flagged for review"]
    two = TierAttempt(tier=2, model="b", ctx=ToolContext(ticket_id="T", escalation=later, flags=["intake flag", "x"]))
    merged = ticket_run._merged_context(intake_ctx, [one, two])
    assert merged.escalation is first
    assert merged.flags == ["intake flag", "refund flagged for review", "x"]
    assert merged.customer_id == "c1"


def _generic_responder(request: FakeRequest) -> Any:
    """A model for any status/cancel ticket: the manager delegates the whole ticket; the specialist
    reads the order the ticket names and cancels it when the customer asked and it is pending."""
    if request.role == "Support Manager":
        task = next(m["content"] for m in request.messages if m.get("role") == "user")
        return [delegate("Order Specialist", str(task), final=True)]
    task = next(str(m["content"]) for m in request.messages if m.get("role") == "user")
    order_id = re.search(r"#W\d{7}", task).group(0)  # type: ignore[union-attr]
    reads = [r for r in request.tool_results if isinstance(r, dict) and r.get("order_id") == order_id]
    if not reads:
        return [("get_order_details", {"order_id": order_id})]
    last = request.tool_results[-1]
    wants_cancel = "cancel" in task.lower()
    if wants_cancel and reads[-1].get("status") == "pending" and "status" in last and last is reads[-1]:
        return [("cancel_pending_order", {"order_id": order_id, "reason": "ordered by mistake"})]
    return report("done" if wants_cancel else "answered", f"Hello, order {order_id} is {reads[-1]['status']}.")


def test_a_batch_under_provider_faults_loses_no_ticket_and_applies_no_write_twice(tmp_path, monkeypatch) -> None:
    settings = provider_settings(tmp_path, "openai/gpt-4.1-mini,openai/gpt-4.1", llm_retries=1)
    pending = pending_orders(settings)
    # three that go through at once and three held for a person's approval (over $100)
    orders = [o for o in pending if o["paid"] < 50][:3] + [o for o in pending if o["paid"] > 100][:3]
    tickets = [
        {"id": f"F-{i}", "from_email": o["email"], "body": f"Please cancel {o['order_id']}.", "tags": ["cancel"]}
        for i, o in enumerate(orders)
    ]
    in_path, out_path = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    in_path.write_text("".join(json.dumps(t) + "\n" for t in tickets))
    fake = OpenAIFake(responder=_generic_responder, chaos=Chaos(rate=0.3, seed=11))
    with fake.running():
        use_openai(monkeypatch, fake.base_url)
        quiet = Console(file=io.StringIO())
        summary = run_batch(in_path, out_path, settings=settings, progress=False, console=quiet)
        with open_environment(settings) as env:
            after = {o["order_id"]: env.store.orders.get(o["order_id"]) for o in orders}
            held = [a.arguments["order_id"] for a in env.approvals.list()]

    results = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert sorted(r["ticket_id"] for r in results) == sorted(t["id"] for t in tickets)  # none lost
    assert fake.faults_served, "the fake served no fault: the test proves nothing"
    by_id = {r["ticket_id"]: r for r in results}
    for order, ticket in zip(orders, tickets, strict=True):
        history = after[order["order_id"]]["payment_history"]
        refunds = [p for p in history if p["transaction_type"] == "refund"]
        statuses = [a["status"] for a in by_id[ticket["id"]]["actions"]]
        assert len(refunds) <= 1 and held.count(order["order_id"]) <= 1  # never applied or requested twice
        if "done" in statuses:
            assert after[order["order_id"]]["status"] == "cancelled" and len(refunds) == 1
        if "pending_approval" in statuses:
            assert after[order["order_id"]]["status"] == "pending" and held.count(order["order_id"]) == 1
    assert summary.tickets == len(tickets)
    # some tickets moved to the second tier, and the report counts tickets per tier
    figures = summarize([by_id[t["id"]] for t in tickets]).overall
    assert sum(figures.tickets_by_model.values()) == len(tickets)
    assert figures.tickets_by_model.get("openai/gpt-4.1", 0) >= 1, figures.tickets_by_model
