"""Matching what the customer described against what the tools returned.

Items against an order's items, wanted variants against a product's variants, payment methods in
words against the customer's payment methods. Every function answers with a match, or with why
there is none (nothing fits, or several fit), so the playbook can ask instead of guessing."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Any

from offline_model.understanding import language, lexicon
from offline_model.understanding.extract import PaymentRef
from offline_model.understanding.options import Mention, find_mentions, option_space, waived_options
from offline_model.understanding.text import fold

_WHOLE_ORDER = re.compile(
    r"\b(?:whole|entire|full|complete)\s+order\b|\beverything\s+(?:in|from)\s+(?:the|that|this|my)\s+order\b|"
    r"\ball\s+(?:the\s+)?(?:items|of\s+it|products|things)\b|\beverything\b(?!\s+else)",
)
# 'one of them', 'just one of the two', 'l'un d'eux', 'einen davon', 'uno de ellos', 'uno dei due', 'um deles'
_ONE_OF_THEM = re.compile(
    r"\b(?:(?:only|just)\s+)?one\s+of\s+(?:them|those|these|the\s+two)\b|\bl'?une?\s+(?:d'?(?:eux|elles)|des\s+deux)\b|"
    r"\b(?:einen|eine|eins)\s+(?:davon|der\s+beiden)\b|\b(?:un[oa]?)\s+(?:de\s+(?:ellos|ellas|los\s+dos)|"
    r"di\s+(?:loro|essi)|dei\s+due|delle\s+due)\b|\bum[a]?\s+(?:deles|delas|dos\s+dois|das\s+duas)\b"
)
_ALL_OF_THEM = re.compile(r"\b(?:both|all|two|three|four|each\s+of\s+the)\b")
_ONE_OF = re.compile(r"\bone\s+of\b")
# Short names customers use for products ('the kettle', 'my earbuds'): the last word of the name.
_HEAD_EXCEPTIONS = {"set", "kit", "machine", "maker", "cleaner"}


@dataclass
class Match:
    """A result with the reason when there is none: 'missing' (not described) or 'ambiguous'."""

    value: Any = None
    problem: str | None = None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None


# --- items of an order --------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemMention:
    name: str  # the product name as the order has it
    start: int
    end: int
    plural: bool
    quantifier: bool


def _name_forms(name: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Ways to write a product name (regex over folded text), each with whether it is plural: the
    full forms (the name, its other-language names), then the short ones (its head word, everyday
    aliases), used only when no other item shares the head word."""
    folded = fold(name)
    words = [re.escape(w) for w in re.split(r"[\s-]+", folded)]
    joined = r"[\s-]*".join(words)
    forms = [(rf"{joined}(?:es|s)", True), (joined, False)]
    # another language's full name ('bouilloire électrique') is as telling as the name itself
    for alias in lexicon.NAMES.get(folded, ()):
        # an adjective before the noun takes its language's endings ('kabellosen Ohrhörer', 'sans fils')
        parts = alias.split()
        alias_words = r"[\s-]*".join([*(rf"{re.escape(w)}\w{{0,2}}" for w in parts[:-1]), re.escape(parts[-1])])
        forms += [(rf"{alias_words}(?:es|s)", True), (alias_words, False)]
    short: list[tuple[str, bool]] = []
    head = words[-1]
    if len(words) > 1 and head not in _HEAD_EXCEPTIONS:
        short += [(rf"{head}(?:es|s)", True), (head, False)]
    if len(words) > 1 and head in _HEAD_EXCEPTIONS:
        short += [(rf"{words[-2]}(?:es|s)", True), (words[-2], False)]
    for alias in _ALIASES.get(folded, ()):
        alias_words = r"[\s-]*".join(re.escape(w) for w in alias.split())
        short += [(rf"{alias_words}(?:es|s)", True), (alias_words, False)]
    return forms, short


# Everyday words for catalog products (matched only against names the tools returned).
_ALIASES: dict[str, tuple[str, ...]] = {
    "bicycle": ("bike",),
    "smartphone": ("phone", "cellphone", "cell phone", "mobile phone"),
    "coffee maker": ("coffee machine",),
    "grill": ("bbq", "barbecue"),
    "bookshelf": ("bookcase", "shelf"),
    "luggage set": ("suitcase", "luggage"),
    "pet bed": ("dog bed", "cat bed"),
    "e-reader": ("ereader", "kindle", "ebook reader"),
    "portable charger": ("power bank", "powerbank"),
    "indoor security camera": ("security camera", "security cam", "webcam"),
    "wireless earbuds": ("earphones", "ear buds"),
    "wristwatch": ("wrist watch", "watch"),
    "vacuum cleaner": ("hoover",),
    "mechanical keyboard": ("keyboard",),
    "t-shirt": ("tee", "shirt"),
    "led light bulb": ("light bulb", "lightbulb"),
    "electric toothbrush": ("toothbrush",),
    "patio umbrella": ("umbrella", "parasol"),
    "smart thermostat": ("thermostat",),
    "dumbbell set": ("dumbbells", "weights"),
    "makeup kit": ("make-up kit", "make up kit", "makeup"),
    "running shoes": ("runners", "running shoe"),
    "hiking boots": ("boots", "hiking boot"),
    "fleece jacket": ("fleece",),
}


def item_mentions(text: str, names: list[str], lang: str | None = None) -> list[ItemMention]:
    """Where each product name is written in the text: in full (or plural) first, then by its last
    word ('the kettle') when no other item of the order shares that word. `lang`: the language of
    the ticket the text is cut from, when the text is too short to tell ('Je garde les lunettes.')."""
    folded = fold(text)
    found: list[ItemMention] = []
    taken: list[tuple[int, int]] = []
    distinct = sorted(set(names), key=lambda n: (-len(n), n))

    def add(name: str, pattern: str, plural: bool) -> None:
        for match in re.finditer(rf"(?<![\w-]){pattern}(?![\w-])", folded):
            if any(match.start() < e and match.end() > s for s, e in taken):
                continue
            # searched in place, not in a slice: a slice starting inside 'small' would read 'all'
            window = (folded, max(0, match.start() - 20), match.start())
            one_of = bool(_ONE_OF.search(*window))  # 'one of the two bottles' is one
            quantifier = bool(_ALL_OF_THEM.search(*window)) and not one_of
            found.append(ItemMention(name, match.start(), match.end(), plural and not one_of, quantifier))
            taken.append((match.start(), match.end()))

    for name in distinct:
        for pattern, plural in _name_forms(name)[0]:
            add(name, pattern, plural)
    for name in distinct:
        if sum(1 for other in distinct if _short_form(other) == _short_form(name)) > 1:
            continue
        for pattern, plural in _name_forms(name)[1]:
            add(name, pattern, plural)
    for name, pattern in _foreign_head_patterns(lang or language.detect(text), distinct):
        add(name, pattern, False)
    # 'the black bluetooth speker': a full name with one slip of the keyboard in one long word
    for name in [n for n in distinct if not any(m.name == n for m in found)]:
        for start, end in _misspelt(folded, name):
            add(name, re.escape(folded[start:end]), False)
    found.sort(key=lambda m: m.start)
    return found


def _misspelt(folded: str, name: str) -> list[tuple[int, int]]:
    """Where a name of several words is written with one word of six letters or more one edit away
    from its own (a letter missing, extra, swapped or wrong); every other word as it is."""
    words = re.split(r"[\s-]+", fold(name))
    if len(words) < 2:
        return []  # a one-word name one edit away is as often another word ('speakers' for 'sneakers')
    tokens = list(re.finditer(r"[\w']+", folded))
    spans = []
    for n in range(len(tokens) - len(words) + 1):
        window = tokens[n : n + len(words)]
        slips = [(t.group(0), w) for t, w in zip(window, words, strict=True) if t.group(0) != w]
        if len(slips) == 1 and len(slips[0][1]) >= 6 and _one_edit(*slips[0]):
            spans.append((window[0].start(), window[-1].end()))
    return spans


def _one_edit(a: str, b: str) -> bool:
    """Whether two words differ by one letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _foreign_head_patterns(lang: str, distinct: list[str]) -> list[tuple[str, str]]:
    """'la lampada bianca', 'la veste': another language's head noun, in a text of that language
    ('batterie' is a charger in French, not in 'AA batteries'), when no other item shares it."""
    if lang == "en":
        return []
    heads = {name: _foreign_heads(name) for name in distinct}
    return [
        (name, rf"{re.escape(head)}(?:s|es|i|e)?")
        for name in distinct
        for head in heads[name]
        if not any(head in heads[other] or head == _short_form(other) for other in distinct if other != name)
    ]


def _foreign_heads(name: str) -> set[str]:
    """The head nouns of a product's names in French, Spanish, Italian and Portuguese, which come
    first ('lampada da scrivania' -> 'lampada'), when they are not the English head word."""
    english = set(fold(name).split())
    return {
        alias.split()[0]
        for alias in lexicon.NAMES.get(fold(name), ())
        if " " in alias and len(alias.split()[0]) > 3 and alias.split()[0] not in english
    }


def _short_form(name: str) -> str:
    words = fold(name).split()
    return words[-2] if len(words) > 1 and words[-1] in _HEAD_EXCEPTIONS else words[-1]


def _qualifier_texts(folded: str, mention: ItemMention, next_start: int) -> list[str]:
    """Words that may tell which of several same-named items is meant, most telling first: a
    parenthesis after the name ('the Speaker (green)'), the words right before it ('the blue
    Speaker'), then the words after it up to where the wanted version starts ('the one in size
    XS, for ...')."""
    after = folded[mention.end : next_start]
    texts = []
    paren = re.match(r"^\s*\(([^)]*)\)", after)
    if paren:
        texts.append(paren.group(1))
    before = folded[max(0, mention.start - 40) : mention.start]
    texts.append(re.split(r"\b(?:the|my|both|and|,|return|exchange|swap|switch|change|get|replace)\b", before)[-1])
    if not paren:
        tail = re.split(
            r"\b(?:for|to|into|with\s+the\s+refund|instead|in\s+the|from\s+order|in\s+order|from\s+my|from\s+#)\b|[,;.?]",
            after,
        )[0]
        texts.append(tail)
    return texts


# An item named as the object of 'for'/'to' after a change of a pronoun: 'swap it for the glass kettle'.
_WANTED_VERSION = re.compile(
    r"\b(?:swap|exchange|switch|change|replace|trade|upgrade)\w*\s+(?:it|them|this|that|these|those|this\s+one|"
    r"that\s+one)\s+(?:out\s+)?(?:for|to|into|with)\s+(?:the|a|an|one\s+of\s+the)?\s*(?:[\w.%-]+\s+){0,4}$"
)


_SAME_PRODUCT = re.compile(r"\b(?:same|identical)\s+(?:[\w-]+\s+){0,2}$")


def select_items(text: str, items: list[dict[str, Any]], *, for_change: bool = False) -> Match:
    """The order items the text refers to.

    Returns Match(value=[item, ...]) with items in the order's own order (multiplicity kept), or a
    problem: 'missing' when no item is named, 'ambiguous' when a name fits several items and
    nothing tells them apart."""
    if not items:
        return Match(problem="missing", detail="the order has no items")
    folded = fold(text)
    names = [item["name"] for item in items]
    mentions = item_mentions(text, names)
    if for_change:
        wanted = _wanted_versions(folded, mentions)
        mentions = [m for m in mentions if m not in wanted]
        if wanted and not mentions:
            # 'the beige one ... could I exchange it for the same bed in grey?': named by its options
            # outside the version wanted ('for the same bed in grey' names no item of the order)
            by_options = items_by_options(_without_wanted(folded, wanted), items)
            if by_options.ok:
                return by_options
            # 'exchange it for the very same speaker in green': 'it' is the order's only speaker
            same = {m.name for m in wanted if _SAME_PRODUCT.search(folded[max(0, m.start - 30) : m.start])}
            fitting = [item for item in items if item["name"] in same]
            if len(same) == 1 and len({item["item_id"] for item in fitting}) == 1:
                return Match(value=fitting[:1], extra={"mentions": [m for m in wanted if m.name in same][:1]})
            return Match(problem="missing", detail="which item")
    # 'the black fleece jacket ... if you have the same jacket in a medium': the same one again
    mentions = [
        m
        for n, m in enumerate(mentions)
        if not (
            _SAME_PRODUCT.search(folded[max(0, m.start - 30) : m.start]) and any(p.name == m.name for p in mentions[:n])
        )
    ]
    if not mentions:
        return _items_unnamed(folded, items, for_change=for_change)
    chosen: list[int] = []
    for index, mention in enumerate(mentions):
        next_start = mentions[index + 1].start if index + 1 < len(mentions) else len(folded)
        picked = _picked_by(mention, folded, next_start, items)
        if isinstance(picked, Match):
            return picked
        for i in picked:
            if i not in chosen:
                chosen.append(i)
    if len(chosen) > 1 and _ONE_OF_THEM.search(folded) and len({items[i]["name"] for i in chosen}) == 1:
        return _one_of(items, chosen, mentions)
    return Match(value=[items[i] for i in sorted(chosen)], extra={"mentions": mentions})


def _picked_by(mention: ItemMention, folded: str, next_start: int, items: list[dict[str, Any]]) -> list[int] | Match:
    """The items one mention names: its only item, all of them for a plural, or the one its
    qualifiers single out (an ambiguity when nothing does)."""
    candidates = [i for i, item in enumerate(items) if item["name"] == mention.name]
    if len(candidates) == 1:
        return candidates
    if mention.plural or mention.quantifier:
        return _narrow_plural(folded, candidates, items)
    picked = _narrow_by_qualifiers(_qualifier_texts(folded, mention, next_start), items, candidates)
    if len(picked) == 1:
        return picked
    if len({items[i]["item_id"] for i in candidates}) == 1:
        return candidates[:1]
    return Match(problem="ambiguous", detail=mention.name, extra={"candidates": [items[i] for i in candidates]})


def _wanted_versions(folded: str, mentions: list[ItemMention]) -> list[ItemMention]:
    """'swap it for the 2-liter glass kettle': the version wanted, not an item of the order; its
    options are wanted ones too, so 'it' is found where the story names it, or asked about."""
    return [m for m in mentions if _WANTED_VERSION.search(folded[max(0, m.start - 90) : m.start])]


def _without_wanted(folded: str, wanted: list[ItemMention]) -> str:
    """The text with each wanted version ('swap it for the 2-liter glass kettle') blanked out."""
    for mention in wanted:
        window_start = max(0, mention.start - 90)
        found = _WANTED_VERSION.search(folded[window_start : mention.start])
        start = window_start + found.start() if found else mention.start
        folded = folded[:start] + " " * (mention.end - start) + folded[mention.end :]
    return folded


def _one_of(items: list[dict[str, Any]], chosen: list[int], mentions: list[ItemMention]) -> Match:
    """'I got two identical jackets ... return one of them': one unit, if they are the same item."""
    if len({items[i]["item_id"] for i in chosen}) > 1:
        return Match(problem="ambiguous", detail=mentions[0].name, extra={"candidates": [items[i] for i in chosen]})
    return Match(value=[items[sorted(chosen)[0]]], extra={"mentions": mentions})


def _items_unnamed(folded: str, items: list[dict[str, Any]], *, for_change: bool) -> Match:
    """The items a text means without naming any: the whole order ('everything I ordered', not for
    a change), items picked by their options, or an order's only item ('it')."""
    if not for_change and _WHOLE_ORDER.search(folded):
        return Match(value=list(items))
    by_options = items_by_options(folded, items)
    if by_options.ok or by_options.problem == "ambiguous":
        return by_options
    if len(items) == 1 and re.search(r"\b(?:it|this|the\s+item|the\s+product)\b", folded):
        return Match(value=list(items))
    return Match(problem="missing", detail="which item")


def _narrow_plural(folded: str, indexes: list[int], items: list[dict[str, Any]]) -> list[int]:
    """'I have two puzzles; change the 2000-piece one': a plural name names all its items unless
    the text picks some of them by what they are today."""
    candidates = [items[i] for i in indexes]
    space = option_space(candidates)
    mentions = [m for m in find_mentions(folded, space) if m.role != "new"]
    picked = [i for i in indexes if any(items[i]["options"].get(m.key) == m.value for m in mentions)]
    if picked and len(picked) < len(indexes):
        # only when the mention separates them: some items carry the value, others don't
        return picked
    return indexes


def _narrow_by_qualifiers(texts: list[str], items: list[dict[str, Any]], indexes: list[int]) -> list[int]:
    """The first qualifier that singles out items among the candidates decides."""
    for text in texts:
        picked = _narrow_by_options(text, [items[i] for i in indexes], indexes)
        if len(picked) < len(indexes) or len({items[i]["item_id"] for i in picked}) == 1:
            return picked
    return indexes


def _narrow_by_options(qualifier: str, candidates: list[dict[str, Any]], indexes: list[int]) -> list[int]:
    space = option_space(candidates)
    mentions = find_mentions(qualifier, space)
    if not mentions:
        return indexes
    scores = []
    for item in candidates:
        hits = sum(1 for m in mentions if item["options"].get(m.key) == m.value)
        scores.append(hits)
    best = max(scores)
    if best == 0:
        return indexes
    return [indexes[i] for i, s in enumerate(scores) if s == best]


def items_by_options(folded: str, items: list[dict[str, Any]]) -> Match:
    """'the navy one in size XS': items named only by their options (`folded`: text.fold'ed)."""
    space = option_space(items)
    # 'change the linear one to the tactile version': a wanted value describes no item of the order
    mentions = [m for m in find_mentions(folded, space) if m.role != "new"]
    if not mentions:
        return Match(problem="missing", detail="which item")
    scores = [sum(1 for m in mentions if item["options"].get(m.key) == m.value) for item in items]
    best = max(scores)
    if best == 0:
        return Match(problem="missing", detail="which item")
    picked = [item for item, s in zip(items, scores, strict=False) if s == best]
    if len({item["item_id"] for item in picked}) > 1:
        return Match(problem="ambiguous", detail="which item", extra={"candidates": picked})
    if _qualifies_another_thing(folded, mentions, picked[0]):
        return Match(problem="missing", detail="which item")
    return Match(value=picked[:1])


# What may follow an option value that picks an item by its options ('the blue one', 'the navy in XL').
_AFTER_VALUE = re.compile(
    r"(?:ones?|version|variant|model|item|pair|size|colou?r|in|from|of|with|and|or|please|that|which|i|it|for|to|"
    r"too|as|on|at|instead|rather|un|une|celui|celle|eine[nr]?|uno|una|um|uma|de|du|des|von|aus|del|della|do|da)"
)


def _qualifies_another_thing(folded: str, mentions: list[Any], item: dict[str, Any]) -> bool:
    """'the blue earbuds' against an order with a blue hose and no earbuds: every value that picks
    the item qualifies a noun that is not this item, so they do not pick it."""
    name_words = set(fold(str(item.get("name", ""))).split())
    own = [m for m in mentions if item["options"].get(m.key) == m.value]
    return bool(own) and all(_qualifies_other_noun(folded, m, mentions, name_words) for m in own)


def _qualifies_other_noun(folded: str, mention: Any, mentions: list[Any], name_words: set[str]) -> bool:
    following = re.match(r"[\s-]*([a-z]+)", folded[mention.end :])
    if following is None:
        return False
    word = following.group(1)
    if _AFTER_VALUE.fullmatch(word) or word in name_words or word.rstrip("s") in name_words:
        return False
    return not any(mention.end <= m.start <= mention.end + len(word) + 2 for m in mentions)


_WEAK_BREAK = re.compile(r",|\band\b|\bplus\b|\balso\b")
_CLAUSE_BREAK = re.compile(r"\n|[.;?!]\s|,\s*(?:and\s+)?(?=the\b|my\b)|\band\s+(?=the\b|my\b)")


def change_specs(text: str, items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]] | Match:
    """Each item to change, with the part of the text that describes its new version.

    The text is cut between item names at the last clause break before each name, so 'change the
    capacity of the Kettle from 1L to 2L' keeps its words before the name, and bulleted lines
    stay apart."""
    selection = select_items(text, items, for_change=True)
    if not selection.ok:
        return selection
    mentions: list[ItemMention] = selection.extra.get("mentions") or []
    folded = fold(text)
    if not mentions:
        return [(item, folded) for item in selection.value]
    cuts = [0]
    for previous, mention in itertools.pairwise(mentions):
        breaks = [m.end() for m in _CLAUSE_BREAK.finditer(folded, previous.end, mention.start)]
        if not breaks:  # 'the bottle the black one and change the vacuum to ...'
            breaks = [m.start() for m in _WEAK_BREAK.finditer(folded, previous.end, mention.start)]
        cuts.append(breaks[-1] if breaks else previous.end)
    cuts.append(len(folded))
    segments: dict[int, list[str]] = {}  # item index -> the parts of the text about it, in order
    used: set[int] = set()
    for index, mention in enumerate(mentions):
        segment = folded[cuts[index] : cuts[index + 1]]
        same_name = [i for i, item in enumerate(items) if item["name"] == mention.name]
        candidates = [i for i in same_name if i not in used]
        candidates = [i for i in candidates if items[i] in selection.value] or candidates
        if not candidates:
            if len(same_name) == 1:  # the only such item, named again: more words about it
                segments[same_name[0]].append(segment)
            continue
        if not (mention.plural or mention.quantifier) and len(candidates) > 1:
            candidates = _narrow_by_qualifiers(_qualifier_texts(folded, mention, cuts[index + 1]), items, candidates)[
                :1
            ]
        elif not (mention.plural or mention.quantifier):
            candidates = candidates[:1]
        elif len(candidates) > 1:
            candidates = _narrow_plural(folded, candidates, items)
        for i in candidates:
            used.add(i)
            segments.setdefault(i, []).append(segment)
    return [(items[i], " ".join(parts)) for i, parts in segments.items()]


# --- wanted variants ----------------------------------------------------------------------------


def select_variant(spec_text: str, item: dict[str, Any], product: dict[str, Any], *, instead: str = "") -> Match:
    """The available variant of the item's product that the text asks for.

    Option values written as wanted must all hold; every option the text does not change stays
    as the item has it, as far as an available variant allows. Several equally good variants, or
    none, is a problem to ask about. `instead` names the version the customer accepts when the
    one asked for is unavailable ('black is fine'): its values replace those of the same options."""
    variants = list((product.get("variants") or {}).values())
    space = option_space([*variants, item])
    current: dict[str, str] = item.get("options") or {}
    mentions = find_mentions(spec_text, space)
    wanted = _wanted_values(mentions, current)
    if instead:
        accepted = _wanted_values([replace(m, role="new") for m in find_mentions(instead, space)], {})
        wanted = {**wanted, **accepted}
        mentions = [m for m in mentions if m.key not in accepted]
    if not wanted:
        return Match(problem="missing", detail="which version")
    if any(len(values) > 1 for values in wanted.values()):
        # 'red ... black' for one item's color: the words were meant for several items, or the
        # customer hesitates; either way nothing here says which one this item becomes
        return Match(problem="ambiguous", detail=_wanted_text(wanted), extra={"variants": []})
    # today's values the customer writes out ('same color black') must stay as they are
    kept_by_name = {
        m.key: {current[m.key]}
        for m in mentions
        if m.role != "old" and m.key not in wanted and current.get(m.key) == m.value
    }
    required = {**kept_by_name, **wanted}
    available = [v for v in variants if v.get("available") and v.get("item_id") != item.get("item_id")]
    fitting = [v for v in available if all(v["options"].get(k) in values for k, values in required.items())]
    if not fitting:
        unavailable = _fitting(variants, required)
        if unavailable:
            return Match(problem="unavailable", detail=_wanted_text(required), extra={"variants": unavailable})
        return Match(problem="no_such_variant", detail=_wanted_text(required))

    # options the customer leaves to us ('the ventilation doesn't matter') need not stay
    free = set(wanted) | waived_options(spec_text, current)

    def kept(variant: dict[str, Any]) -> int:
        return sum(1 for k, v in current.items() if k not in free and variant["options"].get(k) == v)

    best = max(kept(v) for v in fitting)
    top = [v for v in fitting if kept(v) == best]
    unchanged = sum(1 for k in current if k not in free)
    # two or more new values that only one version of the whole catalog has ('the silver one that
    # runs on USB') name that version, whatever else it changes
    named = len(wanted) >= 2 and len(top) == 1 and len(_fitting(variants, required)) == 1
    if len(top) > 1 or (best < unchanged and not named):
        # several fit, or the only ones that fit would also change what the customer did not ask
        # to change: ask instead of choosing for them
        return Match(problem="ambiguous", detail=_wanted_text(wanted), extra={"variants": top})
    return Match(value=top[0], extra={"wanted": wanted})


def _fitting(variants: list[dict[str, Any]], required: dict[str, set[str]]) -> list[dict[str, Any]]:
    return [v for v in variants if all(v["options"].get(k) in values for k, values in required.items())]


def _wanted_values(mentions: list[Mention], current: dict[str, str]) -> dict[str, set[str]]:
    """Option values the customer wants: marked new, or unmarked and different from today's."""
    wanted: dict[str, set[str]] = {}
    by_key: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_key.setdefault(mention.key, []).append(mention)
    for key, group in by_key.items():
        new = {m.value for m in group if m.role == "new"}
        if not new:
            new = {m.value for m in group if m.role == "any" and m.value != current.get(key)}
        if not new:
            continue
        wanted[key] = new
    return wanted


def _wanted_text(wanted: dict[str, set[str]]) -> str:
    return ", ".join(f"{k} {'/'.join(sorted(v))}" for k, v in wanted.items())


def matching_variants(text: str, product: dict[str, Any], base: dict[str, str] | None = None) -> Match:
    """Variants a product question describes ('the Fleece Jacket in navy, size XS, full zip').

    With a `base` (an item the customer owns), options the text does not name stay as the base."""
    variants = list((product.get("variants") or {}).values())
    space = option_space(variants)
    mentions = find_mentions(text, space)
    wanted: dict[str, set[str]] = {}
    for mention in mentions:
        if mention.role != "old":
            wanted.setdefault(mention.key, set()).add(mention.value)
    fitting = [v for v in variants if all(v["options"].get(k) in vals for k, vals in wanted.items())]
    if base:
        kept = [v for v in fitting if all(v["options"].get(k) == val for k, val in base.items() if k not in wanted)]
        fitting = kept or fitting
    if not fitting:
        return Match(problem="no_such_variant", detail=_wanted_text(wanted))
    return Match(value=fitting, extra={"wanted": wanted})


# --- payment methods ----------------------------------------------------------------------------


def methods_described(ref: PaymentRef, methods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every payment method of the customer's that the words could mean."""
    return [m for m in methods if _method_matches(ref, m)]


def _method_matches(ref: PaymentRef, method: dict[str, Any]) -> bool:
    source = method.get("source")
    if ref.source and ref.source != source:
        return False
    if ref.brand and fold(str(method.get("brand") or "")) != ref.brand:
        return False
    return not (ref.last_four and str(method.get("last_four") or "") != ref.last_four)


def select_payment(
    refs: list[PaymentRef],
    methods: list[dict[str, Any]],
    *,
    original_id: str | None = None,
    current_id: str | None = None,
) -> Match:
    """The customer's payment method that the words describe.

    `original_id` is the order's original method ('the card I paid with'); `current_id` is the one
    being replaced, so 'from my gift card to PayPal' and 'PayPal instead of the gift card' pick
    PayPal. Returns 'missing' when no method is described."""
    wanted = [r for r in refs if not r.negated]
    if not wanted:
        return Match(problem="missing", detail="payment method")
    refused = refused_methods(refs, methods)
    methods = [m for m in methods if m.get("id") not in refused]
    if original_id in refused:
        original_id = None
    if current_id:
        # 'I used my gift card ... charge it to PayPal instead': the method moved to is never the
        # one being replaced, whichever the customer names first
        others = [r for r in wanted if not r.original and _only_fit(r, methods) not in (None, current_id)]
        if others and len(others) < len(wanted):
            wanted = others
    problems: list[Match] = []
    for ref in wanted:
        if ref.original:
            if original_id:
                return Match(value=original_id)
            continue
        fits = [m for m in methods if _method_matches(ref, m)]
        if current_id and len(fits) > 1:
            fits = [m for m in fits if m.get("id") != current_id] or fits
        if len(fits) == 1:
            return Match(value=fits[0]["id"], extra={"ref": ref})
        if len(fits) > 1 and original_id and any(m.get("id") == original_id for m in fits):
            return Match(value=original_id, extra={"ref": ref})
        problems.append(
            Match(
                problem="ambiguous" if fits else "unknown_method",
                detail=ref.describe(),
                extra={"candidates": [m.get("id") for m in fits]},
            )
        )
    return problems[0] if problems else Match(problem="missing", detail="payment method")


def refused_methods(refs: list[PaymentRef], methods: list[dict[str, Any]]) -> set[str]:
    """The ids of the methods the customer refuses ('not to PayPal', 'a card - not the Visa')."""
    return {str(m.get("id")) for ref in refs if ref.refused for m in methods if _method_matches(ref, m)}


def _only_fit(ref: PaymentRef, methods: list[dict[str, Any]]) -> str | None:
    fits = [m for m in methods if _method_matches(ref, m)]
    return str(fits[0].get("id")) if len(fits) == 1 else None


def payment_alternatives(
    refs: list[PaymentRef], methods: list[dict[str, Any]], original_id: str | None = None
) -> list[Match]:
    """Each method the customer names, in their order of preference ('PayPal - or, if that isn't
    possible, the Visa'): the method each describes, or why it can't be told."""
    return [select_payment([ref], methods, original_id=original_id) for ref in refs if not ref.negated]


def excepted_items(phrases: tuple[str, ...], items: list[dict[str, Any]]) -> set[int] | None:
    """The order's items that 'everything except ...' keeps: each phrase must name exactly one of
    them (by its name, narrowed by the options it mentions); None when one names none or several."""
    kept: set[int] = set()
    names = [item.get("name", "") for item in items]
    for phrase in phrases:
        mentions = item_mentions(phrase, names)
        named = {m.name for m in mentions}
        indexes = [n for n, item in enumerate(items) if item.get("name") in named]
        if len(indexes) > 1:
            indexes = _narrow_by_qualifiers([fold(phrase)], items, indexes)
        if len(named) != 1 or len(indexes) != 1:
            return None
        kept.add(indexes[0])
    return kept


def describe_method(method_id: str | None, methods: list[dict[str, Any]]) -> str:
    """'your Visa ending in 1234', 'your PayPal account', 'your gift card'."""
    if not method_id:
        return "your original payment method"
    for method in methods:
        if method.get("id") == method_id:
            source = method.get("source")
            if source == "paypal":
                return "your PayPal account"
            if source == "gift_card":
                return "your gift card"
            brand = str(method.get("brand") or "card")
            brand = "Mastercard" if brand.lower() == "mastercard" else brand.title()
            last = method.get("last_four")
            return f"your {brand} ending in {last}" if last else f"your {brand}"
    if method_id.startswith("paypal"):
        return "your PayPal account"
    if method_id.startswith("gift_card"):
        return "your gift card"
    if method_id.startswith("credit_card"):
        return "your credit card"
    return "your original payment method"
