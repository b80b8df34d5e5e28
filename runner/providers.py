"""Real models through CrewAI's native providers, made fit for tiers.

A model name goes to the class CrewAI itself would route it to (OpenAI, Anthropic, Gemini, an
OpenAI-compatible server, ...), subclassed once per class to add three things:
- token counts for CrewAI's preflight checks (context window, oversized tool results) are counted
  locally with cl100k: the stock ones call the provider's count endpoint before every call
  (OpenAI's Responses count, Anthropic's `/v1/messages/count_tokens`) or, on a compatible
  server, guess four characters per token with a warning line on every call;
- every call goes through the provider's circuit breaker, one per provider and endpoint per
  process, shared by the tickets of the process;
- a call that fails after the client's own retries (errors, rate limits, timeouts) or meets an open
  breaker raises `ProviderFailed`, which the tier chain (runner/tiers.py) reads as "next tier".
  A context window exceeded and a client error (4xx other than 408 and 429: the request, not the
  provider, is at fault) go on unchanged, for CrewAI's own handling (it summarises the
  conversation and tries again on a context window exceeded), and do not count against the breaker.

A provider whose SDK is missing gets our install command, not CrewAI's `uv add` hint.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import pybreaker
from crewai.hooks.dispatch import HookAborted
from crewai.llms.base_llm import BaseLLM, LLMCallBlockedError
from crewai.utilities.exceptions.context_window_exceeding_exception import LLMContextLengthExceededError

from core.tokens import count_tokens
from safety.guard import GUARDS

CREWAI_VERSION = "1.15.30"

# After this many consecutive failed calls (each already retried by the client) the provider's
# breaker opens; calls then fail at once until `_BREAKER_RESET_S` has passed and one call succeeds.
_BREAKER_FAILURES = 3
_BREAKER_RESET_S = 60.0


class ModelUnavailable(RuntimeError):
    """The model cannot be used at all here (unknown name, missing SDK, missing key)."""


class ProviderFailed(HookAborted):
    """The provider could not answer: after the client's retries, or its circuit breaker is open.

    A HookAborted because CrewAI passes that through its own agent retry loop and tool handling
    (crewai/agent/core.py `_passthrough_exceptions`): the client has retried already, and a
    task-level retry would re-run the whole delegation against the failing provider."""

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(reason=reason, source="support-crew provider")
        self.model = model


@dataclass(frozen=True)
class _SDK:
    module: str
    install: str


def _crewai_extra(extra: str) -> str:
    return f'pip install "crewai[{extra}]=={CREWAI_VERSION}"'


# Providers whose SDK is not installed with CrewAI (openai is a core dependency of CrewAI, and the
# OpenAI-compatible servers use it). Our extras pull CrewAI's own, at the pinned version.
_SDKS: dict[str, _SDK] = {
    "anthropic": _SDK("anthropic", 'pip install "support-crew[anthropic]"'),
    "claude": _SDK("anthropic", 'pip install "support-crew[anthropic]"'),
    "gemini": _SDK("google.genai", 'pip install "support-crew[gemini]"'),
    "google": _SDK("google.genai", 'pip install "support-crew[gemini]"'),
    "bedrock": _SDK("boto3", _crewai_extra("bedrock")),
    "azure": _SDK("azure.ai.inference", _crewai_extra("azure-ai-inference")),
    "azure_openai": _SDK("azure.ai.inference", _crewai_extra("azure-ai-inference")),
}
_NATIVE_WITHOUT_EXTRA = frozenset(
    {
        "openai",
        "openrouter",
        "deepseek",
        "ollama",
        "ollama_chat",
        "hosted_vllm",
        "cerebras",
        "dashscope",
        "deepinfra",
        "snowflake",
    }
)
# Any other prefix is served by CrewAI through LiteLLM, an optional package now.
_LITELLM = _SDK("litellm", _crewai_extra("litellm"))


def provider_of(model: str) -> str:
    """The provider a model name goes to, as CrewAI routes it (prefix, else inferred from the name)."""
    prefix, slash, _ = model.partition("/")
    if slash:
        return prefix.lower()
    lowered = model.lower()
    if lowered.startswith("claude-"):
        return "anthropic"
    if lowered.startswith(("gemini-", "gemma-", "learnlm-")):
        return "gemini"
    return "openai"


def missing_sdk(model: str) -> str | None:
    """Our install command when the SDK this model needs is not installed, else None."""
    provider = provider_of(model)
    if provider in _NATIVE_WITHOUT_EXTRA:
        return None
    sdk = _SDKS.get(provider, _LITELLM)
    if importlib.util.find_spec(sdk.module.split(".")[0]) is None:
        return sdk.install
    if "." in sdk.module and importlib.util.find_spec(sdk.module) is None:
        return sdk.install
    return None


# --- circuit breakers ------------------------------------------------------------------------------
_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(key: str) -> pybreaker.CircuitBreaker:
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = pybreaker.CircuitBreaker(
                fail_max=_BREAKER_FAILURES,
                reset_timeout=_BREAKER_RESET_S,
                # a deliberate stop (budget, blocked call), a context window exceeded or a request
                # the provider refused as malformed says nothing about the provider's health
                exclude=_BREAKER_EXCLUDES,
                name=key,
            )
        return _breakers[key]


def reset_breakers() -> None:
    """Forget every breaker (a new process starts with all closed; tests start each case so)."""
    with _breakers_lock:
        _breakers.clear()


# Client errors that are the provider's answer to a bad request, not a failure of the provider:
# every 4xx but a request timeout (408) and a rate limit (429).
_RETRYABLE_4XX = frozenset({408, 429})


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and the errors it was raised from or while handling (CrewAI wraps the SDK's)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_code(error: BaseException) -> int | None:
    for code in (getattr(error, "status_code", None), getattr(getattr(error, "response", None), "status_code", None)):
        if isinstance(code, int):
            return code
    return None


def not_the_providers_fault(error: BaseException) -> bool:
    """A context window exceeded, or a 4xx client error other than 408/429, anywhere in the chain."""
    for current in _chain(error):
        if isinstance(current, LLMContextLengthExceededError):
            return True
        code = _status_code(current)
        if code is not None:
            return 400 <= code < 500 and code not in _RETRYABLE_4XX
    return False


_BREAKER_EXCLUDES: list[type[BaseException] | Callable[[BaseException], bool]] = [
    HookAborted,
    LLMCallBlockedError,
    not_the_providers_fault,
]


def _breaker_key(llm: BaseLLM) -> str:
    endpoint = llm.base_url or getattr(llm, "api_base", None) or ""
    return f"{llm.provider}@{endpoint}" if endpoint else str(llm.provider)


def _describe(error: BaseException) -> str:
    """The error and, when CrewAI wrapped it (e.g. a timeout as ConnectionError), the SDK's own."""
    if isinstance(error, pybreaker.CircuitBreakerError):  # the failure that tripped it, if any
        error = error.__cause__ or error.__context__ or error
    root = error
    while root.__cause__ is not None and root.__cause__ is not root:
        root = root.__cause__
    text = " ".join(str(error).split())[:300]
    described = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return described if root is error else f"{described} ({type(root).__name__})"


@contextmanager
def _guarded(llm: BaseLLM, agent: Any) -> Iterator[None]:
    """The provider's breaker around one call; a failure stops the agent's ticket (its guard) and
    is raised as ProviderFailed. A context window exceeded or a client error goes on unchanged."""
    breaker = breaker_for(_breaker_key(llm))
    try:
        with breaker.calling():
            yield
    except (HookAborted, LLMCallBlockedError):
        raise
    except Exception as e:
        if not_the_providers_fault(e):  # CrewAI's to handle (a context window exceeded, a bad request)
            raise
        if isinstance(e, pybreaker.CircuitBreakerError):
            # the call that trips the breaker raises CircuitBreakerError while handling its failure
            detail = f" after {_describe(e)}" if (e.__cause__ or e.__context__) else ""
            failure = ProviderFailed(llm.model, f"circuit breaker of {breaker.name} is open{detail}")
        else:
            failure = ProviderFailed(llm.model, f"the provider failed after the client's retries: {_describe(e)}")
        guard = GUARDS.find(agent)
        if guard is not None:
            guard.provider_failed(failure.reason)
        raise failure from e


@cache
def _tiered(base: type[BaseLLM]) -> type[BaseLLM]:
    """`base` with local preflight counts, the provider's breaker and ProviderFailed (cached per
    class: pydantic builds a model class once)."""

    def get_input_tokens_count(self: BaseLLM, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        return count_tokens(messages) + (count_tokens(tools) if tools else 0)

    def call(self: BaseLLM, *args: Any, **kwargs: Any) -> Any:
        with _guarded(self, kwargs.get("from_agent")):
            return base.call(self, *args, **kwargs)

    async def acall(self: BaseLLM, *args: Any, **kwargs: Any) -> Any:
        with _guarded(self, kwargs.get("from_agent")):
            return await base.acall(self, *args, **kwargs)

    namespace = {
        "__module__": __name__,
        "__doc__": f"{base.__name__} for a model tier (runner/providers.py).",
        "get_input_tokens_count": get_input_tokens_count,
        "call": call,
        "acall": acall,
    }
    return type(f"Tiered{base.__name__}", (base,), namespace)


def _base_url_from_env(provider: str) -> str | None:
    if provider == "openai":
        return os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_BASE") or None
    return None


def provider_llm(model: str, *, base_url: str | None = None, timeout_s: float, retries: int) -> BaseLLM:
    """A CrewAI provider LLM for `model` (e.g. `openai/gpt-4.1-mini`), ready for tiers.

    `base_url` is an agent's `api_base`; else OpenAI's comes from OPENAI_BASE_URL (passed on
    explicitly: CrewAI routes `openai/<any name>` to its native client only with a base URL in
    hand), Anthropic's SDK reads ANTHROPIC_BASE_URL, Gemini's GOOGLE_GEMINI_BASE_URL."""
    from crewai import LLM

    install = missing_sdk(model)
    if install is not None:
        raise ModelUnavailable(f"model {model!r} needs the {provider_of(model)} SDK, which is not installed: {install}")
    kwargs: dict[str, Any] = {}
    url = base_url or _base_url_from_env(provider_of(model))
    if url:
        kwargs["base_url"] = url
    try:
        # CrewAI's own routing decides the class; we subclass what it picked (LLM itself when
        # it falls back to LiteLLM). `_resolve_route` is internal: crewai is pinned exactly.
        route = LLM._resolve_route(model, kwargs)
        base: type[BaseLLM] = route.native_class or LLM
        fields = base.model_fields
        options = {"timeout": timeout_s, "max_retries": retries}
        kwargs.update({k: v for k, v in options.items() if k in fields})
        if route.native_class is None:
            return _tiered(base)(model=model, **kwargs)
        if route.custom_openai:
            kwargs["custom_openai"] = True
        return _tiered(base)(model=route.model, provider=route.provider, **kwargs)
    except ImportError as e:  # an SDK present but broken, or a provider we do not know of
        raise ModelUnavailable(f"cannot use model {model!r}: {_our_install_hint(model, e)}") from e
    except Exception as e:
        raise ModelUnavailable(
            f"cannot use model {model!r}: {type(e).__name__}: {e}. Use --llm offline, or a CrewAI model "
            "name such as openai/gpt-4.1-mini with its API key in the environment"
        ) from e


def _our_install_hint(model: str, error: ImportError) -> str:
    """CrewAI's ImportError with its `uv add` advice replaced by the pip command for this project."""
    text = " ".join(str(error).split())
    cuts = [i for i in (text.find(m) for m in ("to install:", "To fix this", "uv add")) if i >= 0]
    if not cuts:
        return text
    return f"{text[: min(cuts)].rstrip(' ,:.')}; install it with: {_SDKS.get(provider_of(model), _LITELLM).install}"
