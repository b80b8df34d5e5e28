"""Intake, before any model sees the ticket: redact PII, flag injection and escalation triggers,
authenticate the sender (verified from_email, or the customer a follow-up already spoke for)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.models import Ticket
from intake.ticket_state import TicketStateStore
from safety.escalation_rules import Trigger, assess_ticket
from safety.pii import EMAIL_RE, Redaction, Redactor
from safety.policy import Policy
from tools.client import StoreClient
from tools.context import ToolContext
from tools.errors import ToolError


class IntakeEnvironment(Protocol):
    """What the intake needs of the run's environment (runner.ticket_run's RunEnvironment)."""

    @property
    def policy(self) -> Policy: ...
    @property
    def store(self) -> StoreClient: ...
    @property
    def ticket_state(self) -> TicketStateStore: ...


@dataclass
class Intake:
    redacted_ticket: Ticket
    redaction: Redaction  # every placeholder issued for this ticket, to clean the reply
    triggers: list[Trigger] = field(default_factory=list)  # most serious first; injection included
    customer_name: str | None = None  # of the authenticated customer, for the agents to greet them

    @property
    def injection(self) -> Trigger | None:
        return next((t for t in self.triggers if t.kind == "injection"), None)

    @property
    def model_text(self) -> str:
        t = self.redacted_ticket
        return "\n".join(filter(None, [t.subject, t.body, *(m.body for m in t.thread)]))

    def task_inputs(self, customer_id: str | None, recalled: str) -> dict[str, str]:
        """The ticket task's placeholders (config/tasks.yaml), all from the redacted ticket."""
        t = self.redacted_ticket
        thread = "\n".join(f"[{m.role}] {m.body}" for m in t.thread) or "(none)"
        return {
            "ticket_id": t.id,
            "channel": t.channel,
            "from_email": t.from_email or "(not given)",
            "subject": t.subject or "(none)",
            "body": t.body,
            "thread": thread,
            "customer": (
                f"{customer_id} ({self.customer_name})"
                if customer_id and self.customer_name
                else customer_id or "not yet authenticated"
            ),
            "recalled": recalled.strip() or "(nothing)",
        }


def redact_ticket(ticket: Ticket, redactor: Redactor) -> Ticket:
    """One Redactor for subject, body and thread: the same value gets the same placeholder."""

    def clean(text: str | None) -> str | None:
        return None if text is None else redactor.redact(text).text

    update: dict[str, Any] = {"body": clean(ticket.body), "subject": clean(ticket.subject)}
    update["thread"] = [m.model_copy(update={"body": clean(m.body)}) for m in ticket.thread]
    return ticket.model_copy(update=update)


def run_intake(
    ticket: Ticket, env: IntakeEnvironment, ctx: ToolContext, sink: Callable[[dict[str, Any]], None]
) -> Intake:
    redactor = Redactor(env.policy.pii)
    redacted = redact_ticket(ticket, redactor)
    intake = Intake(redacted_ticket=redacted, redaction=redactor.redaction(""))
    # Lookups may only identify someone the ticket itself names (tools/customers.py) - or its
    # verified sender, which an agent must still be able to look up when the lookup below fails.
    ctx.stated_text = "\n".join(
        filter(None, [ticket.from_email, ticket.subject, ticket.body, *(m.body for m in ticket.thread)])
    )
    if intake.redaction.found:
        sink({"event": "pii_redacted", "kinds": sorted(set(intake.redaction.found.values()))})

    intake.triggers = assess_ticket(redacted, env.policy)
    for trigger in intake.triggers:
        sink(
            {
                "event": "escalation_trigger",
                "trigger": trigger.kind,
                "reason": trigger.reason,
                "evidence": trigger.evidence,
            }
        )
    if intake.injection is not None:
        ctx.read_only = True  # below the model: every write tool now refuses

    intake.customer_name = _authenticate(ticket, env, ctx, sink)
    return intake


def _stated_email_customer(
    ticket: Ticket, env: IntakeEnvironment, sink: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """CONTRACTS §1: without a sender address, an e-mail address stated in the ticket authenticates.
    Done here, before the crew, when the customer's messages state exactly one address: the agents
    then start bound (no identification call) - and with several addresses, the agents decide."""
    texts = [ticket.body, *(m.body for m in ticket.thread if m.role == "customer")]
    stated = {m.group(0).strip(".").lower(): m.group(0).strip(".") for text in texts for m in EMAIL_RE.finditer(text)}
    if len(stated) != 1:
        return {}
    try:
        return dict(env.store.customers.find_by_email(next(iter(stated.values()))))
    except ToolError as e:
        sink({"event": "authentication_skipped", "reason": e.code})
        return {}


def _authenticate(
    ticket: Ticket, env: IntakeEnvironment, ctx: ToolContext, sink: Callable[[dict[str, Any]], None]
) -> str | None:
    """Bind the verified sender, else the customer an earlier run of this ticket spoke for — unless
    a different verified sender now writes on it (a reused ticket id must not carry a customer
    over). Returns the bound customer's full name (the agents then need no read to greet them)."""
    sender = None
    found: dict[str, Any] = {}
    if ticket.from_email:
        try:
            found = env.store.customers.find_by_email(ticket.from_email)
            sender = found["customer_id"]
        except ToolError as e:
            sink({"event": "authentication_skipped", "reason": e.code})
    previous = env.ticket_state.customer_of(ticket.id) if ticket.thread else None
    if previous and ticket.from_email and sender != previous:
        sink(
            {
                "event": "authentication_conflict",
                "reason": "the verified sender is not the customer this ticket spoke for",
            }
        )
        previous = None
    customer = previous or sender
    if not customer and not ticket.from_email:
        found = _stated_email_customer(ticket, env, sink)
        sender = customer = found.get("customer_id")
    if not customer:
        return None
    ctx.bind(customer)
    how = (
        "follow-up of an authenticated ticket"
        if previous
        else "verified sender address"
        if ticket.from_email
        else "the one e-mail address the ticket states"
    )
    sink({"event": "authenticated", "how": how})
    try:
        name = (found if customer == sender else env.store.customers.get(customer)).get("name") or {}
    except ToolError:
        return None  # the greeting is generic then; authentication stands
    full = " ".join(filter(None, [name.get("first_name"), name.get("last_name")]))
    return full or None
