"""Choosing the model: `offline` (bundled, no network) or any model name CrewAI accepts
(runner/providers.py builds those)."""

from __future__ import annotations

from typing import Any

from runner.providers import ModelUnavailable, provider_llm

OFFLINE = "offline"


def make_llm(
    name: str,
    *,
    native_tools: bool = True,
    base_url: str | None = None,
    timeout_s: float = 60.0,
    retries: int = 2,
) -> Any:
    """A BaseLLM for `name`. Real models read their keys from the provider's usual environment
    variables (e.g. OPENAI_API_KEY); `base_url` is an agent's `api_base` from agents.yaml."""
    if name == OFFLINE:
        try:
            from offline_model.llm import OfflineLLM
        except ImportError as e:  # pragma: no cover - only when the package is broken
            raise ModelUnavailable(f"the offline model is not available: {e}") from e
        return OfflineLLM(model=OFFLINE, native_tools=native_tools)
    return provider_llm(name, base_url=base_url, timeout_s=timeout_s, retries=retries)


__all__ = ["OFFLINE", "ModelUnavailable", "make_llm"]
