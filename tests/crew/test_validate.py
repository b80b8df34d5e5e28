"""`support-crew validate`: every problem of a broken config, with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from main import app

runner = CliRunner()


def _validate(config: Path, tmp_path: Path):
    return runner.invoke(
        app, ["--data-dir", str(tmp_path / "d"), "validate"], env={"SUPPORT_CREW_CONFIG_DIR": str(config)}
    )


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_shipped_config_is_valid(tmp_path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "d"), "validate"])
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output


@pytest.mark.parametrize(
    ("file", "old", "new", "needle", "message"),
    [
        (
            "agents.yaml",
            "    - get_invoice\n",
            "    - get_invoise\n",
            "get_invoise",
            "unknown tool 'get_invoise' (did you mean 'get_invoice'?)",
        ),
        (
            "agents.yaml",
            "  role: Product Specialist",
            "  role: Billing Specialist",
            "role: Billing Specialist\n  goal: >\n    Answer questions about products",
            "duplicate role 'Billing Specialist'",
        ),
        (
            "agents.yaml",
            "  allow_delegation: false\n\nbilling_specialist:",
            "  allow_delegation: false\n  tols: []\n\nbilling_specialist:",
            "tols",
            "unknown key 'tols' (did you mean 'tools'?)",
        ),
        (
            "tasks.yaml",
            "Resolve support ticket {ticket_id}.",
            "Resolve support ticket {ticket_number}.",
            "{ticket_number}",
            "placeholder '{ticket_number}' has no input",
        ),
        (
            "tasks.yaml",
            "  expected_output: >",
            "  agent: order_specialist\n  expected_output: >",
            "agent: order_specialist",
            "leave 'agent' off in a hierarchical crew",
        ),
        (
            "agents.yaml",
            "technical_specialist:",
            "order_specialist:",
            "order_specialist:\n  role: Technical",
            "duplicate key 'order_specialist'",
        ),
    ],
)
def test_each_problem_is_reported_with_file_and_line(tmp_path, config_copy, file, old, new, needle, message) -> None:
    path = config_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    result = _validate(config_copy, tmp_path)
    assert result.exit_code == 1
    first_line_of_needle = needle.split("\n")[0]
    line = _line_of(path, first_line_of_needle) if "\n" not in needle else _find_block(path, needle)
    assert f"{path}:{line}:" in result.output, result.output
    assert message in result.output


def _find_block(path: Path, block: str) -> int:
    text = path.read_text()
    return text[: text.index(block)].count("\n") + 1


def test_missing_manager_and_every_problem_at_once(tmp_path, config_copy) -> None:
    agents = config_copy / "agents.yaml"
    text = (
        agents.read_text()
        .replace("manager:", "supervisor:", 1)
        .replace("    - get_invoice\n", "    - refund_everything\n")
    )
    agents.write_text(text)
    result = _validate(config_copy, tmp_path)
    assert result.exit_code == 1
    assert "missing agent 'manager'" in result.output
    assert "unknown tool 'refund_everything'" in result.output


def test_policy_problem_is_reported_with_line(tmp_path, config_copy) -> None:
    policy = config_copy / "policy.yaml"
    policy.write_text(policy.read_text().replace("max_llm_calls: 20", "max_llm_calls: -3", 1))
    result = _validate(config_copy, tmp_path)
    assert result.exit_code == 1
    assert f"{policy}:{_line_of(policy, 'max_llm_calls')}:" in result.output, result.output


def test_other_commands_validate_first(tmp_path, config_copy) -> None:
    agents = config_copy / "agents.yaml"
    agents.write_text(agents.read_text().replace("    - get_invoice\n", "    - get_invoise\n"))
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path / "d"), "kickoff", "hello"], env={"SUPPORT_CREW_CONFIG_DIR": str(config_copy)}
    )
    assert result.exit_code == 1
    assert "unknown tool 'get_invoise'" in result.output
