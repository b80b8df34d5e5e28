"""A scripted fake model for plumbing tests: replays given steps and records every call.

A step is a final answer (str), a list of tool calls [("tool_name", {args}), ...], or a callable
taking the recorded call and returning one of those (to use ids read from earlier tool results).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crewai.llms.base_llm import BaseLLM, llm_call_context
from pydantic import PrivateAttr

ToolCalls = list[tuple[str, dict[str, Any]]]
Step = str | ToolCalls | Callable[["RecordedCall"], str | ToolCalls]


@dataclass
class RecordedCall:
    agent: str | None
    messages: list[dict[str, Any]]
    tools: list[str]

    def tool_results(self) -> list[dict[str, Any]]:
        """The JSON tool results seen so far in this agent's conversation."""
        found = []
        for message in self.messages:
            if message.get("role") == "tool":
                try:
                    found.append(json.loads(message.get("content") or ""))
                except ValueError:
                    found.append({"text": message.get("content")})
        return found


class ScriptedLLM(BaseLLM):
    """Steps are consumed per agent role: {role: [step, ...]}; the manager has its own list."""

    _scripts: dict[str, list[Step]] = PrivateAttr(default_factory=dict)
    _calls: list[RecordedCall] = PrivateAttr(default_factory=list)
    _counter: int = PrivateAttr(default=0)

    def __init__(self, scripts: dict[str, list[Step]], model: str = "scripted", **kwargs: Any) -> None:
        super().__init__(model=model, **kwargs)
        self._scripts = {role: list(steps) for role, steps in scripts.items()}

    @property
    def calls(self) -> list[RecordedCall]:
        return self._calls

    def supports_function_calling(self) -> bool:
        return True

    def get_context_window_size(self) -> int:
        return 128_000

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
        with llm_call_context():  # one call id for the started and completed events, as CrewAI's LLMs do
            return self._scripted_call(messages, tools, from_task, from_agent)

    def _scripted_call(self, messages, tools, from_task, from_agent):
        role = getattr(from_agent, "role", None)
        messages = [
            dict(m) for m in (messages if isinstance(messages, list) else [{"role": "user", "content": messages}])
        ]
        names = [t.get("function", {}).get("name", "") for t in (tools or []) if isinstance(t, dict)]
        record = RecordedCall(role, messages, names)
        self._calls.append(record)
        self._emit_call_started_event(messages=messages, tools=tools, from_task=from_task, from_agent=from_agent)
        script = self._scripts.get(role or "")
        if not script:
            raise AssertionError(f"ScriptedLLM: no step left for agent {role!r}")
        step = script.pop(0)
        if callable(step):
            step = step(record)
        if isinstance(step, str):
            answer: Any = step
        else:
            answer = []
            for name, args in step:
                self._counter += 1
                answer.append(
                    {
                        "id": f"call_{self._counter}",
                        "type": "function",
                        "function": {"name": name, "arguments": json.dumps(args)},
                    }
                )
        from crewai.events.types.llm_events import LLMCallType

        self._emit_call_completed_event(
            response=answer,
            call_type=LLMCallType.LLM_CALL,
            from_task=from_task,
            from_agent=from_agent,
            messages=messages,
        )
        return answer
