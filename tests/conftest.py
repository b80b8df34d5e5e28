"""Suite-wide guards: no provider keys (a stray real-model call fails at once), offline switches."""

from __future__ import annotations

import os

import runtime.environment  # noqa: F401  (telemetry/tracing off before crewai is imported)

import pytest

_PROVIDER_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                  "AZURE_API_KEY", "AWS_ACCESS_KEY_ID", "GROQ_API_KEY", "MISTRAL_API_KEY")


@pytest.fixture(scope="session", autouse=True)
def _shared_knowledge_index(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The knowledge index is read-only content: build it once for the session instead of once per
    fresh data directory (subprocesses of the tests inherit the variable)."""
    os.environ["SUPPORT_CREW_KNOWLEDGE_INDEX_DIR"] = str(tmp_path_factory.mktemp("knowledge-index"))


@pytest.fixture(autouse=True)
def _no_model_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in _PROVIDER_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("SUPPORT_CREW_LLM", raising=False)
    monkeypatch.delenv("SUPPORT_CREW_FAULTS", raising=False)
    monkeypatch.delenv("SUPPORT_CREW_API_URL", raising=False)
