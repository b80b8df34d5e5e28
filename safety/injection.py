"""Detects instructions aimed at the agents inside a ticket (prompt injection), quoted earlier
mails included. A ticket with a finding runs read-only, is refused and escalated (policy.yaml
`injection`). The rules are general shapes of such instructions, not phrases of known cases:
customers ask for things; they do not address the system, claim its authority, name its tools
or internal ids, or tell it what to hide and what to answer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.models import Ticket
from safety.policy import STORE_OPERATIONS, InjectionPolicy

_ROLE = r"(?:system|assistant|ai|admin(?:istrator)?|developer|root|operator|model|bot|chatbot|llm|agent)"
_MONEY_VERB = r"(?:refund|credit|transfer|send|deposit|add|apply|issue|move|pay|wire|load|top\s+up|reimburse|put)"
_INTERNAL_ID = r"\b(?:gift_card|paypal|credit_card|debit_card|bank_account|store_credit|apple_pay|google_pay)_\d{3,}\b"
_I = re.I

# rule -> (what it means, patterns on the flattened text, patterns on the line view)
RULES: dict[str, tuple[str, list[re.Pattern[str]], list[re.Pattern[str]]]] = {
    "override": (
        "tells the agent to drop its instructions",
        [
            re.compile(
                r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?(?:of\s+)?"
                r"(?:your|the|my|these|those|all)?\s*(?:previous|prior|above|earlier|preceding|existing|"
                r"original|system|current|standing|initial)?\s*(?:instructions?|rules|prompts?|directives?|"
                r"guidelines|guardrails|programming|training|constraints)\b",
                _I,
            ),
            re.compile(
                r"\b(?:new|updated|revised)\s+(?:system\s+)?instructions\s*"
                r"(?:for\s+(?:the\s+)?" + _ROLE + r")?\s*:",
                _I,
            ),
            re.compile(
                r"\bignor(?:a|e|ez|ar)\s+(?:todas\s+|toutes\s+)?(?:las|tus|sus|les|vos)\s+"
                r"(?:instrucciones|instructions)\b",
                _I,
            ),
        ],
        [],
    ),
    "role_play": (
        "tries to give the agent another role or mode",
        [
            re.compile(
                r"\byou\s+are\s+(?:now|no\s+longer)\s+(?:in\s+)?(?:an?\s+|the\s+)?[\w-]+(?:\s+[\w-]+)?\s+"
                r"(?:mode|assistant|bot|ai|agent)\b",
                _I,
            ),
            re.compile(
                r"\b(?:act|behave|respond)\s+as\s+(?:an?\s+|the\s+)?(?:unrestricted|jailbroken|"
                r"administrator|admin|developer|root|system|store\s+administrator)\b",
                _I,
            ),
            re.compile(
                r"\bpretend\s+(?:to\s+be|you\s+are)\s+(?:an?\s+|the\s+)?(?:admin|administrator|developer|"
                r"different|new|unrestricted|system)\b",
                _I,
            ),
            re.compile(r"\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|shall)\b", _I),
            re.compile(r"\b(?:developer|god|sudo|jailbreak|dan|admin)\s+mode\b", _I),
        ],
        [],
    ),
    "fake_system_block": (
        "contains a message dressed up as coming from the system",
        [
            re.compile(
                r"\[\s*" + _ROLE + r"\s+(?:instructions?|message|prompt|note|command|directive|override)s?\s*:", _I
            ),
            re.compile(r"<\|?(?:im_start|im_end|system|assistant)\|?>|\[/?INST\]|<<\s*SYS\s*>>", _I),
            re.compile(
                r"\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?"
                r"(?:ai|assistant|bot|chatbot|model|llm|language\s+model)\b",
                _I,
            ),
            re.compile(r"\bsystem\s+prompt\b", _I),
        ],
        [
            re.compile(
                r"^[ \t]*(?:#{2,}|={2,}|-{3,}|\*{2,}|\[|<{1,2}|\{)[ \t]*(?:begin\s+|end\s+|start\s+)?"
                + _ROLE
                + r"[ \t]*(?:message|prompt|instructions?|note|override|command|directive|notice)?"
                r"[ \t]*(?:#{2,}|={2,}|-{3,}|\*{2,}|\]|>{1,2}|\}|:)",
                re.I | re.M,
            ),
        ],
    ),
    "authority_claim": (
        "claims the authority of the store's staff or system",
        [
            re.compile(
                r"\b(?:sender|user|customer|requester|this\s+(?:account|user|customer|person))\s+"
                r"(?:has\s+been|is|was)\s+(?:verified|authenticated|confirmed|authori[sz]ed|whitelisted)\s+as\s+"
                r"(?:an?\s+|the\s+)?(?:store\s+|site\s+|system\s+)?(?:admin(?:istrator)?|staff|employee|manager|"
                r"supervisor|developer|owner|agent|operator)\b",
                _I,
            ),
            re.compile(
                r"\b(?:authori[sz]ed|approved|sanctioned|cleared|signed\s+off)\s+by\s+(?:your|the)\s+"
                r"(?:store'?s?\s+)?(?:admin(?:istrator)?|system|manager|supervisor|management|security\s+team|"
                r"developers?|operator|it\s+department)\b",
                _I,
            ),
            re.compile(
                r"\bhas\s+been\s+(?:pre-?)?(?:approved|authori[sz]ed)\s+for\s+this\s+"
                r"(?:customer|account|user)\b",
                _I,
            ),
        ],
        [],
    ),
    "approval_bypass": (
        "asks the agent to skip approval or verification",
        [
            re.compile(
                r"\b(?:skip|bypass|circumvent|disable|override|turn\s+off)\s+(?:any\s+|the\s+|all\s+|your\s+)?"
                r"(?:approvals?|verification|authori[sz]ation|review|security|fraud|identity)\s*"
                r"(?:steps?|checks?|process|requirements?|gates?|queue)?\b",
                _I,
            ),
        ],
        [],
    ),
    "internal_payment_target": (
        "directs money to an internal payment-method id",
        [
            re.compile(r"\b" + _MONEY_VERB + r"\b[^.!?\n]{0,80}?" + _INTERNAL_ID, _I),
            re.compile(_INTERNAL_ID + r"[^.!?\n]{0,40}?\b(?:refund|credit|deposit|transfer)", _I),
        ],
        [],
    ),
    "tool_invocation": (
        "names the agents' tools or functions",
        [
            re.compile(r"\b(?:" + "|".join(sorted(STORE_OPERATIONS)) + r")\b", _I),
            re.compile(
                r"\b(?:execute|call|invoke|run|trigger)\s+(?:the\s+)?(?:tool|function|command)?\s*[`'\"]?"
                r"[a-z]+(?:_[a-z]+)+\b",
                _I,
            ),
        ],
        [],
    ),
    "concealment": (
        "tells the agent to hide something from the reply",
        [
            re.compile(
                r"\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose|tell|say|include|refer\s+to|"
                r"acknowledge|repeat|quote)\s+(?:anything\s+about\s+)?(?:this|these|that|the\s+above)\s+"
                r"(?:message|note|instructions?|block|text|section|request|part)\b",
                _I,
            ),
            re.compile(
                r"\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose|refer\s+to|acknowledge)\b[^.!?\n]{0,40}"
                r"\bin\s+(?:your|the)\s+(?:reply|response|answer|output)\b",
                _I,
            ),
        ],
        [],
    ),
    "output_control": (
        "dictates the agent's exact answer",
        [
            re.compile(
                r"\b(?:reply|respond|answer|output|say|print)\s+(?:with\s+)?(?:only|exactly|just|solely|"
                r"nothing\s+but)\s+(?:with\s+)?[\"'“‘]",
                _I,
            ),
            re.compile(r"\b(?:reply|respond|answer)\s+only\s+with\b", _I),
        ],
        [],
    ),
}

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_QUOTE_MARKERS = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)


@dataclass(frozen=True)
class InjectionFinding:
    rule: str  # a key of RULES, or "custom" for policy extra_patterns
    description: str
    span: str  # the offending text (up to 200 characters), for the trace and the human
    quoted: bool  # found inside a quoted earlier mail ("> ...")

    def as_trace(self) -> dict[str, object]:
        return {
            "event": "injection_suspected",
            "rule": self.rule,
            "description": self.description,
            "span": self.span,
            "quoted": self.quoted,
        }


@dataclass(frozen=True)
class _View:
    text: str
    quoted: list[tuple[int, int]]  # character ranges that came from quoted lines ("> ...")

    def is_quoted(self, position: int) -> bool:
        return any(start <= position < end for start, end in self.quoted)


def _views(text: str) -> tuple[_View, _View]:
    """(line view, flat view): NFKC, zero-width characters dropped, quote markers removed so a
    quoted instruction reads like any other; the flat view has whitespace collapsed."""
    clean = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))
    line_parts, flat_parts, line_quoted, flat_quoted = [], [], [], []
    line_at = flat_at = 0
    for line in clean.splitlines():
        quoted = bool(_QUOTE_MARKERS.match(line))
        body = _QUOTE_MARKERS.sub("", line)
        flat = re.sub(r"\s+", " ", body).strip()
        if quoted:
            line_quoted.append((line_at, line_at + len(body)))
            flat_quoted.append((flat_at, flat_at + len(flat)))
        line_parts.append(body)
        line_at += len(body) + 1
        if flat:
            flat_parts.append(flat)
            flat_at += len(flat) + 1
    return _View("\n".join(line_parts), line_quoted), _View(" ".join(flat_parts), flat_quoted)


def find_injections(text: str, policy: InjectionPolicy | None = None) -> list[InjectionFinding]:
    """Every rule that fires on `text`, at most one finding per rule."""
    policy = policy or InjectionPolicy()
    if not policy.enabled:
        return []
    lines, flat = _views(text)
    findings = []
    rules = dict(RULES)
    if policy.extra_patterns:
        rules["custom"] = (
            "matches a pattern of policy.yaml injection.extra_patterns",
            [re.compile(p, _I) for p in policy.extra_patterns],
            [],
        )
    for rule, (description, flat_patterns, line_patterns) in rules.items():
        if rule != "custom" and not policy.rule_enabled(rule):
            continue
        hit = next(((m, flat) for p in flat_patterns if (m := p.search(flat.text))), None) or next(
            ((m, lines) for p in line_patterns if (m := p.search(lines.text))), None
        )
        if hit:
            match, view = hit
            findings.append(
                InjectionFinding(rule, description, match.group(0).strip()[:200], view.is_quoted(match.start()))
            )
    return findings


def detect_injection(text: str, policy: InjectionPolicy | None = None) -> InjectionFinding | None:
    """The first finding in `text`, or None when it reads like an ordinary ticket."""
    findings = find_injections(text, policy)
    return findings[0] if findings else None


def scan_ticket(ticket: Ticket, policy: InjectionPolicy | None = None) -> list[InjectionFinding]:
    """Findings in the subject, the body and every message of the thread (instructions can hide in
    an earlier message as well as in a quoted one)."""
    parts = [ticket.subject or "", ticket.body, *(message.body for message in ticket.thread)]
    return find_injections("\n\n".join(p for p in parts if p), policy)
