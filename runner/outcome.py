"""The run's outcome and reply, decided in code from what really happened: the model proposes;
the actions, approvals, escalation and intake triggers decide (CONTRACTS §3)."""

from __future__ import annotations

from core.models import Escalation, Outcome, Ticket
from crews.resolution import TicketResolution
from intake.screening import Intake
from runner.outcome_check import check_reply
from safety.escalation_rules import build_summary, enrich, escalation_from, outcome_for
from safety.pii import clean_reply, redact
from safety.policy import Policy
from tools.context import ToolContext

HANDED_OVER_REPLY = (
    "Thank you for your message. I have passed your ticket to a member of our support team, who "
    "will get back to you personally as soon as possible."
)
INJECTION_REPLY = (
    "Thank you for your message. I can't act on instructions contained in a message, and no change "
    "has been made to your account or orders. A member of our team will review this ticket. If you "
    "need help with an order, please describe what you would like us to do."
)


def decide_outcome(
    *,
    ticket: Ticket,
    intake: Intake | None,
    ctx: ToolContext,
    resolution: TicketResolution | None,
    error: str | None,
    stop_reason: str | None,
    policy: Policy,
) -> tuple[Outcome, str, Escalation | None]:
    triggers = intake.triggers if intake else []
    request = intake.model_text if intake else redact(ticket.body).text
    summary = build_summary(
        ticket_id=ticket.id,
        customer_id=ctx.customer_id,
        request=request,
        triggers=triggers,
        actions=ctx.actions,
        approvals=ctx.approvals,
        subject=intake.redacted_ticket.subject if intake else None,
    )
    if resolution is None:
        if stop_reason is not None:  # a budget ran out, or no model tier could finish the ticket
            return (
                "escalated",
                HANDED_OVER_REPLY,
                Escalation(
                    reason=stop_reason, priority="normal", summary=f"{summary}\nThe run stopped: {stop_reason}."
                ),
            )
        return "failed", "", None

    reply = resolution.reply.strip()
    outcome: Outcome = resolution.outcome
    escalation = ctx.escalation or resolution.escalation

    forced = outcome_for(triggers, policy)
    if forced is not None:
        # Triggers from policy (injection, legal threat, abuse, a human asked for) decide, whatever
        # the model concluded; the escalation record tells a human either way.
        from_triggers = escalation_from(triggers, summary=summary)
        escalation = enrich(escalation, summary) if escalation else from_triggers
        if forced == "refused":
            reply = reply if outcome == "refused" and reply else INJECTION_REPLY
        elif outcome != "escalated" or not reply:
            reply = HANDED_OVER_REPLY
        outcome = forced
    elif ctx.escalation is not None or outcome == "escalated":
        outcome = "escalated"
        escalation = (
            enrich(escalation, summary, min_words=policy.escalation.min_summary_words)
            if escalation
            else Escalation(reason="the crew escalated", priority="normal", summary=summary)
        )
    elif outcome == "resolved" and any(a.status == "pending_approval" for a in ctx.actions):
        outcome = "pending_approval"

    check = check_reply(reply, ctx.actions, ctx.approvals, escalation)
    if not check.ok:
        if check.corrected_reply and policy.outcome_check.on_false_claim == "correct":
            reply = check.corrected_reply
        else:
            escalation = escalation or Escalation(
                reason="the reply claimed what did not happen: " + "; ".join(check.problems),
                priority="normal",
                summary=summary,
            )
            outcome, reply = "escalated", HANDED_OVER_REPLY
    # Nothing the customer pasted comes back in a reply, in any spacing.
    if intake is not None:
        reply = clean_reply(reply, intake.redaction)
    return outcome, reply or HANDED_OVER_REPLY, escalation
