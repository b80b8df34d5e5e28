"""config/policy.yaml: the defaults follow the brief, and a broken file is reported with its file,
line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from safety.policy import DEFAULT_POLICY_PATH, PolicyError, load_policy, policy_problems


@pytest.mark.parametrize(
    ("amount", "action"),
    [
        (0, "allow"),
        (12.5, "allow"),
        (50, "allow"),
        (50.01, "allow_and_flag"),
        (99.99, "allow_and_flag"),
        (100, "allow_and_flag"),
        (100.01, "hold"),
        (5000, "hold"),
        (-75, "allow_and_flag"),  # a negative price difference is money sent back: its size counts
    ],
)
def test_default_rules_follow_the_brief(policy, amount, action):
    assert policy.approvals.decide("return_delivered_order_items", amount).action == action


def test_shipped_policy_is_valid_and_sets_budgets(policy):
    assert policy_problems(DEFAULT_POLICY_PATH) == []
    assert policy.approvals.expiry_hours > 0
    assert (policy.budgets.max_llm_calls, policy.budgets.max_tool_calls) == (20, 30)


def test_rules_by_operation_first_match_wins(tmp_path: Path):
    path = _write(
        tmp_path,
        _policy_text(
            rules="""
    - operations: [modify_user_address, modify_pending_order_address]
      action: allow
    - operations: "*"
      max_amount: 10
      action: allow
    - operations: "*"
      action: hold
"""
        ),
    )
    policy = load_policy(path)
    assert policy.approvals.decide("modify_user_address", 999).action == "allow"
    assert policy.approvals.decide("cancel_pending_order", 10).action == "allow"
    assert policy.approvals.decide("cancel_pending_order", 10.5).action == "hold"


def test_no_matching_rule_holds(tmp_path: Path):
    path = _write(
        tmp_path,
        _policy_text(
            rules="""
    - operations: [cancel_pending_order]
      max_amount: 20
      action: allow
"""
        ),
    )
    decision = load_policy(path).approvals.decide("return_delivered_order_items", 5)
    assert decision.action == "hold" and decision.rule_index is None


def test_errors_name_file_line_and_field(tmp_path: Path):
    path = _write(
        tmp_path,
        _policy_text(
            rules="""
    - operations: [refund_everything]
      max_amount: -3
      action: allow
    - operations: "*"
      action: maybe
"""
        )
        + "budgets:\n  max_llm_calls: 0\n  max_tokens: 5\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    problems = {message.split(":")[0]: line for line, message in caught.value.located()}
    lines = path.read_text().splitlines()
    assert "refund_everything" in lines[problems["approvals.rules.0.operations"] - 1]
    assert "max_amount: -3" in lines[problems["approvals.rules.0.max_amount"] - 1]
    assert "action: maybe" in lines[problems["approvals.rules.1.action"] - 1]
    assert "max_llm_calls: 0" in lines[problems["budgets.max_llm_calls"] - 1]
    assert "max_tokens" in lines[problems["budgets.max_tokens"] - 1]  # a misspelt key is an error
    assert str(path) in str(caught.value)
    assert "unknown operation(s) ['refund_everything']" in str(caught.value)


def test_bad_regex_and_dead_rules_are_reported(tmp_path: Path):
    text = _policy_text(
        rules="""
    - operations: "*"
      action: allow
    - operations: "*"
      max_amount: 100
      action: hold
"""
    ).replace("patterns: ['\\bhuman\\b']", "patterns: ['(unclosed']")
    problems = [str(p) for p in policy_problems(_write(tmp_path, text))]
    assert any("human_request.patterns" in p and "not a valid regular expression" in p for p in problems)
    assert any("never apply; move it last" in p for p in problems)


def test_yaml_syntax_error_and_missing_file(tmp_path: Path):
    broken = _write(tmp_path, "approvals:\n  rules: [\n    - x\n")
    [problem] = policy_problems(broken)
    assert problem.line is not None and "not valid YAML" in problem.message
    [missing] = policy_problems(tmp_path / "absent.yaml")
    assert "cannot read the policy file" in missing.message


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def _policy_text(*, rules: str) -> str:
    return f"""approvals:
  expiry_hours: 24
  rules:{rules}
escalation:
  triggers:
    human_request:
      patterns: ['\\bhuman\\b']
    abuse:
      insults: ['\\bidiots?\\b']
    legal_threat:
      patterns: ['\\blawyer\\b']
"""
