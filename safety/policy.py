"""The safety policy (config/policy.yaml) as typed models: approval rules, escalation triggers, PII
and injection settings, budgets and agent limits. `load_policy` reports every problem with the
file, the line and the field, so `support-crew validate` can print them as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.models import Priority
from core.settings import PROJECT_ROOT

DEFAULT_POLICY_PATH = PROJECT_ROOT / "config" / "policy.yaml"

# The store operations of CONTRACTS §2: the only names an approval rule may list.
STORE_OPERATIONS = frozenset(
    {
        "cancel_pending_order",
        "modify_pending_order_address",
        "modify_pending_order_payment",
        "modify_pending_order_items",
        "return_delivered_order_items",
        "exchange_delivered_order_items",
        "modify_user_address",
    }
)

GateAction = Literal["allow", "allow_and_flag", "hold"]
PiiKind = Literal["card", "card_expiry", "cvv", "national_id", "phone", "iban", "secret", "email"]
InjectionRule = Literal[
    "override",
    "role_play",
    "fake_system_block",
    "authority_claim",
    "approval_bypass",
    "internal_payment_target",
    "tool_invocation",
    "concealment",
    "output_control",
]


class _Strict(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid")


def _compile_all(patterns: list[str]) -> list[str]:
    for index, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {index} ({pattern!r}) is not a valid regular expression: {exc}") from exc
    return patterns


# --- approvals -------------------------------------------------------------------------------------
class ApprovalRule(_Strict):
    operations: list[str] | Literal["*"] = Field(
        "*", description="store operations this rule covers, or '*' for every one"
    )
    max_amount: float | None = Field(
        None, ge=0, description="the rule applies up to this amount (inclusive); omitted = any amount"
    )
    action: GateAction

    @field_validator("operations")
    @classmethod
    def _known_operations(cls, value: list[str] | str) -> list[str] | str:
        if value == "*":
            return value
        if not value:
            raise ValueError("list at least one operation, or write '*' for every operation")
        unknown = sorted(set(value) - STORE_OPERATIONS)
        if unknown:
            raise ValueError(f"unknown operation(s) {unknown}; known: {sorted(STORE_OPERATIONS)} or '*'")
        return value

    def matches(self, operation: str, amount: float) -> bool:
        covers = self.operations == "*" or operation in self.operations
        return covers and (self.max_amount is None or amount <= self.max_amount + 1e-9)


@dataclass(frozen=True)
class GateDecision:
    action: GateAction
    rule_index: int | None  # None: no rule matched and the fail-safe hold applied

    def reason(self, amount: float) -> str:
        """Why, in words a customer-facing agent and an approver can both read."""
        where = (
            f"policy.yaml approvals.rules[{self.rule_index}]"
            if self.rule_index is not None
            else "no rule of policy.yaml matched, so it is held by default"
        )
        return {
            "allow": f"${amount:.2f} is within the automatic limit ({where})",
            "allow_and_flag": f"${amount:.2f} goes through and is flagged for a person's review ({where})",
            "hold": f"${amount:.2f} needs a person's approval ({where})",
        }[self.action]


class ApprovalPolicy(_Strict):
    expiry_hours: float = Field(72, gt=0, description="a held operation can no longer be executed after this")
    stale_execution_minutes: float = Field(
        10,
        gt=0,
        description="an approval left executing this long (crashed approver) may be approved again; "
        "the stored idempotency key keeps the store from applying it twice",
    )
    rules: list[ApprovalRule] = Field(min_length=1, description="first matching rule wins")

    @field_validator("rules")
    @classmethod
    def _rules_reachable(cls, rules: list[ApprovalRule]) -> list[ApprovalRule]:
        # A catch-all rule before others makes them dead: almost certainly a mistake in the file.
        for index, rule in enumerate(rules[:-1]):
            if rule.operations == "*" and rule.max_amount is None:
                raise ValueError(
                    f"rule {index} covers every operation and amount, so the rules after it never apply; move it last"
                )
        return rules

    def decide(self, operation: str, amount: float) -> GateDecision:
        money = abs(amount)
        for index, rule in enumerate(self.rules):
            if rule.matches(operation, money):
                return GateDecision(rule.action, index)
        return GateDecision("hold", None)


# --- escalation ------------------------------------------------------------------------------------
class PatternTrigger(_Strict):
    enabled: bool = True
    priority: Priority = "normal"
    patterns: list[str] = Field(default_factory=list, description="case-insensitive regular expressions")

    @field_validator("patterns")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return _compile_all(value)


class AbuseTrigger(_Strict):
    enabled: bool = True
    priority: Priority = "high"
    insults: list[str] = Field(default_factory=list, description="regexes; each hit scores 2")
    anger: list[str] = Field(default_factory=list, description="regexes; each hit scores 1")
    shouting_words: int = Field(3, ge=1, description="this many ALL-CAPS words score 1")
    min_score: int = Field(2, ge=1, description="escalate from this score on")

    @field_validator("insults", "anger")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return _compile_all(value)


class CountTrigger(_Strict):
    enabled: bool = True
    priority: Priority = "normal"
    threshold: int = Field(3, ge=1)


class ScoreTrigger(_Strict):
    enabled: bool = True
    priority: Priority = "normal"
    threshold: float = Field(0.35, ge=0, le=1, description="escalate when confidence is below this")


class SwitchTrigger(_Strict):
    enabled: bool = True
    priority: Priority = "normal"


class EscalationTriggers(_Strict):
    human_request: PatternTrigger
    abuse: AbuseTrigger
    legal_threat: PatternTrigger
    repeated_failures: CountTrigger = CountTrigger()
    circuit_open: SwitchTrigger = SwitchTrigger(priority="high")
    low_confidence: ScoreTrigger = ScoreTrigger()
    injection: SwitchTrigger = SwitchTrigger(priority="high")


class EscalationPolicy(_Strict):
    triggers: EscalationTriggers
    min_summary_words: int = Field(8, ge=1, description="a shorter escalation summary is enriched by the runner")


# --- PII -------------------------------------------------------------------------------------------
class PiiPolicy(_Strict):
    detectors: dict[PiiKind, bool] = Field(default_factory=dict, description="kinds not listed are on")
    placeholder: str = Field("[{kind}_{n}]", description="format with {kind} (upper case) and {n}")
    emails: Literal["keep", "placeholder"] = Field(
        "keep",
        description="keep: the model sees e-mails (it needs them to authenticate); "
        "placeholder: the model sees [EMAIL_n] and Redaction.restore() gives tools the address",
    )
    mask_emails_in_logs: bool = True

    @field_validator("placeholder")
    @classmethod
    def _has_fields(cls, value: str) -> str:
        if "{kind}" not in value or "{n}" not in value:
            raise ValueError("placeholder must contain both {kind} and {n}, e.g. '[{kind}_{n}]'")
        return value

    def enabled(self, kind: str) -> bool:
        if kind == "email":
            return self.emails == "placeholder"
        return self.detectors.get(kind, True)  # type: ignore[call-overload]


# --- injection -------------------------------------------------------------------------------------
class InjectionPolicy(_Strict):
    enabled: bool = True
    rules: dict[InjectionRule, bool] = Field(default_factory=dict, description="rules not listed are on")
    extra_patterns: list[str] = Field(default_factory=list, description="more regexes, rule 'custom'")
    outcome: Literal["refused", "escalated"] = Field(
        "refused",
        description="final outcome of a ticket with suspected injection (an escalation record is attached either way)",
    )

    @field_validator("extra_patterns")
    @classmethod
    def _valid_patterns(cls, value: list[str]) -> list[str]:
        return _compile_all(value)

    def rule_enabled(self, rule: str) -> bool:
        return self.enabled and self.rules.get(rule, True)  # type: ignore[call-overload]


# --- outcome check, budgets, agent limits ----------------------------------------------------------
class OutcomeCheckPolicy(_Strict):
    on_false_claim: Literal["correct", "escalate"] = "correct"


class BudgetPolicy(_Strict):
    max_llm_calls: int = Field(16, ge=1)
    max_tool_calls: int = Field(30, ge=1)
    max_seconds: float = Field(120, gt=0)


class AgentLimits(_Strict):
    manager_max_iter: int = Field(12, ge=1)
    specialist_max_iter: int = Field(8, ge=1)
    max_retry_limit: int = Field(1, ge=0)


class Policy(_Strict):
    approvals: ApprovalPolicy
    escalation: EscalationPolicy
    pii: PiiPolicy = PiiPolicy()
    injection: InjectionPolicy = InjectionPolicy()
    outcome_check: OutcomeCheckPolicy = OutcomeCheckPolicy()
    budgets: BudgetPolicy = BudgetPolicy()
    agent_limits: AgentLimits = AgentLimits()


# --- loading with file/line/field errors -----------------------------------------------------------
@dataclass(frozen=True)
class PolicyProblem:
    path: Path
    line: int | None
    message: str  # "field: what is wrong"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class PolicyError(Exception):
    """Every problem of a policy file; str() gives one 'file:line: field: message' per line."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems

    def located(self) -> list[tuple[int | None, str]]:
        """(line, "field: message") per problem, for `support-crew validate`."""
        return [(p.line, p.message) for p in self.problems]


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest YAML node along a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def policy_problems(path: Path) -> list[PolicyProblem]:
    """All problems of the policy file at `path` (empty list: it is valid)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [
            PolicyProblem(
                path,
                None,
                f"cannot read the policy file ({exc.strerror}); create it or set "
                "SUPPORT_CREW_CONFIG_DIR to the folder that has it",
            )
        ]
    try:
        tree = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [
            PolicyProblem(
                path, mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
            )
        ]
    if not isinstance(data, dict):
        return [
            PolicyProblem(
                path,
                1,
                "the policy must be a mapping with the sections approvals, escalation, "
                "pii, injection, outcome_check, budgets, agent_limits",
            )
        ]
    try:
        Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            field = ".".join(str(p) for p in loc) or "(top level)"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(PolicyProblem(path, _line_of(tree, loc), f"{field}: {message}"))
        return problems
    return []


def load_policy(path: Path = DEFAULT_POLICY_PATH) -> Policy:
    """The policy at `path`; raises PolicyError listing every problem with file, line and field."""
    problems = policy_problems(path)
    if problems:
        raise PolicyError(problems)
    return Policy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
