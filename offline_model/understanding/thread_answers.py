"""The latest message of a thread read as an answer to the earlier one: one that declines what was
asked before ('we're going to keep that order after all'), or corrects its words ('the house number
is 48, not 84'). The earlier request is then not acted on as first written."""

from __future__ import annotations

import re

from offline_model.understanding.acted_on import kept_clauses
from offline_model.understanding.text import blocks, fold, sentence_units

_DECLINES = re.compile(
    r"\b(?:please\s+)?(?:ignore|disregard)\s+(?:it|that|this|the\s+(?:message|email|request)|my\s+(?:\w+\s+)?(?:message|email|request))\b|"
    r"\bnever\s*mind\b|\bscratch\s+that\b|\bforget\s+(?:it|about\s+it|my\s+(?:\w+\s+)?(?:message|request))\b|"
    r"\b(?:don'?t|do\s+not)\s+(?:do|change|cancel|return|touch)\s+(?:anything|it|that|them)\b|\bhold\s+off\b|"
    r"\b(?:stays?|remain)\s+(?:exactly\s+)?as\s+(?:it\s+is|is)\b|\bno\s+longer\s+(?:needed|necessary)\b"
)
# 'the house number is 48, not 84', 'Juniper Court instead of Juniper Street', 'that was a typo'
_CORRECTING = re.compile(r"\b(?:not|instead\s+of|rather\s+than)\s+([\w#.-]+)")
_CORRECTION_WORDS = re.compile(
    # 'only the sneakers for now': less than was asked before
    r"^\W*(?:(?:no|yes|ok|okay|actually|sorry)\W+)*(?:only|just)\s+(?:the|my|that|this|one)\b|"
    r"\btypo\b|\bmisspel\w*|\bshould\s+(?:read|say)\b|\bwrong\s+(?:house\s+)?(?:number|street|zip|postcode|city|"
    r"apartment|apt|unit|suite|digit|name)\b"
)
_FILLER = {"the", "a", "an", "my", "that", "this", "it", "to", "at", "on", "in", "yet", "sure", "really", "quite"}


def declines(body: str) -> bool:
    """The answer takes the earlier request back or keeps what it would have changed."""
    folded = fold(" ".join(body.split()))
    return bool(_DECLINES.search(folded) or any(sentence for sentence in kept_clauses(body)))


def corrects(body: str, earlier: str) -> str | None:
    """The sentence of the answer that corrects words of the earlier message, or None."""
    before = set(re.findall(r"[\w#.-]+", fold(earlier)))
    for block in blocks(body):
        for sentence, _ in sentence_units(block):
            folded = fold(" ".join(sentence.split()))
            replaced = [m.group(1).strip(".") for m in _CORRECTING.finditer(folded)]
            if _CORRECTION_WORDS.search(folded) or any(w in before and w not in _FILLER for w in replaced):
                return " ".join(sentence.split())
    return None
