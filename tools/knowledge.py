"""search_knowledge_base: the store's policies and product troubleshooting guides.

Why not crewai-tools' RagTool / DirectorySearchTool / MDXSearchTool (1.15.30)? They can run
offline on ChromaDB with a local sentence-transformers model, but:
- their query returns the matched text only, with no document name or score, so an agent could
  not cite its source;
- `add()` (run by the constructor) re-chunks and re-embeds every file each time a tool is built,
  and never removes the chunks of a deleted file: no indexing per content change;
- their Markdown chunker packs sections into chunks of up to 3000 characters, while
  all-MiniLM-L6-v2 reads only the first 256 tokens (about 1000 characters) of a text, so most
  of a guide would never be searchable.
So memory/knowledge_base.py indexes by Markdown section once per content change, and this tool
only searches that index.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from crewai.tools import BaseTool
from pydantic import BaseModel, Field, PlainValidator

from tools.args import ToolArgs
from tools.context import ToolContext
from tools.errors import ToolError

if TYPE_CHECKING:  # the index module pulls in chromadb; the tool only needs its shape
    from memory.knowledge_base import Passage

MAX_PASSAGE_CHARS = 900  # a section is short; this only bounds an unusually long one


class KnowledgeSearcher(Protocol):
    def search(self, query: str, top_k: int = 3) -> list[Passage]: ...


class SearchKnowledgeBaseArgs(ToolArgs):
    query: str = Field(
        ...,
        min_length=2,
        max_length=500,
        description="A policy question or a product and its problem, in plain words.",
    )
    top_k: int = Field(3, ge=1, le=8, description="Passages to return.")


class KnowledgeUnavailableError(ToolError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "knowledge_unavailable",
            f"knowledge base unavailable ({detail}). Answer from the tools' data and the store "
            "rules you know, or escalate if the customer needs a documented procedure.",
            retryable=False,
        )


def _the_context(value: Any) -> ToolContext:
    if not isinstance(value, ToolContext):
        raise ValueError(f"expected a ToolContext, got {type(value).__name__}")
    return value


def _a_searcher(value: Any) -> Any:
    if value is not None and not callable(getattr(value, "search", None)):
        raise ValueError(f"expected a knowledge index with search(query, top_k), got {type(value).__name__}")
    return value


class SearchKnowledgeBaseTool(BaseTool):
    name: str = "search_knowledge_base"
    description: str = (
        "Search store policies (cancellation, changes, returns, exchanges, refunds, shipping, "
        "payment, privacy, escalation, warranty) and product troubleshooting guides. Cite the "
        "document of the passages you use."
    )
    args_schema: type[BaseModel] = SearchKnowledgeBaseArgs
    if TYPE_CHECKING:
        context: ToolContext
        index: KnowledgeSearcher | None
    else:  # the ticket's own objects, not copies (pydantic cannot build a schema of their insides)
        context: Annotated[Any, PlainValidator(_the_context)] = Field(exclude=True)
        index: Annotated[Any, PlainValidator(_a_searcher)] = Field(default=None, exclude=True)

    def _run(self, query: str, top_k: int = 3, **_: Any) -> str:
        started = time.perf_counter()
        with self.context._lock:
            self.context.tool_calls += 1
        event: dict[str, Any] = {
            "event": "tool_call",
            "tool": self.name,
            "arguments": {"query": query, "top_k": top_k},
            "status": "ok",
        }
        try:
            if self.index is None:
                raise RuntimeError("the index could not be opened for this run")
            passages = self.index.search(query, top_k=top_k)
            result = json.dumps(
                {
                    "passages": [
                        {
                            "document": p.document,
                            "title": p.title,
                            "section": p.section,
                            "text": p.text[:MAX_PASSAGE_CHARS],
                            "score": p.score,
                        }
                        for p in passages
                    ]
                },
                separators=(",", ":"),
                ensure_ascii=False,
            )
        except Exception as exc:  # the ticket goes on without knowledge, and the trace says so
            event.update(status="error", error_code="knowledge_unavailable", error=f"{type(exc).__name__}: {exc}")
            result = KnowledgeUnavailableError(f"{type(exc).__name__}: {exc}").to_json()
        event["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        self.context.emit(event)
        return result
