"""One ChromaDB PersistentClient per data directory per process.

Creating the first client for a path from several threads at once crashed (CREWAI_NOTES,
"Running many tickets"), so creation is serialised here and the client is reused afterwards.
"""

from __future__ import annotations

import threading
from pathlib import Path

import runtime.environment  # noqa: F401  (chromadb telemetry off before import)
import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

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
