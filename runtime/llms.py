"""Choosing the model: `offline` (bundled, no network) or any model name CrewAI accepts."""

from __future__ import annotations

from typing import Any


class ModelUnavailable(RuntimeError):
    pass


def make_llm(name: str, *, native_tools: bool = True) -> Any:
    """A BaseLLM for `name`. Real models are created lazily by CrewAI's LLM class; their keys are
    read from the provider's usual environment variables (e.g. OPENAI_API_KEY)."""
    if name == "offline":
        try:
            from offline_model.llm import OfflineLLM
        except ImportError as e:  # pragma: no cover - only when the package is broken
            raise ModelUnavailable(f"the offline model is not available: {e}") from e
        return OfflineLLM(model="offline", native_tools=native_tools)
    from crewai import LLM

    try:
        return LLM(model=name)
    except Exception as e:
        raise ModelUnavailable(
            f"cannot use model {name!r}: {e}. Use --llm offline, or a CrewAI model name such as "
            "openai/gpt-4.1-mini with its API key in the environment"
        ) from e
