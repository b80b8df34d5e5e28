"""search_knowledge_base as an agent sees it."""

from __future__ import annotations

import json

from memory.knowledge_base import UnavailableKnowledge
from tools.context import ToolContext
from tools.knowledge import SearchKnowledgeBaseTool


def test_returns_compact_passages_with_document_names(knowledge_index):
    events: list[dict] = []
    tool = SearchKnowledgeBaseTool(context=ToolContext(ticket_id="T-1", trace=events.append), index=knowledge_index)
    assert tool.name == "search_knowledge_base"
    raw = tool.run(query="robot vacuum does not go back to its dock", top_k=2)
    assert ": " not in raw.split('"passages"')[0]  # compact JSON
    passages = json.loads(raw)["passages"]
    assert len(passages) == 2
    assert passages[0]["document"] == "guides/vacuum-cleaner.md"
    assert set(passages[0]) == {"document", "title", "section", "text", "score"}
    assert passages[0]["section"] == "Common faults > Robot vacuum does not return to its dock"
    assert passages[0]["text"].startswith("If the robot cleans but stops")
    assert events[0]["event"] == "tool_call" and events[0]["status"] == "ok"


def test_an_unavailable_index_is_an_error_the_agent_can_read():
    events: list[dict] = []
    ctx = ToolContext(ticket_id="T-2", trace=events.append)
    tool = SearchKnowledgeBaseTool(context=ctx, index=UnavailableKnowledge("chroma is down"))
    error = json.loads(tool.run(query="return policy"))["error"]
    assert error["code"] == "knowledge_unavailable" and error["retryable"] is False
    assert error["message"].startswith("knowledge base unavailable") and "chroma is down" in error["message"]
    assert len(events) == 1 and ctx.tool_calls == 1
    assert events[0]["tool"] == "search_knowledge_base" and events[0]["status"] == "error"
    assert events[0]["error"] == "KnowledgeUnavailable: chroma is down"


def test_no_index_at_all_is_the_same_readable_error():
    tool = SearchKnowledgeBaseTool(context=ToolContext(ticket_id="T-3"), index=None)
    assert json.loads(tool.run(query="warranty"))["error"]["code"] == "knowledge_unavailable"
