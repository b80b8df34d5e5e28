"""The price table (config/prices.yaml): its checks in `validate`, the cost of a run's tokens by
model, and the report's tickets and cost per tier."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from backlog.report import render_report, summarize
from core.models import Result, Ticket, Usage
from core.settings import PROJECT_ROOT
from runner.prices import ModelUsage, cost_usd, load_prices, price_problems
from runner.ticket_run import SetupError, open_environment, run_ticket
from runner.validation import validate_all
from tests.providers.conftest import provider_settings, trace_events


def test_the_shipped_table_prices_the_reference_and_the_offline_model() -> None:
    table = load_prices(PROJECT_ROOT / "config")
    assert table.reference_model == "openai/gpt-4.1-mini"
    assert (table.reference.input, table.reference.output) == (0.40, 1.60)
    price = table.price_of("offline")
    assert price is not None and (price.input, price.output) == (0, 0)
    # the specific entry wins over the general one, with or without the provider prefix
    assert table.price_of("gpt-4.1")
    assert table.price_of("openai/gpt-4.1-mini").input == 0.40  # type: ignore[union-attr]
    assert table.price_of("gpt-4.1-2025-04-14").input == 2.00  # type: ignore[union-attr]
    assert table.price_of("anthropic/claude-sonnet-4-5").output == 15.00  # type: ignore[union-attr]
    assert table.price_of("ollama/qwen3").input == 0  # type: ignore[union-attr]
    assert table.price_of("mistral/unknown-model") is None


def test_cost_by_model_and_unknown_models() -> None:
    table = load_prices(PROJECT_ROOT / "config")
    used = {"gpt-4.1-mini": ModelUsage(10_000, 1_000), "offline": ModelUsage(5_000, 500)}
    assert cost_usd(table, used) == pytest.approx((10_000 * 0.40 + 1_000 * 1.60) / 1e6)
    assert cost_usd(table, {"mystery": ModelUsage(1, 1)}) is None
    assert cost_usd(table, {"mystery": ModelUsage(0, 0)}) == 0.0  # a model that used nothing costs nothing


def test_validate_names_every_problem_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text(
        "reference_model: openai/gpt-9\n"
        "models:\n"
        "  - pattern: offline\n"
        "    input: 1\n"
        "    output: 0\n"
        "  - pattern: gpt-4.1*\n"
        "    input: -2\n"
        "    output: 8\n"
        "    currency: usd\n"
    )
    _, problems = price_problems(tmp_path)
    text = "\n".join(str(p) for p in problems)
    assert "prices.yaml:7: models.1.input" in text and "greater than or equal to 0" in text
    assert "prices.yaml:9: models.1.currency: unknown key 'currency'" in text
    (tmp_path / "prices.yaml").write_text(
        "reference_model: openai/gpt-9\nmodels:\n  - pattern: offline\n    input: 1\n    output: 0\n"
    )
    _, problems = price_problems(tmp_path)
    text = "\n".join(str(p) for p in problems)
    assert "the offline model runs here and must cost 0" in text
    assert "prices.yaml:1: reference_model 'openai/gpt-9' matches no entry" in text


def _result(ticket_id: str, model: str, cost: float | None) -> Result:
    return Result(ticket_id=ticket_id, outcome="resolved", reply="ok", model=model, usage=Usage(cost_usd=cost))


def test_the_report_counts_tickets_and_cost_per_tier_and_tag() -> None:
    results = [
        _result("A", "offline", 0.0),
        _result("B", "offline", 0.0),
        _result("C", "openai/gpt-4.1-mini", 0.004),
        _result("D", "openai/gpt-4.1-mini", 0.002),
    ]
    report = summarize(results, {"A": ["cancel"], "C": ["cancel"], "D": ["return"]})
    assert report.overall.tickets_by_model == {"offline": 2, "openai/gpt-4.1-mini": 2}
    assert report.overall.cost_per_ticket_usd == pytest.approx(0.0015)
    assert report.overall.cost_per_ticket_by_model["openai/gpt-4.1-mini"] == pytest.approx(0.003)
    assert report.by_tag["cancel"].cost_per_ticket_by_model == {"offline": 0.0, "openai/gpt-4.1-mini": 0.004}
    console = Console(file=io.StringIO(), width=200)
    console.print(render_report(report, width=200))
    table = console.file.getvalue()  # type: ignore[attr-defined]
    assert "on openai/gpt-4.1-mini" in table and "0.00300" in table and "cost/ticket $" in table


def test_cost_per_tier_comes_from_each_attempts_own_usage() -> None:
    """A: tier 1 failed, tier 2 answered; B: both passed it on (escalated after all tiers, no
    model); C: answered by tier 1 and has no trace (its whole cost is its answering tier's)."""
    results = [
        _result("A", "openai/gpt-4.1", 0.010),
        Result(ticket_id="B", outcome="escalated", reply="A person will follow up.", usage=Usage(cost_usd=0.003)),
        _result("C", "openai/gpt-4.1-mini", 0.004),
    ]
    tier_costs = {
        "A": {"openai/gpt-4.1-mini": 0.002, "openai/gpt-4.1": 0.008},
        "B": {"openai/gpt-4.1-mini": 0.001, "openai/gpt-4.1": 0.002},
    }
    overall = summarize(results, tier_costs=tier_costs).overall
    assert overall.tickets_by_model == {"escalated after all tiers": 1, "openai/gpt-4.1": 1, "openai/gpt-4.1-mini": 1}
    assert overall.cost_per_ticket_by_model == {
        "openai/gpt-4.1": pytest.approx((0.008 + 0.002) / 2),
        "openai/gpt-4.1-mini": pytest.approx((0.002 + 0.001 + 0.004) / 3, abs=1e-6),  # rounded to 1e-6
    }
    console = Console(file=io.StringIO(), width=200)
    console.print(render_report(summarize(results, tier_costs=tier_costs), width=200))
    table = console.file.getvalue()  # type: ignore[attr-defined]
    assert "escalated after all tiers" in table and "on unknown" not in table


STATUS_TICKET = Ticket(
    id="P-01",
    from_email="chen.lopez1681@example.com",
    subject="Order status",
    body="Hi,\n\nCould you tell me the current status of my order #W1790752? It's the mechanical keyboard.\n\nChen",
)


def test_without_a_price_table_tickets_run_and_costs_are_unknown(tmp_path: Path, config_copy: Path) -> None:
    (config_copy / "prices.yaml").unlink()
    settings = provider_settings(tmp_path, "offline", config_dir=config_copy)
    assert validate_all(settings) == []  # not a problem: the table is optional
    with open_environment(settings) as env:
        assert env.prices is None and "no price table: costs unknown" in env.notes
        result = run_ticket(STATUS_TICKET, env)
    assert result.outcome == "resolved", result
    assert result.usage.llm_calls > 0 and result.usage.cost_usd is None
    degraded = [e["reason"] for e in trace_events(settings, "P-01") if e["event"] == "degraded"]
    assert "no price table: costs unknown" in degraded


def test_an_invalid_price_table_still_stops_the_run_and_validate_names_its_line(
    tmp_path: Path, config_copy: Path
) -> None:
    (config_copy / "prices.yaml").write_text(
        "reference_model: openai/gpt-4.1-mini\nmodels:\n  - pattern: gpt-4.1*\n    input: -1\n    output: 1\n"
    )
    settings = provider_settings(tmp_path, "offline", config_dir=config_copy)
    text = "\n".join(str(p) for p in validate_all(settings))
    assert f"{config_copy / 'prices.yaml'}:4: models.0.input" in text, text
    with pytest.raises(SetupError, match=r"prices\.yaml:4"), open_environment(settings):
        pass
