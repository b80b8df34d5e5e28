"""The model's reading of a whole ticket, and what in it the model has not understood.

`split_requests` finds what the customer asks for. This module accounts for the rest of what they
wrote: every part that conditions a request ("if the blue one is available ..."), excepts from it
("everything except the phone"), states a standing preference ("from now on, refunds to PayPal")
or asks for something no request covers ("could you also add the charger"). Each part keeps the
words it came from and what explains it: the playbook of the request it belongs to, when that
playbook reads such parts; courtesy ("if possible", "let me know if ..."); or nothing. A part that
nothing explains means the ticket was not understood, and nothing may be changed on a partial
reading: the manager hands the ticket over (to the next model tier, or to a person) and names the
words it could not read.

The markers are closed-class words of the six languages the model reads (conjunctions of
condition and exception, adverbs of time that make a wish standing); what they govern is left to
the playbooks, which take a part only when they can act on all of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from offline_model.understanding import conditions, extract, intents, language, lexicon, matching, preferences
from offline_model.understanding.requests import Request, announces_change, sentence_intent, split_requests
from offline_model.understanding.text import blocks, fold, sentence_units

CONDITION = "condition"
EXCEPTION = "exception"
PREFERENCE = "preference"
DIRECTIVE = "directive"
CORRECTION = "correction"  # an answer correcting the words of the earlier message (thread_answers)

_CONDITION = re.compile(
    r"\b(?:if|unless|provided(?:\s+that)?|as\s+long\s+as|otherwise|in\s+case|whichever|"  # en
    r"si|sinon|a\s+condition\s+que|pourvu\s+que|"  # fr (si: also es)
    r"wenn|falls|sofern|ansonsten|sonst|"  # de
    r"si\s+no|de\s+lo\s+contrario|siempre\s+(?:y\s+)?cuando|en\s+caso\s+de\s+que|"  # es
    r"se|altrimenti|purche|nel\s+caso\s+(?:in\s+)?cui|"  # it (se: also pt)
    r"senao|caso|desde\s+que|do\s+contrario)\b|"  # pt
    + conditions.INVERTED_IF  # 'should my gift card have enough on it, ...'
)
_EXCEPTION = re.compile(
    r"\b(?:except(?:ing)?|excluding|but\s+not|other\s+than|apart\s+from|aside\s+from|all\s+but|everything\s+but|"
    r"sauf|a\s+part|excepte|hormis|"
    r"ausser|außer|ausgenommen|bis\s+auf|"
    r"excepto|salvo|menos|a\s+excepcion\s+de|"
    r"tranne|eccetto|fuorche|ad\s+eccezione\s+d|"
    r"exceto|a\s+excecao\s+d|(?:one|a\s+single|einer|una|uma|une)\s+(?:exception|ausnahme|excepcion|eccezione|excecao))\b"
)
_STANDING = re.compile(
    r"\b(?:from\s+now\s+on|going\s+forward|in\s+(?:the\s+)?future|for\s+(?:the\s+)?future|whenever|every\s+time|"
    r"next\s+time|any\s+(?:future|time)|from\s+here\s+on|i'?d\s+(?:much\s+)?rather|i\s+(?:always\s+)?prefer|"
    r"my\s+preference|make\s+a\s+note|note\s+(?:that|for)|"
    r"desormais|a\s+l'?avenir|dorenavant|je\s+prefere|chaque\s+fois|"
    r"in\s+zukunft|kunftig|zukunftig|ab\s+jetzt|immer\s+wenn|jedes\s+mal|ich\s+bevorzuge|lieber|"
    r"de\s+ahora\s+en\s+adelante|en\s+el\s+futuro|cada\s+vez\s+que|prefiero|"
    r"d'?ora\s+in\s+poi|da\s+ora\s+in\s+poi|in\s+futuro|ogni\s+volta|preferisco|"
    r"daqui\s+(?:em|para)\s+(?:diante|frente)|de\s+agora\s+em\s+diante|no\s+futuro|toda\s+vez|prefiro)\b"
)
_WEAK_STANDING = re.compile(
    r"i'?d\s+(?:much\s+)?rather|i\s+(?:always\s+)?prefer|lieber|je\s+prefere|prefiero|preferisco|prefiro"
)
# What a standing wish is about: a kind of thing (refunds, payments, replies), not one order.
_GENERAL = re.compile(
    r"\b(?:any|all|every)\s+(?:\w+\s+)?(?:refunds?|money|payments?|charges?|differences?|time|future|orders?|"
    r"purchases?|messages?|replies)\b|\b(?:always|refunds|future|whenever|replies|answers|messages|language|"
    r"english|french|spanish|german|italian|portuguese)\b|\bmoney\s+(?:back|you\s+send)\b"
)
# "if" after a verb of knowing or asking is "whether": an embedded question, not a condition.
_EMBEDDED_QUESTION = re.compile(
    r"\b(?:know|tell\s+me|check|see|wonder(?:ing)?|sure|ask(?:ing)?|confirm|find\s+out|advise|curious|"
    r"savoir|dire|verifier|wissen|sagen|prufen|saber|decir|comprobar|sapere|dire|verificare|dizer|verificar)"
    r"\s+(?:\w+\s+){0,2}$"
)
# Conditions on the agent or on there being a problem: courtesy, nothing to decide.
_COURTESY_CONDITION = re.compile(
    r"^(?:\s*(?:at\s+all\s+)?(?:possible|you\s+(?:can|could|need|have|want|would)|that'?s\s+(?:possible|ok|okay|"
    r"alright|fine|easier)|it'?s\s+(?:possible|not\s+too\s+much)|needed|necessary|required|anything|any\s+|there'?s\s+"
    r"(?:any|a)\s+(?:problem|issue|question)|there\s+(?:is|are)\s+any|so|not|need\s+be|it\s+helps|that\s+helps|"
    r"i\s+(?:can|need\s+to)\s+(?:do|provide|send)|you'?re\s+able|this\s+is\s+possible|"
    r"possible|vous\s+(?:pouvez|avez)|besoin|besoin|moglich|notig|sie\s+(?:konnen|brauchen)|es\s+posible|"
    r"puede|necesario|possibile|potete|necessario|possivel|puder|necessario))"
)
_CONDITION_AFTER_COURTESY = re.compile(r"\b(?:let\s+me\s+know|feel\s+free|don'?t\s+hesitate|happy\s+to)\b")
# A request form with an action: something asked. Outside every request it is a directive no part read.
_ASKS = re.compile(
    r"\b(?:please|could\s+you|can\s+you|would\s+you|i'?d\s+like|i\s+would\s+like|i\s+want|i\s+need\s+(?:you|to)|"
    r"kindly|go\s+ahead\s+and|pouvez-vous|pourriez-vous|je\s+voudrais|merci\s+de|konnen\s+sie|bitte|"
    r"por\s+favor|podrian|quisiera|potete|vorrei|per\s+favore|poderiam|gostaria|queria)\b"
)
_ACTION = re.compile(
    r"\b(?:cancel|return|send\s+(?:back|it|them|the)|refund|exchange|swap|replace|change|modify|update|switch|ship|"
    r"redirect|reroute|charge|bill|credit|add(?!ress)|remove|upgrade|downgrade|move|put|apply|"
    r"annul|rembours|renvoy|echang|modifi|chang|stornier|zuruck|erstatt|umtausch|andern|"
    r"cancel|devolv|reembols|cambi|anul|annull|restitu|rimbors|sostitu|devolv|troc|alter)\w*"
)


@dataclass(frozen=True)
class Part:
    """A part of the ticket beyond its requests' core: what kind, the customer's words, the request
    it belongs to (its number from 1, or None), and what reads it (None: nothing does)."""

    kind: str
    words: str
    request: int | None
    read_by: str | None


@dataclass
class Reading:
    requests: list[Request]
    parts: list[Part] = field(default_factory=list)

    @property
    def unread(self) -> list[Part]:
        return [p for p in self.parts if p.read_by is None]

    @property
    def writes(self) -> bool:
        return any(r.intent in intents.ACTIONS for r in self.requests)

    @property
    def understood(self) -> bool:
        """False when a part nobody reads could change what the store should do: any unread part of
        a ticket that asks for a change, and an unread directive in any ticket."""
        return not any(p.kind == DIRECTIVE or self.writes for p in self.unread)

    def unread_summary(self) -> str:
        return "; ".join(f"{p.kind}: \u201c{p.words}\u201d" for p in self.unread)


# What each playbook reads: intent -> the sorts of part (from `sort_of`) its playbook acts on in
# full. A part of another sort, or of a request whose playbook does not read it, stays unread.
READ_BY: dict[str, set[str]] = {
    intents.CHANGE_ITEMS: {
        "price-difference-payment",
        "item-condition",
        "condition-branch",
        "payment-alternative",
        "balance-condition",
    },
    intents.CANCEL: {"status-condition", "condition-branch", "all-except"},
    intents.RETURN: {"all-except", "payment-alternative"},
    intents.ORDER_ADDRESS: {"status-condition", "condition-branch"},
    # 'if my gift card covers the order, move it there': decided on the card's balance (orders._balance_short)
    intents.PAYMENT: {"condition-branch", "payment-alternative", "balance-condition"},
}

# Sorts read whatever request they stand in, or outside any: a standing preference is kept in the
# customer's memory and decides the payment and reply language of this ticket and later ones
# (understanding/preferences.py, steps.payment_choice, memory/customer_facts.py).
READ_ANYWHERE: dict[str, str] = {
    sort: "memory" for sort in (preferences.REFUND_METHOD, preferences.CHARGE_METHOD, preferences.REPLY_LANGUAGE)
}


def sort_of(kind: str, words: str) -> str:
    """What a part is about, finer than its kind: the first sort whose test takes the words, else
    the kind itself. Sorts are declared next to the code that understands them (SORTS)."""
    folded = fold(words)
    for name, sort_kind, test in SORTS:
        if sort_kind == kind and test(folded):
            return name
    return kind


_PRICE_DIFFERENCE = re.compile(
    r"\b(?:if|si|wenn|falls|se|caso)\b.{0,40}?\b(?:differ\w*|diff?ren\w*|cheaper|more\s+expensive|costs?\s+(?:more|less)|"
    r"extra|owe|barato|caro|moins\s+cher|plus\s+cher|billiger|teurer|economico|costoso|mais\s+barato|mais\s+caro)"
)


def _price_difference_payment(folded: str) -> bool:
    """'If there's a price difference, put it on my Visa': only where the money goes."""
    if not _PRICE_DIFFERENCE.search(folded):
        return False
    if re.search(r"\b(?:only|cancel|don'?t|do\s+not|forget|leave|keep|more\s+than|under|less\s+than|\$)", folded):
        return False
    return bool(extract.payment_refs(folded))


# (sort, kind, test on the folded words), tried in order.
SORTS: list[tuple[str, str, Callable[[str], bool]]] = [
    # preferences.py: a standing preference, and the condition inside one ('if I ever owe you a
    # difference, charge it to my Mastercard'); first, so that its condition is not read as this ticket's
    *[(about, PREFERENCE, lambda w, a=about: preferences.sort_of(w) == a) for about in READ_ANYWHERE],
    *[(about, CONDITION, lambda w, a=about: preferences.standing_sort(w) == a) for about in READ_ANYWHERE],
    ("price-difference-payment", CONDITION, _price_difference_payment),
    # conditions.py: typed conditions and exceptions, evaluated on tool results by the playbooks
    ("status-condition", CONDITION, lambda w: conditions.parse(w, conditions.ORDER_STATUS_TOPICS) is not None),
    ("item-condition", CONDITION, lambda w: conditions.parse(w, conditions.ITEM_TOPICS) is not None),
    ("balance-condition", CONDITION, lambda w: conditions.parse(w, conditions.BALANCE_TOPICS) is not None),
    ("payment-alternative", CONDITION, lambda w: conditions.parse(w, {conditions.FALLBACK}) is not None),
    ("condition-branch", CONDITION, lambda w: conditions.parse(w, conditions.BRANCH_TOPICS) is not None),
    ("all-except", EXCEPTION, conditions.is_all_except),
]


def read(text: str, subject: str | None = None) -> Reading:
    """The reading of a message: its requests, and every conditioning, excepting, standing or
    asking part with what reads it."""
    reading = Reading(split_requests(text, subject))
    lang = language.detect(text)
    for block in blocks(text):
        for sentence, _ in sentence_units(block):
            number = _owner(reading.requests, sentence)
            reading.parts.extend(_parts_of(sentence, number, reading.requests, lang))
    return reading


def _owner(requests: list[Request], sentence: str) -> int | None:
    squashed = " ".join(sentence.split())
    for number, request in enumerate(requests, start=1):
        for piece in request.sentences:
            piece = " ".join(piece.split())
            if piece and (piece in squashed or squashed in piece):
                return number
    return None


def _parts_of(sentence: str, number: int | None, requests: list[Request], lang: str = "en") -> list[Part]:
    folded = fold(" ".join(sentence.split()))
    intent = requests[number - 1].intent if number else None
    parts: list[Part] = []
    for match in _CONDITION.finditer(folded):
        if _courtesy(folded, match) or _other_language(match.group(0), lang):
            continue
        parts.append(_part(CONDITION, sentence, folded, match.start(), number, intent))
    for match in _EXCEPTION.finditer(folded):
        parts.append(_part(EXCEPTION, sentence, folded, match.start(), number, intent))
    for match in _STANDING.finditer(folded):
        if _WEAK_STANDING.fullmatch(match.group(0)) and not _GENERAL.search(folded):
            continue  # 'I'd rather not receive it': a wish about this order, not a standing one
        parts.append(_part(PREFERENCE, sentence, folded, match.start(), number, intent))
        break  # one standing part per sentence
    if not parts and _asks_for_action(sentence, folded) and (number is None or _bare_detail(sentence)):
        parts.append(Part(DIRECTIVE, " ".join(sentence.split()), number, None))
    return parts


def _part(kind: str, sentence: str, folded: str, at: int, number: int | None, intent: str | None) -> Part:
    words = _clause_around(sentence, folded, at)
    sort = sort_of(kind, words)
    if kind == EXCEPTION and sort == kind and words != sentence:
        # 'cancel all my pending orders, except the one with ...': what is excepted from is before the clause
        sort = sort_of(kind, " ".join(sentence.split()))
    read_by = intent if intent is not None and sort in READ_BY.get(intent, set()) else READ_ANYWHERE.get(sort)
    if read_by is None and number is None and kind in (CONDITION, EXCEPTION) and _small_talk(sentence):
        read_by = SMALL_TALK
    return Part(kind, words, number, read_by)


SMALL_TALK = "small-talk"
# ('if things keep going this well' keeps nothing)
_STAYS = re.compile(
    r"\b(?:keep\w*(?!\s+(?:going|up|on|coming|doing|in\s+mind|in\s+touch))|stays?|staying|leave|garde|behalte|"
    r"bleibt|tengo|quedo|fico|tenho)\b"
)


def _small_talk(sentence: str) -> bool:
    """A condition or exception in a sentence of the story that belongs to no request, asks for
    nothing and names nothing the store holds ('forgive me if this rambles', 'I might order patio
    furniture in the summer if all goes well', 'everything was fine except one thing, which is
    where you come in'): nothing in the store depends on it."""
    folded = fold(" ".join(sentence.split()))
    if _ACTION.search(folded) or _ASKS.search(folded) or _STAYS.search(folded) or conditions.found(sentence):
        return False
    if extract.payment_refs(sentence) or extract.addresses(sentence) or extract.order_ids(sentence):
        return False
    return not matching.item_mentions(sentence, list(lexicon.NAMES))


# Short markers that are no 'if' in a ticket known to be in these languages: Spanish or French
# 'se' is reflexive ('mi amigo se ha mudado'), Italian 'si' too; 'caso' is 'case' but in
# Portuguese. Where the language is not known (English detected), they stay conditions.
_NOT_IF_IN = {"se": ("es", "fr", "de"), "si": ("it", "pt", "de"), "caso": ("es", "it", "fr", "de")}


def _other_language(marker: str, lang: str) -> bool:
    return lang in _NOT_IF_IN.get(marker, ())


def _courtesy(folded: str, match: re.Match[str]) -> bool:
    """'if possible', 'let me know if ...', 'not sure if it shipped': no condition on the request."""
    before, after = folded[: match.start()], folded[match.end() :]
    if match.group(0) in {"otherwise", "sinon", "sonst", "ansonsten", "altrimenti", "senao"}:
        # 'otherwise, just leave it' is the other branch of a condition; 'otherwise identical' is not
        return not (_ACTION.search(after) or _OTHER_BRANCH.search(after))
    if _EMBEDDED_QUESTION.search(before) or _CONDITION_AFTER_COURTESY.search(before[-40:]):
        return True
    if match.group(0) in {"se", "si", "caso"} and not _looks_conditional(after):
        return True  # also a pronoun or 'yes' in these languages
    return bool(_COURTESY_CONDITION.match(after))


def _looks_conditional(after: str) -> bool:
    """After 'si'/'se'/'caso': a clause with a verb of being, having or availability."""
    return bool(
        re.match(
            r"\s*(?:\w+\s+){0,4}?(?:es|est|esta|estan|e|sono|ha|hay|il\s+y\s+a|tem|tiver|estiver|for|fosse|"
            r"disponible|disponibile|disponivel|cuesta|coute|costa|custa|n'?est|no\s+|non\s+|nao\s+|ne\s+)(?!\w)",
            after,
        )
    )


def _clause_around(sentence: str, folded: str, at: int) -> str:
    """The clause holding the marker at `at` (cut at the sentence's commas, semicolons and dashes
    only when the sentence is long), in the customer's own spelling."""
    squashed = " ".join(sentence.split())
    if len(squashed) <= 160:
        return squashed
    cuts = [m.end() for m in re.finditer(r"[;:\u2013\u2014]|,\s", folded) if m.end() <= at]
    start = cuts[-1] if cuts else 0
    ends = [m.start() for m in re.finditer(r"[;:\u2013\u2014]|\.\s", folded) if m.start() > at]
    end = ends[0] if ends else len(squashed)
    return squashed[start:end].strip(" ,")


def _bare_detail(sentence: str) -> bool:
    """A sentence a request took in as a detail although it asks for something of its own, and
    carries nothing the request uses (a payment method, an address, a reason, an order)."""
    if sentence_intent(sentence) is not None:
        return False
    return not (
        extract.payment_refs(sentence)
        or extract.addresses(sentence)
        or extract.cancel_reason(sentence)
        or extract.order_ids(sentence)
    )


_OTHER_BRANCH = re.compile(r"\b(?:leave|keep|forget|nothing|let\s+me\s+know|tell\s+me|don'?t|do\s+not|just)\b")
_NEGATED = re.compile(r"\b(?:don'?t|do\s+not|not|never|no\s+need\s+to|nicht|pas|nao|non)\s+(?:\w+\s+){0,2}$")
# 'Can you update it?' under a request: the request itself, asked again.
_ON_THE_REQUEST = re.compile(
    r"^\s*(?:it|them|this|that|these|those|the\s+order|my\s+order)\b\s*(?:for\s+me\s*)?[?.!]*\s*$"
)


def _asks_for_action(sentence: str, folded: str) -> bool:
    """A sentence that asks for an action: 'could you also add the charger' (not 'please don't
    change the order', nor 'can you update it?' under the request it repeats)."""
    action = _ACTION.search(folded)
    if not (_ASKS.search(folded) and action):
        return False
    if _NEGATED.search(folded[: action.start()]) or _ON_THE_REQUEST.match(folded[action.end() :]):
        return False
    if re.search(r"\b(?:let\s+me\s+know|get\s+back\s+to\s+me|reply|respond|confirm|thank)", folded):
        return False
    if announces_change(folded):
        return False  # 'I'd like to ask for a change to my order': the change is said after it
    return not extract.addresses(sentence)
