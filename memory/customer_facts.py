"""What is worth remembering after a ticket, worked out without a model.

Two kinds of notes come out of one finished ticket:
- customer facts (entity layer, kept under the customer's own scope): standing preferences (where
  refunds go, which method pays extra charges, the reply language: memory/preferences.py, the
  parser the offline model reads them back with), the language written in, tone, problems reported
  with a product, and the ticket's outcome;
- one resolution summary (long-term layer, shared by all customers): the kind of request, the
  steps taken and how it ended, with no customer data in it.

Everything here is plain parsing, so saving memory costs no LLM call with any model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from core.models import Result, Ticket
from memory.preferences import Preference, standing_preferences

FactKind = Literal["preference", "language", "tone", "problem", "outcome"]


@dataclass(frozen=True)
class Fact:
    """One note about a customer. Facts with the same `key` replace each other (newest wins)."""

    kind: FactKind
    text: str
    importance: float
    key: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolutionSummary:
    kind: str  # e.g. "return", "troubleshooting"
    text: str


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")


# --- language and tone -----------------------------------------------------------------------------
_LANGUAGE_MARKERS = {
    "Spanish": {"hola", "por", "favor", "pedido", "gracias", "quisiera", "cancelen", "necesito", "saludo"},
    "French": {"bonjour", "commande", "merci", "pourriez", "vous", "plaît", "annuler", "j'ai"},
    "German": {"hallo", "bestellung", "bitte", "danke", "ich", "möchte", "stornieren"},
}
_TONE_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    (
        "frustrated",
        re.compile(
            r"\b(?:frustrat\w*|annoy\w*|angry|furious|upset|disappointed|unacceptable|ridiculous|"
            r"terrible|awful|worst|fed up|sick of|last straw|joke|useless|incompetent|idiots?)\b",
            re.I,
        ),
    ),
    ("in a hurry", re.compile(r"\b(?:asap|urgent\w*|immediately|right away|as soon as possible)\b", re.I)),
    (
        "mentions legal action or a bank dispute",
        re.compile(r"\b(?:attorney|lawyer|sue|suing|court|chargeback|dispute with my bank|attorney general)\b", re.I),
    ),
]


def language_of(text: str) -> str | None:
    words = set(re.findall(r"[\w']+", text.lower()))
    best, hits = None, 0
    for language, markers in _LANGUAGE_MARKERS.items():
        count = len(words & markers)
        if count > hits:
            best, hits = language, count
    return best if hits >= 2 else None


def tone_of(text: str) -> list[str]:
    tones = [label for label, pattern in _TONE_MARKERS if pattern.search(text)]
    shouting = len(re.findall(r"\b[A-Z]{3,}\b", text)) >= 3 or "!!" in text
    if shouting and "frustrated" not in tones:
        tones.insert(0, "frustrated")
    return tones


# --- products and faults ---------------------------------------------------------------------------
_PRODUCT_ALIASES = {
    "robot vacuum": "Vacuum Cleaner",
    "robotic vacuum": "Vacuum Cleaner",
    "vacuum": "Vacuum Cleaner",
    "earbuds": "Wireless Earbuds",
    "earbud": "Wireless Earbuds",
    "thermostat": "Smart Thermostat",
    "security camera": "Indoor Security Camera",
    "smartwatch": "Smart Watch",
    "speaker": "Bluetooth Speaker",
    "power bank": "Portable Charger",
    "ereader": "E-Reader",
    "kindle": "E-Reader",
    "toothbrush": "Electric Toothbrush",
    "keyboard": "Mechanical Keyboard",
    "mouse": "Gaming Mouse",
    "bulb": "LED Light Bulb",
}
_FAULTS = re.compile(
    r"\b(?:won'?t|will not|doesn'?t|does not|can'?t|cannot|stopped|no longer|keeps?|never)\s+"
    r"(?:\w+\s+){0,2}?(?:pair\w*|connect\w*|charg\w*|turn(?:s|ing)? on|power\w*|work\w*|dock\w*|"
    r"show\w*|sync\w*|heat\w*|spin\w*|brew\w*|dropp\w*|disconnect\w*|respond\w*|boot\w*|load\w*)"
    r"|\b(?:offline|broken|cracked|leak\w*|defective|faulty|overheat\w*|no sound|dead battery|"
    r"battery drains?|not working|not charging|error code|flicker\w*|noisy|rattl\w*)\b",
    re.I,
)


@lru_cache(maxsize=1)
def catalog_product_names() -> tuple[str, ...]:
    """Product type names of the bundled store catalogue (longest first, for matching)."""
    try:
        raw = resources.files("sandbox_store").joinpath("data/products.json").read_text(encoding="utf-8")
        names = {str(p["name"]) for p in json.loads(raw).values()}
    except (OSError, ValueError, KeyError, ModuleNotFoundError):
        names = set()
    return tuple(sorted(names, key=len, reverse=True))


def product_in(sentence: str, product_names: Iterable[str]) -> str | None:
    lowered = sentence.lower()
    for name in product_names:
        if re.search(rf"\b{re.escape(name.lower())}s?\b", lowered):
            return name
    for alias, name in sorted(_PRODUCT_ALIASES.items(), key=lambda kv: len(kv[0]), reverse=True):
        if re.search(rf"\b{re.escape(alias)}s?\b", lowered):
            return name
    return None


def reported_problems(text: str, product_names: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(product, fault words) for each sentence that names a product and a fault."""
    names = tuple(product_names) if product_names is not None else catalog_product_names()
    text = text.replace("\u2019", "'")
    found: list[tuple[str, str]] = []
    current_product: str | None = None
    for sentence in _SENTENCE_SPLIT.split(text):
        current_product = product_in(sentence, names) or current_product
        fault = _FAULTS.search(sentence)
        if fault and current_product and (current_product, fault.group(0).lower()) not in found:
            found.append((current_product, fault.group(0).lower()))
    return found


# --- what the ticket was and how it ended ----------------------------------------------------------
_OPERATION_KINDS = {
    "cancel_pending_order": ("cancel", "cancel a pending order"),
    "modify_pending_order_address": ("modify-address", "change the shipping address of a pending order"),
    "modify_pending_order_payment": ("modify-payment", "change the payment method of a pending order"),
    "modify_pending_order_items": ("modify-items", "change item options in a pending order"),
    "return_delivered_order_items": ("return", "return items of a delivered order"),
    "exchange_delivered_order_items": ("exchange", "exchange items of a delivered order"),
    "modify_user_address": ("account-address", "change the default address of the account"),
}
# Kinds of request told from the customer's words, for tickets that changed nothing and for the
# query that looks up similar past resolutions before the crew runs.
_TEXT_KINDS: list[tuple[str, str, re.Pattern[str]]] = [
    (
        "cancel",
        _OPERATION_KINDS["cancel_pending_order"][1],
        re.compile(r"\bcancel\w*|\bcalled? off\b|\bcancelar\b|\bannul\w*", re.I),
    ),
    (
        "return",
        _OPERATION_KINDS["return_delivered_order_items"][1],
        re.compile(r"\breturn(?:s|ing)?\b|\bsend (?:\w+ ){0,4}back\b|\bmoney back\b", re.I),
    ),
    ("exchange", _OPERATION_KINDS["exchange_delivered_order_items"][1], re.compile(r"\bexchang\w*", re.I)),
    (
        "modify-items",
        _OPERATION_KINDS["modify_pending_order_items"][1],
        re.compile(
            r"\b(?:change|switch|swap|modify|update)\b.{0,60}\b(?:to|for) (?:one|the version|the same item)\b", re.I
        ),
    ),
    (
        "account-address",
        _OPERATION_KINDS["modify_user_address"][1],
        re.compile(
            r"\b(?:default|account|profile)\b.{0,40}\baddress\b|\baddress\b.{0,40}\b(?:account|profile)\b", re.I
        ),
    ),
    (
        "modify-address",
        _OPERATION_KINDS["modify_pending_order_address"][1],
        re.compile(
            r"\b(?:ship(?:s|ping)?|deliver\w*|redirect|send)\b.{0,60}\baddress\b|\baddress\b.{0,40}\border\b", re.I
        ),
    ),
    (
        "modify-payment",
        _OPERATION_KINDS["modify_pending_order_payment"][1],
        re.compile(r"\b(?:bill|charge|payment|pay)\b.{0,60}\b(?:instead|another|different|move|switch)\b", re.I),
    ),
    (
        "human-request",
        "asks for a human agent",
        re.compile(r"\b(?:human|real person|representative|speak (?:to|with) (?:someone|an? agent))\b", re.I),
    ),
    (
        "order-status",
        "asks where an order is or what its status is",
        re.compile(r"\b(?:where(?:'s| is)|status|tracking|track|shipped|been delivered|arrived?)\b", re.I),
    ),
    (
        "product-question",
        "asks about a product's price or availability",
        re.compile(r"\b(?:how much|price|cost|in stock|available|availability)\b", re.I),
    ),
    (
        "policy-question",
        "asks about a store policy",
        re.compile(r"\b(?:policy|warranty|can I return|how long|allowed)\b", re.I),
    ),
]
_PII = re.compile(
    r"#?W\d{5,}|\b[\w.+-]+@[\w-]+\.[\w.]+\b|\b(?:gift_card|credit_card|paypal)_\d+\b|\b\d{4,}\b|\$?\d+\.\d{2}\b"
)


def method_kind(payment_method_id: str | None) -> str | None:
    """'gift_card_123' -> 'gift card' (the kind only: never the customer's own method id)."""
    if not payment_method_id:
        return None
    for prefix, label in (("gift_card", "gift card"), ("paypal", "PayPal"), ("credit_card", "credit card")):
        if payment_method_id.startswith(prefix):
            return label
    return "another method"


def scrub(text: str) -> str:
    """Remove order ids, e-mails, method ids, long numbers and amounts from a generic summary."""
    return re.sub(r"\s{2,}", " ", _PII.sub("…", text)).strip()


def kinds_in_text(text: str) -> list[tuple[str, str]]:
    """(key, label) of every kind of request the words suggest, faults first."""
    kinds = [("troubleshooting", "reports a product fault and asks for help")] if reported_problems(text) else []
    return kinds + [(key, label) for key, label, pattern in _TEXT_KINDS if pattern.search(text)]


def request_kind(ticket: Ticket, result: Result) -> tuple[str, str]:
    """What the ticket was: its first store operation if it made one, else what its words say."""
    for action in result.actions:
        if action.name in _OPERATION_KINDS:
            return _OPERATION_KINDS[action.name]
    kinds = kinds_in_text(ticket.body)
    return kinds[0] if kinds else ("other", "other request")


def describe_request(text: str) -> str | None:
    """A new ticket described the way resolution summaries begin ('Request: ...'), so that
    similar past resolutions are found by meaning rather than by the customer's exact words.
    None when no kind of request is recognised: then nothing is similar enough to be useful."""
    kinds = kinds_in_text(text)
    if not kinds:
        return None
    problems = reported_problems(text)
    described = "Request: " + "; ".join(label for _, label in kinds[:3]) + "."
    if problems:
        described += " Problem: " + "; ".join(f"{p} {f}" for p, f in problems[:2]) + "."
    return described


def summarize_resolution(ticket: Ticket, result: Result) -> ResolutionSummary:
    """How this kind of request was handled and how it ended, with no customer data."""
    kind, label = request_kind(ticket, result)
    parts = [f"Request: {label}."]
    problems = reported_problems(ticket.body)
    if kind == "troubleshooting" and problems:
        parts.append("Problem: " + "; ".join(f"{product} {fault}" for product, fault in problems[:2]) + ".")
    steps = []
    for action in result.actions:
        method = method_kind(str(action.arguments.get("payment_method_id") or "")) if action.arguments else None
        step = action.name + (f" (via {method})" if method else "") + f" -> {action.status}"
        if action.error:
            step += f" ({scrub(action.error)[:80]})"
        steps.append(step)
    if steps:
        parts.append("Steps: " + "; ".join(steps) + ".")
    if result.agents:
        parts.append("Handled by: " + ", ".join(dict.fromkeys(result.agents)) + ".")
    if result.escalation is not None:
        parts.append(f"Escalated ({result.escalation.priority}): {scrub(result.escalation.reason)[:120]}.")
    parts.append(f"Outcome: {result.outcome}.")
    return ResolutionSummary(kind=kind, text=" ".join(parts))


def _customer_text(ticket: Ticket) -> str:
    earlier = [m.body for m in ticket.thread if m.role == "customer"]
    return "\n".join([*earlier, ticket.subject or "", ticket.body])


def _outcome_fact(ticket: Ticket, result: Result) -> Fact:
    steps = []
    for action in result.actions:
        args = action.arguments or {}
        target = args.get("order_id") or args.get("user_id") or ""
        method = args.get("payment_method_id")
        step = f"{action.name} {target}".strip()
        if method:
            step += f" (payment method {method})"
        step += f": {action.status}"
        if action.error:
            step += f" ({action.error[:100]})"
        steps.append(step)
    text = f"Earlier ticket {ticket.id}: outcome {result.outcome}"
    if steps:
        text += "; " + "; ".join(steps)
    if result.approvals:
        text += "; awaiting approval: " + ", ".join(f"{a.operation} ${a.amount:.2f}" for a in result.approvals)
    if result.escalation is not None:
        text += f"; escalated: {result.escalation.reason}"
    return Fact(
        kind="outcome", text=text + ".", importance=0.5, metadata={"ticket_id": ticket.id, "outcome": result.outcome}
    )


def _preference_fact(ticket: Ticket, preference: Preference) -> Fact:
    """A standing preference in the canonical words `memory.preferences.parse` reads back, keyed
    by what it is about so that a newer one of the same kind replaces it."""
    canonical = preference.canonical()
    return Fact(
        kind="preference",
        key=preference.about,
        importance=0.9,
        text=f"Stated in ticket {ticket.id}: {canonical}",
        metadata={"ticket_id": ticket.id, "value": canonical, "about": preference.about},
    )


def extract_customer_facts(ticket: Ticket, result: Result, product_names: Iterable[str] | None = None) -> list[Fact]:
    """The notes worth keeping about this ticket's customer."""
    text = _customer_text(ticket)
    facts = [_preference_fact(ticket, preference) for preference in standing_preferences(text)]
    language = language_of(text)
    if language:
        facts.append(
            Fact(
                kind="language",
                key="language",
                importance=0.6,
                text=f"Writes in {language} (ticket {ticket.id})",
                metadata={"ticket_id": ticket.id, "value": language},
            )
        )
    tones = tone_of(text)
    if tones:
        facts.append(
            Fact(
                kind="tone",
                importance=0.6,
                text=f"Tone in ticket {ticket.id}: {', '.join(tones)}",
                metadata={"ticket_id": ticket.id, "value": ", ".join(tones)},
            )
        )
    for product, fault in reported_problems(text, product_names):
        facts.append(
            Fact(
                kind="problem",
                importance=0.7,
                text=f"Problem reported in ticket {ticket.id}: {product} - {fault}",
                metadata={"ticket_id": ticket.id, "product": product, "value": fault},
            )
        )
    facts.append(_outcome_fact(ticket, result))
    return facts
