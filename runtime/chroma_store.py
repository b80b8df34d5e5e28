"""ChromaDB for memory and knowledge: one PersistentClient per data directory per process, and
the embedding function every collection is given, so Chroma never uses its own default
(downloading) embedder.

Creating the first client for a path from several threads at once crashed (CREWAI_NOTES,
"Running many tickets"), so creation is serialised here and the client is reused afterwards.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import runtime.environment  # noqa: F401  (chromadb telemetry off before import)
import chromadb
from chromadb.api import ClientAPI
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from runtime.embedder import MODEL_NAME, embed_texts

_clients: dict[Path, ClientAPI] = {}
_lock = threading.Lock()


def chroma_path(data_dir: Path) -> Path:
    """Where memory and knowledge indexes live inside the data directory."""
    return Path(data_dir).expanduser().resolve() / "chroma"


def get_chroma_client(data_dir: Path) -> ClientAPI:
    path = chroma_path(data_dir)
    with _lock:
        client = _clients.get(path)
        if client is None:
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
            )
            _clients[path] = client
        return client


@register_embedding_function
class LocalEmbeddingFunction(EmbeddingFunction[Documents]):
    """ChromaDB embedding function over the shared local model. Also a plain callable
    list[str] -> embeddings, which is what CrewAI's Memory expects as `embedder`."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 (Chroma's protocol name)
        import numpy as np

        return [np.asarray(vector, dtype=np.float32) for vector in embed_texts(list(input))]

    @staticmethod
    def name() -> str:
        return "support-crew-local-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "LocalEmbeddingFunction":
        return LocalEmbeddingFunction()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


def release_chroma_client(data_dir: Path) -> None:
    """Forget this process's client of a data directory (the evaluation opens hundreds)."""
    with _lock:
        client = _clients.pop(chroma_path(data_dir), None)
    if client is not None:
        try:
            client.close()  # stops its System once no other client of the path uses it
        except Exception:  # releasing is best effort: the directory may already be gone
            pass
