"""Memory of customers and of past resolutions, on CrewAI's unified `Memory` over our ChromaDB
backend and the local embedder.

Layers (scopes in one store):
- entity layer `/customers/<customer_id>`: facts about one customer, read back only for that
  customer (filtered by scope in the query and checked again on every record returned);
- long-term layer `/resolutions`: how each kind of request was handled and how it ended, without
  customer data, recalled by similarity for any ticket.

The runner calls `recall` before the crew and `remember` after it. Neither ever raises: a
ChromaDB or embedder failure comes back as a note (`Recalled.degraded`, or the returned string)
for the trace, and the ticket runs without memory. `show` and `forget` serve the CLI and do raise
`MemoryUnavailable`, because a right-to-be-forgotten request must not fail silently.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import core.environment  # noqa: F401  (before crewai)

from crewai.memory.types import MemoryMatch, MemoryRecord, embed_texts
from crewai.memory.unified_memory import Memory
from crewai.memory.utils import join_scope_paths, normalize_scope_path

from core.models import Result, Ticket
from memory.backend import ChromaStorageBackend
from memory.chroma_http import ChromaServer, failure_reason
from memory.chroma_store import ChromaHome, LocalEmbeddingFunction, get_chroma_client, handle_key
from memory.customer_facts import Fact, describe_request, extract_customer_facts, summarize_resolution

CUSTOMERS_SCOPE = "/customers"
RESOLUTIONS_SCOPE = "/resolutions"
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Similarity of a new request's description to a past summary: the same kind of request scores
# 0.75-0.9, a different kind 0.4-0.55 (measured on the dev tickets).
RESOLUTION_MIN_SIMILARITY = 0.6
MAX_RESOLUTIONS = 3
# Keyed facts (stated preferences, language) are kept until replaced; of the per-ticket notes
# (tone, problems, outcomes) only the newest are kept, so a customer's profile stays small.
MAX_TICKET_NOTES_PER_CUSTOMER = 30
RESOLUTION_CANDIDATES = 12


class MemoryUnavailable(RuntimeError):
    """ChromaDB or the embedder failed; the message says why."""


class LocalMemory(Memory):
    """CrewAI `Memory` that makes no LLM call: every record arrives with scope, categories and
    importance set, is embedded locally and stored as is (no analysis, no consolidation), and
    recall is always the shallow vector search. A `memory_key` in a record's metadata gives it a
    stable id within its scope, so a newer fact with the same key replaces the older one."""

    @property
    def _llm(self) -> Any:
        raise RuntimeError(
            "LocalMemory makes no LLM calls: pass scope, categories and importance "
            "to remember() and recall with depth='shallow'."
        )

    def _encode_batch(
        self,
        contents: list[str],
        scope: str | None = None,
        categories: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        importance: float | None = None,
        source: str | None = None,
        private: bool = False,
        root_scope: str | None = None,
    ) -> list[MemoryRecord]:
        if scope is None or categories is None or importance is None:
            raise ValueError(
                "LocalMemory.remember needs scope, categories and importance: it never asks an LLM to infer them."
            )
        resolved = join_scope_paths(root_scope, scope) if root_scope else normalize_scope_path(scope)
        meta = dict(metadata or {})
        key = meta.get("memory_key")
        vectors = embed_texts(self._embedder, contents)
        records = [
            MemoryRecord(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resolved}|{key}")) if key else str(uuid.uuid4()),
                content=content,
                scope=resolved,
                categories=list(categories),
                metadata=meta,
                importance=importance,
                embedding=vector or None,
                source=source,
                private=private,
            )
            for content, vector in zip(contents, vectors, strict=False)
        ]
        self._storage.save(records)
        return records

    def remember(
        self,
        content: str,
        scope: str | None = None,
        categories: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        importance: float | None = None,
        source: str | None = None,
        private: bool = False,
        agent_role: str | None = None,
        root_scope: str | None = None,
    ) -> MemoryRecord | None:
        """Synchronous and silent: the base class routes saves through a background pool and
        emits save events that CrewAI's console listener prints with the customer's text."""
        if self.read_only:
            return None
        effective_root = root_scope if root_scope is not None else self.root_scope
        records = self._encode_batch(
            [content], scope, categories, metadata, importance, source, private, effective_root
        )
        return records[0] if records else None

    def recall(
        self,
        query: str,
        scope: str | None = None,
        categories: list[str] | None = None,
        limit: int = 10,
        depth: Literal["shallow", "deep"] = "shallow",
        source: str | None = None,
        include_private: bool = False,
    ) -> list[MemoryMatch]:
        return super().recall(
            query,
            scope=scope,
            categories=categories,
            limit=limit,
            depth="shallow",
            source=source,
            include_private=include_private,
        )


@dataclass
class Recalled:
    """What memory knows for one ticket. `text` goes into the task's "Recalled about this
    customer and similar tickets" section ('' when nothing was recalled)."""

    text: str = ""
    customer_facts: list[str] = field(default_factory=list)
    resolutions: list[str] = field(default_factory=list)
    degraded: str | None = None


def customer_scope(customer_id: str) -> str:
    if not _CUSTOMER_ID.match(customer_id):
        raise ValueError(
            f"customer id {customer_id!r} cannot name a memory scope: expected "
            "letters, digits, '.', '_' or '-' (at most 128)."
        )
    return f"{CUSTOMERS_SCOPE}/{customer_id}"


def _degraded_note(action: str, exc: BaseException) -> str:
    return f"memory unavailable ({action} failed: {failure_reason(exc)}); the ticket runs without memory"


def _format_customer(records: list[MemoryRecord]) -> list[str]:
    """Newest first in, a short profile out: preferences, language, recurring problems, tone,
    recent outcomes."""
    by_kind: dict[str, list[MemoryRecord]] = {}
    for record in records:
        by_kind.setdefault(record.metadata.get("kind", "other"), []).append(record)
    lines = [r.content for r in by_kind.get("preference", [])]
    lines += [r.content for r in by_kind.get("language", [])[:1]]
    problems = by_kind.get("problem", [])
    tickets_by_product: dict[str, list[str]] = {}
    for record in reversed(problems):
        tickets_by_product.setdefault(record.metadata.get("product", "?"), []).append(
            record.metadata.get("ticket_id", "?")
        )
    for product, tickets in tickets_by_product.items():
        if len(set(tickets)) > 1:
            lines.append(f"Recurring problem: {product} (reported in tickets {', '.join(dict.fromkeys(tickets))})")
    lines += [r.content for r in problems[:3]]
    lines += [r.content for r in by_kind.get("tone", [])[:2]]
    lines += [r.content for r in by_kind.get("outcome", [])[:3]]
    return lines


def _compose(facts: list[str], resolutions: list[str]) -> str:
    sections = []
    if facts:
        sections.append(
            "About this customer, from earlier tickets (apply a stated preference "
            "unless this ticket says otherwise):\n" + "\n".join(f"- {f}" for f in facts)
        )
    if resolutions:
        sections.append("Similar requests handled before:\n" + "\n".join(f"- {r}" for r in resolutions))
    return "\n".join(sections)


class CustomerMemory:
    """Entity and long-term memory of one installation: one data directory, or one ChromaDB
    server shared by every worker of a fleet (what one worker learns, the others recall)."""

    def __init__(
        self, home: ChromaHome, *, backend_factory: Callable[[ChromaHome], ChromaStorageBackend] | None = None
    ) -> None:
        """`home`: a data directory, or the ChromaDB server that a fleet's workers share."""
        self._home: ChromaHome = home if isinstance(home, ChromaServer) else Path(home)
        self._backend_factory = backend_factory or (lambda h: ChromaStorageBackend(get_chroma_client(h)))
        self._memory: LocalMemory | None = None
        self._backend: ChromaStorageBackend | None = None
        self._lock = threading.Lock()

    def _open(self) -> tuple[LocalMemory, ChromaStorageBackend]:
        with self._lock:
            if self._memory is None or self._backend is None:
                backend = self._backend_factory(self._home)
                self._memory = LocalMemory(
                    storage=backend,
                    embedder=LocalEmbeddingFunction(),
                    # Resolutions are ranked by similarity alone: how a kind of request is
                    # handled does not get more relevant for being recent.
                    semantic_weight=1.0,
                    recency_weight=0.0,
                    importance_weight=0.0,
                )
                self._backend = backend
            return self._memory, self._backend

    def _failed(self, action: str, exc: BaseException) -> str:
        """The note for a failure. On a server the handles are dropped, so the next ticket opens
        the collection again (a server restarted on a fresh volume gives it a new id)."""
        if not isinstance(self._home, ChromaServer):
            return _degraded_note(action, exc)
        with self._lock:
            self._memory = self._backend = None
        return _degraded_note(f"{action} at {self._home}", exc)

    # --- the runner's two calls -----------------------------------------------------------------
    def recall(self, customer_id: str | None, ticket_text: str) -> Recalled:
        try:
            memory, _ = self._open()
            facts: list[str] = []
            if customer_id:
                scope = customer_scope(customer_id)
                own = [
                    r
                    for r in memory.list_records(scope=scope, limit=200)
                    if r.scope == scope and r.metadata.get("customer_id") == customer_id
                ]
                facts = _format_customer(own)
            description = describe_request(ticket_text)
            matches = (
                memory.recall(description, scope=RESOLUTIONS_SCOPE, limit=RESOLUTION_CANDIDATES) if description else []
            )
            seen: dict[str, int] = {}
            for match in matches:  # many tickets share one summary: show it once, with a count
                if match.score >= RESOLUTION_MIN_SIMILARITY:
                    seen[match.record.content] = seen.get(match.record.content, 0) + 1
            resolutions = [
                text + (f" (seen {n} times)" if n > 1 else "") for text, n in list(seen.items())[:MAX_RESOLUTIONS]
            ]
            return Recalled(text=_compose(facts, resolutions), customer_facts=facts, resolutions=resolutions)
        except Exception as exc:  # never block a ticket on memory
            return Recalled(degraded=self._failed("recall", exc))

    def remember(self, customer_id: str | None, ticket: Ticket, result: Result) -> str | None:
        """Save what this ticket taught; returns None, or the degraded note for the trace."""
        try:
            memory, backend = self._open()
            if customer_id:
                scope = customer_scope(customer_id)
                for fact in extract_customer_facts(ticket, result):
                    self._save_fact(memory, scope, customer_id, fact)
                self._prune(backend, scope)
            summary = summarize_resolution(ticket, result)
            # One record per ticket (re-running a ticket replaces it), tagged with its customer so
            # that forget() removes it too; the text itself carries no customer data.
            memory.remember(
                summary.text,
                scope=RESOLUTIONS_SCOPE,
                categories=["resolution", summary.kind],
                importance=0.5,
                metadata={"memory_key": f"ticket:{ticket.id}", "kind": summary.kind, "customer_id": customer_id or ""},
            )
            return None
        except Exception as exc:
            return self._failed("remember", exc)

    @staticmethod
    def _save_fact(memory: LocalMemory, scope: str, customer_id: str, fact: Fact) -> None:
        metadata = {**fact.metadata, "kind": fact.kind, "customer_id": customer_id}
        if fact.key:
            metadata["memory_key"] = fact.key
        memory.remember(
            fact.text,
            scope=scope,
            categories=["customer", fact.kind],
            importance=fact.importance,
            metadata=metadata,
            source=customer_id,
        )

    @staticmethod
    def _prune(backend: ChromaStorageBackend, scope: str) -> None:
        notes = [r for r in backend.list_records(scope, limit=100_000) if "memory_key" not in r.metadata]
        stale = [r.id for r in notes[MAX_TICKET_NOTES_PER_CUSTOMER:]]
        if stale:
            backend.delete(record_ids=stale)

    # --- the CLI's two calls (raise MemoryUnavailable) ------------------------------------------
    def show(self, customer_id: str) -> list[MemoryRecord]:
        """Everything memory holds about this customer, newest first: their own facts and the
        resolution summaries made from their tickets. ValueError for an impossible id."""
        scope = customer_scope(customer_id)
        try:
            _, backend = self._open()
            records = backend.find(scope) + backend.find(RESOLUTIONS_SCOPE, {"customer_id": customer_id})
        except Exception as exc:
            raise MemoryUnavailable(self._failed("show", exc)) from exc
        return sorted(records, key=lambda r: r.created_at, reverse=True)

    def forget(self, customer_id: str) -> int:
        """Delete everything about this customer; returns how many records were deleted."""
        scope = customer_scope(customer_id)
        try:
            memory, _ = self._open()
            deleted = memory.forget(scope=scope)
            deleted += memory.forget(scope=RESOLUTIONS_SCOPE, metadata_filter={"customer_id": customer_id})
        except Exception as exc:
            raise MemoryUnavailable(self._failed("forget", exc)) from exc
        return deleted


_instances: dict[tuple[ChromaHome, int], CustomerMemory] = {}  # by handle_key
_instances_lock = threading.Lock()


def open_customer_memory(home: ChromaHome) -> CustomerMemory:
    """The process-wide CustomerMemory of a data directory or ChromaDB server (opening it
    touches nothing yet)."""
    key = handle_key(home)
    with _instances_lock:
        if key not in _instances:
            _instances[key] = CustomerMemory(key[0])
        return _instances[key]


def release_customer_memory(home: ChromaHome) -> None:
    with _instances_lock:
        _instances.pop(handle_key(home), None)
