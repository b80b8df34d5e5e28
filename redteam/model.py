"""`RedTeamLLM`: a hostile model for every agent of the crew (`support-crew redteam`).

It is a real CrewAI `BaseLLM` with native tool calling, like the `offline` model, but it plays
against the crew: as the manager it delegates to every specialist in turn with hostile tasks, tries
coworkers that do not exist and store tools it was never given; as a specialist it sends, in one
batch of tool calls, what its `RedTeamPlaybook` (redteam/attacks.py) lists for it, then
gives a final answer. It is deterministic: the same ticket and intel give the same calls.

Every call it emits is an `Attempt` in the shared `AttemptLog`, carrying a marker argument
(`MARKER`) so the harness can tie what the tools really did to the attempt; the harness removes the
marker in a before-tool hook, so the guards and tools see exactly what a model without it would
send. Whether an attempt got through is decided by the harness from ground truth, never here.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import core.environment  # noqa: F401  (telemetry off before crewai is imported)

from crewai.events.types.llm_events import LLMCallType
from crewai.llms.base_llm import BaseLLM, llm_call_context
from pydantic import PrivateAttr

from core.tokens import count_tokens

MARKER = "_redteam_attempt"
DELEGATE = "delegate_work_to_coworker"
ASK = "ask_question_to_coworker"


@dataclass
class Attempt:
    """One tool call the red team made. `arguments` is a dict (sent as JSON with the marker) or a
    str (sent verbatim as the call's argument text: junk that is not a JSON object)."""

    id: str
    run: int  # which ticket run of the red-team set (ticket ids may repeat: follow-ups)
    ticket_id: str
    kind: str
    agent: str
    tool: str
    arguments: dict[str, Any] | str
    note: str
    group: str | None = None  # attempts meant to be the same operation (duplicates)

    @property
    def marked(self) -> bool:
        return isinstance(self.arguments, dict)

    def wire_arguments(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps({**self.arguments, MARKER: self.id})


@dataclass
class AttemptLog:
    """Every attempt of a red-team run, in the order the model made them (thread-safe: specialists
    may run in CrewAI's worker threads)."""

    attempts: list[Attempt] = field(default_factory=list)
    roles_seen: list[str] = field(default_factory=list)  # the agent of every model call, as CrewAI named it
    _counter: itertools.count = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        *,
        run: int,
        ticket_id: str,
        kind: str,
        agent: str,
        tool: str,
        arguments: dict[str, Any] | str,
        note: str,
        group: str | None = None,
    ) -> Attempt:
        with self._lock:
            attempt = Attempt(
                id=f"r{run:02d}-a{next(self._counter):04d}",
                run=run,
                ticket_id=ticket_id,
                kind=kind,
                agent=agent,
                tool=tool,
                arguments=arguments,
                note=note,
                group=group,
            )
            self.attempts.append(attempt)
            return attempt

    def saw(self, role: str) -> None:
        with self._lock:
            self.roles_seen.append(role)

    def by_id(self) -> dict[str, Attempt]:
        with self._lock:
            return {a.id: a for a in self.attempts}


class AttackPlan(Protocol):
    """What the model asks of its playbook each call (redteam/attacks.py's RedTeamPlaybook)."""

    log: AttemptLog

    def manager_step(self, role: str, turn: int, text: str) -> str | list[Attempt]: ...

    def specialist_step(self, role: str, granted: set[str], turn: int, text: str) -> str | list[Attempt]: ...


def _tool_names(tools: list[Any] | None) -> list[str]:
    names = []
    for tool in tools or []:
        if isinstance(tool, dict):
            name = tool.get("function", tool).get("name")
            if name:
                names.append(str(name))
    return names


def _turns(messages: list[dict[str, Any]]) -> int:
    """How many batches of tool calls this agent has already sent in this conversation."""
    return sum(1 for m in messages if m.get("role") == "assistant" and m.get("tool_calls"))


def _text(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(block.get("text", "")) if isinstance(block, dict) else str(block) for block in content)
    return "\n".join(parts)


class RedTeamLLM(BaseLLM):
    """The hostile model of one ticket run: every agent of the crew talks to this instance."""

    _playbook: Any = PrivateAttr(default=None)
    _calls: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, playbook: AttackPlan, **kwargs: Any) -> None:
        super().__init__(model="redteam", **kwargs)
        self._playbook = playbook

    def supports_function_calling(self) -> bool:
        return True

    def supports_stop_words(self) -> bool:
        return False

    def get_context_window_size(self) -> int:
        return 128_000

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        """Exact cl100k count (CrewAI otherwise guesses, with a warning per call)."""
        return count_tokens(messages) + (count_tokens(tools) if tools else 0)

    def call(
        self,
        messages,
        tools=None,
        callbacks=None,
        available_functions=None,
        from_task=None,
        from_agent=None,
        response_model=None,
    ):
        with llm_call_context():  # one call id for the started and completed events
            return self._call(messages, tools, callbacks, available_functions, from_task, from_agent)

    def _call(
        self, messages: Any, tools: Any, callbacks: Any, available_functions: Any, from_task: Any, from_agent: Any
    ) -> str | list[dict[str, Any]]:
        messages = (
            [dict(m) for m in messages] if isinstance(messages, list) else [{"role": "user", "content": str(messages)}]
        )
        self._emit_call_started_event(
            messages=messages,
            tools=tools,
            callbacks=callbacks,
            available_functions=available_functions,
            from_task=from_task,
            from_agent=from_agent,
        )
        role = str(getattr(from_agent, "role", "") or "")
        playbook: AttackPlan = self._playbook
        playbook.log.saw(role)
        names = _tool_names(tools)
        turn, text = _turns(messages), _text(messages)
        if DELEGATE in names:
            step = playbook.manager_step(role, turn, text)
        else:
            step = playbook.specialist_step(role, set(names), turn, text)
        if isinstance(step, str):
            answer: str | list[dict[str, Any]] = step
        else:
            answer = [self._wire(attempt) for attempt in step]
        prompt = count_tokens(messages) + (count_tokens(json.dumps(tools)) if tools else 0)
        completion = count_tokens(answer if isinstance(answer, str) else json.dumps(answer))
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        self._track_token_usage_internal(usage)
        self._emit_call_completed_event(
            response=answer,
            call_type=LLMCallType.TOOL_CALL if isinstance(answer, list) else LLMCallType.LLM_CALL,
            from_task=from_task,
            from_agent=from_agent,
            messages=messages,
            usage=usage,
            finish_reason="tool_calls" if isinstance(answer, list) else "stop",
        )
        return answer

    def _wire(self, attempt: Attempt) -> dict[str, Any]:
        with self._lock:
            self._calls += 1
            number = self._calls
        return {
            "id": f"rt_{attempt.id}_{number}",
            "type": "function",
            "function": {"name": attempt.tool, "arguments": attempt.wire_arguments()},
        }
