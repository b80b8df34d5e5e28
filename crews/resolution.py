"""What the manager's final answer must be: the ticket task's output model."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from runtime.models import Escalation


class TicketResolution(BaseModel):
    outcome: Literal["resolved", "needs_info", "escalated", "refused"] = Field(
        description="resolved: every request handled; needs_info: a needed fact is missing or "
        "ambiguous; escalated: handed to a human; refused: not allowed by store policy"
    )
    reply: str = Field(description="the message to the customer, in the customer's language")
    escalation: Escalation | None = Field(None, description="set when outcome is escalated")
    internal_summary: str = Field("", description="one line for the support team")
