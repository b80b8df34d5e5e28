"""Finding product option values in a customer's words: 'the navy one in size XS', 'with clicky
switches', 'from 2L to 1L', 'without water resistance'.

The values come from what the tools returned (an order's items, a product's variants), never from
the data files. Each mention is marked as describing the wanted variant or the one being replaced
('from A to B', 'B instead of A', a parenthesis right after the item's name)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from offline_model.understanding import lexicon
from offline_model.understanding.text import fold

_SIZE = "(?:" + "|".join(lexicon.SIZE_WORDS) + ")"
_LETTER_SIZES = {"XS", "S", "M", "L", "XL", "XXL", "XXXL"}
_SIZE_WORDS = {
    "extra small": "XS",
    "x-small": "XS",
    "small": "S",
    "medium": "M",
    "large": "L",
    "extra large": "XL",
    "x-large": "XL",
    "double xl": "XXL",
    "2xl": "XXL",
    "xx-large": "XXL",
}
_UNIT_FORMS = {
    "inch": r"(?:-|\s)?(?:inch|inches|in\b|\"|”)",
    "inches": r"(?:-|\s)?(?:inch|inches|in\b|\"|”)",
    "l": r"(?:-|\s)?(?:l|liter|liters|litre|litres)\b",
    "liter": r"(?:-|\s)?(?:l|liter|liters|litre|litres)\b",
    "liters": r"(?:-|\s)?(?:l|liter|liters|litre|litres)\b",
    "ml": r"(?:-|\s)?(?:ml|milliliters?|millilitres?)\b",
    "ft": r"(?:-|\s)?(?:ft\b|feet\b|foot\b|')",
    "hours": r"(?:-|\s)?(?:hours?|hrs?|h)\b",
    "cups": r"(?:-|\s)?cups?\b",
    "cup": r"(?:-|\s)?cups?\b",
    "lbs": r"(?:-|\s)?(?:lbs?|pounds?)\b",
    "degrees": r"(?:-|\s)?(?:degrees?|°|deg)\b",
    "bar": r"(?:-|\s)?bars?\b",
    "mm": r"(?:-|\s)?(?:mm|millimeters?|millimetres?)\b",
    "gb": r"(?:-|\s)?gb\b",
    "tb": r"(?:-|\s)?tb\b",
    "mp": r"(?:-|\s)?(?:mp|megapixels?)\b",
    "mah": r"(?:-|\s)?mah\b",
    "piece": r"(?:-|\s)?(?:pieces?|pcs?)\b",
    "w": r"(?:-|\s)?(?:w|watts?)\b",
    "x": r"(?:-|\s)?x\b",
    "k": r"k\b",
    "p": r"p\b",
}
_GENERIC_TOKENS = {
    "the",
    "a",
    "an",
    "with",
    "and",
    "of",
    "for",
    "in",
    "on",
    "to",
    "type",
    "size",
    "color",
    "colour",
    "version",
    "one",
    "model",
    "feature",
    "features",
    "material",
    "set",
    "kit",
    "level",
    "no",
    "yes",
    "none",
    "not",
    "filter",
    "mode",
    "operation",
    "brand",
    "equivalent",
    "white",
    "black",
    "card",
    "tone",
    "adapter",
}
_NEGATION = re.compile(r"(?:\bwithout|\bno|\bnot|\bnon|\bisn'?t|\bzero)[\s-]*(?:\w+[\s-]+)?$")


@dataclass(frozen=True)
class Mention:
    key: str
    value: str
    start: int
    end: int
    role: str  # "new" (wanted), "old" (being replaced) or "any"


def _number_unit(value: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?)\s*-?\s*([a-zA-Z\"]+)?", value.strip())
    if not match:
        return None
    return match.group(1), (match.group(2) or "").lower()


def _value_patterns(key: str, value: str, all_values: set[str]) -> list[tuple[re.Pattern[str], bool]]:
    """Regexes (over folded text) for one option value, with whether each is an exact form."""
    folded = fold(value)
    number_unit = _number_unit(value)
    key_folded = fold(key)
    key_word = _key_word(key_folded)
    if value in _LETTER_SIZES:
        patterns = _letter_size_patterns(value)
    elif value.lower() in {"yes", "no"}:
        patterns = _yes_no_patterns(key_folded, value)
    elif folded == "none":
        patterns = _none_patterns(key_word)
    elif number_unit and number_unit[1] in _UNIT_FORMS:
        patterns = _measure_patterns(value, *number_unit)
    elif number_unit and not number_unit[1]:
        patterns = _number_patterns(number_unit[0], key_word)
    else:
        patterns = _word_patterns(folded, key_folded, all_values)
    return [(re.compile(p), exact) for p, exact in patterns]


def _key_word(key_folded: str) -> str:
    """A regex for the option's name as written: its last word, singular or plural ('pieces', 'pcs')."""
    last = key_folded.split()[-1]
    if last.startswith("piece"):
        return r"(?:piec\w*|pcs?)"
    return re.escape(last[:-1] if last.endswith("s") and len(last) > 3 else last) + r"\w*"


def _letter_size_patterns(value: str) -> list[tuple[str, bool]]:
    """'size M', 'size (M)', 'M size', 'in an M', 'from S to M', and the size in words ('a medium')."""
    letter = re.escape(value.lower())
    patterns = [
        (
            rf"\b{_SIZE}\s+(?:is\s+|of\s+|\()?(?P<v>{letter})\b|\b(?P<v2>{letter})\s+size\b|"
            rf"\bin\s+(?:an?\s+)?(?P<v3>{letter})\b(?=\s*(?:,|\.|\)|;|\?|!|$|and\b|in\b|with\b|instead\b|rather\b|please\b|for\b)|\s+[-–—]\s)|"
            rf"\bfrom\s+(?P<v4>{letter})(?=\s+to\b)|\bto\s+(?P<v5>{letter})\b(?=\s*(?:,|\.|$|and\b))|"
            rf"(?:,|->|→)\s*(?P<v6>{letter})(?=\s*(?:,|;|\.|$))",
            True,
        )
    ]
    for word, letter_value in _SIZE_WORDS.items():
        if letter_value == value:
            # 'a medium' may be the size M or another option's 'medium': resolved later
            patterns.append((rf"\b{re.escape(word)}\b(?!\s+(?:room|rooms|size\s+room))", False))
    return patterns


def _yes_no_patterns(key_folded: str, value: str) -> list[tuple[str, bool]]:
    """A yes/no option: its name written plainly (yes) or negated (no)."""
    base = key_folded.replace("-", "[\\s-]?")
    stem = re.escape(key_folded.split()[0][:5])
    if value.lower() == "yes":
        return [(rf"(?<!non-)(?<!non )(?<!not )(?<!without )(?<!no )\b(?:{base}|{stem}\w*(?:[\s-]\w+)?)\b", False)]
    return [(rf"(?:\bwithout|\bno|\bnot|\bnon)[\s-]*(?:any\s+|the\s+)?(?:{base}|{stem}\w*(?:[\s-]\w+)?)\b", True)]


def _none_patterns(key_word: str) -> list[tuple[str, bool]]:
    """The value 'none': 'without any <option>', '<option> is none', 'none'."""
    singular = key_word[:-1] if key_word.endswith("s") else key_word
    return [
        (
            rf"(?:\bwithout|\bno)\s+(?:any\s+|the\s+|a\s+|extra\s+)?(?:{key_word}|{singular}s?)\b|"
            rf"\b{key_word}\s+(?:is\s+|of\s+)?none\b|\bnone\b",
            True,
        )
    ]


# Whole numbers customers spell out before a unit: 'the one-liter kettle', 'a two-litre bottle'.
_NUMBER_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "8": "eight", "10": "ten"}


def _measure_patterns(value: str, number: str, unit: str) -> list[tuple[str, bool]]:
    """A number with a unit ('2L', '15 inches', '1TB SSD', 'one-liter')."""
    patterns = [(rf"(?<![\d.]){re.escape(number)}{_UNIT_FORMS[unit]}", True)]
    if number in _NUMBER_WORDS:
        patterns.append((rf"\b{_NUMBER_WORDS[number]}{_UNIT_FORMS[unit]}", True))
    if unit in {"gb", "tb"} and " " in value:  # '1TB SSD'
        patterns.append((rf"(?<![\d.]){re.escape(number)}\s?{unit}\b", False))
    return patterns


def _number_patterns(number_value: str, key_word: str) -> list[tuple[str, bool]]:
    """A bare number: with the option's name ('size 10', '500 pieces') or in a change ('from 8 to 9')."""
    number = re.escape(number_value)
    return [
        (
            rf"\b{key_word}\s+(?:is\s+|of\s+)?(?P<v>{number})\b|(?<![\d.])(?P<v2>{number})[\s-]*{key_word}|"
            rf"\b{_SIZE}\s+(?P<v3>{number})\b|\bfrom\s+(?P<v4>{number})(?=\s+to\b)|\bto\s+(?P<v5>{number})\b(?=\s*(?:,|\.|$|and\b|{key_word}))",
            True,
        )
    ]


def _word_patterns(folded: str, key_folded: str, all_values: set[str]) -> list[tuple[str, bool]]:
    """Any other value: its words (plural, or as an adjective of a material), a percentage ('20 percent'),
    the option's name negated for a value that is a negation ('no light': 'without the light'), and
    each of its words no other value shares."""
    patterns: list[tuple[str, bool]] = []
    words = [re.escape(w) for w in re.split(r"[\s-]+", folded) if w]
    body = r"[\s-]*".join(words) if words else re.escape(folded)
    body = body.replace(r"\+", r"\s*\+\s*")
    if re.match(r"(?:not|non|no|without)\b", folded):
        stems = r"[\s-]*".join(re.escape(w[:6]) + r"\w*" for w in key_folded.split())
        patterns.append((rf"(?:\bwithout|\bno|\bnot|\bnon)[\s-]*(?:any\s+|the\s+)?{stems}", True))
    if folded.endswith("%"):
        patterns.append((rf"(?<![\d.]){re.escape(folded[:-1])}\s*(?:%|percent)", True))
    else:
        # plural, or an adjective made of a material ('wooden', 'woollen')
        patterns.append((rf"(?<![\w-]){body}(?:e?s|en)?(?![\w-])", True))
        # joined to its option's name: 'black-frame version', 'brown-framed', 'green-lensed'
        names = "|".join(re.escape(w[:4]) for w in _key_words(key_folded) if len(w) >= 4)
        if names:
            patterns.append((rf"(?<![\w-]){body}-(?:{names})\w*", True))
    foreign = lexicon.OPTION_WORDS.get(folded)
    if foreign:  # 'toujours rouge', 'in Schwarz': the same value in the customer's language
        forms = "|".join(r"\s+".join(map(re.escape, form.split())) for form in foreign)
        patterns.append((rf"(?<![\w-])(?:{forms})(?![\w-])", True))
    distinctive = [
        w
        for w in re.split(r"[\s-]+", folded)
        if len(w) >= 4
        and w not in _GENERIC_TOKENS
        and sum(1 for other in all_values if w in re.split(r"[\s-]+", fold(other))) == 1
    ]
    for word in distinctive:
        if word != folded:
            patterns.append((rf"(?<![\w-]){re.escape(word)}(?:e?s)?(?![\w-])", False))
    return patterns


def option_space(variants: Iterable[dict]) -> dict[str, set[str]]:
    """Every option name with every value it takes across the variants."""
    space: dict[str, set[str]] = {}
    for variant in variants:
        for key, value in (variant.get("options") or {}).items():
            space.setdefault(key, set()).add(str(value))
    return space


def find_mentions(text: str, space: dict[str, set[str]]) -> list[Mention]:
    """Option values written in the text, longest match first, each span used once."""
    folded = fold(text)
    all_values = {v for values in space.values() for v in values}
    candidates: list[tuple[int, int, bool, str, str]] = []
    for key, values in space.items():
        for value in values:
            for pattern, exact in _value_patterns(key, value, all_values):
                for match in pattern.finditer(folded):
                    start, end = match.span()
                    for group, text_value in match.groupdict().items():
                        if text_value is not None:
                            start, end = match.span(group)
                    candidates.append((start, end, exact, key, value))
    # longest and exact first, then earliest
    candidates.sort(key=lambda c: (-(c[1] - c[0]) - (100 if c[2] else 0), c[0], c[3], c[4]))
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, str, str, bool]] = []
    for start, end, exact, key, value in candidates:
        # the same words may name values of two options ('black' frame or lens, 'medium'
        # size or ventilation): keep every reading of an identical span, resolve below
        overlaps = any(start < t_end and end > t_start for t_start, t_end in taken)
        if overlaps and not any(start == c[0] and end == c[1] for c in chosen):
            continue
        taken.append((start, end))
        chosen.append((start, end, key, value, exact))
    resolved = _resolve_shared_values(folded, chosen)
    mentions = [Mention(key, value, start, end, _role(folded, start, end)) for start, end, key, value in resolved]
    mentions.sort(key=lambda m: (m.start, m.key))
    return mentions


def _resolve_shared_values(
    folded: str, chosen: list[tuple[int, int, str, str, bool]]
) -> list[tuple[int, int, str, str]]:
    """One span read as values of several options: keep the option whose name is written nearest
    ('the frame color ... to black', 'black lenses'); else the option no other words claim
    ('a medium ..., with high ventilation' leaves 'medium' to the size); else every reading."""
    by_span: dict[tuple[int, int], list[tuple[int, int, str, str, bool]]] = {}
    for item in chosen:
        by_span.setdefault((item[0], item[1]), []).append(item)
    claimed = {span: {g[2] for g in group} for span, group in by_span.items() if len(group) == 1}
    out: list[tuple[int, int, str, str]] = []
    for (start, end), group in by_span.items():
        if len(group) == 1:
            out.append(group[0][:4])
            continue
        distances = [(_key_distance(folded, g[2], start, end), g) for g in group]
        near = [(d, g) for d, g in distances if d is not None]
        if near:
            best = min(d for d, _ in near)
            top = [g for d, g in near if d == best]
            if len(top) == 1:
                out.append(top[0][:4])
                continue
        elsewhere = {key for span, keys in claimed.items() if span != (start, end) for key in keys}
        free = [g for g in group if g[2] not in elsewhere]
        if len(free) == 1:
            out.append(free[0][:4])
            continue
        if not free:
            # every reading's option is written elsewhere too: pair it with the nearest one
            # ('size S; I need a medium instead')
            gaps = sorted((_gap_to_claim(claimed, g[2], start, end), g) for g in group)
            if gaps[0][0] < gaps[1][0]:
                out.append(gaps[0][1][:4])
                continue
        exact = [g for g in (free or group) if g[4]]
        out.extend(g[:4] for g in (exact if exact else (free or group)))
    return out


def _gap_to_claim(claimed: dict[tuple[int, int], set[str]], key: str, start: int, end: int) -> int:
    """Characters between the span and the nearest other span that names a value of the option."""
    spans = [span for span, keys in claimed.items() if key in keys and span != (start, end)]
    return min(min(abs(start - e), abs(s - end)) for s, e in spans)


def _key_words(key: str) -> list[str]:
    words = fold(key).split()
    specific = [w for w in words if w not in _GENERIC_TOKENS]
    return specific or words


def _key_distance(folded: str, key: str, start: int, end: int) -> int | None:
    """Characters between the value and the nearest writing of its option's name, within the
    clause (before) or just after ('black lenses')."""
    clause_start = max(folded.rfind(sep, 0, start) for sep in (".", ";", "\n", ",", " and the ", ", the "))
    distances: list[int] = []
    for word in _key_words(key):
        stem = re.escape(word[:-1] if word.endswith("s") and len(word) > 3 else word)
        for match in re.finditer(rf"\b{stem}\w*", folded[max(0, clause_start) : start]):
            distances.append(start - (max(0, clause_start) + match.end()))
        after = re.match(rf"(\s*)(?:\w+\s+)?{stem}\w*", folded[end : end + 25])
        if after:
            # 'medium ventilation': a name right after the value binds tightest
            distances.append(0 if after.group(0).strip().startswith(stem.replace("\\", "")[:3]) else after.end())
    return min(distances) if distances else None


_OLD_BEFORE = re.compile(
    r"(?:\bfrom|\binstead\s+of|\brather\s+than|\bnot|\breplacing|\bcurrently(?:\s+is)?|\bcurrent)\s+(?:the\s+|a\s+|an\s+|my\s+)?(?:(?!to\b|for\b|into\b|with\b|and\b)[\w-]+\s+){0,3}$"
)
_NEW_AFTER_OLD = re.compile(r"^\s*(?:\w+\s+){0,2}(?:instead|rather)\b")


def _role(folded: str, start: int, end: int) -> str:
    before = folded[max(0, start - 25) : start]
    after = folded[end : end + 30]
    if re.search(r"\bfrom\s+(?:the\s+|a\s+|an\s+)?$", before) and re.match(r"^\s*(?:[\w-]+\s+){0,2}to\b", after):
        return "old"
    if _OLD_BEFORE.search(before) and not re.search(r"\bfrom\s+(?:the\s+)?$", before):
        return "old"
    if re.search(r"\bfrom\s+(?:the\s+|a\s+|an\s+)?$", before):
        # 'from Brand A' names a wanted brand unless a 'to' follows
        return "new"
    # 'to the red one', 'into', 'should become / be the red one': what the item turns into
    if re.search(r"\b(?:to|into|becomes?|be)\s+(?:the\s+|a\s+|an\s+)?$", before) or _NEW_AFTER_OLD.match(after):
        return "new"
    return "any"


# 'X doesn't matter', 'any X', 'egal welche X' in the six languages: the customer leaves option X
# to us, so a version that changes it changes nothing they care about
_INDIFFERENT_AFTER = (
    r"(?:\s+\w+){0,2}\s+(?:(?:does|do)\s*n[o']?t|does\s+not|do\s+not|is\s*n[o']?t|is\s+not)\s+"
    r"(?:really\s+)?(?:matter|important)\b"
    r"|(?:\s+\w+){0,2}\s+(?:is|are)\s+(?:\w+\s+)?(?:fine|ok|okay)\s+(?:either\s+way|whatever)\b"
    r"|(?:\s+\w+){0,2}\s+(?:ist|sind)\s+(?:mir\s+)?(?:\w+\s+)?egal\b"
    r"|(?:\s+\w+){0,2}\s+m'?est\s+(?:\w+\s+)?egal\b|(?:\s+\w+){0,2}\s+(?:n'?a|n'?est)\s+pas\s+important"
    r"|(?:\s+\w+){0,2}\s+(?:no|non|nao)\s+(?:me\s+|mi\s+)?importa\b|(?:\s+\w+){0,2}\s+me\s+da\s+igual\b"
    r"|(?:\s+\w+){0,2}\s+(?:e|é)\s+indifferente\b|(?:\s+\w+){0,2}\s+tanto\s+faz\b"
)
_INDIFFERENT_BEFORE = (
    r"(?:\begal\s+welche[rsn]?|\bpeu\s+importe\s+(?:la|le|les)?|\bi\s+do\s*n[o']?t\s+care\s+(?:about|which))"
    r"\s+(?:\w+\s+)?$"
)
# 'any colour is fine', 'cualquier talla sirve' - not 'any other colour?', a question
_ANY_BEFORE = r"(?:\bany|\bwhatever|\bwhichever|\bcualquier|\bqualsiasi|\bqualquer)\s+$"
_ANY_AFTER = (
    r"\s+(?:is|will|would|works?|va|sirve|serve|ist)\b(?:\s+\w+){0,2}?\s*(?:fine|ok|okay|do|bene|bien|gut|$|[.,!])"
)
# option names customers write in their own language, for the commonest options
_KEY_WORDS_ABROAD: dict[str, tuple[str, ...]] = {
    "color": ("colour", "couleur", "farbe", "colore", "cor"),
    "size": lexicon.SIZE_WORDS,
    "material": ("materiau", "matiere", "stoff", "materiale"),
}


def waived_options(text: str, keys: Iterable[str]) -> set[str]:
    """Option names the customer says they do not mind ('the ventilation doesn't matter')."""
    folded = fold(text)
    waived: set[str] = set()
    for key in keys:
        for word in (*_key_words(key), *_KEY_WORDS_ABROAD.get(fold(key), ())):
            stem = re.escape(word[:-1] if word.endswith("s") and len(word) > 3 else word)
            for match in re.finditer(rf"\b{stem}\w*", folded):
                before = folded[max(0, match.start() - 40) : match.start()]
                after = folded[match.end() : match.end() + 40]
                if (
                    re.match(_INDIFFERENT_AFTER, after)
                    or re.search(_INDIFFERENT_BEFORE, before)
                    or (re.search(_ANY_BEFORE, before) and re.match(_ANY_AFTER, after))
                ):
                    waived.add(key)
    return waived


def describe(options: dict[str, str]) -> str:
    """'navy, size XS, full zipper' - for replies."""
    parts = []
    for key, value in options.items():
        if value in _LETTER_SIZES or re.fullmatch(r"\d+", str(value)):
            parts.append(f"{key} {value}")
        elif str(value).lower() in {"yes", "no", "none"}:
            parts.append(f"{key}: {value}")
        else:
            parts.append(str(value))
    return ", ".join(parts)
