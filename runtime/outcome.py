"""The run's outcome and reply, decided in code from what really happened: the model proposes,
the actions, approvals, escalation and intake flags decide (CONTRACTS §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crews.resolution import TicketResolution
from runtime.models import Escalation, Outcome, Ticket
from runtime.outcome_check import check_reply
from runtime.pii import redact
from tools.context import ToolContext

if TYPE_CHECKING:
    from runtime.intake import Intake
    from runtime.policy import Policy

FAILED_REPLY = ""
BUDGET_REPLY = (
    "Thank you for your message. Your request needs a closer look, so I have passed it to a member "
    "of our support team, who will get back to you shortly."
)
INJECTION_REPLY = (
    "Thank you for your message. I can't act on instructions contained in a message, and no change "
    "has been made to your account or orders. A member of our team will review this ticket. If you "
    "need help with an order, please describe what you would like us to do."
)
TRIGGER_REPLY = (
    "Thank you for your message. I have passed your ticket to a member of our support team, who "
    "will get back to you personally as soon as possible."
)


def decide_outcome(
    *,
    ticket: Ticket,
    intake: "Intake | None",
    ctx: ToolContext,
    resolution: TicketResolution | None,
    error: str | None,
    budget_reason: str | None,
    policy: "Policy",
) -> tuple[Outcome, str, Escalation | None]:
    if error is not None and resolution is None:
        return "failed", FAILED_REPLY, None
    if budget_reason is not None:
        return "escalated", BUDGET_REPLY, Escalation(
            reason=budget_reason, priority="normal",
            summary=_summary(ticket, intake, ctx, f"The run stopped: {budget_reason}."),
        )
    assert resolution is not None
    reply = resolution.reply.strip()
    outcome: Outcome = resolution.outcome
    escalation = ctx.escalation or resolution.escalation

    if intake is not None and intake.injection is not None:
        # Instructions aimed at the agents: the ticket ran read-only; the request is refused and a
        # human is told (escalation record), whatever the model concluded.
        escalation = escalation or Escalation(
            reason=f"suspected prompt injection ({intake.injection.rule})", priority="high",
            summary=_summary(ticket, intake, ctx, "The ticket contains instructions aimed at the support agents; it ran read-only."),
        )
        return "refused", reply if resolution.outcome == "refused" and reply else INJECTION_REPLY, escalation

    if ctx.escalation is not None or outcome == "escalated":
        escalation = escalation or Escalation(
            reason="the crew escalated", priority="normal", summary=_summary(ticket, intake, ctx, resolution.internal_summary)
        )
        outcome = "escalated"
    elif intake is not None and intake.triggers:
        # Policy triggers (human asked for, abuse, legal threats) escalate even if the model did not.
        trigger = intake.triggers[0]
        outcome = "escalated"
        escalation = Escalation(
            reason=f"{trigger.kind}: {trigger.evidence}", priority=getattr(trigger, "priority", "high"),
            summary=_summary(ticket, intake, ctx, resolution.internal_summary),
        )
        reply = reply or TRIGGER_REPLY
    elif outcome == "resolved" and any(a.status == "pending_approval" for a in ctx.actions):
        outcome = "pending_approval"

    check = check_reply(reply, ctx.actions, ctx.approvals, escalation)
    if not check.ok:
        if check.corrected_reply:
            reply = check.corrected_reply
        else:
            escalation = escalation or Escalation(
                reason="the reply claimed actions that did not happen: " + "; ".join(check.problems),
                priority="normal", summary=_summary(ticket, intake, ctx, resolution.internal_summary),
            )
            outcome, reply = "escalated", TRIGGER_REPLY
    # Nothing the customer pasted comes back: the reply is redacted like the ticket was.
    reply = redact(reply).text or TRIGGER_REPLY
    return outcome, reply, escalation


def _summary(ticket: Ticket, intake: "Intake | None", ctx: ToolContext, note: str) -> str:
    """What a human needs without reading the thread: who, what was asked, what was done."""
    body = intake.redacted_ticket.body if intake else redact(ticket.body).text
    asked = " ".join(body.split())[:300]
    done = "; ".join(f"{a.name} {a.status}" for a in ctx.actions) or "no store change"
    who = ctx.customer_id or "unauthenticated sender"
    parts = [f"Ticket {ticket.id} from {who}.", f"Asked: {asked}", f"Done: {done}."]
    if note:
        parts.append(note)
    return " ".join(parts)
