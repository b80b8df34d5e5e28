"""Which provider errors move a ticket to the next tier (ProviderFailed, counted by the circuit
breaker) and which go on unchanged for CrewAI to handle: a context window exceeded (CrewAI
summarises the conversation and tries again) and a client error other than 408/429."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import openai
import pytest
from crewai.utilities.exceptions.context_window_exceeding_exception import LLMContextLengthExceededError

from runner.providers import ProviderFailed, _guarded, breaker_for

LLM: Any = SimpleNamespace(model="gpt-4.1-mini", provider="openai", base_url="http://127.0.0.1:9/v1")
KEY = "openai@http://127.0.0.1:9/v1"


def _status_error(status: int) -> openai.APIStatusError:
    response = httpx.Response(status, request=httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))
    kind = {400: openai.BadRequestError, 401: openai.AuthenticationError, 429: openai.RateLimitError}
    return kind.get(status, openai.InternalServerError)(f"status {status}", response=response, body=None)


def _wrapped_not_found() -> ValueError:
    """As CrewAI's OpenAI client raises a 404: a ValueError from the SDK's NotFoundError."""
    try:
        response = httpx.Response(404, request=httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))
        raise openai.NotFoundError("model not found", response=response, body=None)
    except openai.NotFoundError as e:
        wrapped = ValueError("Model gpt-4.1-mini not found")
        wrapped.__cause__ = e
        return wrapped


def _call_raising(error: BaseException) -> None:
    with _guarded(LLM, None):
        raise error


@pytest.mark.parametrize(
    "error",
    [
        LLMContextLengthExceededError("maximum context length is 128000 tokens"),
        _status_error(400),
        _status_error(401),
        _wrapped_not_found(),
    ],
    ids=["context-window", "400", "401", "404-wrapped"],
)
def test_context_window_and_client_errors_go_on_unchanged_and_spare_the_breaker(error: BaseException) -> None:
    breaker = breaker_for(KEY)
    for _ in range(5):  # more than the breaker's threshold
        with pytest.raises(type(error)) as raised:
            _call_raising(error)
        assert raised.value is error and not isinstance(raised.value, ProviderFailed)
    assert breaker.current_state == "closed" and breaker.fail_counter == 0


@pytest.mark.parametrize("status", [429, 500])
def test_rate_limits_and_server_errors_are_provider_failures(status: int) -> None:
    with pytest.raises(ProviderFailed, match=f"status {status}"):
        _call_raising(_status_error(status))
    assert breaker_for(KEY).fail_counter == 1


def test_the_call_that_trips_the_breaker_keeps_its_cause() -> None:
    reasons = []
    for _ in range(4):
        with pytest.raises(ProviderFailed) as raised:
            _call_raising(_status_error(500))
        reasons.append(raised.value.reason)
    assert "circuit breaker" not in reasons[1]
    # the third failure opens the breaker: its reason names the failure that did
    assert "circuit breaker" in reasons[2] and "InternalServerError: status 500" in reasons[2], reasons[2]
    assert "circuit breaker" in reasons[3]
