"""The contract models: ticket in (CONTRACTS §1), result out (§3), evaluation case (§4)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["resolved", "pending_approval", "needs_info", "escalated", "refused", "failed"]
ExpectedOutcome = Literal["resolved", "needs_info", "escalated", "refused"]
ActionStatus = Literal["done", "pending_approval", "rejected", "error"]
Priority = Literal["low", "normal", "high", "urgent"]
PRIORITY_RANK: dict[str, int] = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


class ThreadMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["customer", "agent"]
    body: str
    at: str | None = None


class Ticket(BaseModel):
    """A customer's ticket. Unknown fields are kept (extra='allow') and ignored."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    body: str = Field(min_length=1, max_length=20_000)
    subject: str | None = None
    from_email: str | None = None
    channel: Literal["email", "chat", "web"] = "email"
    created_at: datetime | None = None
    thread: list[ThreadMessage] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class ActionRecord(BaseModel):
    """A store-changing operation the run attempted."""

    name: str
    arguments: dict[str, Any]
    status: ActionStatus
    error: str | None = None
    approval_id: str | None = None


class ApprovalRecord(BaseModel):
    id: str
    operation: str
    arguments: dict[str, Any]
    amount: float
    reason: str


class Escalation(BaseModel):
    reason: str
    priority: Priority = "normal"
    summary: str


def summary_problems(summary: str, *, min_words: int = 8) -> list[str]:
    """Why an escalation summary would not let a human act without reading the thread (empty: fine)."""
    problems = []
    words = re.findall(r"\w+", summary)
    if len(words) < min_words:
        problems.append(
            f"summary has {len(words)} words; say what the customer wants, what was done "
            f"and what a person should do next (at least {min_words} words)"
        )
    return problems


class Usage(BaseModel):
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tool_calls: int = 0
    # at config/prices.yaml's prices, every tier's calls included; None: a model used has no price
    cost_usd: float | None = None


class Result(BaseModel):
    ticket_id: str
    outcome: Outcome
    reply: str
    customer_id: str | None = None
    actions: list[ActionRecord] = Field(default_factory=list)
    approvals: list[ApprovalRecord] = Field(default_factory=list)
    escalation: Escalation | None = None
    agents: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    model: str | None = None  # the model (tier) whose run gave the result
    duration_ms: int = 0
    error: str | None = None


# The pydantic mypy plugin's generated __init__(**kwargs) clashes with a field named "kwargs"
# (pydantic/pydantic#3125); the field name is part of the evaluation-case contract.
class ExpectedAction(BaseModel):  # type: ignore[no-redef]
    name: str
    kwargs: dict[str, Any]


class Expectation(BaseModel):
    actions: list[ExpectedAction] = Field(default_factory=list)
    outcome: ExpectedOutcome
    reply_includes: list[str] = Field(default_factory=list)
    reply_excludes: list[str] = Field(default_factory=list)


class EvalCase(Ticket):
    expected: Expectation
