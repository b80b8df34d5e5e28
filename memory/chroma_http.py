"""A ChromaDB server shared by the workers of a fleet (SUPPORT_CREW_CHROMA_URL, e.g. one started
with `chroma run`): its address, and a client of it that cannot hang a ticket.

Embeddings are always computed in the worker (the collections are given our local embedding
function), so the server never needs, or downloads, a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import core.environment  # noqa: F401  (chromadb telemetry off before import)

import chromadb
import httpx
from chromadb.api.client import Client
from chromadb.config import Settings as ChromaSettings

# chromadb's HTTP client has no timeout at all: a server that stops answering would hang every
# ticket. Connecting is quick or never; a write of a whole knowledge document may take a while.
CONNECT_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 30.0
_DEFAULT_PORTS = {"http": 8000, "https": 443}  # 8000 is what `chroma run` listens on


class ChromaServerUnavailable(RuntimeError):
    """The ChromaDB server could not be reached or refused the client; the message names it."""

    def __init__(self, server: ChromaServer, reason: str) -> None:
        super().__init__(f"{server} unavailable: {reason}")
        self.reason = reason


def failure_reason(exc: BaseException) -> str:
    """What went wrong, for a message that already names the server."""
    return exc.reason if isinstance(exc, ChromaServerUnavailable) else f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class ChromaServer:
    url: str
    host: str
    port: int
    ssl: bool

    @classmethod
    def from_url(cls, url: str) -> ChromaServer:
        """http(s)://host[:port]; anything else is refused rather than silently ignored."""
        parts = urlsplit(url.strip())
        try:
            port = parts.port
        except ValueError as e:
            raise ValueError(f"SUPPORT_CREW_CHROMA_URL {url!r}: {e}") from e
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path.strip("/") or parts.query:
            raise ValueError(
                f"SUPPORT_CREW_CHROMA_URL {url!r} must be http://host:port or https://host:port "
                "(a ChromaDB server, e.g. `chroma run --host 0.0.0.0 --port 8000`)"
            )
        port = port or _DEFAULT_PORTS[parts.scheme]
        return cls(url=f"{parts.scheme}://{parts.netloc}", host=parts.hostname, port=port, ssl=parts.scheme == "https")

    def __str__(self) -> str:
        return f"ChromaDB server {self.url}"


def connect(server: ChromaServer) -> Client:
    """A client of the server, checked alive first: chromadb's own constructor makes its first
    requests without a timeout and reports a refusal without saying where it tried."""
    try:
        httpx.get(f"{server.url}/api/v2/heartbeat", timeout=CONNECT_TIMEOUT_S).raise_for_status()
        client = chromadb.HttpClient(
            host=server.host, port=server.port, ssl=server.ssl, settings=ChromaSettings(anonymized_telemetry=False)
        )
    except Exception as e:
        raise ChromaServerUnavailable(server, f"{type(e).__name__}: {e}") from e
    _set_timeout(client)
    # HttpClient is annotated as the ClientAPI interface; it always returns chromadb.api.client.Client
    return cast(Client, client)


def _set_timeout(client: object) -> None:
    """Give the client's HTTP session a timeout (private attributes of chromadb 1.5.9, checked
    here so that a chromadb upgrade that moves them fails loudly in the tests, not silently)."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        raise RuntimeError("chromadb's HTTP client changed: cannot set its timeout (memory/chroma_http.py)")
    session.timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
