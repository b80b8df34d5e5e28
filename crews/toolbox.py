"""Every tool an agent can be granted in agents.yaml, by name, and how to build one for a ticket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crewai.tools import BaseTool

from tools.context import ToolContext
from tools.escalation import EscalateToHumanTool
from tools.knowledge import SearchKnowledgeBaseTool
from tools.registry import STORE_TOOL_CLASSES, build_store_tools


def _tool_name(cls: type[BaseTool]) -> str:
    return str(cls.model_fields["name"].default)


KNOWN_TOOLS: frozenset[str] = frozenset(
    {*STORE_TOOL_CLASSES, _tool_name(SearchKnowledgeBaseTool), _tool_name(EscalateToHumanTool)}
)


@dataclass
class ToolDeps:
    """What a ticket's tools act through. `knowledge` may be None when the index is unavailable."""

    context: ToolContext
    store: Any  # tools.client.StoreClient
    knowledge: Any | None = None


def build_tool(name: str, deps: ToolDeps) -> BaseTool:
    if name in STORE_TOOL_CLASSES:
        return build_store_tools([name], context=deps.context, store=deps.store)[0]
    if name == _tool_name(SearchKnowledgeBaseTool):
        return SearchKnowledgeBaseTool(context=deps.context, index=deps.knowledge)
    if name == _tool_name(EscalateToHumanTool):
        return EscalateToHumanTool(context=deps.context)
    raise KeyError(f"unknown tool '{name}'; known tools: {', '.join(sorted(KNOWN_TOOLS))}")
