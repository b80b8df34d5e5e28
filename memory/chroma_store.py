"""ChromaDB for memory and knowledge: one PersistentClient per data directory per process, and
the embedding function every collection is given, so Chroma never uses its own default
(downloading) embedder.

Creating the first client for a path from several threads at once crashed (CREWAI_NOTES,
"Running many tickets"), so creation is serialised here and the client is reused afterwards.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, TypeVar, cast

import core.environment  # noqa: F401  (chromadb telemetry off before import)

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.client import Client
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from memory.embedder import MODEL_NAME, embed_texts

_clients: dict[Path, Client] = {}
_lock = threading.Lock()
T = TypeVar("T")


def chroma_path(data_dir: Path) -> Path:
    """Where memory and knowledge indexes live inside the data directory."""
    return Path(data_dir).expanduser().resolve() / "chroma"


def get_chroma_client(data_dir: Path) -> ClientAPI:
    path = chroma_path(data_dir)
    with _lock:
        client = _clients.get(path)
        if client is None:
            path.mkdir(parents=True, exist_ok=True)
            # PersistentClient is annotated as the ClientAPI interface, which lacks close(); it
            # always returns chromadb.api.client.Client
            client = cast(
                Client, chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
            )
            _clients[path] = client
        return client


@register_embedding_function
class LocalEmbeddingFunction(EmbeddingFunction[Documents]):
    """ChromaDB embedding function over the shared local model. Also a plain callable
    list[str] -> embeddings, which is what CrewAI's Memory expects as `embedder`."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        return [np.asarray(vector, dtype=np.float32) for vector in embed_texts(list(input))]

    @staticmethod
    def name() -> str:
        return "support-crew-local-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LocalEmbeddingFunction:
        return LocalEmbeddingFunction()

    def default_space(self) -> Space:
        return "cosine"


def release_chroma_client(data_dir: Path) -> None:
    """Forget this process's client of a data directory (the evaluation opens hundreds)."""
    with _lock:
        client = _clients.pop(chroma_path(data_dir), None)
    if client is not None:
        # releasing is best effort: the directory may already be gone
        with contextlib.suppress(Exception):
            client.close()  # stops its System once no other client of the path uses it


def included(value: T | None, field: str) -> T:
    """A field of a get/query result that the call asked for with `include=` (Chroma types every
    field but the ids as optional, as it leaves out the ones not asked for)."""
    if value is None:
        raise ValueError(f"ChromaDB left '{field}' out of a result that included it")
    return value
