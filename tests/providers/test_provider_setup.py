"""Choosing a provider: our install command for a missing SDK (not CrewAI's `uv add` hint), the
base URLs, an agent's own `api_base` and `llm`, and the checks `validate` makes of them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from core.models import Ticket
from core.settings import Settings
from crews.config import check_crew_config
from crews.toolbox import KNOWN_TOOLS
from runner.providers import ModelUnavailable, _our_install_hint, missing_sdk, provider_llm, provider_of
from runner.ticket_run import SetupError, open_environment, run_ticket
from tests.providers.conftest import delegate, pending_orders, provider_settings, report, use_openai
from tests.providers.fake_servers import OpenAIFake


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("openai/gpt-4.1-mini", "openai"),
        ("anthropic/claude-sonnet-4-5", "anthropic"),
        ("claude-sonnet-4-5", "anthropic"),
        ("gemini/gemini-2.5-flash", "gemini"),
        ("ollama/qwen3", "ollama"),
        ("gpt-4.1-mini", "openai"),
    ],
)
def test_provider_of_a_model_name(model: str, provider: str) -> None:
    assert provider_of(model) == provider


def test_a_missing_sdk_names_our_install_command(monkeypatch, tmp_path) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "anthropic" else real_find_spec(name, *a)
    )
    assert missing_sdk("anthropic/claude-sonnet-4-5") == 'pip install "support-crew[anthropic]"'
    assert missing_sdk("openai/gpt-4.1-mini") is None
    with pytest.raises(ModelUnavailable, match=r'pip install "support-crew\[anthropic\]"'):
        provider_llm("anthropic/claude-sonnet-4-5", timeout_s=1, retries=0)
    # the command stops before any ticket, with the same words
    settings = Settings(data_dir=tmp_path / "data", llm="offline,anthropic/claude-sonnet-4-5")
    with pytest.raises(SetupError, match=r"support-crew\[anthropic\]"), open_environment(settings):
        pass


def test_crewais_uv_hint_is_replaced_by_ours() -> None:
    error = ImportError('Google Gen AI native provider not available, to install: uv add "crewai[google-genai]"')
    hint = _our_install_hint("gemini/gemini-2.5-flash", error)
    assert "uv add" not in hint and 'pip install "support-crew[gemini]"' in hint


def test_installed_providers_build_their_native_clients(monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake")
    monkeypatch.setenv("GEMINI_API_KEY", "fake")
    anthropic = provider_llm("anthropic/claude-sonnet-4-5", timeout_s=7, retries=1)
    gemini = provider_llm("gemini/gemini-2.5-flash", timeout_s=7, retries=1)
    compatible = provider_llm("openai/qwen3", base_url="http://127.0.0.1:9/v1", timeout_s=7, retries=1)
    assert type(anthropic).__name__ == "TieredAnthropicCompletion"
    assert (anthropic.timeout, anthropic.max_retries) == (7, 1)
    assert type(gemini).__name__ == "TieredGeminiCompletion"
    assert type(compatible).__name__ == "TieredOpenAICompletion" and compatible.base_url == "http://127.0.0.1:9/v1"
    # CrewAI's preflight count is local, with no request and no warning
    assert anthropic.get_input_tokens_count([{"role": "user", "content": "hello there"}]) > 0


def _agents_with(config_dir: Path, name: str, **keys: object) -> None:
    path = config_dir / "agents.yaml"
    agents = yaml.safe_load(path.read_text())
    agents[name].update(keys)
    path.write_text(yaml.safe_dump(agents, sort_keys=False))


def test_validate_checks_an_agents_api_base(config_copy: Path) -> None:
    _agents_with(config_copy, "order_specialist", api_base="ftp://example.com")
    _agents_with(config_copy, "billing_specialist", api_base="http://localhost:11434/v1")
    _, problems = check_crew_config(config_copy, set(KNOWN_TOOLS))
    messages = [p.message for p in problems]
    assert any("order_specialist.api_base" in m and "not an http(s) URL" in m for m in messages), messages
    assert any("billing_specialist: api_base needs the agent's own 'llm'" in m for m in messages), messages


def test_an_agent_keeps_its_own_model_and_server(tmp_path, config_copy: Path, monkeypatch) -> None:
    """The manager runs on the tier's model (OPENAI_BASE_URL); the Order Specialist pins its own
    model on its own OpenAI-compatible server (agents.yaml `llm` + `api_base`)."""
    settings = provider_settings(tmp_path, "openai/gpt-4.1-mini", config_dir=config_copy)
    order = pending_orders(settings)[0]
    manager = OpenAIFake({"Support Manager": [[delegate("Order Specialist", "Status?", final=True)]]})
    local = OpenAIFake(
        {"Order Specialist": [report("answered", f"Hello, order {order['order_id']} is pending.")]}, usage=(500, 20)
    )
    with manager.running(), local.running():
        _agents_with(config_copy, "order_specialist", llm="openai/qwen3", api_base=local.base_url)
        use_openai(monkeypatch, manager.base_url)
        with open_environment(settings) as env:
            result = run_ticket(Ticket(id="T-pin", from_email=order["email"], body="Status of my order?"), env)

    assert result.outcome == "resolved", result
    assert [r.role for r in manager.requests] == ["Support Manager"]
    assert [r.role for r in local.requests] == ["Order Specialist"]
    assert result.usage.prompt_tokens == 1200 + 500
    assert result.usage.cost_usd is None  # openai/qwen3 is in no price table entry: cost unknown
