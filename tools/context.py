"""The per-ticket state every tool shares: who the ticket speaks for, what was done, and the hooks
(approval gate, trace) that safety and observability plug in. One instance per ticket run."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.models import ActionRecord, ApprovalRecord, Escalation
from tools.errors import ForeignRecord, NotAuthenticated, ToolError


class ApprovalGate(Protocol):
    """Decides, below the model, whether a money-moving operation may run now.

    Returns None to let it run, or an ApprovalRecord when it must wait for a human (the gate has
    then stored it durably)."""

    def review(
        self,
        *,
        ctx: ToolContext,
        operation: str,
        arguments: dict[str, Any],
        amount: float,
        idempotency_key: str,
    ) -> ApprovalRecord | None: ...


TraceSink = Callable[[dict[str, Any]], None]


def idempotency_key(ticket_id: str, operation: str, arguments: dict[str, Any]) -> str:
    """Same ticket + same operation + same arguments = same key, across retries and re-runs, so a
    write resumed after a crash cannot apply twice."""
    canonical = json.dumps({"t": ticket_id, "op": operation, "args": arguments}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass
class ToolContext:
    ticket_id: str
    customer_id: str | None = None
    read_only: bool = False
    gate: ApprovalGate | None = None
    trace: TraceSink | None = None
    actions: list[ActionRecord] = field(default_factory=list)
    approvals: list[ApprovalRecord] = field(default_factory=list)
    escalation: Escalation | None = None
    flags: list[str] = field(default_factory=list)  # e.g. "refund flagged for review"
    tool_calls: int = 0
    stated_text: str | None = field(default=None, repr=False)  # the ticket's own words (unredacted)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- customer binding (CONTRACTS §1) -------------------------------------------------------
    def bind(self, customer_id: str) -> None:
        """Bind the ticket to its customer. A ticket speaks for one customer only."""
        with self._lock:
            if self.customer_id is None:
                self.customer_id = customer_id
            elif self.customer_id != customer_id:
                raise ToolError(
                    "one_customer_per_ticket",
                    "This ticket is already authenticated as another customer; a ticket speaks for "
                    "one customer only. Do not act for anyone else.",
                )

    def require_stated(self, *values: str) -> None:
        """Before binding, a lookup may only identify someone the ticket itself names: a model
        cannot authenticate the ticket as a customer it found elsewhere."""
        if self.customer_id is not None or self.stated_text is None:
            return
        text = " ".join(self.stated_text.lower().split())
        missing = [v for v in values if " ".join(str(v).lower().split()) not in text]
        if missing:
            raise ToolError(
                "identity_not_in_ticket",
                f"Only the customer the ticket itself identifies can be looked up: {', '.join(missing)} does not "
                "appear in the ticket. Ask the customer for the e-mail of their account.",
            )

    def require_customer(self) -> str:
        if self.customer_id is None:
            raise NotAuthenticated()
        return self.customer_id

    def require_owner(self, owner_id: str | None, what: str) -> None:
        """Refuse any record not owned by the bound customer, whatever the model asked."""
        if owner_id != self.require_customer():
            raise ForeignRecord(what)

    # --- bookkeeping ----------------------------------------------------------------------------
    def record_action(self, action: ActionRecord) -> None:
        with self._lock:
            self.actions.append(action)

    def emit(self, event: dict[str, Any]) -> None:
        if self.trace is not None:
            agent = getattr(_acting, "agent", None)
            self.trace({"ticket_id": self.ticket_id, **({"agent": agent} if agent else {}), **event})


# The agent whose tool call runs on this thread (set by the guard's hooks around each call): tool
# events name it, so a trace can tell apart specialists working side by side.
_acting = threading.local()


def set_acting_agent(role: str | None) -> None:
    _acting.agent = role
