"""What the command line prints for a model whose SDK is missing: our install command, extra and all
(`support-crew[anthropic]` is not rich markup), whether the command stops before any ticket or the
ticket itself fails on it."""

from __future__ import annotations

import importlib.util

import pytest
from typer.testing import CliRunner

from main import app
from runner import ticket_run

runner = CliRunner()
MODEL = "anthropic/claude-sonnet-4-5"
INSTALL = 'pip install "support-crew[anthropic]"'


@pytest.fixture
def no_anthropic_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The anthropic SDK as if not installed (as tests/providers/test_provider_setup.py does)."""
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "anthropic" else real_find_spec(name, *a)
    )


def test_a_missing_sdk_stops_the_command_with_our_install_command(tmp_path, no_anthropic_sdk) -> None:
    result = runner.invoke(app, ["--llm", MODEL, "--data-dir", str(tmp_path / "d"), "kickoff", "Where is my order?"])
    assert result.exit_code == 1, result.output
    assert INSTALL in result.output, result.output


def test_a_ticket_failed_on_a_missing_sdk_prints_our_install_command(tmp_path, monkeypatch, no_anthropic_sdk) -> None:
    # past the start-up check, the tier's model cannot be built: the ticket fails with the same words
    monkeypatch.setattr(ticket_run, "missing_sdk", lambda model: None)
    result = runner.invoke(app, ["--llm", MODEL, "--data-dir", str(tmp_path / "d"), "kickoff", "Where is my order?"])
    assert result.exit_code == 1, result.output
    assert "the ticket failed" in result.output and INSTALL in result.output, result.output
