"""What the offline model writes: the manager's final answer (the ticket task's output model) and
a specialist's report to the manager.

`TicketResolution` is the ticket task's `output_pydantic`; CrewAI validates the manager's final
answer against it. `SpecialistReport` is the JSON a specialist gives as its final answer; a real
LLM manager reads it as text, the offline manager parses it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.models import Escalation

ResolutionOutcome = Literal["resolved", "needs_info", "escalated", "refused"]
# How one request ended, as a specialist reports it.
RequestStatus = Literal["done", "pending_approval", "answered", "needs_info", "refused", "escalated", "failed"]


class TicketResolution(BaseModel):
    """The manager's final answer for a ticket."""

    outcome: ResolutionOutcome = Field(description="resolved, needs_info, escalated or refused")
    reply: str = Field(description="the message to the customer")
    escalation: Escalation | None = Field(None, description="set when the ticket goes to a human")
    internal_summary: str = Field("", description="one line for the support team")
    # Set when the model could not read all of the ticket and changed nothing: the parts it could
    # not read. The runner then gives the ticket to the next model tier, or to a person.
    handover: str | None = Field(None, description="the part of the ticket that could not be read")


class RequestResult(BaseModel):
    """One request handled by a specialist (one order of it, for requests naming several)."""

    model_config = ConfigDict(extra="allow")

    request: int = Field(description="number of the request in the delegated task, from 1")
    intent: str
    order_id: str | None = None
    status: RequestStatus
    reply: str = Field(description="what to tell the customer about it")
    detail: str = Field("", description="for the team: what was done or why not")


class SpecialistReport(BaseModel):
    """A specialist's final answer: the customer-facing paragraph plus what happened."""

    model_config = ConfigDict(extra="allow")

    status: RequestStatus
    reply: str
    summary: str
    customer_id: str | None = None
    customer_name: str | None = None
    results: list[RequestResult] = Field(default_factory=list)
    escalation: Escalation | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
