"""Standing preferences as the offline model reads and applies them: stated in this ticket, or
recalled from the customer's memory (where `memory.customer_facts` stored what the same parser,
`memory.preferences`, read in an earlier ticket).

A preference decides what a request leaves open: where a refund or a price difference coming back
goes, which method pays an extra charge, the language of the reply. What a request says itself
("this time, put it on my Visa") wins; a preference stated in this ticket wins over a recalled one.
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.preferences import (
    CHARGE_METHOD,
    REFUND_METHOD,
    REPLY_LANGUAGE,
    Method,
    parse,
    residue,
    standing_preferences,
)
from memory.preferences import Preference as StandingPreference
from offline_model.understanding import extract

REFUND = "refund"  # money the store pays the customer
CHARGE = "charge"  # money the customer pays the store
_ABOUT_OF_FLOW = {REFUND: REFUND_METHOD, CHARGE: CHARGE_METHOD}


@dataclass(frozen=True)
class Preference:
    """A standing preference with its method as the payment reference the matcher resolves."""

    about: str  # memory.preferences.ABOUTS
    words: str
    payment: extract.PaymentRef | None = None
    replaces: extract.PaymentRef | None = None
    language: str | None = None


def payment_ref(method: Method) -> extract.PaymentRef:
    if method.kind == "original":
        return extract.PaymentRef(None, original=True)
    return extract.PaymentRef(method.kind, method.brand, method.last_four)


def _typed(found: StandingPreference) -> Preference:
    return Preference(
        found.about,
        found.words,
        payment_ref(found.method) if found.method else None,
        payment_ref(found.replaces) if found.replaces else None,
        found.language,
    )


def typed(words: str, *, standing_known: bool = False) -> list[Preference]:
    """The preferences one sentence states, with payment references."""
    return [_typed(p) for p in parse(words, standing_known=standing_known)]


def sort_of(words: str) -> str | None:
    """The sort of a part the reading found standing: what its preference is about, when the
    words state one the model can apply (a method or a language it wants)."""
    found = typed(words, standing_known=True)
    return found[0].about if found else None


def standing_sort(words: str) -> str | None:
    """The same, for words the caller has not found standing (a condition inside a sentence)."""
    found = typed(words)
    return found[0].about if found else None


def beside_preference(sentence: str) -> str | None:
    """What a sentence says besides the standing preferences it states ('' when nothing), or None
    when it states none (or names an order: then it is about that order)."""
    if extract.order_ids(sentence) or not parse(sentence):
        return None
    return residue(sentence)


def in_text(text: str) -> list[Preference]:
    """The preferences a text states, the latest first for each kind."""
    return [_typed(p) for p in standing_preferences(text)]


def recalled(text: str) -> list[Preference]:
    """Preferences in recalled memory lines, newest first (memory lists them so)."""
    found: list[Preference] = []
    for line in text.splitlines():
        found.extend(p for p in typed(line) if p.about not in {f.about for f in found})
    return found


def flow_of(difference: float) -> str | None:
    """Which way a price difference moves money: a positive one is charged, a negative one refunded."""
    if difference > 0:
        return CHARGE
    return REFUND if difference < 0 else None


def payment_for(flow: str, stated_text: str, recalled_text: str) -> Preference | None:
    """The preference that decides where money of this flow goes: this ticket's, else memory's."""
    about = _ABOUT_OF_FLOW.get(flow)
    for preference in [*in_text(stated_text), *recalled(recalled_text)]:
        if preference.about == about and preference.payment is not None:
            return preference
    return None


def reply_language(stated_text: str, recalled_text: str) -> str | None:
    for preference in [*in_text(stated_text), *recalled(recalled_text)]:
        if preference.about == REPLY_LANGUAGE and preference.language:
            return preference.language
    return None
