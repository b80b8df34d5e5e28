"""ChromaDB for memory and knowledge: one PersistentClient per data directory per process, or one
HttpClient per ChromaDB server per process when SUPPORT_CREW_CHROMA_URL is set (a fleet's
workers share the server); and the embedding function every collection is given, so Chroma never
uses its own default (downloading) embedder.

Creating the first client for a path from several threads at once crashed (CREWAI_NOTES,
"Running many tickets"), so creation is serialised here and the client is reused afterwards.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Any, TypeAlias, TypeVar, cast

import core.environment  # noqa: F401  (chromadb telemetry off before import)

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.client import Client
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from memory.chroma_http import ChromaServer, ChromaServerUnavailable, connect
from memory.embedder import MODEL_NAME, embed_texts

# Where memory and knowledge live: a data directory (files) or a ChromaDB server.
ChromaHome: TypeAlias = Path | ChromaServer

_clients: dict[Path, Client] = {}
_server_clients: dict[tuple[ChromaHome, int], Client] = {}  # by handle_key
_down: dict[ChromaServer, tuple[float, str]] = {}  # server -> (monotonic time to retry, why it failed)
RETRY_AFTER_S = 10.0
_lock = threading.Lock()
T = TypeVar("T")


def chroma_home(data_dir: Path, chroma_url: str | None) -> ChromaHome:
    """The server when a URL is set (ValueError for a malformed one), else the data directory."""
    return ChromaServer.from_url(chroma_url) if chroma_url else Path(data_dir)


def describe(home: ChromaHome) -> str:
    """For messages: 'on ChromaDB server http://h:8000' or 'under /path/to/data'."""
    return f"on {home}" if isinstance(home, ChromaServer) else f"under {home}"


def handle_key(home: ChromaHome) -> tuple[ChromaHome, int]:
    """The key of a process-wide handle on `home`: a resolved data directory, or a server and this
    process (handles made before a fork, e.g. a warm-up in Celery's parent process, hold the
    parent's HTTP session and must not be used in the children)."""
    if isinstance(home, ChromaServer):
        return home, os.getpid()
    return Path(home).expanduser().resolve(), 0


def chroma_path(data_dir: Path) -> Path:
    """Where memory and knowledge indexes live inside the data directory."""
    return Path(data_dir).expanduser().resolve() / "chroma"


def get_chroma_client(home: ChromaHome) -> ClientAPI:
    if isinstance(home, ChromaServer):
        return _server_client(home)
    path = chroma_path(home)
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


def _server_client(server: ChromaServer) -> Client:
    key = handle_key(server)
    with _lock:
        client = _server_clients.get(key)
        if client is not None:
            return client
        # A server that does not answer costs each attempt the connect timeout: after a failure,
        # tickets fail fast for a while instead of queueing behind this lock one timeout each.
        retry_at, reason = _down.get(server, (0.0, ""))
        if time.monotonic() < retry_at:
            raise ChromaServerUnavailable(server, f"{reason} (next attempt in {retry_at - time.monotonic():.0f} s)")
        try:
            client = _server_clients[key] = connect(server)
        except ChromaServerUnavailable as e:
            _down[server] = (time.monotonic() + RETRY_AFTER_S, e.reason)
            raise
        _down.pop(server, None)
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
