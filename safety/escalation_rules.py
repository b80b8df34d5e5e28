"""When a ticket goes to a human, and what the human is told. Text triggers (a request for a
person, abuse or anger, legal threats, suspected injection) are read from the ticket with the
patterns of policy.yaml; run-time triggers (repeated tool failures, an open circuit, low
confidence) are checked by the runner as the run goes. The summary says who, what, what was done
and what to do next, so the human need not read the thread."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from core.models import (
    PRIORITY_RANK,
    ActionRecord,
    ApprovalRecord,
    Escalation,
    Outcome,
    Priority,
    Ticket,
    summary_problems,
)
from safety.injection import InjectionFinding, find_injections, scan_ticket
from safety.policy import AbuseTrigger, PatternTrigger, Policy

TriggerKind = Literal[
    "injection", "legal_threat", "abuse", "human_request", "circuit_open", "repeated_failures", "low_confidence"
]
# Most serious first: it names the escalation and decides the outcome.
PRECEDENCE: tuple[TriggerKind, ...] = (
    "injection",
    "legal_threat",
    "abuse",
    "human_request",
    "circuit_open",
    "repeated_failures",
    "low_confidence",
)
NEXT_STEP: dict[str, str] = {
    "injection": "nothing was changed; the ticket carries instructions aimed at the agents. Confirm the "
    "customer's real request through a known channel before any action.",
    "legal_threat": "pass to the team lead; review the order before promising anything.",
    "abuse": "reply personally and calmly; check the order named for a real problem behind the anger.",
    "human_request": "contact the customer personally and take over the request.",
    "circuit_open": "the store API was unavailable; finish the request once it is back.",
    "repeated_failures": "tool calls kept failing; see the errors in the trace and finish the request by hand.",
    "low_confidence": "the request was unclear to the model; read it and answer the customer.",
}

_ORDER_ID = re.compile(r"#W\d{7}\b")
_SHOUTED = re.compile(r"\b[A-Z]{4,}\b")
_FLAGS = re.I | re.M


@dataclass(frozen=True)
class Trigger:
    kind: TriggerKind
    priority: Priority
    reason: str  # one line a human reads first
    evidence: str = ""  # the text that fired it (from already-redacted text)

    def as_trace(self) -> dict[str, str]:
        return {
            "event": "escalation_trigger",
            "kind": self.kind,
            "priority": self.priority,
            "reason": self.reason,
            "evidence": self.evidence,
        }


def _first_match(patterns: Iterable[str], text: str) -> str | None:
    for pattern in patterns:
        match = re.search(pattern, text, _FLAGS)
        if match:
            return match.group(0).strip()
    return None


def _pattern_trigger(kind: TriggerKind, config: PatternTrigger, text: str, reason: str) -> Trigger | None:
    if not config.enabled:
        return None
    evidence = _first_match(config.patterns, text)
    return Trigger(kind, config.priority, reason, evidence) if evidence else None


def _abuse_trigger(config: AbuseTrigger, text: str) -> Trigger | None:
    """Insults score 2 each, signs of anger 1 each, shouting 1; one angry word is not enough."""
    if not config.enabled:
        return None
    hits = [(2, m.group(0)) for p in config.insults for m in re.finditer(p, text, _FLAGS)]
    hits += [(1, m.group(0)) for p in config.anger for m in re.finditer(p, text, _FLAGS)]
    if len(_SHOUTED.findall(text)) >= config.shouting_words:
        hits.append((1, "(shouting)"))
    score = sum(weight for weight, _ in hits)
    if score < config.min_score:
        return None
    evidence = ", ".join(dict.fromkeys(word for _, word in hits))[:200]
    return Trigger("abuse", config.priority, "the customer is abusive or very angry", evidence)


def _injection_trigger(findings: list[InjectionFinding], policy: Policy) -> Trigger | None:
    config = policy.escalation.triggers.injection
    if not (config.enabled and findings):
        return None
    rules = ", ".join(f.rule for f in findings)
    return Trigger(
        "injection",
        config.priority,
        f"suspected prompt injection ({rules}); the ticket ran read-only",
        findings[0].span,
    )


def assess(ticket_text: str, policy: Policy) -> list[Trigger]:
    """The text triggers that fire on the customer's words, most serious first."""
    triggers = policy.escalation.triggers
    found = [
        _injection_trigger(find_injections(ticket_text, policy.injection), policy),
        _pattern_trigger(
            "legal_threat", triggers.legal_threat, ticket_text, "the customer threatens legal action or a chargeback"
        ),
        _abuse_trigger(triggers.abuse, ticket_text),
        _pattern_trigger("human_request", triggers.human_request, ticket_text, "the customer asks for a person"),
    ]
    return sorted((t for t in found if t), key=lambda t: PRECEDENCE.index(t.kind))


def customer_text(ticket: Ticket) -> str:
    """Subject, body and the customer's earlier messages (the agents' own words are not the customer's)."""
    parts = [ticket.subject or "", ticket.body, *(m.body for m in ticket.thread if m.role == "customer")]
    return "\n\n".join(p for p in parts if p)


def assess_ticket(ticket: Ticket, policy: Policy) -> list[Trigger]:
    """`assess` over the customer's words; injection is looked for in the whole thread."""
    triggers = [t for t in assess(customer_text(ticket), policy) if t.kind != "injection"]
    injection = _injection_trigger(scan_ticket(ticket, policy.injection), policy)
    return [injection, *triggers] if injection else triggers


def runtime_triggers(
    *, tool_errors: int = 0, circuit_open: bool = False, confidence: float | None = None, policy: Policy
) -> list[Trigger]:
    """Triggers that come from how the run goes rather than from what the customer wrote."""
    config = policy.escalation.triggers
    found = []
    if config.circuit_open.enabled and circuit_open:
        found.append(
            Trigger("circuit_open", config.circuit_open.priority, "the store API is unavailable (circuit breaker open)")
        )
    if config.repeated_failures.enabled and tool_errors >= config.repeated_failures.threshold:
        found.append(
            Trigger("repeated_failures", config.repeated_failures.priority, f"{tool_errors} tool errors in this ticket")
        )
    if config.low_confidence.enabled and confidence is not None and confidence < config.low_confidence.threshold:
        found.append(
            Trigger(
                "low_confidence",
                config.low_confidence.priority,
                f"the model's confidence {confidence:.2f} is below {config.low_confidence.threshold:.2f}",
            )
        )
    return found


def outcome_for(triggers: list[Trigger], policy: Policy) -> Outcome | None:
    """The run's outcome the triggers impose: injection -> policy.injection.outcome (refused by
    default, with the escalation attached); any other trigger -> escalated; none -> None."""
    if not triggers:
        return None
    if any(t.kind == "injection" for t in triggers):
        return policy.injection.outcome
    return "escalated"


def highest_priority(priorities: Iterable[Priority]) -> Priority:
    return max(priorities, key=lambda p: PRIORITY_RANK[p], default="normal")


def build_summary(
    *,
    ticket_id: str,
    customer_id: str | None,
    request: str,
    triggers: list[Trigger],
    actions: Sequence[ActionRecord] = (),
    approvals: Sequence[ApprovalRecord] = (),
    subject: str | None = None,
) -> str:
    """A summary a human can act on without the thread. `request` must be redacted text."""
    excerpt = re.sub(r"\s+", " ", request).strip()
    excerpt = excerpt if len(excerpt) <= 240 else excerpt[:237].rstrip() + "..."
    who = f"customer {customer_id}" if customer_id else "customer not authenticated"
    orders = sorted(set(_ORDER_ID.findall(f"{subject or ''} {request}")))
    lines = [f"Ticket {ticket_id}, {who}."]
    if triggers:
        lines.append(
            "Why: " + "; ".join(t.reason + (f' ("{t.evidence}")' if t.evidence else "") for t in triggers) + "."
        )
    lines.append(f"Request: {(subject + ' - ') if subject else ''}{excerpt}")
    if orders:
        lines.append("Orders named: " + ", ".join(orders) + ".")
    done = [f"{a.name}({a.arguments.get('order_id', a.arguments.get('user_id', ''))}) {a.status}" for a in actions]
    lines.append("Done so far: " + ("; ".join(done) if done else "no store change") + ".")
    if approvals:
        held = "; ".join(f"{r.id} {r.operation} ${r.amount:.2f}" for r in approvals)
        lines.append(f"Awaiting approval: {held}.")
    if triggers:
        lines.append("Next step: " + NEXT_STEP[triggers[0].kind])
    return "\n".join(lines)


def escalation_from(triggers: list[Trigger], *, summary: str) -> Escalation:
    """The escalation record of the triggers: reasons most serious first, the highest priority."""
    ordered = sorted(triggers, key=lambda t: PRECEDENCE.index(t.kind))
    return Escalation(
        reason="; ".join(t.reason for t in ordered),
        priority=highest_priority(t.priority for t in ordered),
        summary=summary,
    )


def enrich(escalation: Escalation, built_summary: str, *, min_words: int = 8) -> Escalation:
    """Keep the model's summary, and add the built one when the model's is too thin to act on."""
    if not summary_problems(escalation.summary, min_words=min_words):
        return escalation
    model_part = escalation.summary.strip()
    summary = f"{model_part}\n{built_summary}" if model_part else built_summary
    return escalation.model_copy(update={"summary": summary})
