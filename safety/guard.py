"""Per-ticket guard enforced in CrewAI's hooks, below any model: tool grants per agent (ACL),
budgets (LLM calls, tool calls, seconds), delegation bookkeeping, and usage metering (the tokens a
provider reports for a call; a cl100k count of what was sent and received when it reports none).

CrewAI hooks are global and never removed (CREWAI_NOTES), so they are registered once per process
and find the ticket's guard through the agent that is acting (agents are built per ticket).
"""

from __future__ import annotations

import difflib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crewai.events import crewai_event_bus
from crewai.events.types.llm_events import LLMCallCompletedEvent, LLMCallStartedEvent
from crewai.hooks import register_after_tool_call_hook, register_before_llm_call_hook, register_before_tool_call_hook
from crewai.hooks.dispatch import HookAborted

from core.tokens import count_tokens
from tools.context import set_acting_agent

DELEGATION_TOOLS = frozenset({"delegate_work_to_coworker", "ask_question_to_coworker"})


class BudgetExceeded(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Budgets:
    max_llm_calls: int = 16
    max_tool_calls: int = 30
    max_seconds: float = 120.0


@dataclass
class TicketGuard:
    ticket_id: str
    grants: dict[str, frozenset[str]]  # role -> tool names (the manager's: delegation only)
    manager_role: str
    budgets: Budgets = field(default_factory=Budgets)
    trace: Callable[[dict[str, Any]], None] | None = None
    started: float = field(default_factory=time.monotonic)
    llm_calls: int = 0
    tool_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    delegations: list[str] = field(default_factory=list)
    denied: list[dict[str, str]] = field(default_factory=list)
    exceeded: str | None = None
    provider_failure: str | None = None  # a model's provider failed: the ticket's run on this tier ends
    tokens_by_model: dict[str, tuple[int, int]] = field(default_factory=dict)  # model -> (prompt, completion)
    _llm_halves: dict[str, dict[str, Any]] = field(default_factory=dict)  # call id -> the half seen first
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- checks --------------------------------------------------------------------------------
    def _check_time(self) -> None:
        if time.monotonic() - self.started > self.budgets.max_seconds:
            self._exceed(f"budget exceeded: more than {self.budgets.max_seconds:g} seconds")

    def _exceed(self, reason: str) -> None:
        if self.exceeded is None:
            self.exceeded = reason
            self._emit({"event": "budget_exceeded", "reason": reason})
        raise HookAborted(reason=reason, source="support-crew budget")

    def provider_failed(self, reason: str) -> None:
        """Stop this run: CrewAI turns a specialist's failure into a tool error the manager would
        answer on; the next model call of any agent of the ticket is aborted instead."""
        with self._lock:
            if self.provider_failure is None:
                self.provider_failure = reason

    def before_llm(self, role: str) -> None:
        with self._lock:
            if self.provider_failure:
                raise HookAborted(reason=self.provider_failure, source="support-crew provider")
            if self.exceeded:
                raise HookAborted(reason=self.exceeded, source="support-crew budget")
            self.llm_calls += 1
            if self.llm_calls > self.budgets.max_llm_calls:
                self._exceed(f"budget exceeded: more than {self.budgets.max_llm_calls} LLM calls")
            self._check_time()

    def before_tool(self, role: str, tool_name: str, tool_input: dict[str, Any]) -> bool:
        """False blocks the call. Delegation names are normalised to an exact role in place."""
        with self._lock:
            if self.exceeded:
                return False
            allowed = DELEGATION_TOOLS if role == self.manager_role else self.grants.get(role, frozenset())
            if tool_name not in allowed:
                self.denied.append({"agent": role, "tool": tool_name})
                self._emit(
                    {"event": "tool_denied", "agent": role, "tool": tool_name, "reason": "not granted in agents.yaml"}
                )
                return False
            self.tool_calls += 1
            if self.tool_calls > self.budgets.max_tool_calls:
                self.exceeded = f"budget exceeded: more than {self.budgets.max_tool_calls} tool calls"
                self._emit({"event": "budget_exceeded", "reason": self.exceeded})
                return False
            if time.monotonic() - self.started > self.budgets.max_seconds:
                self.exceeded = f"budget exceeded: more than {self.budgets.max_seconds:g} seconds"
                self._emit({"event": "budget_exceeded", "reason": self.exceeded})
                return False
            if tool_name in DELEGATION_TOOLS:
                coworker = self._normalise_coworker(str(tool_input.get("coworker", "")))
                if coworker is None:
                    self.denied.append({"agent": role, "tool": tool_name})
                    return False
                tool_input["coworker"] = coworker
                if tool_name == "delegate_work_to_coworker":
                    self.delegations.append(coworker)
                self._emit(
                    {
                        "event": "delegation",
                        "kind": tool_name,
                        "coworker": coworker,
                        "task": str(tool_input.get("task") or tool_input.get("question") or ""),
                    }
                )
            return True

    def _normalise_coworker(self, name: str) -> str | None:
        """'Billing' or 'billing specialist' → 'Billing Specialist' (CrewAI wants the exact role)."""
        roles = [r for r in self.grants if r != self.manager_role]
        wanted = name.strip().strip('"').lower()
        for role in roles:
            if role.lower() == wanted:
                return role
        prefixed = [r for r in roles if r.lower().startswith(wanted) or wanted.startswith(r.lower())]
        if len(prefixed) == 1:
            return prefixed[0]
        close = difflib.get_close_matches(wanted, [r.lower() for r in roles], n=1, cutoff=0.75)
        if close:
            return next(r for r in roles if r.lower() == close[0])
        return None

    # -- metering --------------------------------------------------------------------------------
    # The event bus may hand over "completed" before "started" (fast models): a call is counted and
    # traced once both halves are in; a call that never completes (it failed) is not billed.
    def llm_started(self, call_id: str, messages: Any, tools: Any, at: float) -> None:
        estimate = count_tokens(messages) + (count_tokens(json.dumps(tools)) if tools else 0)
        self._llm_half(call_id, {"estimate_prompt": estimate, "started": at})

    def llm_completed(
        self, call_id: str, role: str, response: Any, at: float, *, usage: Any = None, model: str | None = None
    ) -> None:
        text = response if isinstance(response, str) else json.dumps(response, default=str)
        prompt, completion = reported_tokens(usage)
        half = {
            "agent": role,
            "model": model,
            "estimate_completion": count_tokens(text),
            "reported_prompt": prompt,
            "reported_completion": completion,
            "completed": at,
        }
        self._llm_half(call_id, half)

    def _llm_half(self, call_id: str, half: dict[str, Any]) -> None:
        with self._lock:
            other = self._llm_halves.pop(call_id, None)
            if other is None:
                self._llm_halves[call_id] = half
                return
            call = {**other, **half}
            reported = call["reported_prompt"] is not None
            prompt = call["reported_prompt"] if reported else call["estimate_prompt"]
            completion = call["reported_completion"] if reported else call["estimate_completion"]
            self.prompt_tokens += prompt
            self.completion_tokens += completion
            model = str(call["model"] or "?")
            before = self.tokens_by_model.get(model, (0, 0))
            self.tokens_by_model[model] = (before[0] + prompt, before[1] + completion)
        self._emit(
            {
                "event": "llm_call",
                "agent": call["agent"],
                "model": call["model"],
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "tokens_from": "provider" if reported else "cl100k",
                "latency_ms": round(max(0.0, call["completed"] - call["started"]) * 1000, 1),
            }
        )

    def _emit(self, event: dict[str, Any]) -> None:
        if self.trace is not None:
            self.trace(event)


class GuardRegistry:
    """Maps the agents of tickets in flight to their guard; owns the process-wide hooks."""

    def __init__(self) -> None:
        self._by_agent: dict[str, TicketGuard] = {}
        self._lock = threading.Lock()
        self._installed = False

    def attach(self, guard: TicketGuard, agent_ids: list[str]) -> None:
        with self._lock:
            for agent_id in agent_ids:
                self._by_agent[agent_id] = guard

    def detach(self, agent_ids: list[str]) -> None:
        with self._lock:
            for agent_id in agent_ids:
                self._by_agent.pop(agent_id, None)

    def find(self, agent: Any) -> TicketGuard | None:
        if agent is None:
            return None
        return self._by_agent.get(str(getattr(agent, "id", agent)))

    def install(self) -> None:
        """Register the hooks and event handlers once per process."""
        with self._lock:
            if self._installed:
                return
            self._installed = True
        register_before_llm_call_hook(self._before_llm)
        register_before_tool_call_hook(self._before_tool)
        register_after_tool_call_hook(self._after_tool)
        crewai_event_bus.on(LLMCallStartedEvent)(self._on_llm_started)
        crewai_event_bus.on(LLMCallCompletedEvent)(self._on_llm_completed)

    def _before_llm(self, context: Any) -> bool | None:
        guard = self.find(context.agent)
        if guard is not None:
            guard.before_llm(getattr(context.agent, "role", "?"))
        return None

    def _before_tool(self, context: Any) -> bool | None:
        guard = self.find(context.agent)
        if guard is None:
            return None
        role = getattr(context.agent, "role", "?")
        set_acting_agent(role)
        if not isinstance(context.tool_input, dict):
            # Fail closed: CrewAI ignores hook exceptions other than HookAborted, so a malformed
            # input must be denied here rather than allowed to reach the tool.
            guard.denied.append({"agent": role, "tool": str(context.tool_name)})
            return False
        if not guard.before_tool(role, context.tool_name, context.tool_input):
            return False
        return None

    @staticmethod
    def _after_tool(context: Any) -> None:
        set_acting_agent(None)
        return None

    def _on_llm_started(self, source: Any, event: LLMCallStartedEvent) -> None:
        guard = self._by_agent.get(str(getattr(event, "agent_id", "")))
        if guard is not None:
            guard.llm_started(event.call_id, event.messages, event.tools, _seconds(event))

    def _on_llm_completed(self, source: Any, event: LLMCallCompletedEvent) -> None:
        guard = self._by_agent.get(str(getattr(event, "agent_id", "")))
        if guard is not None:
            guard.llm_completed(
                event.call_id,
                str(getattr(event, "agent_role", "?")),
                event.response,
                _seconds(event),
                usage=event.usage,
                model=event.model,
            )


_PROMPT_KEYS = ("prompt_tokens", "input_tokens", "prompt_token_count")
_COMPLETION_KEYS = ("completion_tokens", "output_tokens", "candidates_token_count")


def reported_tokens(usage: Any) -> tuple[int | None, int | None]:
    """(prompt, completion) tokens as the provider reported them (each provider names them its own
    way: OpenAI, Anthropic, Gemini), or (None, None) when it reported none. A zero prompt means
    "not reported": some compatible servers send zeros."""
    if not isinstance(usage, dict):
        return None, None
    prompt = next((usage[k] for k in _PROMPT_KEYS if isinstance(usage.get(k), int)), None)
    if not prompt or prompt <= 0:
        return None, None
    completion = next((usage[k] for k in _COMPLETION_KEYS if isinstance(usage.get(k), int)), 0)
    return prompt, max(0, completion)


def _seconds(event: Any) -> float:
    """When the event happened (its own timestamp: handlers may run later, and out of order)."""
    stamp = getattr(event, "timestamp", None)
    return stamp.timestamp() if stamp is not None else time.time()


GUARDS = GuardRegistry()
