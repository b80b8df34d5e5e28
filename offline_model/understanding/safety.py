"""Tickets that must not be acted on as written: instructions aimed at the agents (prompt
injection), and text that is not a message at all (gibberish)."""

from __future__ import annotations

import re

from offline_model.understanding import embedder
from offline_model.understanding.language import _SETS
from offline_model.understanding.text import fold

_INJECTION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|your\s+|the\s+|my\s+)?(?:previous|prior|above|earlier|original|system)?\s*(?:instructions|rules|prompts?|guidelines|policies)",
        r"#{2,}\s*system|\[\s*system\s*\]|<\s*/?\s*system\s*>|\bsystem\s+(?:message|prompt|override|notice)\b",
        r"\b(?:assistant|agent|ai|model|bot)\s+instructions?\b|\binstructions?\s+(?:to|for)\s+the\s+(?:assistant|agent|ai|model|bot)\b",
        r"\byou\s+are\s+now\b|\bentering\s+\w+\s+mode\b|\bdeveloper\s+mode\b|\bjailbreak",
        r"\b(?:do\s+not|don't)\s+(?:mention|reveal|tell)\s+(?:this|the\s+customer|anyone)",
        r"\bskip\s+(?:any|the|all)?\s*(?:approval|verification|checks?)\b|\bbypass\b|\bwithout\s+(?:any\s+)?approval\b",
        r"\b(?:authori[sz]ed|approved|verified)\s+(?:by|as)\s+(?:your|the|a)\s+(?:store\s+)?(?:administrator|admin|manager|supervisor|system)",
        r"\breply\s+only\s+with\b|\brespond\s+only\s+with\b",
        r"\b(?:execute|call|run|invoke)\s+(?:the\s+)?(?:tool\s+)?[a-z]+_[a-z_]+\b",
        r"\b(?:cancel_pending_order|modify_pending_order_\w+|return_delivered_order_items|exchange_delivered_order_items|modify_user_address|escalate_to_human)\b",
        r"\b(?:gift_card|paypal|credit_card)_\d{5,}\b",
        # a pasted staff note that pre-authorises something and routes around the approval process
        r"\bpre-?(?:authori[sz]ed|approved|cleared)\b|\bapproval\s+queue\b|"
        r"\b(?:do\s+not|don'?t|no\s+need\s+to)\s+(?:route|send|forward|escalate|queue|hold)\b[^.\n]{0,40}\b(?:approval|review|queue)\b",
        r"(?m)^\s*(?:[>\[#*=<-]{2,}|\[)\s*(?:internal|system|admin|staff|supervisor|manager|agent)\b",
        r"(?m)^\s*(?:agent|assistant|ai|bot|support\s+agent)\s*:\s*(?:do|don'?t|please|you|apply|issue|refund|ignore)\b",
    )
]


def injection_signals(text: str) -> list[str]:
    """The phrases that look like instructions to the agents rather than a customer's request."""
    found: list[str] = []
    for pattern in _INJECTION:
        match = pattern.search(text)
        if match:
            found.append(match.group(0))
    return found


def is_injection(text: str) -> bool:
    return bool(injection_signals(text))


def is_gibberish(text: str) -> bool:
    """Mostly strings that are no word in English or the other supported languages."""
    tokens = [t for t in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text) if len(t) >= 2]
    if not tokens:
        return True
    vocabulary = embedder.vocabulary()
    stopwords = set().union(*_SETS.values())
    known = [t for t in tokens if fold(t) in vocabulary or fold(t) in stopwords]
    # repeated keyboard runs ('hjkl hjkl', 'nnnn') are not words even when the vocabulary has them
    known = [t for t in known if not re.fullmatch(r"(.)\1{2,}", t.lower())]
    return len(known) < 3 or len(known) / len(tokens) < 0.6
