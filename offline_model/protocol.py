"""Reading CrewAI's messages and writing answers in its protocol.

CrewAI talks to a model in one of two ways, and both are read into the same `Conversation`:
- native tool calling: tool schemas arrive in `tools`, earlier calls are assistant messages with
  `tool_calls`, results are `tool` messages; the model answers with a list of tool calls or text;
- text (ReAct): tools are described in the system prompt, calls are written as
  `Action:` / `Action Input:` lines and results come back after `Observation:`.

Nothing here decides anything: it turns messages into data and decisions into messages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

DELEGATE_TOOL = "delegate_work_to_coworker"
ASK_TOOL = "ask_question_to_coworker"


@dataclass
class ToolExchange:
    """One tool call the model made and what came back."""

    name: str
    arguments: dict[str, Any]
    result: str | None
    call_id: str = ""

    @property
    def data(self) -> Any:
        """The result as JSON. In text mode CrewAI may append its format reminder after the
        observation, so a leading JSON value followed by text counts too."""
        if self.result is None:
            return None
        text = self.result.strip()
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            pass
        try:
            value, _ = json.JSONDecoder().raw_decode(text)
        except ValueError:
            return None
        return value

    @property
    def error(self) -> dict[str, Any] | None:
        """The tool's error payload ({code, message, retryable}), or a synthetic one when the call
        failed before the tool ran (CrewAI's own error text)."""
        data = self.data
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            return data["error"]
        if data is None and self.result is not None and self.name != DELEGATE_TOOL and self.name != ASK_TOOL:
            return {"code": "tool_failure", "message": self.result[:300], "retryable": True}
        return None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.error is None


@dataclass
class Conversation:
    """Everything one model call was given."""

    system: str
    task: str  # the task description (for the manager: the ticket task)
    context: str  # the context a delegating manager shared ('' for the ticket task)
    user: str  # the first user message, whole
    tool_names: list[str]
    tool_descriptions: dict[str, str]
    exchanges: list[ToolExchange] = field(default_factory=list)
    native: bool = True
    tool_parameters: dict[str, frozenset[str]] = field(default_factory=dict)  # native tools: argument names

    @property
    def is_manager(self) -> bool:
        """The manager holds the delegation tool - or, when CrewAI asks for a final answer without
        tools (iteration limit), has delegated before or works on the ticket task itself."""
        return (
            DELEGATE_TOOL in self.tool_names
            or any(e.name in (DELEGATE_TOOL, ASK_TOOL) for e in self.exchanges)
            or self.task.lstrip().startswith("Resolve support ticket")
        )

    @property
    def must_answer(self) -> bool:
        """No tools offered: CrewAI wants the final answer now."""
        return not self.tool_names

    @property
    def agent_role(self) -> str:
        match = re.match(r"\s*You are (.+?)\.\s", self.system + " ")
        return match.group(1).strip() if match else ""


# --- reading -------------------------------------------------------------------------------------


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "\n".join(str(block.get("text", "")) if isinstance(block, dict) else str(block) for block in content)
    return str(content)


_TASK_MARK = "Current Task:"
_CRITERIA_MARK = "\nThis is the expected criteria for your final answer:"
_CONTEXT_MARK = "This is the context you're working with:\n"
_BEGIN_MARK = "\n\nBegin! This is VERY important to you"


def _split_user(user: str) -> tuple[str, str]:
    """(task description, shared context) from CrewAI's task prompt."""
    task = user
    if _TASK_MARK in task:
        task = task.split(_TASK_MARK, 1)[1]
    context = ""
    if _CONTEXT_MARK in task:
        head, context = task.rsplit(_CONTEXT_MARK, 1)
        task = head
        if _BEGIN_MARK in context:
            context = context.split(_BEGIN_MARK, 1)[0]
    if _CRITERIA_MARK in task:
        task = task.split(_CRITERIA_MARK, 1)[0]
    if _BEGIN_MARK in task:
        task = task.split(_BEGIN_MARK, 1)[0]
    return task.strip(), context.strip()


def _native_parameters(tools: list[Any] | None) -> dict[str, frozenset[str]]:
    parameters: dict[str, frozenset[str]] = {}
    for tool in tools or []:
        if isinstance(tool, dict):
            function = tool.get("function", tool)
            properties = (function.get("parameters") or {}).get("properties") or {}
            if function.get("name"):
                parameters[function["name"]] = frozenset(properties)
    return parameters


def _native_tools(tools: list[Any] | None) -> tuple[list[str], dict[str, str]]:
    names: list[str] = []
    descriptions: dict[str, str] = {}
    for tool in tools or []:
        if isinstance(tool, dict):
            function = tool.get("function", tool)
            name = function.get("name")
            if name:
                names.append(name)
                descriptions[name] = str(function.get("description") or "")
        else:
            name = getattr(tool, "name", None)
            if name:
                names.append(str(name))
                descriptions[str(name)] = str(getattr(tool, "description", "") or "")
    return names, descriptions


_TEXT_TOOL = re.compile(r"^Tool Name: (\S+)\s*$", re.MULTILINE)


def _text_tools(system: str) -> tuple[list[str], dict[str, str]]:
    names = _TEXT_TOOL.findall(system)
    descriptions: dict[str, str] = {}
    for name in names:
        match = re.search(
            rf"^Tool Name: {re.escape(name)}\s*$.*?^Tool Description: (.*?)(?=^Tool Name: |\nIMPORTANT: |\Z)",
            system,
            re.MULTILINE | re.DOTALL,
        )
        descriptions[name] = match.group(1).strip() if match else ""
    return names, descriptions


_ACTION = re.compile(
    r"Action:\s*(?P<name>[^\n]+)\nAction Input:\s*(?P<input>.*?)\nObservation:\s?(?P<observation>.*)", re.DOTALL
)


def _normalise_tool_name(name: str, known: list[str]) -> str:
    """CrewAI accepts 'Delegate work to coworker' for 'delegate_work_to_coworker'."""
    name = name.strip()
    snake = re.sub(r"[\s-]+", "_", name.lower())
    for candidate in known:
        if candidate == name or candidate.lower() == snake:
            return candidate
    return snake


def _loads(text: str) -> dict[str, Any]:
    text = text.strip()
    try:
        value = json.loads(text)
    except ValueError:
        match = re.search(r"\{.*\}", text, re.DOTALL)
        if not match:
            return {}
        try:
            value = json.loads(match.group(0))
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def read_conversation(messages: str | list[dict[str, Any]], tools: list[Any] | None) -> Conversation:
    """Parse what CrewAI sent. Works on a copy: CrewAI mutates its list after the call."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    messages = [dict(m) for m in messages]
    system = "\n".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
    users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    user = users[0] if users else ""
    task, context = _split_user(user)
    native = bool(tools)
    if native:
        names, descriptions = _native_tools(tools)
    else:
        names, descriptions = _text_tools(system)
    exchanges: list[ToolExchange] = []
    by_id: dict[str, ToolExchange] = {}
    for message in messages:
        role = message.get("role")
        if role == "assistant" and message.get("tool_calls"):
            for call in message["tool_calls"]:
                function = call.get("function", {}) if isinstance(call, dict) else {}
                raw = function.get("arguments")
                arguments = raw if isinstance(raw, dict) else _loads(raw or "{}")
                exchange = ToolExchange(
                    _normalise_tool_name(function.get("name", ""), names), arguments, None, call.get("id", "")
                )
                exchanges.append(exchange)
                by_id[exchange.call_id] = exchange
        elif role == "tool":
            answered = by_id.get(message.get("tool_call_id", ""))
            if answered is None:
                pending = [e for e in exchanges if e.result is None and e.name == message.get("name")]
                answered = pending[0] if pending else None
            if answered is not None:
                answered.result = _text(message.get("content"))
        elif role == "assistant":
            match = _ACTION.search(_text(message.get("content")))
            if match:
                exchanges.append(
                    ToolExchange(
                        _normalise_tool_name(match.group("name"), names),
                        _loads(match.group("input")),
                        match.group("observation").strip(),
                    )
                )
    return Conversation(
        system, task, context, user, names, descriptions, exchanges, native, _native_parameters(tools) if native else {}
    )


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


def native_tool_calls(calls: list[ToolCall], already: int) -> list[dict[str, Any]]:
    """OpenAI-style tool calls; ids are numbered after the calls already made, so the same
    conversation always gets the same ids."""
    return [
        {
            "id": f"call_{already + index + 1}",
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.arguments, ensure_ascii=False)},
        }
        for index, call in enumerate(calls)
    ]


def text_tool_call(call: ToolCall, thought: str) -> str:
    """One ReAct step (text mode runs one tool per step)."""
    return f"Thought: {thought}\nAction: {call.name}\nAction Input: {json.dumps(call.arguments, ensure_ascii=False)}"


def text_final_answer(answer: str) -> str:
    return f"Thought: I now know the final answer\nFinal Answer: {answer}"
