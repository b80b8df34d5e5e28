"""The knowledge index on a ChromaDB server that a fleet's workers share: built once per version
of the knowledge, never rebuilt or duplicated by the next worker.

Each version of the knowledge (a hash over every document's content hash, which includes the
INDEX_VERSION) has a collection of its own, so workers of two releases running side by side each
read their own version instead of re-indexing over each other. Within a version:
- the worker whose `create_collection` succeeds builds it (the server refuses a second create of
  a name, so exactly one worker wins when several start at once);
- the others wait until its metadata says `ready`;
- the builder holds a lease, renewed after each document and timed by the server's clock (the
  workers' clocks may differ); a worker that finds the lease expired (the builder died) takes
  over. Passage ids are fixed by document and position, so even two builders only rewrite the
  same records: a duplicate is impossible, a double build only costs time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.errors import ChromaError

from memory.chroma_http import ChromaServer
from memory.chroma_store import get_chroma_client
from memory.knowledge_base import (
    COLLECTION,
    INDEX_VERSION,
    Document,
    IndexReport,
    KnowledgeUnavailable,
    Passage,
    add_passages,
    load_documents,
    open_passages,
    search_passages,
)

LEASE_S = 60.0  # embedding one document takes well under a second
POLL_S = 0.5
WAIT_LIMIT_S = 600.0  # then give up on a builder that keeps renewing but never finishes
BUILDING, READY = "building", "ready"
Metadata = dict[str, str | int | float]


def version_of(documents: list[Document]) -> str:
    digest = hashlib.sha256("\n".join(f"{d.name}\t{d.content_hash}" for d in documents).encode())
    return digest.hexdigest()[:16]


class SharedKnowledgeIndex:
    """The knowledge passages of this worker's knowledge version, on a ChromaDB server."""

    def __init__(
        self,
        server: ChromaServer,
        knowledge_dir: Path,
        *,
        client: ClientAPI | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.server = server
        self.knowledge_dir = Path(knowledge_dir)
        self._client = client or get_chroma_client(server)
        self._sleep = sleep
        self._collection: Collection | None = None
        self._lock = threading.Lock()

    @property
    def collection_name(self) -> str | None:
        return self._collection.name if self._collection is not None else None

    def ensure_indexed(self) -> IndexReport:
        """Use this version's collection, building it only if no other worker has or is."""
        with self._lock:
            documents = load_documents(self.knowledge_dir)
            indexable = [d for d in documents if d.sections]
            name = f"{COLLECTION}-{version_of(documents)}"
            built = self._build_or_wait(name, indexable)
            names = [d.name for d in indexable]
            return IndexReport(
                added=names if built else [],
                unchanged=[] if built else names,
                empty=[d.name for d in documents if not d.sections],
            )

    def search(self, query: str, top_k: int = 3) -> list[Passage]:
        if self._collection is None:
            raise KnowledgeUnavailable(f"knowledge index on {self.server} not opened: call ensure_indexed() first")
        return search_passages(self._collection, query, top_k)

    # --- building -------------------------------------------------------------------------------
    def _build_or_wait(self, name: str, documents: list[Document]) -> bool:
        """True when this worker built the collection, False when it found it built."""
        passages = sum(len(d.sections) for d in documents)
        try:
            collection = open_passages(self._client, name, create=True, metadata=self._lease(passages))
        except ChromaError:  # it exists: built, or being built by another worker
            pass
        else:
            self._build(collection, documents, passages)
            return True
        deadline = time.monotonic() + WAIT_LIMIT_S
        while True:
            collection = open_passages(self._client, name)  # fresh metadata on each call
            state = (collection.metadata or {}).get("state")
            if state == READY and collection.count() == passages:
                self._collection = collection
                return False
            if state == READY or self._lease_expired(collection):  # a ready one missing records, or a dead builder
                collection.modify(metadata=self._lease(passages))
                self._build(collection, documents, passages)
                return True
            if time.monotonic() > deadline:
                raise KnowledgeUnavailable(
                    f"knowledge index {name} on {self.server} is still being built by another worker "
                    f"after {WAIT_LIMIT_S:.0f} s"
                )
            self._sleep(POLL_S)

    def _build(self, collection: Collection, documents: list[Document], passages: int) -> None:
        for document in documents:
            add_passages(collection, document)
            collection.modify(metadata=self._lease(passages))  # still alive
        if collection.count() != passages:
            raise KnowledgeUnavailable(
                f"knowledge index {collection.name} on {self.server} holds {collection.count()} passages "
                f"after indexing {passages}"
            )
        collection.modify(metadata={**self._lease(passages), "state": READY})
        self._collection = collection

    def _server_time(self) -> float:
        return self._client.heartbeat() / 1e9  # nanoseconds on the server's clock

    def _lease(self, passages: int) -> Metadata:
        # modify() replaces the whole metadata, so every write carries all of it
        return {
            "state": BUILDING,
            "lease_until": self._server_time() + LEASE_S,
            "index_version": INDEX_VERSION,
            "passages": passages,
        }

    def _lease_expired(self, collection: Collection) -> bool:
        lease_until = (collection.metadata or {}).get("lease_until")
        return not isinstance(lease_until, int | float) or float(lease_until) < self._server_time()
