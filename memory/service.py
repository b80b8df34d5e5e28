"""Opening memory and knowledge for a run: each returns (service, None) or (None, why not), so a
ChromaDB or embedder failure degrades the run instead of blocking it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.settings import Settings

if TYPE_CHECKING:
    from memory.chroma_store import ChromaHome


def memory_home(settings: Settings) -> ChromaHome:
    """The ChromaDB server a fleet shares (SUPPORT_CREW_CHROMA_URL), else the data directory."""
    from memory.chroma_store import chroma_home

    return chroma_home(settings.resolved_data_dir, settings.chroma_url)


def knowledge_home(settings: Settings) -> ChromaHome:
    """The knowledge index is read-only content: it may live outside the data directory (the
    evaluation shares one index across its fresh per-case data directories), or on the server."""
    from memory.chroma_store import chroma_home

    return chroma_home(settings.knowledge_index_dir or settings.resolved_data_dir, settings.chroma_url)


def open_memory(settings: Settings) -> tuple[Any | None, str | None]:
    try:
        from memory.customer_memory import open_customer_memory

        return open_customer_memory(memory_home(settings)), None
    except Exception as e:  # never block a ticket on memory
        return None, f"memory unavailable: {type(e).__name__}: {e}"


def open_knowledge(settings: Settings) -> tuple[Any | None, str | None]:
    try:
        from memory.knowledge_indexes import open_knowledge_index

        return open_knowledge_index(knowledge_home(settings), settings.knowledge_dir), None
    except Exception as e:
        return None, f"knowledge base unavailable: {type(e).__name__}: {e}"


def release(settings: Settings) -> None:
    """Drop this process's handles on the data directory's memory (and on its knowledge index if
    it lives there), so a long evaluation does not keep one client per case alive. A server's
    handles are kept: one per process, reused by every run."""
    from memory.chroma_store import release_chroma_client
    from memory.customer_memory import release_customer_memory
    from memory.knowledge_indexes import release_knowledge_index

    data_dir = settings.resolved_data_dir
    release_customer_memory(data_dir)
    if settings.knowledge_index_dir is None:
        release_knowledge_index(data_dir)
        release_chroma_client(data_dir)
    elif settings.knowledge_index_dir.expanduser().resolve() != data_dir:
        release_chroma_client(data_dir)
