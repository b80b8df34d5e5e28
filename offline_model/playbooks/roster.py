"""The manager's team, read from its prompt, and the choice of coworker for a request.

The roster is the manager backstory's "Your team" section written from agents.yaml (role, goal,
tools); the delegation tool's description gives the exact role names. A request goes to a coworker
who holds a tool it needs, ranked by how close the coworker's role and goal are to the request
(sentence embeddings), so a specialist added in YAML is reachable without code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from offline_model.playbooks.team_answers import readable
from offline_model.understanding import embedder, intents
from offline_model.understanding.requests import Request

# Built-in hints: the word a coworker's role usually carries for each intent. They only break
# near-ties between coworkers the roster makes equally plausible.
_ROLE_HINTS = {
    intents.CANCEL: "order",
    intents.ORDER_ADDRESS: "order",
    intents.USER_ADDRESS: "order",
    intents.STATUS: "order",
    intents.RETURN: "return",
    intents.PAYMENT: "billing",
    intents.BILLING: "billing",
    intents.PRODUCT: "product",
    intents.POLICY: "product",
    intents.TROUBLE: "technical",
    intents.HUMAN: "order",
    intents.ABUSE: "order",
    intents.LEGAL: "order",
    intents.SAFETY: "order",
}
_EXCHANGE_WORDS = re.compile(r"\b(?:exchang\w*|arrived|delivered|received|got\s+it|came\s+in)\b", re.IGNORECASE)
_MODIFY_WORDS = re.compile(
    r"\b(?:pending|before\s+it\s+(?:ships|goes\s+out)|hasn'?t\s+shipped|not\s+shipped|modify|still\s+pending)\b",
    re.IGNORECASE,
)


@dataclass
class Coworker:
    role: str
    goal: str = ""
    tools: list[str] = field(default_factory=list)

    @property
    def profile(self) -> str:
        return f"{self.role}: {self.goal}" if self.goal else self.role


def parse_roster(system: str, delegate_description: str) -> list[Coworker]:
    """Coworkers from the 'Your team' lines, limited to the roles the delegation tool accepts."""
    allowed = _roles_from_description(delegate_description)
    listed: list[Coworker] = []
    in_team = False
    shared: list[str] = []  # tools the header says every coworker also has
    for line in system.splitlines():
        if re.match(r"^\s*Your team\b", line):
            in_team = True
            also = re.search(r"each can also use ([^)]*)\)", line)
            shared = [t.strip() for t in also.group(1).split(",") if t.strip()] if also else []
            continue
        if in_team:
            match = re.match(
                r"^\s*-\s*(?P<role>[^:\n]+?):\s*(?P<goal>.*?)(?:\s*\(tools:\s*(?P<tools>[^)]*)\))?\s*$", line
            )
            if not match:
                if line.strip():
                    in_team = False
                continue
            tools = [t.strip() for t in (match.group("tools") or "").split(",") if t.strip()]
            tools += [t for t in shared if t not in tools]
            listed.append(Coworker(match.group("role").strip(), match.group("goal").strip(), tools))
    if allowed:
        by_role = {c.role.casefold(): c for c in listed}
        return [by_role.get(role.casefold(), Coworker(role)) for role in allowed]
    return listed


def _roles_from_description(description: str) -> list[str]:
    match = re.search(r"following coworkers:\s*(.+)", description or "")
    if not match:
        return []
    return [r.strip() for r in match.group(1).split(",") if r.strip()]


def can_handle(coworker: Coworker, intent: str, text: str = "") -> bool:
    """Whether the coworker holds a tool the intent needs (unknown tools: assume yes)."""
    if not coworker.tools:
        return True
    if intent == intents.TEAM_QUESTION:
        return readable(coworker.tools)
    needed = intents.REQUIRED_TOOLS.get(intent, ())
    return any(tool in coworker.tools for tool in needed)


def choose(request: Request, team: list[Coworker], exclude: set[str] | None = None) -> Coworker | None:
    """The coworker best suited to a request."""
    exclude = exclude or set()
    candidates = [c for c in team if c.role not in exclude and can_handle(c, request.intent, request.text)]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    profiles = embedder.encode_fixed(tuple(c.profile for c in candidates))
    if request.intent == intents.TEAM_QUESTION:
        # no built-in kind to go by: the question's own words against each role and goal
        return candidates[int(np.argmax(profiles @ embedder.encode_cached([request.text])[0]))]
    queries = embedder.encode_cached([intents.DESCRIPTIONS[request.intent], " ".join(request.text.split())[:500]])
    # the roster decides: the request's kind and words against each coworker's role and goal;
    # which tool an item change needs (exchange or modify) is read from the words that tell it
    scores = 0.65 * (profiles @ queries[0]) + 0.3 * (profiles @ queries[1])
    scores = scores + 0.15 * np.array([_tool_hint(c, request) for c in candidates])
    # without a roster (only role names known) the built-in hint carries more weight
    scores = scores + np.array([(0.01 if c.goal else 0.2) * _role_hint(c, request) for c in candidates])
    best = int(np.argmax(scores))
    return candidates[best]


def _role_hint(coworker: Coworker, request: Request) -> float:
    """Built-in default: the word a role usually carries for the intent. Breaks exact ties only."""
    hint = _ROLE_HINTS.get(request.intent, "")
    return 1.0 if hint and hint in coworker.role.lower() else 0.0


def _tool_hint(coworker: Coworker, request: Request) -> float:
    """Exchanges of delivered items and changes to pending orders use different tools: words like
    'arrived' or 'before it ships' tell which one the request will need."""
    if request.intent != intents.CHANGE_ITEMS or not coworker.tools:
        return 0.0
    score = 0.0
    if _EXCHANGE_WORDS.search(request.text) and "exchange_delivered_order_items" in coworker.tools:
        score += 1.0
    if _MODIFY_WORDS.search(request.text) and "modify_pending_order_items" in coworker.tools:
        score += 1.0
    return score


def holder_of(tool: str, team: list[Coworker], exclude: set[str]) -> Coworker | None:
    for coworker in team:
        if coworker.role not in exclude and tool in coworker.tools:
            return coworker
    return None
