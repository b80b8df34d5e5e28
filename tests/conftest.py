"""Suite-wide guards: no provider keys, every provider's base URL on a closed loopback port (a
stray real-model call fails at once), no connection to anything but loopback (a call that slips
past the base URLs fails at once too, never reaching the internet), offline switches."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import core.environment  # noqa: F401  (telemetry/tracing off before crewai is imported)

import pytest

# Real Redis and PostgreSQL servers on loopback for any test that asks (redis_url, postgres_url, ...).
pytest_plugins = ["tests.live_fixtures", "tests.backends"]

_PROVIDER_KEYS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "AZURE_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
)


# Where each provider's SDK (or CrewAI) reads a custom base URL from.
_PROVIDER_BASE_URLS = (
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "ANTHROPIC_BASE_URL",
    "GOOGLE_GEMINI_BASE_URL",
    "OLLAMA_HOST",
    "VLLM_BASE_URL",
    "OPENROUTER_BASE_URL",
    "DEEPSEEK_BASE_URL",
    "CEREBRAS_BASE_URL",
    "DASHSCOPE_BASE_URL",
    "DEEPINFRA_BASE_URL",
)


def _closed_loopback_port() -> socket.socket:
    """A loopback port held, bound but never listening, for the whole session: a connection to it
    is refused at once, and no other socket (a fake server) can be given it."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    return holder


_CLOSED_PORT = _closed_loopback_port()
CLOSED_URL = f"http://127.0.0.1:{_CLOSED_PORT.getsockname()[1]}/v1"


def _is_loopback(address: Any) -> bool:
    """A loopback or local (AF_UNIX) address; a host name other than localhost is not."""
    if not isinstance(address, tuple):  # AF_UNIX path (str or bytes)
        return True
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(address: Any) -> ConnectionRefusedError:
    return ConnectionRefusedError(111, f"tests may not connect beyond loopback: {address!r} (tests/conftest.py)")


@pytest.fixture(scope="session", autouse=True)
def _no_connection_beyond_loopback() -> Iterator[None]:
    """Any connection to a non-loopback address fails at once, whichever client makes it."""
    connect, connect_ex, create_connection = socket.socket.connect, socket.socket.connect_ex, socket.create_connection

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if not _is_loopback(address):
            raise _refuse(address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_loopback(address):
            raise _refuse(address)
        return connect_ex(self, address)

    def guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not _is_loopback(address):
            raise _refuse(address)
        return create_connection(address, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", guarded_connect)
        patch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
        patch.setattr(socket, "create_connection", guarded_create_connection)
        yield


@pytest.fixture(scope="session", autouse=True)
def _shared_knowledge_index(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The knowledge index is read-only content: build it once for the session instead of once per
    fresh data directory (subprocesses of the tests inherit the variable)."""
    os.environ["SUPPORT_CREW_KNOWLEDGE_INDEX_DIR"] = str(tmp_path_factory.mktemp("knowledge-index"))


@pytest.fixture(autouse=True)
def _no_model_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in _PROVIDER_KEYS:
        monkeypatch.delenv(key, raising=False)
    for key in _PROVIDER_BASE_URLS:
        monkeypatch.setenv(key, CLOSED_URL)
    monkeypatch.delenv("SUPPORT_CREW_LLM", raising=False)
    monkeypatch.delenv("SUPPORT_CREW_FAULTS", raising=False)
    monkeypatch.delenv("SUPPORT_CREW_API_URL", raising=False)
    # a developer's fleet settings must not send tests to real servers (fleet tests pass their own)
    for name in ("SUPPORT_CREW_DATABASE_URL", "SUPPORT_CREW_BROKER_URL", "SUPPORT_CREW_CHROMA_URL"):
        monkeypatch.delenv(name, raising=False)
