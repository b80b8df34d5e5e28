"""escalate_to_human: hands the ticket to a person with a reason, a priority and a summary the
person can act on without reading the thread. Allowed on a read-only ticket (it changes no store
data). The run's outcome becomes `escalated` (or `refused` for suspected injection, with this
escalation attached)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, Any

from crewai.tools import BaseTool
from pydantic import BaseModel, Field, PlainValidator, ValidationError, field_validator

from core.models import PRIORITY_RANK, Escalation, Priority, summary_problems
from tools.args import ToolArgs
from tools.context import ToolContext
from tools.errors import ToolError


class EscalateArgs(ToolArgs):
    reason: str = Field(description="One line, e.g. 'legal threat'.")
    priority: Priority = Field(
        "normal", description="high: legal threat, abuse, fraud; urgent: safety or money at risk now."
    )
    summary: str = Field(description="Customer, request, order ids, what was done, next step.")

    @field_validator("reason", "summary")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty: a person reads it to take over the ticket")
        return value.strip()


def _the_context(value: Any) -> ToolContext:
    if not isinstance(value, ToolContext):
        raise ValueError(f"expected a ToolContext, got {type(value).__name__}")
    return value


def _merged(previous: Escalation | None, args: EscalateArgs) -> Escalation:
    """A second escalation in one ticket adds to the first instead of replacing it."""
    if previous is None:
        return Escalation(reason=args.reason, priority=args.priority, summary=args.summary)
    higher = max(previous.priority, args.priority, key=PRIORITY_RANK.__getitem__)
    reason = previous.reason if args.reason in previous.reason else f"{previous.reason}; {args.reason}"
    summary = previous.summary if args.summary in previous.summary else f"{previous.summary}\n{args.summary}"
    return Escalation(reason=reason, priority=higher, summary=summary)


class EscalateToHumanTool(BaseTool):
    name: str = "escalate_to_human"
    description: str = "Hand the ticket to a person: asked for one, abuse, legal threat, or beyond your tools."
    args_schema: type[BaseModel] = EscalateArgs
    if TYPE_CHECKING:
        context: ToolContext
    else:  # the ticket's own context object, not a copy (pydantic cannot build a schema of its insides)
        context: Annotated[Any, PlainValidator(_the_context)] = Field(exclude=True)
    min_summary_words: int = 8

    def _run(self, reason: str, priority: Priority = "normal", summary: str = "", **_: Any) -> str:
        started = time.perf_counter()
        with self.context._lock:
            self.context.tool_calls += 1
        try:
            args = EscalateArgs(reason=reason, priority=priority, summary=summary)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            self.context.emit(
                {
                    "event": "tool_call",
                    "tool": self.name,
                    "status": "error",
                    "error_code": "invalid_arguments",
                    "latency_ms": 0,
                }
            )
            return ToolError(
                "invalid_arguments",
                f"Invalid arguments for {self.name}: {problems}. Give a reason and a summary, then call again.",
            ).to_json()
        with self.context._lock:
            escalation = _merged(self.context.escalation, args)
            self.context.escalation = escalation
        thin = summary_problems(args.summary, min_words=self.min_summary_words)
        self.context.emit(
            {
                "event": "tool_call",
                "tool": self.name,
                "status": "escalated",
                "arguments": {"reason": args.reason, "priority": args.priority, "summary": args.summary},
                "summary_needs_enrichment": bool(thin),
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        return json.dumps(
            {
                "status": "escalated",
                "reason": escalation.reason,
                "priority": escalation.priority,
                "message": "A person will take over. Tell the customer a member of the team will follow up; "
                "do not change anything else in this ticket.",
            }
        )
