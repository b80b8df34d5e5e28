"""Which knowledge index a process uses, one per data directory or server: the incremental index
under a data directory (memory.knowledge_base) or the one a fleet shares on a ChromaDB server
(memory.knowledge_shared)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from memory.chroma_http import ChromaServer, failure_reason
from memory.chroma_store import ChromaHome, describe, handle_key
from memory.knowledge_base import IndexReport, KnowledgeIndex, KnowledgeUnavailable, Passage
from memory.knowledge_shared import SharedKnowledgeIndex


class Index(Protocol):
    def ensure_indexed(self) -> IndexReport: ...
    def search(self, query: str, top_k: int = 3) -> list[Passage]: ...


def index_for(home: ChromaHome, knowledge_dir: Path) -> Index:
    """The index under a data directory (incremental), or on a fleet's shared ChromaDB server."""
    if isinstance(home, ChromaServer):
        return SharedKnowledgeIndex(home, knowledge_dir)
    return KnowledgeIndex(home, knowledge_dir)


_indexes: dict[tuple[tuple[ChromaHome, int], Path], Index] = {}  # by handle_key and knowledge directory
_indexes_lock = threading.Lock()


def open_knowledge_index(home: ChromaHome, knowledge_dir: Path) -> Index:
    """The process-wide, up-to-date index of a data directory or ChromaDB server (indexes on
    first open)."""
    key = (handle_key(home), Path(knowledge_dir).expanduser().resolve())
    where = key[0][0]
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            with _unavailable_on_failure(where):
                index = index_for(where, key[1])
                index.ensure_indexed()
            _indexes[key] = index
        return index


def ensure_indexed(home: ChromaHome, knowledge_dir: Path) -> IndexReport:
    """(Re)index the knowledge directory into the data directory or server; reports what changed."""
    with _unavailable_on_failure(home):
        return index_for(home, knowledge_dir).ensure_indexed()


@contextmanager
def _unavailable_on_failure(home: ChromaHome) -> Iterator[None]:
    """Any failure (ChromaDB, the server, the embedder) as KnowledgeUnavailable saying where."""
    try:
        yield
    except KnowledgeUnavailable:
        raise
    except Exception as exc:
        reason = failure_reason(exc)
        raise KnowledgeUnavailable(f"knowledge index {describe(home)} unavailable: {reason}") from exc


def release_knowledge_index(data_dir: Path) -> None:
    home = handle_key(data_dir)
    with _indexes_lock:
        for key in [k for k in _indexes if k[0] == home]:
            del _indexes[key]
