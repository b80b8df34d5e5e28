"""The knowledge base: knowledge/**/*.md, cut into Markdown sections, embedded with the local model
into its own ChromaDB collection under the data directory, and searched by meaning.

Indexing is keyed by a content hash per document: `ensure_indexed` embeds only documents that
were added or changed and drops those removed, so a start-up with unchanged knowledge costs one
metadata read, not a re-embedding. On a ChromaDB server shared by a fleet, the index is built
once per version of the knowledge instead (memory.knowledge_shared).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from memory.chroma_store import (
    LocalEmbeddingFunction,
    get_chroma_client,
    included,
)
from memory.embedder import MODEL_NAME

COLLECTION = "support-crew-knowledge"
# Part of every document hash: changing how documents are cut or embedded re-indexes them all.
INDEX_VERSION = f"sections-v1/{MODEL_NAME}"
PASSAGES_PER_DOCUMENT = 2  # so that a top 3 shows at least two documents
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Section:
    heading: str  # "Common faults > Won't pair" ('' for the text before the first heading)
    text: str


@dataclass(frozen=True)
class Document:
    name: str  # path relative to the knowledge directory, e.g. "guides/bluetooth-speaker.md"
    title: str
    sections: list[Section]
    content_hash: str


@dataclass(frozen=True)
class Passage:
    document: str
    title: str
    section: str
    text: str
    score: float


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # no text under the title: nothing to index

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        text = (
            f"knowledge index: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged"
        )
        return text + (f"; empty, not indexed: {', '.join(self.empty)}" if self.empty else "")


class KnowledgeUnavailable(RuntimeError):
    """The knowledge index could not be opened, built or searched."""


def split_sections(markdown: str) -> tuple[str, list[Section]]:
    """Title (first '# ') and the sections under '##' and '###' headings, each with its heading
    path. A '###' section is its own passage, so one fault or one policy rule is one hit."""
    title = ""
    path: list[str] = []
    sections: list[Section] = []
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(Section(heading=" > ".join(path), text=body))
        lines.clear()

    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        flush()
        level, heading = len(match.group(1)), match.group(2)
        if level == 1:
            title, path = heading, []
        elif level == 2:
            path = [heading]
        else:
            path = [*path[:1], heading]
    flush()
    return title, sections


def load_documents(knowledge_dir: Path) -> list[Document]:
    root = Path(knowledge_dir)
    if not root.is_dir():
        raise KnowledgeUnavailable(
            f"knowledge directory {root} does not exist; set "
            "SUPPORT_CREW_KNOWLEDGE_DIR to the folder of Markdown documents."
        )
    documents = []
    for path in sorted(root.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        raw = path.read_text(encoding="utf-8")
        title, sections = split_sections(raw)
        name = path.relative_to(root).as_posix()
        digest = hashlib.sha256(f"{INDEX_VERSION}\n{raw}".encode()).hexdigest()
        documents.append(Document(name=name, title=title or path.stem, sections=sections, content_hash=digest))
    return documents


def _passage_text(document: Document, section: Section) -> str:
    """What gets embedded: the document title and heading path give a short section its topic."""
    heading = f" - {section.heading}" if section.heading else ""
    return f"{document.title}{heading}\n{section.text}"


class KnowledgeIndex:
    """The ChromaDB collection of knowledge passages for one data directory."""

    def __init__(self, data_dir: Path, knowledge_dir: Path, *, client: ClientAPI | None = None) -> None:
        self.knowledge_dir = Path(knowledge_dir)
        self._client = client or get_chroma_client(Path(data_dir))
        self._collection = open_passages(self._client, COLLECTION)
        self._lock = threading.Lock()

    def indexed_hashes(self) -> dict[str, str]:
        found = self._collection.get(include=["metadatas"])
        return {str(m["document"]): str(m["content_hash"]) for m in found["metadatas"] or []}

    def ensure_indexed(self) -> IndexReport:
        """Bring the index in line with the Markdown files; embeds changed documents only."""
        with self._lock:
            documents = load_documents(self.knowledge_dir)
            indexed = self.indexed_hashes()
            report = IndexReport()
            current = {d.name for d in documents if d.sections}
            for name in sorted(set(indexed) - current):
                self._collection.delete(where={"document": name})
                report.removed.append(name)
            for document in documents:
                if not document.sections:
                    report.empty.append(document.name)
                    continue
                previous = indexed.get(document.name)
                if previous == document.content_hash:
                    report.unchanged.append(document.name)
                    continue
                if previous is not None:
                    self._collection.delete(where={"document": document.name})
                    report.updated.append(document.name)
                else:
                    report.added.append(document.name)
                self._add(document)
            return report

    def _add(self, document: Document) -> None:
        add_passages(self._collection, document)

    def search(self, query: str, top_k: int = 3) -> list[Passage]:
        """The `top_k` best passages, at most PASSAGES_PER_DOCUMENT from one document."""
        return search_passages(self._collection, query, top_k)


def open_passages(
    client: ClientAPI, name: str, *, create: bool = False, metadata: dict[str, str | int | float] | None = None
) -> Collection:
    """The collection of knowledge passages `name`, created when missing (with `metadata`). With
    `create`, only created: ChromaError if it exists (how a worker claims building it)."""
    make = client.create_collection if create else client.get_or_create_collection
    return make(
        name=name,
        # chromadb wants an EmbeddingFunction[Documents | Images]; a text-only one is its documented use
        embedding_function=LocalEmbeddingFunction(),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
        metadata=metadata,
    )


def add_passages(collection: Collection, document: Document) -> None:
    collection.upsert(  # upsert: another process may have indexed the same version
        ids=[f"{document.name}#{i}" for i in range(len(document.sections))],
        documents=[_passage_text(document, s) for s in document.sections],
        metadatas=[
            {
                "document": document.name,
                "title": document.title,
                "section": s.heading,
                "content_hash": document.content_hash,
                "position": i,
            }
            for i, s in enumerate(document.sections)
        ],
    )


def search_passages(collection: Collection, query: str, top_k: int = 3) -> list[Passage]:
    """The `top_k` best passages of a collection, at most PASSAGES_PER_DOCUMENT from one document."""
    if not query.strip() or top_k <= 0:
        return []
    total = collection.count()
    if total == 0:
        return []
    result = collection.query(
        query_texts=[query],
        n_results=min(total, top_k * 4),
        include=["documents", "metadatas", "distances"],
    )
    passages: list[Passage] = []
    per_document: dict[str, int] = {}
    for text, meta, distance in zip(
        included(result["documents"], "documents")[0],
        included(result["metadatas"], "metadatas")[0],
        included(result["distances"], "distances")[0],
        strict=False,
    ):
        name = str(meta["document"])
        if per_document.get(name, 0) >= PASSAGES_PER_DOCUMENT:
            continue
        per_document[name] = per_document.get(name, 0) + 1
        body = text.split("\n", 1)[1] if "\n" in text else text  # drop the embedded title line
        passages.append(
            Passage(
                document=name,
                title=str(meta["title"]),
                section=str(meta["section"]),
                text=body,
                score=round(1.0 - float(distance), 4),
            )
        )
        if len(passages) == top_k:
            break
    return passages


class UnavailableKnowledge:
    """Stands in for the index when it could not be opened, so the ticket still gets the
    search_knowledge_base tool and the tool answers with a clear error instead of breaking."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def search(self, query: str, top_k: int = 3) -> list[Passage]:
        raise KnowledgeUnavailable(self.reason)
