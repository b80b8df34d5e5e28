"""Conditions and exceptions read from the customer's words, as typed values the playbooks
evaluate on tool results.

A `Condition` is one "if ..." clause: what it is about (the order's status, the price of the new
version, whether that version is available, the gift card's balance, or whether the payment
method named before it can be used), which way the fact must go for it to hold, and what the
customer wants then (do the request, leave things as they are, tell them the tracking number,
tell them something). "If not, ..." / "otherwise ..." is the other branch of the condition before
it (`OTHER`). An `Exception_` is "everything except X and Y": the phrases naming what is kept.

Only closed-class words (conjunctions, negation, quantifiers) and the few verbs and nouns of each
fact are matched; what a phrase names (an item, an order) is matched against the tool results by
the playbook. A clause whose fact or branch is not recognised parses to None, and the reading
gate then leaves its part unread: the ticket is handed over rather than acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from offline_model.understanding import extract
from offline_model.understanding.text import fold

# topics: what a condition is about
STATUS = "status"
PRICE = "price"
AVAILABILITY = "availability"
BALANCE = "balance"
FALLBACK = "fallback"  # 'if that isn't possible, PayPal': the next payment method to try
OTHER = "other"  # 'if not, ...': the other branch of the condition before it
DIFFERENCE = "difference"  # 'if there's a difference, put it on PayPal': where money goes, nothing to decide
DONE = "done"  # 'if you do go ahead, tell me ...': on the request being done

# the topics a playbook decides on (the other branch and 'if you do it, tell me' go with any of them)
BRANCH_TOPICS = {OTHER, DONE}
ORDER_STATUS_TOPICS = {STATUS, OTHER, DONE}
ITEM_TOPICS = {PRICE, AVAILABILITY, OTHER, DIFFERENCE, DONE}
BALANCE_TOPICS = {BALANCE, OTHER}

# what the customer wants when the condition holds
ACT = "act"
KEEP = "keep"
TRACKING = "tracking"
TELL = "tell"
RETURN_IT = "return"  # 'if not, just take it back': a return of the item instead of the change
INSTEAD = "instead"  # 'if the red ones are out of stock, black is fine': another version, named in `alternative`


@dataclass(frozen=True)
class Condition:
    topic: str
    positive: bool  # holds when: not shipped / within the limit / available / enough balance
    then: str  # ACT, KEEP, TRACKING or TELL
    words: str
    limit: float | None = None  # PRICE: the amount the difference must stay under
    inclusive: bool = False  # PRICE: 'up to $40' (the limit itself is fine)
    versus: str = ""  # PRICE: 'difference' | 'paid' (no more than the item's price) | 'previous'
    alternative: str = ""  # INSTEAD: the words naming the version the customer accepts instead


@dataclass(frozen=True)
class Exception_:  # noqa: N801 - `Exception` is the builtin
    """'everything except the phone and the lamp': the phrases naming what stays out."""

    kept: tuple[str, ...]
    words: str


# 'should my gift card have enough ...' (an inverted 'if') counts as one, at the start of a clause
INVERTED_IF = r"(?:(?<=[:;,.!?]\s)|^)should(?=\s+(?:my|the|it|they|this|that|there|these|those)\b)"
_MARKER = re.compile(
    rf"\b(?:only\s+if|if|unless|otherwise|si|wenn|falls|sonst|ansonsten|se|altrimenti|senao|caso|sinon)\b|{INVERTED_IF}"
)
_NOT = r"(?:n'?t|not|nt|no|nao|non|nicht|pas)"
_UNSHIPPED = re.compile(
    rf"(?:has|have|is|are|was|were|it|they|s|re)?\s*{_NOT}\s+(?:yet\s+|already\s+)?(?:been\s+)?"
    r"(?:shipped|sent(?:\s+out)?|dispatched|gone\s+out|left|gone|processed)"
    r"|can\s+still\s+be\s+(?:cancel+ed|stopped)|(?:is|are)\s+still\s+pending|still\s+(?:pending|open)"
    rf"|still\s+(?:\w+\s+){{0,2}}?(?:in|at)\s+(?:the|your)\s+(?:warehouse|depot|stock)|{_NOT}\s+(?:yet\s+)?left\s+(?:the|your)\s+"
    r"(?:warehouse|depot)|still\s+(?:being\s+)?(?:processed|prepared|packed)"
    r"|(?:pas\s+encore|noch\s+nicht|todavia\s+no|aun\s+no|non\s+ancora|ainda\s+nao)\s+(?:\w+\s+){0,2}"
    r"(?:expedi|versandt|verschickt|enviad|spedit|envi)\w*"
    # 'si no se ha enviado', 'se não foi enviado', 'se non è stato spedito', 's'il n'a pas été expédié'
    r"|(?:no|nao|non|pas)\s+(?:se\s+)?(?:ha\s+|han\s+|foi\s+|e\s+stato\s+|ete\s+|est\s+)?(?:sido\s+)?"
    r"(?:enviad|expedi|spedit|despachad)\w*"
    r"|^\s*(?:it|they)\s+(?:hasn'?t|hasnt|haven'?t|havent|has\s+not|have\s+not)\b"
)
_SHIPPED = re.compile(
    r"(?:has|have|is|are|s|re|it|they)\s+(?:already\s+)?(?:been\s+)?(?:shipped|sent|dispatched|gone\s+out)"
    r"|(?:already|is|are|s|re|its|it)\s+(?:already\s+)?on\s+(?:its|their|the)\s+way|too\s+late|already\s+(?:out|left)"
    r"|(?:already\s+)?in\s+transit|out\s+for\s+delivery|(?:has|have|s|re)\s+(?:already\s+)?left\s+(?:the|your)\s+warehouse"
    r"|^\s*(?:it|they)\s+(?:has|have)\s*(?:already)?\s*[,.;-]"
)
_AMOUNT = r"\$?\s*(?P<amount>\d+(?:[.,]\d{1,2})?)\s*(?:\$|dollars?|usd|dolares|dollari|euros?)?"
_DIFF_WORD = (
    r"(?:price\s+)?(?:difference|extra(?:\s+cost)?|cost|costs|upcharge|diferenca|diferencia|differenz|differenza)"
)
_UNDER = re.compile(
    rf"{_DIFF_WORD}\b[^.?!]{{0,25}}?\b(?P<op>under|below|less\s+than|no\s+more\s+than|not\s+more\s+than|"
    rf"at\s+most|up\s+to|within|max(?:imum)?|de\s+ate|ate|bis|hasta|fino\s+a|moins\s+de|unter)\s*{_AMOUNT}"
)
_MORE = r"(?:more(?:\s+expensive)?|pricier|dearer|higher)"
_NOT_ABOVE_PAID = re.compile(
    rf"(?:{_NOT}|doesn'?t|don'?t|isn'?t|aren'?t|won'?t)\s+(?:\w+\s+){{0,2}}?{_MORE}\s+than\s+"
    r"(?:what\s+i\s+paid|i\s+paid|the\s+(?:current|old|original)\s+one|mine|my\s+current|(?:what\s+)?(?:it|they)\s+cost)"
    r"|(?:costs?|is|are|priced|comes?\s+to)\s+(?:\w+\s+)?the\s+same\s+(?:as\s+(?:mine|what\s+i\s+paid|the\s+(?:current|old|"
    r"original)\s+one|my\s+\w+)\s+)?or\s+(?:less|cheaper|lower)"
)
_NOT_ABOVE_ITEM = re.compile(
    rf"(?:{_NOT}|doesn'?t|don'?t|isn'?t|aren'?t|won'?t)\s+(?:\w+\s+){{0,2}}?{_MORE}\s+than\s+the\s+"
)
_ABOVE = re.compile(rf"(?:s|re|is|are|it|they|costs?|be)\s+(?:\w+\s+)?{_MORE}\b|more\s+than\s+that|costs?\s+more")
_CHEAPER = re.compile(r"(?:s|re|is|are|it|they)\s+(?:\w+\s+)?(?:cheaper|less\s+expensive)|costs?\s+less")
_AVAILABLE = re.compile(
    r"(?:you|we)\s+(?:still\s+)?(?:have|carry|stock|sell|'ve\s+got|have\s+got|offer)\b|\bavailable\b|in\s+stock|"
    r"comes?\s+in\b|(?:there'?s|there\s+is)\s+(?:a|an|one)\b(?!\s+(?:price\s+)?diff)|disponible|disponibile|disponivel|verfugbar|"
    r"(?:vous\s+avez|tienen|avete|tem|tiverem|haben\s+sie)\b"
)
_BALANCE = re.compile(
    r"gift\s*card\b[^.?!]{0,40}?\b(?:enough|cover|covers|sufficient)|(?:enough|sufficient)\s+(?:\w+\s+){0,3}?"
    r"(?:on\s+)?(?:my\s+|the\s+)?gift\s*card|balance\b[^.?!]{0,30}?\b(?:enough|cover|covers|sufficient)"
)
_CANT_USE = re.compile(
    rf"^\s*(?:(?:that|this|it|that'?s|this\s+is|it'?s|the\s+\w+|my\s+\w+|\w+)\s+)?(?:(?:is|s|are)\s*{_NOT}|isn'?t|"
    r"aren'?t|can'?t|cannot|doesn'?t|won'?t|not)\s+(?:\w+\s+){0,3}?(?:allowed|possible|an\s+option|work|be\s+used|"
    r"go\s+through|be\s+done|accepted|permitted|ok|okay)"
    r"|^\s*(?:not\s+possible|impossible|that\s+fails|it\s+fails)"
)
_OTHER = re.compile(
    rf"^\s*(?:{_NOT}\b|it\s+(?:doesn'?t|isn'?t|can'?t|won'?t)|they\s+(?:don'?t|aren'?t|can'?t)|you\s+(?:don'?t|can'?t)|"
    r"that'?s\s+not\s+(?:the\s+case|possible)|it\s+does\s+not|there'?s\s+none|they\s+do\s+not)\b"
)
_OTHERWISE = {"otherwise", "sonst", "ansonsten", "altrimenti", "senao", "sinon"}

_KEEP = re.compile(
    r"\b(?:keep|leave|forget|don'?t|dont|do\s+not|nothing|no\s+need|as\s+it\s+is|alone|never\s*mind|"
    r"stay|stays|fine\s+as|laisse|lassen|deja|lascia|deixe|deixa|garde|behalte|(?:li|le|lo|la)\s+tengo|me\s+(?:lo\s+|la\s+)?quedo|fico\s+com)\b"
)
_TRACKING = re.compile(r"\btracking\b|\bsuivi\b|sendungsnummer|seguimiento|tracciamento|rastreio|rastreamento")
_TELL = re.compile(r"\b(?:let\s+me\s+know|tell\s+me|how\s+much|what)\b|\?")
# 'if not, please just take it back and refund me': the item goes back instead of being changed
_RETURN_IT = re.compile(
    r"\b(?:send|take)\s+(?:it|them|the\s+\w+)\s+back\b|\breturn\s+(?:it|them)\b|"
    r"\b(?:i'?ll|i\s+will|i'?d|i\s+would)\s+(?:rather\s+)?(?:just\s+)?return\b"
)
_ACT = re.compile(
    r"\b(?:cancel|switch|change|exchange|swap|replace|move|go\s+ahead|do\s+(?:it|that|the)|proceed|make|"
    r"put|charge|refund|return|send\s+(?:it|them)\s+back|take\s+(?:it|them)\s+back|i'?d\s+like|please|"
    r"annul|stornier|anul|cambi|troca|podem|fazer|echange|tausch)\w*"
)


def conditions_in(text: str) -> list[Condition] | None:
    """Every condition clause of the text, in order; None when one of them is not understood.
    'if not' takes its topic from the condition before it."""
    out: list[Condition] = []
    for clause in _clauses(text):
        condition = _parse_clause(clause)
        if condition is None:
            return None
        out.append(condition)
    return out


def found(text: str) -> list[Condition]:
    """The understood condition clauses of a request's text. The reading gate has made sure every
    clause that conditions the request is among them; one it let through unparsed is courtesy."""
    return [c for c in (_parse_clause(clause) for clause in _clauses(text)) if c is not None]


def branch_taken(found: list[Condition], facts: dict[str, bool]) -> str | None:
    """What the customer wants, given the facts (topic -> whether the favourable case is true:
    not shipped, within the price, available, enough balance). The request is done when every
    condition put on it holds ('only if available ... and only if under $30'); else the branch of
    the first other condition that holds ('if it has shipped, send me the tracking number'; 'if
    not' holds when the condition before it does not), else nothing. None when a condition is about
    a fact not given, or the branches contradict each other."""
    previous: bool | None = None
    acts, acts_hold, other = 0, True, None
    for condition in found:
        if condition.topic in (DONE, DIFFERENCE):
            continue
        if condition.topic in facts:
            holds = facts[condition.topic] == condition.positive
        elif condition.topic == OTHER and previous is not None:
            holds = not previous
        else:
            return None
        previous = holds
        if condition.then == ACT:
            acts, acts_hold = acts + 1, acts_hold and holds
        elif condition.then != TELL and holds and other is None:
            other = condition.then
    if acts and acts_hold:
        return None if other else ACT
    return other or (KEEP if acts else ACT)


def parse(words: str, topics: set[str]) -> list[Condition] | None:
    """The conditions of a part's words when all of them are understood and about `topics`."""
    found = conditions_in(words)
    if not found or any(c.topic not in topics for c in found):
        return None
    if topics - BRANCH_TOPICS and all(c.topic in BRANCH_TOPICS for c in found):
        return None  # 'if not, leave it' alone: the sort of a branch, whichever condition it follows
    return found


def _clauses(text: str) -> list[str]:
    """Each conditional clause: from its marker to the next marker or the end of the sentence."""
    folded = fold(" ".join(text.split()))
    starts = [m for m in _MARKER.finditer(folded) if not _courtesy(folded, m)]
    out = []
    for n, match in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(folded)
        stop = re.search(r"[.!?](?:\s|$)", folded[match.start() : end])
        # a branch before the marker ('I'd like to exchange them - but only if ...') stays with the clause
        head = folded[max(0, match.start() - 60) : match.start()]
        head = re.split(r"[.!?;:]\s|\n", head)[-1]
        body = folded[match.start() : match.start() + stop.end()] if stop else folded[match.start() : end]
        out.append(f"{head}\u2016{body}")
    return out


_ROMANCE_CLAUSE = re.compile(
    r"\s*(?:\w+\s+){0,4}?(?:a\s+diferenca|la\s+diferencia|for|fosse|es|est|esta|hay|tem|tiver|il\s+y\s+a|e\b|sono\b|"
    r"no\s|non\s|nao\s|ne\s|n')"
)


def _courtesy(folded: str, match: re.Match[str]) -> bool:
    """'if possible', 'let me know if ...', 'se' as a pronoun: no condition."""
    after = folded[match.end() : match.end() + 40]
    before = folded[max(0, match.start() - 30) : match.start()]
    if re.match(r"\s*(?:possible|you\s+can|you\s+could|needed|necessary|so\b)", after):
        return True
    if re.search(r"\b(?:know|tell\s+me|check|see|wonder\w*|sure|ask\w*|confirm|curious)\s+(?:\w+\s+){0,2}$", before):
        return True
    # 'se'/'si'/'caso' are also pronouns and 'yes': a condition only before a verb of being or having
    return match.group(0) in {"se", "si", "caso"} and not _ROMANCE_CLAUSE.match(after)


def _parse_clause(clause: str) -> Condition | None:
    head, body = clause.split("\u2016", 1)
    marker = _MARKER.match(body)
    assert marker is not None
    rest = body[marker.end() :]
    if marker.group(0) in _OTHERWISE:
        return _branch(OTHER, False, rest, rest, head)
    for parse_topic in (
        _difference,
        _done,
        _status,
        _balance,
        _fallback,
        _price,
        _unavailability,
        _availability,
        _other,
    ):
        condition = parse_topic(rest, head)
        if condition is not None:
            return condition
    return None


def _branch(topic: str, positive: bool, consequent: str, words: str, head: str = "", **extra: object) -> Condition:
    return Condition(topic, positive, _then(consequent, head), words.strip(), **extra)  # type: ignore[arg-type]


def _then(consequent: str, head: str) -> str:
    """What the customer wants in this branch: the earliest cue after the condition decides; with
    none, the request itself (said before the marker, as in 'exchange them, but only if ...')."""
    cues = []
    for kind, pattern in ((KEEP, _KEEP), (TRACKING, _TRACKING), (ACT, _ACT), (TELL, _TELL)):
        found = pattern.search(consequent)
        if found:
            cues.append((found.start(), kind))
    back = _RETURN_IT.search(consequent)
    if back and not any(kind == KEEP and at < back.start() for at, kind in cues):
        return RETURN_IT  # 'if not, please just take it back': the item goes back, whatever asks for it
    if cues:
        first = min(cues)[1]
        # 'leave it and send me the tracking number': a tracking number is asked for an order kept
        return TRACKING if first == KEEP and any(kind == TRACKING for _, kind in cues) else first
    return KEEP if _KEEP.search(head) else ACT


_DIFFERENCE_PAYMENT = re.compile(
    r"^\s*(?:(?:there'?s|there\s+is|there\s+are|i\s+owe|i\s+have\s+to\s+pay|i\s+need\s+to\s+pay)\s+"
    r"(?:a\s+|any\s+|anything\s+|some\s+)?(?:price\s+)?(?:differ\w*|diff?ren\w*|extra|more|balance|money)|"
    # 'if it costs a bit more, take it from my PayPal', 'if the new one is pricier, ...'
    r"(?:it|that|this|the\s+(?:new|other)\s+one)\s+(?:costs?|is|ends?\s+up)\s+(?:a\s+(?:bit|little)\s+|any\s+|slightly\s+)?"
    r"(?:more(?!\s+than)|extra|pricier|more\s+expensive|dearer)\b)"
)
_DONE = re.compile(
    r"^\s*(?:you\s+(?:do\s+)?(?:go\s+ahead|do\s+it|make\s+(?:the|it)|proceed|swap|change|exchange|switch|replace|cancel|"
    r"process)|it\s+(?:works|goes\s+through|goes\s+ahead)|the\s+(?:swap|change|exchange|return|cancellation)\s+"
    r"(?:goes\s+(?:ahead|through)|happens|works))"
)


def _difference(rest: str, head: str) -> Condition | None:
    found = _DIFFERENCE_PAYMENT.search(rest)
    if found is None or re.search(r"\b(?:only|under|less\s+than|more\s+than|\$|\d)", rest):
        return None
    return _branch(DIFFERENCE, True, rest[found.end() :], rest, head)


def _done(rest: str, head: str) -> Condition | None:
    found = _DONE.search(rest)
    if found is None or not _TELL.search(rest[found.end() :]):
        return None
    return Condition(DONE, True, TELL, rest.strip())


def _status(rest: str, head: str) -> Condition | None:
    for positive, pattern in ((True, _UNSHIPPED), (False, _SHIPPED)):
        # the order may be described at length before its status ('if the order with the camera and ...')
        found = pattern.search(rest[:110])
        if found:
            return _branch(STATUS, positive, rest[found.end() :], rest, head)
    return None


def _balance(rest: str, head: str) -> Condition | None:
    found = _BALANCE.search(rest)
    if found is None:
        return None
    return _branch(BALANCE, True, rest[found.end() :], rest, head)


def _fallback(rest: str, head: str) -> Condition | None:
    found = _CANT_USE.search(rest)
    if found is None:
        return None
    consequent = rest[found.end() :]
    if not [r for r in extract.payment_refs(consequent) if not r.negated]:
        return None
    return Condition(FALLBACK, False, ACT, rest.strip())


def _price(rest: str, head: str) -> Condition | None:
    under = _UNDER.search(rest)
    if under:
        limit = float(under.group("amount").replace(",", "."))
        inclusive = under.group("op") in {
            "up to",
            "no more than",
            "not more than",
            "at most",
            "de ate",
            "ate",
            "bis",
            "max",
            "maximum",
        }
        return _branch(
            PRICE, True, rest[under.end() :], rest, head, limit=limit, inclusive=inclusive, versus="difference"
        )
    paid = _NOT_ABOVE_PAID.search(rest)
    item = None if paid else _NOT_ABOVE_ITEM.search(rest)
    if paid or item:
        found = paid or item
        assert found is not None
        consequent = rest[found.end() :]
        # 'than the beige one': the item as the customer describes it, checked by the playbook
        versus = "paid" if paid else "the " + re.split(r"[,;.!?]|\s-\s", consequent, maxsplit=1)[0].strip()
        consequent = consequent.split(",", 1)[1] if "," in consequent else ""
        return _branch(PRICE, True, consequent, rest, head, limit=0.0, inclusive=True, versus=versus)
    for positive, pattern in ((False, _ABOVE), (True, _CHEAPER)):
        found = pattern.search(rest[:50])
        if found:
            return _branch(PRICE, positive, rest[found.end() :], rest, head, versus="previous")
    return None


_UNAVAILABLE = re.compile(
    rf"out\s+of\s+stock|sold\s+out|unavailable|no\s+longer\s+(?:available|in\s+stock|sold)|"
    rf"(?:{_NOT}|isn'?t|aren'?t)\s+(?:\w+\s+)?(?:in\s+stock|available|disponibles?|disponibil[ei]|disponive(?:l|is)|"
    r"verfugbar|lieferbar|auf\s+lager)|(?:you|they)\s+(?:don'?t|do\s+not|no\s+longer)\s+(?:have|carry|stock|sell)|"
    r"en\s+rupture|epuisee?s?|ausverkauft|agotad[oa]s?|esaurit[oiea]|esgotad[oa]s?|indisponi\w*"
)
# The consequent names another version: what the customer would take ('black is fine', 'the white one will do').
_ACCEPTS = re.compile(
    r"\b(?:is|are|'s|'re)\s+(?:also\s+)?(?:fine|ok|okay|good|acceptable)|\bwill\s+do\b|\bworks?\b|\binstead\b|"
    r"\b(?:i'?ll|i\s+will|i'?d)\s+(?:take|accept|go\s+with|settle\s+for)|\bgo\s+(?:with|for)\b|\bthen\b|"
    r"me\s+va|convient|ist\s+auch\s+(?:ok|gut|in\s+ordnung)|nehme\s+ich|esta\s+bien|me\s+sirve|va\s+bene|"
    r"serve|esta\s+bom|pode\s+ser"
)


def _unavailability(rest: str, head: str) -> Condition | None:
    """'If the red ones are out of stock, black is fine' (another version, INSTEAD), '... leave it' (KEEP)
    or '... let me know' (TELL); another request in the consequent ('... cancel it') is not read."""
    found = _UNAVAILABLE.search(rest[:80])
    if found is None:
        return None
    cut = re.search(r",|;|\s-\s|\bthen\b", rest[found.end() :])
    consequent = rest[found.end() + cut.end() :] if cut else ""
    then = _then(consequent, head) if consequent.strip() else KEEP
    if then in (KEEP, TELL, TRACKING):
        return Condition(AVAILABILITY, False, then, rest.strip())
    if not _ACCEPTS.search(consequent):
        return None
    return Condition(AVAILABILITY, False, INSTEAD, rest.strip(), alternative=consequent.strip())


def _availability(rest: str, head: str) -> Condition | None:
    found = _AVAILABLE.search(rest[:80])
    if found is None or re.match(rf"\s*(?:\w+\s+)?{_NOT}\b", rest[: found.start()]):
        return None
    cut = re.search(r",|;|\s-\s|\bthen\b", rest[found.end() :])
    consequent = rest[found.end() + cut.end() :] if cut else ""
    return _branch(AVAILABILITY, True, consequent, rest, head)


def _other(rest: str, head: str) -> Condition | None:
    found = _OTHER.search(rest)
    if found is None:
        return None
    return _branch(OTHER, False, rest[found.end() :], rest, head)


# --- exceptions ----------------------------------------------------------------------------------

_ALL = r"(?:everything|all|anything|every\s+\w+|alles|alle|tout|toutes?|tous|todo|todos|todas|tutto|tutti|tutte|tudo)"
_EXCEPT = (
    r"(?:except(?:\s+for)?|excluding|other\s+than|apart\s+from|aside\s+from|save|sauf|hormis|excepte|"
    r"ausser|au\u00dfer|ausgenommen|bis\s+auf|excepto|salvo|menos|tranne|eccetto|fuorche|exceto|menos|"
    # the noun: 'with one exception - the order with ...', 'mit einer Ausnahme:', 'con una excepcion:'
    r"(?:with|mit|con|com|avec|a)\s+(?:one|a\s+single|just\s+one|einer|una|uma|une)\s+"
    r"(?:exception|ausnahme|excepcion|eccezione|excecao)(?:\s+(?:being|pres))?)"
)
_ALL_EXCEPT = re.compile(
    rf"\b{_ALL}\b(?:(?P<between>[^.?!]{{0,80}}?)[,\s]\s*(?:-\s*)?(?:all\s+)?{_EXCEPT}|\s+but)\b\s*:?\s*(?:for\s+|of\s+)?"
    r"(?:(?:two|both|three|these|those)\s*:\s*)?(?P<kept>[^.?!;:]+)"
)
_KEPT_END = re.compile(r"\s(?:-|\u2013|\u2014)\s|\s\(|,\s*(?:which|who|that|because|since|as|she|he|they|i|we)\b")
_KEPT_SPLIT = re.compile(r",\s*(?:and\s+|und\s+|et\s+|y\s+|e\s+)?|\s+(?:and|und|et|y|e|or|ou|oder|o)\s+")


def exception_in(text: str) -> Exception_ | None:
    """'everything except the backpack and the robot vacuum' -> the phrases naming what is kept."""
    folded = fold(" ".join(text.split()))
    found = _ALL_EXCEPT.search(folded)
    if found is None:
        return None
    kept_text = found.group("kept")
    end = _KEPT_END.search(kept_text)
    if end:
        kept_text = kept_text[: end.start()]
    kept_text = re.sub(r"^[-:\u2013\u2014\s]*(?:two|both|the\s+two)?\s*:?\s*", "", kept_text.strip())
    kept = tuple(p.strip(" ,") for p in _KEPT_SPLIT.split(kept_text) if p.strip(" ,"))
    return Exception_(kept, found.group(0)) if kept else None


def is_all_except(words: str) -> bool:
    return exception_in(words) is not None


_BRANCH_START = re.compile(
    r"^\s*(?:and\s+|but\s+|or\s+)?(?:only\s+(?:do\s+(?:it|this|that|so)\s+|go\s+ahead\s+)?)?"
    r"(?:if|otherwise|si|se|wenn|falls|sonst|altrimenti|senao|sinon|caso)\b"
)


def branch_of_request(sentence: str) -> bool:
    """A sentence that only conditions the request before it ('Only do it if it costs no more
    than I paid.', 'If it has shipped, send me the tracking number.'): part of that request."""
    if not _BRANCH_START.match(fold(sentence)):
        return False
    found = conditions_in(sentence)
    if not found:
        return False
    return all(c.topic != AVAILABILITY or c.then != ACT for c in found)
