"""The last look before a write: does the write agree with what the customer wrote?

The playbooks build a write from their reading of a request; this check reads the request's words
again, independently, for two things a write must never contradict:
- items the customer keeps: named after an exception ('everything except the phone') or in a
  keeping clause ('the phone stays with me', 'je garde le skateboard', 'die beiden behalte ich');
- where the money goes: when the request names payment methods, a refund or charge goes to one
  of them (or to the method the order was paid with, when they say so), never to another.
A write that contradicts either is not made: the request ends with a question back, so a reading
that went wrong costs a reply, not the customer's money."""

from __future__ import annotations

import re
from typing import Any

from offline_model.playbooks.facts import original_payment
from offline_model.protocol import ToolCall
from offline_model.understanding import conditions, extract, language, matching
from offline_model.understanding.acted_on import acted_on_text, kept_clauses, until_contrast
from offline_model.understanding.text import fold

ITEM_WRITES = ("return_delivered_order_items", "exchange_delivered_order_items", "modify_pending_order_items")
PAYING_WRITES = (*ITEM_WRITES, "modify_pending_order_payment")

# The clause after an exception marker, up to the end of its sentence.
_EXCEPTED = re.compile(
    r"\b(?:except(?:ing)?|excluding|but\s+not|other\s+than|apart\s+from|aside\s+from|all\s+but|everything\s+but|"
    r"sauf|excepte|hormis|ausser|außer|ausgenommen|bis\s+auf|excepto|salvo|menos|tranne|eccetto|exceto|"
    r"exception|ausnahme|excepcion|eccezione|excecao)\b([^.;!?]*)"
)
ORDER_WRITES = ("cancel_pending_order", "modify_pending_order_address", "modify_pending_order_payment")


# How the order was paid ('I paid for it with a gift card'): a fact, not where the money should go.
_PAID_WITH = re.compile(
    r"\b(?:paid|bought|purchased|ordered|charged|pague|paye|bezahlt|pagato|paguei)\b(?:\s+[\w']+){0,5}?\s+"
    r"(?:with|by|using|on|via|avec|mit|con|com)\s+(?:\w+\s+){0,2}$"
)


# A request taken back later in the ticket: 'scratch that', 'no, wait - don't', 'changed my mind -
# it stays', 'olviden lo anterior', 'laissez tomber'. Not 'leave that alone' or 'it stays' alone:
# customers say those of another order or item far more often than of the one they asked about.
_TAKEN_BACK = re.compile(
    r"\bscratch\s+that\b|\bnever\s*mind\b|\bforget\s+(?:what\s+i\s+(?:said|wrote|asked)|(?:my|the)\s+(?:last|previous)\s+"
    r"(?:message|request))\b|\bon\s+second\s+thoughts?\b|\b(?:no|hmm|ok|okay|actually)[,.!]*\s+(?:wait|don'?t|do\s+not)\b|"
    r"\bdon'?t\s+(?:do\s+(?:it|that)|bother)\b|\bchanged\s+my\s+mind\b[^.;!?]{0,12}\b(?:it|that)\s+(?:stays|can\s+stay)\b|"
    r"\bolvid\w+\s+lo\s+anterior\b|\bmejor\s+no\b|\blaisse[zr]?\s+tomber\b|\bvergessen\s+sie\s+(?:das|es)\b|"
    r"\blasciate\s+perdere\b|\besque[cç]am\s+(?:isso|o\s+que)\b|"
    # 'so no return needed, please don't start one'
    r"\bno\s+(?:return|cancellation|exchange|change|refund)s?\s+(?:is\s+)?(?:needed|necessary|required)\b|"
    r"\b(?:don'?t|do\s+not)\s+(?:start|open|process)\s+(?:one|it|a\s+(?:return|cancellation|exchange))\b"
)


def taken_back(text: str) -> str | None:
    """Words after the first action of the ticket that take a request back, or None."""
    folded = fold(" ".join(text.split()))
    first = _ANY_ACTION.search(folded)
    if first is None:
        return None
    found = _TAKEN_BACK.search(folded, first.end())
    return found.group(0) if found else None


_ANY_ACTION = re.compile(
    r"\b(?:cancel\w*|return\w*|send\w*\s+(?:\w+\s+){0,3}back|exchang\w*|swap\w*|chang\w*|switch\w*|refund\w*|"
    r"annul\w*|stornier\w*|devol\w*|cambi\w*|restitu\w*|renvoy\w*|troc\w*)\b"
)


def contradiction(
    call: ToolCall,
    text: str,
    order: dict[str, Any] | None,
    methods: list[dict[str, Any]],
    ticket_text: str = "",
) -> str | None:
    """Why this write contradicts the request's words (or the ticket's, which may take it back),
    or None when it does not."""
    retraction = taken_back(ticket_text or text)
    if retraction is not None:
        return f"the customer takes a request back ('{retraction}')"
    if call.name in ITEM_WRITES and order is not None:
        kept = _kept_items(text, order, call)
        if kept:
            return f"the write would touch {', '.join(kept)}, which the customer keeps"
        describing = _only_describing(text, order, call)
        if describing:
            return f"the write would touch {', '.join(describing)}, named only to say which order is meant"
    if call.name in ORDER_WRITES and order is not None:
        excepted = _excepted_order(text, order)
        if excepted:
            return f"the write would change {order.get('order_id')}, which the customer excepts ({excepted})"
    if call.name in PAYING_WRITES:
        return _payment_elsewhere(call, text, order, methods)
    return None


def _excepted_order(text: str, order: dict[str, Any]) -> str | None:
    """The excepting or keeping clause that describes this order by its items ('every pending order,
    with one exception - the one with the skateboard'), if any."""
    names = list(dict.fromkeys(str(i.get("name", "")) for i in order.get("items") or []))
    for clause in _keeping_clauses(text):
        if matching.item_mentions(clause, names):
            return " ".join(clause.split())[:80]
    return None


_WHOLE = re.compile(r"\b(?:everything|all\s+of\s+(?:it|them)|the\s+whole\s+(?:order|thing|lot|box))\b")
_BUT = re.compile(r"\b(?:except|but|other\s+than|besides|apart\s+from|save|excluding|else)\b")
# Words that make option values name items: 'the grey one', 'everything white', 'all the black ones'.
_STANDS_FOR_ITEMS = re.compile(r"\b(?:ones?|everything|all|items?|things?|pairs?|those|these)\b")


def _kept_items(text: str, order: dict[str, Any], call: ToolCall) -> list[str]:
    items = {str(i.get("item_id")): str(i.get("name", "")) for i in order.get("items") or []}
    names = list(dict.fromkeys(items.values()))
    lang = language.detect(text)
    touched = [str(i) for i in call.arguments.get("item_ids") or []]
    kept: set[str] = set()
    for clause in _keeping_clauses(text):
        named = {m.name for m in matching.item_mentions(clause, names, lang)}
        if named:
            # a name kept once but written twice ('keep one of the two bottles') is for the playbook to tell
            kept |= {items[i] for i in touched if items.get(i) in named and _all_of_name(items, i, touched)}
        else:
            kept |= _kept_unnamed(clause, order, items, touched)
    return sorted(kept)


def _kept_unnamed(clause: str, order: dict[str, Any], items: dict[str, str], touched: list[str]) -> set[str]:
    """What a keeping clause that names no item keeps of the items written: all of them ('everything
    in that order stays with me'; not 'keep everything except the lamp'), those its options name
    ('the grey polyester one is perfect', 'everything white is staying'), or, when it keeps one of
    several same-named items by words no option places, the clause itself."""
    folded = fold(clause)
    by_options = matching.items_by_options(folded, order.get("items") or [])
    if _WHOLE.search(folded) and not _BUT.search(folded) and by_options.problem == "missing":
        return {items[i] for i in touched if i in items}
    if not _STANDS_FOR_ITEMS.search(folded):
        return set()  # 'keeping the 80% size' keeps an option of the item changed, not an item
    fitting = by_options.value or by_options.extra.get("candidates") or []
    kept = {items[str(i.get("item_id"))] for i in fitting if str(i.get("item_id")) in touched}
    # 'three pairs of earbuds ... I'll keep the pair with the longest battery life': one of them is
    # kept, and a write of all of them is held back
    takes_all = any(_all_of_name(items, i, touched) for i in touched if _shared_name(items, i))
    if not fitting and re.search(r"\b(?:one|pair)\b", folded) and takes_all:
        kept.add(" ".join(clause.split())[:60])
    return kept


def _only_describing(text: str, order: dict[str, Any], call: ToolCall) -> list[str]:
    """Written items whose name appears only where the request says which order it means ('the one
    with the laptop'), not where it can name what to act on (understanding/acted_on.py)."""
    if conditions.exception_in(text) is not None:
        return []  # 'everything except the phone': the items written are the ones not named (kept: above)
    items = {str(i.get("item_id")): str(i.get("name", "")) for i in order.get("items") or []}
    names = list(dict.fromkeys(items.values()))
    everywhere = {m.name for m in matching.item_mentions(text, names)}
    acted_on = acted_on_text(text, with_story=True)
    outside = {m.name for m in matching.item_mentions(acted_on, names)}
    # 'the order has two keyboards; change the linear one': the request names it by its options
    by_options = matching.items_by_options(fold(acted_on), order.get("items") or [])
    outside |= {str(i.get("name", "")) for i in by_options.value or []}
    touched = {items.get(str(i), "") for i in call.arguments.get("item_ids") or []}
    return sorted(n for n in touched if n in everywhere and n not in outside)


def _keeping_clauses(text: str) -> list[str]:
    """The clauses after an exception marker (up to a contrast) and the clauses that keep something."""
    folded = fold(" ".join(text.split()))
    return [until_contrast(m.group(1)) for m in _EXCEPTED.finditer(folded)] + kept_clauses(text)


def _shared_name(items: dict[str, str], item_id: str) -> bool:
    return sum(1 for name in items.values() if name == items.get(item_id)) > 1


def _all_of_name(items: dict[str, str], item_id: str, touched: list[str]) -> bool:
    """Every item of this name in the order is written: none of them can be the one kept."""
    same = [i for i, name in items.items() if name == items[item_id]]
    return all(i in touched for i in same)


def _payment_elsewhere(
    call: ToolCall, text: str, order: dict[str, Any] | None, methods: list[dict[str, Any]]
) -> str | None:
    chosen = call.arguments.get("payment_method_id")
    folded = fold(text)
    every_ref = extract.payment_refs(text)
    if chosen in matching.refused_methods(every_ref, methods):
        return f"the money would go to {chosen}, which the customer refuses"
    refs = [r for r in every_ref if not r.negated and not _PAID_WITH.search(folded[: r.start])]
    if not chosen or not refs:
        return None
    if not methods:  # the methods were not read: what kind of method each is still shows in its id
        if any(r.original or r.source is None for r in refs):
            return None
        sources = {r.source for r in refs if r.source is not None}
        if str(chosen).startswith(tuple(sources)):
            return None
        return f"the money would go to {chosen}, but the customer named only {', '.join(sorted(sources))}"
    original = original_payment(order) if order else None
    named: set[str] = set()
    for ref in refs:
        if ref.original:
            if original is None:
                return None  # 'the card I paid with' on an order this check cannot see
            named.add(original)
            continue
        described = matching.methods_described(ref, methods)
        if not described:
            return None  # a method the check cannot place: the playbook's own reading decides
        named.update(str(m.get("id")) for m in described)
    if str(chosen) in named:
        return None
    return f"the money would go to {chosen}, but the customer named {', '.join(sorted(named))}"
