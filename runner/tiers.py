"""Model tiers: `--llm offline,openai/gpt-4.1-mini` runs a ticket on the first model and gives it,
afresh, to the next when the model hands it over (its final answer's `handover`: it could not read
all of the ticket and changed nothing) or its provider fails after the client's retries or behind
an open circuit breaker (runner/providers.py). After the last tier the ticket is escalated.

A fresh attempt is a new crew, conversation, tool context and guard; the intake's binding carries
over. Writes and approval requests are keyed by ticket, operation and arguments
(tools/context.py), so an operation the earlier tier applied or held is answered from the store's
or the approval queue's memory, never applied or requested twice. The result lists each operation
once, and its usage and cost cover every tier.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.models import ActionRecord, ApprovalRecord, Usage
from crews.resolution import TicketResolution
from runner.prices import ModelUsage, PriceTable, cost_usd
from safety.guard import TicketGuard
from tools.context import ToolContext

TraceSink = Callable[[dict[str, Any]], None]


@dataclass
class TierAttempt:
    """One tier's run of the ticket."""

    tier: int  # 1-based
    model: str
    ctx: ToolContext
    guard: TicketGuard | None = None
    resolution: TicketResolution | None = None
    error: str | None = None  # the run failed (not the provider's fault)
    budget_reason: str | None = None
    provider_failure: str | None = None
    unavailable: str | None = None  # the model could not be built (missing SDK or key)
    model_names: dict[str, str] = field(default_factory=dict)  # name in LLM events -> name as configured

    @property
    def handover(self) -> str | None:
        if self.resolution is None or not self.resolution.handover:
            return None
        return self.resolution.handover.strip() or None

    @property
    def passed_on(self) -> str | None:
        """Why the next tier should have the ticket, or None when this attempt is the answer."""
        if self.handover is not None:
            return f"{self.model} handed the ticket over: {self.handover}"
        if self.provider_failure is not None:
            return f"{self.model} failed: {self.provider_failure}"
        if self.unavailable is not None:
            return f"{self.model} is not available: {self.unavailable}"
        return None

    def status(self) -> str:
        if self.handover is not None:
            return "handed_over"
        if self.provider_failure is not None:
            return "provider_failed"
        if self.unavailable is not None:
            return "unavailable"
        if self.budget_reason is not None:
            return "budget_exceeded"
        if self.error is not None:
            return "failed"
        return "answered"

    def tokens_by_model(self) -> dict[str, ModelUsage]:
        used: dict[str, ModelUsage] = {}
        for name, (prompt, completion) in (self.guard.tokens_by_model if self.guard else {}).items():
            used.setdefault(self.model_names.get(name, name), ModelUsage()).add(prompt, completion)
        return used

    def usage(self, prices: PriceTable | None) -> Usage:
        """This attempt's own calls, tokens and cost (None: no price table, or a model without a price)."""
        guard = self.guard
        return Usage(
            llm_calls=guard.llm_calls if guard else 0,
            prompt_tokens=guard.prompt_tokens if guard else 0,
            completion_tokens=guard.completion_tokens if guard else 0,
            tool_calls=self.ctx.tool_calls,
            cost_usd=cost_usd(prices, self.tokens_by_model()) if prices is not None else None,
        )


def run_tiers(
    models: Sequence[str],
    attempt: Callable[[int, str], TierAttempt],
    sink: TraceSink,
    prices: PriceTable | None = None,
) -> list[TierAttempt]:
    """Each tier in order until one gives the answer; every attempt is traced between a
    `tier_started` and a `tier_ended` event, the latter with the attempt's own usage and cost
    (what `support-crew report` gives as cost per tier)."""
    attempts: list[TierAttempt] = []
    for tier, model in enumerate(models, start=1):
        sink({"event": "tier_started", "tier": tier, "model": model, "of": len(models)})
        result = attempt(tier, model)
        attempts.append(result)
        used = result.usage(prices)
        sink(
            {
                "event": "tier_ended",
                "tier": tier,
                "model": model,
                "status": result.status(),
                "reason": result.passed_on or result.budget_reason or result.error,
                "llm_calls": used.llm_calls,
                "prompt_tokens": used.prompt_tokens,
                "completion_tokens": used.completion_tokens,
                "cost_usd": used.cost_usd,
            }
        )
        if result.passed_on is None:
            break
    return attempts


def exhausted_reason(attempts: Sequence[TierAttempt]) -> str | None:
    """Why the ticket goes to a person after the last tier, or None when a tier answered."""
    if not attempts or attempts[-1].passed_on is None:
        return None
    if len(attempts) == 1:
        return f"the model could not finish the ticket: {attempts[-1].passed_on}"
    steps = "; ".join(f"tier {a.tier}: {a.passed_on}" for a in attempts)
    return f"no model tier could finish the ticket ({steps})"


def merged_actions(attempts: Sequence[TierAttempt]) -> list[ActionRecord]:
    """Every operation attempted, once: a later tier's repeat of the same operation and arguments
    (answered from the idempotency key's first result) replaces the earlier record in place."""
    merged: dict[str, ActionRecord] = {}
    for attempt in attempts:
        for action in attempt.ctx.actions:
            key = json.dumps([action.name, action.arguments], sort_keys=True, default=str)
            merged.pop(key, None)  # keep the order of the latest attempt
            merged[key] = action
    return list(merged.values())


def merged_approvals(attempts: Sequence[TierAttempt]) -> list[ApprovalRecord]:
    merged: dict[str, ApprovalRecord] = {}
    for attempt in attempts:
        for approval in attempt.ctx.approvals:
            merged.setdefault(approval.id, approval)
    return list(merged.values())


def total_usage(attempts: Sequence[TierAttempt], prices: PriceTable | None) -> Usage:
    """Every tier's usage together; the cost is unknown (None) when any tier's is, or with no
    price table (the cost is then unknown even for a run that made no call)."""
    each = [a.usage(prices) for a in attempts]
    costs = [u.cost_usd for u in each]
    unknown = prices is None or any(c is None for c in costs)
    return Usage(
        llm_calls=sum(u.llm_calls for u in each),
        prompt_tokens=sum(u.prompt_tokens for u in each),
        completion_tokens=sum(u.completion_tokens for u in each),
        tool_calls=sum(u.tool_calls for u in each),
        cost_usd=None if unknown else round(sum(c for c in costs if c is not None), 6),
    )
