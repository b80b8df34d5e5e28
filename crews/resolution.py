"""What the manager's final answer must be: the ticket task's output, as JSON (config/tasks.yaml
describes it to the model in a few lines; this model reads it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from core.json_text import first_json_model
from core.models import Escalation
from tools.args import drop_titles


class TicketResolution(BaseModel):
    outcome: Literal["resolved", "needs_info", "escalated", "refused"] = Field(
        description="resolved: every request handled; needs_info: a needed fact is missing or "
        "ambiguous; escalated: handed to a human; refused: not allowed by store policy"
    )
    reply: str = Field(
        description="to the customer, in their language: what was done, amounts and "
        "where refunds go, what happens next; nothing invented"
    )
    escalation: Escalation | None = Field(None, description="only when escalated: a summary a human can act on")
    internal_summary: str = Field("", description="one line for the support team")
    handover: str | None = Field(
        None, description="only when you could not read all of the ticket: the part you could not read"
    )

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # The plain crew has CrewAI append this schema to the manager's task: no titles.
        return drop_titles(super().model_json_schema(*args, **kwargs))


def read_resolution(text: str) -> TicketResolution | None:
    return first_json_model(text, TicketResolution)
