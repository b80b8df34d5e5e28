"""The manager's one tool: delegate a task to a specialist, and, when that single delegation is the
whole ticket, let the specialist's report be the ticket's answer without another manager call.

CrewAI's own DelegateWorkTool asks the specialist for "your best answer to your coworker"; ours
asks for the report of config/tasks.yaml (`delegated_task.expected_output`), which a program can
read. With `final=true` the manager says it needs nothing else for the ticket: when the report is
terminal (every request ended, none handed back for another specialist) the tool marks its result
as the final answer (CrewAI's `result_as_answer`), so the manager's second call, which would only
restate the report, is not made. Anything else (a second delegation, a report that is not JSON,
a failed or rerouted request) leaves the manager to combine as usual.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from crewai import Task
from crewai.tools.agent_tools.delegate_work_tool import DelegateWorkTool
from crewai.utilities.i18n import I18N_DEFAULT
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from core.json_text import first_json_model
from core.models import Escalation
from crews.resolution import TicketResolution
from tools.args import ToolArgs

ReportStatus = Literal["done", "pending_approval", "answered", "needs_info", "refused", "escalated", "failed"]

# How a terminal report status reads as the ticket's outcome; "failed" is not terminal.
_OUTCOME_OF = {
    "done": "resolved",
    "pending_approval": "resolved",
    "answered": "resolved",
    "needs_info": "needs_info",
    "refused": "refused",
    "escalated": "escalated",
}


class DelegateArgs(ToolArgs):
    task: str = Field(description="The customer's request(s), in their words.")
    context: str = Field(description="The ticket and the authenticated customer.")
    coworker: str = Field(description="Exact role.")
    final: bool = Field(
        False, description="true if this delegation is the whole ticket (the reply goes out as written)."
    )


class _RequestOutcome(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: ReportStatus | None = None
    reroute: str | None = None


class SpecialistReport(BaseModel):
    """The part of a specialist's report this tool reads (more keys are allowed)."""

    model_config = ConfigDict(extra="allow")

    status: ReportStatus
    reply: str = Field(min_length=1)
    summary: str = ""
    escalation: Escalation | None = None
    results: list[_RequestOutcome] = Field(default_factory=list)
    handover: str | None = None  # the specialist could not read all of it (see TicketResolution)


def final_resolution(report_text: str) -> TicketResolution | None:
    """The ticket's answer from a terminal report, or None when the manager must go on."""
    report = first_json_model(report_text, SpecialistReport)
    if report is None or report.status not in _OUTCOME_OF:
        return None
    if any(r.status == "failed" or r.reroute for r in report.results):
        return None
    outcome = _OUTCOME_OF[report.status]
    escalation = report.escalation if outcome == "escalated" else None
    return TicketResolution(
        outcome=outcome,
        reply=report.reply,
        escalation=escalation,
        internal_summary=report.summary[:1000],
        handover=report.handover,
    )


class DelegateToSpecialist(DelegateWorkTool):
    """Same name as CrewAI's tool (the hooks, traces and models know it by that name)."""

    args_schema: type[BaseModel] = DelegateArgs
    report_format: str
    final_note: str
    _calls: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def _run(self, task: str, context: str, coworker: str | None = None, final: bool = False, **kwargs: Any) -> str:
        with self._lock:
            self._calls += 1
            # a second delegation (even one running in parallel) means the manager must combine
            self.result_as_answer = False
        if final:
            task = f"{task}\n{self.final_note}"
        report = self._delegate(self._get_coworker(coworker, **kwargs), task, context)
        resolution = final_resolution(report) if final else None
        with self._lock:
            if resolution is not None and self._calls == 1:
                self.result_as_answer = True
                return resolution.model_dump_json()
        return report

    def _delegate(self, coworker: str | None, task: str, context: str) -> str:
        wanted = self.sanitize_agent_name(coworker or "")
        agent = next((a for a in self.agents if self.sanitize_agent_name(a.role) == wanted), None)
        if agent is None:
            return I18N_DEFAULT.errors("agent_tool_unexisting_coworker").format(
                coworkers="\n".join(f"- {a.role}" for a in self.agents),
                error=f"No agent found with role '{coworker}'",
            )
        try:
            return agent.execute_task(Task(description=task, agent=agent, expected_output=self.report_format), context)
        except Exception as e:  # reported to the manager, like CrewAI's own tool does
            return I18N_DEFAULT.errors("agent_tool_execution_error").format(agent_role=agent.role, error=str(e))


def delegation_tool(agents: list[Any], *, report_format: str, final_note: str) -> DelegateToSpecialist:
    coworkers = ", ".join(a.role for a in agents)
    return DelegateToSpecialist(
        agents=agents,
        # "following coworkers: <roles>" on its own line, as in CrewAI's tool: models read roles there
        description=f"Delegate a task to one of the following coworkers: {coworkers}\n"
        "They know only what you pass: the customer's request(s) and the ticket.",
        report_format=report_format,
        final_note=final_note,
    )
