"""A ChromaDB implementation of CrewAI's memory `StorageBackend` protocol
(crewai/memory/storage/backend.py in crewai 1.15.30), persistent under the data directory.

Chroma metadata holds scalars and non-empty lists only, so a record is stored as:
  document = content, embedding = record.embedding (or computed by the collection's local
  embedding function), metadata = scope, `scope_path` (every ancestor scope, for exact prefix
  filters with `$contains`), categories, importance, times as UTC timestamps, source, private,
  the record's own metadata as JSON, and its scalar values again under `m.<key>` for filtering.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import PyEmbeddings
from crewai.memory.types import MemoryRecord, ScopeInfo
from crewai.memory.utils import normalize_scope_path

from memory.chroma_store import LocalEmbeddingFunction, included

DEFAULT_COLLECTION = "support-crew-memory"
_SCALARS = (str, int, float, bool)


def _ts(moment: datetime) -> float:
    """CrewAI's records carry naive UTC datetimes (datetime.utcnow())."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _from_ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC).replace(tzinfo=None)


def scope_ancestors(scope: str) -> list[str]:
    """'/customers/c1' -> ['/', '/customers', '/customers/c1']."""
    path = normalize_scope_path(scope)
    parts = [p for p in path.split("/") if p]
    return ["/"] + ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _metadata_for(record: MemoryRecord) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "scope": normalize_scope_path(record.scope),
        "scope_path": scope_ancestors(record.scope),
        "importance": float(record.importance),
        "created_at": _ts(record.created_at),
        "last_accessed": _ts(record.last_accessed),
        "private": bool(record.private),
        "metadata_json": json.dumps(record.metadata, default=str, sort_keys=True),
    }
    if record.categories:
        meta["categories"] = list(record.categories)
    if record.source is not None:
        meta["source"] = record.source
    for key, value in record.metadata.items():
        if isinstance(value, _SCALARS):
            meta[f"m.{key}"] = value
    return meta


def _record_from(record_id: str, document: str | None, meta: dict[str, Any], embedding: Any = None) -> MemoryRecord:
    return MemoryRecord(
        id=record_id,
        content=document or "",
        scope=str(meta.get("scope", "/")),
        categories=list(meta.get("categories") or []),
        metadata=json.loads(str(meta.get("metadata_json") or "{}")),
        importance=float(meta.get("importance", 0.5)),
        created_at=_from_ts(float(meta["created_at"])),
        last_accessed=_from_ts(float(meta.get("last_accessed", meta["created_at"]))),
        embedding=[float(x) for x in embedding] if embedding is not None else None,
        source=meta.get("source"),
        private=bool(meta.get("private", False)),
    )


def _where(
    scope_prefix: str | None = None,
    categories: list[str] | None = None,
    metadata_filter: dict[str, Any] | None = None,
    older_than: datetime | None = None,
) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if scope_prefix is not None and normalize_scope_path(scope_prefix) != "/":
        clauses.append({"scope_path": {"$contains": normalize_scope_path(scope_prefix)}})
    if categories:
        any_of = [{"categories": {"$contains": c}} for c in categories]
        clauses.append(any_of[0] if len(any_of) == 1 else {"$or": any_of})
    for key, value in (metadata_filter or {}).items():
        if not isinstance(value, _SCALARS):
            raise ValueError(
                f"metadata_filter[{key!r}] = {value!r}: only str, int, float or bool values can "
                "be filtered on in the ChromaDB memory backend."
            )
        clauses.append({f"m.{key}": value})
    if older_than is not None:
        clauses.append({"created_at": {"$lt": _ts(older_than)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStorageBackend:
    """CrewAI `StorageBackend` over one ChromaDB collection (cosine space, local embedder)."""

    def __init__(self, client: ClientAPI, collection_name: str = DEFAULT_COLLECTION) -> None:
        self._collection: Collection = client.get_or_create_collection(
            name=collection_name,
            # chromadb wants an EmbeddingFunction[Documents | Images]; a text-only one is its documented use
            embedding_function=LocalEmbeddingFunction(),  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
        )

    # --- writes ---------------------------------------------------------------------------------
    def save(self, records: list[MemoryRecord]) -> None:
        if not records:
            return
        with_vectors = [r for r in records if r.embedding]
        without = [r for r in records if not r.embedding]
        if with_vectors:
            vectors: PyEmbeddings = [list(r.embedding or []) for r in with_vectors]
            self._collection.upsert(
                ids=[r.id for r in with_vectors],
                embeddings=vectors,
                documents=[r.content for r in with_vectors],
                metadatas=[_metadata_for(r) for r in with_vectors],
            )
        if without:  # the collection's embedding function fills these in
            self._collection.upsert(
                ids=[r.id for r in without],
                documents=[r.content for r in without],
                metadatas=[_metadata_for(r) for r in without],
            )

    def update(self, record: MemoryRecord) -> None:
        self.save([record])

    def delete(
        self,
        scope_prefix: str | None = None,
        categories: list[str] | None = None,
        record_ids: list[str] | None = None,
        older_than: datetime | None = None,
        metadata_filter: dict[str, Any] | None = None,
    ) -> int:
        where = _where(scope_prefix, categories, metadata_filter, older_than)
        found = self._collection.get(ids=record_ids, where=where, include=[])
        ids = list(found["ids"])
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    def reset(self, scope_prefix: str | None = None) -> None:
        self.delete(scope_prefix=scope_prefix)

    # --- reads ----------------------------------------------------------------------------------
    def search(
        self,
        query_embedding: list[float],
        scope_prefix: str | None = None,
        categories: list[str] | None = None,
        metadata_filter: dict[str, Any] | None = None,
        limit: int = 10,
        min_score: float = 0.0,
    ) -> list[tuple[MemoryRecord, float]]:
        if limit <= 0 or self._collection.count() == 0:
            return []
        query: PyEmbeddings = [list(query_embedding)]
        result = self._collection.query(
            query_embeddings=query,
            n_results=limit,
            where=_where(scope_prefix, categories, metadata_filter),
            include=["documents", "metadatas", "distances", "embeddings"],
        )
        matches: list[tuple[MemoryRecord, float]] = []
        embeddings = result.get("embeddings")
        documents = included(result["documents"], "documents")[0]
        metadatas = included(result["metadatas"], "metadatas")[0]
        distances = included(result["distances"], "distances")[0]
        for i, record_id in enumerate(result["ids"][0]):
            score = 1.0 - float(distances[i])
            if score < min_score:
                continue
            vector = embeddings[0][i] if embeddings is not None else None
            record = _record_from(record_id, documents[i], dict(metadatas[i]), vector)
            matches.append((record, score))
        return matches

    def get_record(self, record_id: str) -> MemoryRecord | None:
        found = self._collection.get(ids=[record_id], include=["documents", "metadatas", "embeddings"])
        if not found["ids"]:
            return None
        vectors = found.get("embeddings")
        return _record_from(
            found["ids"][0],
            included(found["documents"], "documents")[0],
            dict(included(found["metadatas"], "metadatas")[0]),
            vectors[0] if vectors is not None else None,
        )

    def _metadatas(self, scope_prefix: str | None) -> list[dict[str, Any]]:
        found = self._collection.get(where=_where(scope_prefix), include=["metadatas"])
        return [dict(m) for m in found["metadatas"] or []]

    def find(
        self, scope_prefix: str | None = None, metadata_filter: dict[str, Any] | None = None
    ) -> list[MemoryRecord]:
        """Every record in a scope whose metadata matches (not part of CrewAI's protocol)."""
        found = self._collection.get(
            where=_where(scope_prefix, metadata_filter=metadata_filter),
            include=["documents", "metadatas"],
        )
        documents = included(found["documents"], "documents")
        metadatas = included(found["metadatas"], "metadatas")
        return [
            _record_from(rid, doc, dict(meta))
            for rid, doc, meta in zip(found["ids"], documents, metadatas, strict=False)
        ]

    def list_records(self, scope_prefix: str | None = None, limit: int = 200, offset: int = 0) -> list[MemoryRecord]:
        records = sorted(self.find(scope_prefix), key=lambda r: r.created_at, reverse=True)
        return records[offset : offset + limit]

    def get_scope_info(self, scope: str) -> ScopeInfo:
        metas = self._metadatas(scope)
        created = [float(m["created_at"]) for m in metas]
        categories = sorted({c for m in metas for c in (m.get("categories") or [])})
        return ScopeInfo(
            path=normalize_scope_path(scope),
            record_count=len(metas),
            categories=categories,
            oldest_record=_from_ts(min(created)) if created else None,
            newest_record=_from_ts(max(created)) if created else None,
            child_scopes=self.list_scopes(scope),
        )

    def list_scopes(self, parent: str = "/") -> list[str]:
        parent_path = normalize_scope_path(parent)
        depth = len(scope_ancestors(parent_path))  # index of the child level in scope_path
        children: set[str] = set()
        for meta in self._metadatas(parent_path):
            ancestors = scope_ancestors(str(meta.get("scope", "/")))
            if len(ancestors) > depth:
                children.add(ancestors[depth])
        return sorted(children)

    def list_categories(self, scope_prefix: str | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for meta in self._metadatas(scope_prefix):
            for category in meta.get("categories") or []:
                counts[category] = counts.get(category, 0) + 1
        return counts

    def count(self, scope_prefix: str | None = None) -> int:
        if scope_prefix is None or normalize_scope_path(scope_prefix) == "/":
            return self._collection.count()
        return len(self._collection.get(where=_where(scope_prefix), include=[])["ids"])

    # --- async twins (Chroma's client is synchronous) -------------------------------------------
    async def asave(self, records: list[MemoryRecord]) -> None:
        await asyncio.to_thread(self.save, records)

    async def asearch(
        self,
        query_embedding: list[float],
        scope_prefix: str | None = None,
        categories: list[str] | None = None,
        metadata_filter: dict[str, Any] | None = None,
        limit: int = 10,
        min_score: float = 0.0,
    ) -> list[tuple[MemoryRecord, float]]:
        return await asyncio.to_thread(
            self.search, query_embedding, scope_prefix, categories, metadata_filter, limit, min_score
        )

    async def adelete(
        self,
        scope_prefix: str | None = None,
        categories: list[str] | None = None,
        record_ids: list[str] | None = None,
        older_than: datetime | None = None,
        metadata_filter: dict[str, Any] | None = None,
    ) -> int:
        return await asyncio.to_thread(self.delete, scope_prefix, categories, record_ids, older_than, metadata_filter)
