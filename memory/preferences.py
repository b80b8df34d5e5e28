"""Standing preferences in the customer's own words, typed: where refunds go, which method pays an
extra charge or a price difference, which language replies are written in.

One parser serves both sides: the offline model reads a preference stated in a ticket with it
(and applies it to that ticket's requests), and customer memory stores what it parsed as a
canonical sentence (`Preference.canonical`) that the same parser reads back to the same
preference in a later ticket. A one-off choice ("refund it to my PayPal, please") is not a
preference: a preference speaks of a kind of thing in general ("from now on", "whenever",
"any refunds", "I'd rather ... always").

The markers are closed-class words of the six languages the crew reads (adverbs of time, negation,
contrast, prepositions) and the names of payment methods and languages; the text is folded
(lower case, no accents) before it is read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

REFUND_METHOD = "standing-refund-method"  # money the store pays the customer: refunds, differences back
CHARGE_METHOD = "standing-charge-method"  # money the customer pays: extra charges, price differences
REPLY_LANGUAGE = "standing-reply-language"
ABOUTS = (REFUND_METHOD, CHARGE_METHOD, REPLY_LANGUAGE)


def fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes and dashes made plain."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\u00df", "ss")


# --- standing: a wish about every future case, not about this ticket's order ------------------------
_STANDING = re.compile(
    r"\b(?:from\s+now\s+on|going\s+forward|(?:in|for)\s+(?:the\s+)?future|future\s+\w+|whenever|every\s+time|"
    r"each\s+time|any\s*time|next\s+time|from\s+here\s+on|always|by\s+default|if\s+i\s+ever|on\s+file|"
    r"(?:make|put|keep|leave)\s+(?:a\s+)?(?:permanent\s+|standing\s+)?note|note\s+(?:this|that|it|for|on)|"
    r"standing\s+(?:instruction|request|order|note|preference)|general\s+request|my\s+preference|as\s+a\s+rule|"
    r"desormais|a\s+l'?avenir|dorenavant|a\s+partir\s+de\s+maintenant|(?:a\s+)?chaque\s+fois|toujours|"
    r"in\s+zukunft|kunftig|zukunftig|ab\s+jetzt|ab\s+sofort|von\s+nun\s+an|immer|jedes\s+mal|"
    r"de\s+ahora\s+en\s+adelante|a\s+partir\s+de\s+ahora|en\s+(?:el\s+)?futuro|en\s+adelante|cada\s+vez|siempre|"
    r"d'?ora\s+in\s+(?:poi|avanti)|da\s+ora\s+in\s+(?:poi|avanti)|in\s+futuro|ogni\s+volta|sempre|"
    r"daqui\s+(?:em|para)\s+(?:diante|a\s+frente|frente)|de\s+agora\s+em\s+diante|a\s+partir\s+de\s+agora|"
    r"no\s+futuro|toda\s+vez)\b"
)
# A wish that is standing only when it speaks in general ('I prefer refunds on PayPal', not 'I'd
# rather have the refund on PayPal' about this return).
_WEAK_STANDING = re.compile(
    r"\b(?:i'?d\s+(?:much\s+)?rather|i\s+would\s+(?:much\s+)?rather|(?:i\s+)?prefer\w*|je\s+prefere\w*|"
    r"ich\s+(?:bevorzuge|hatte\s+lieber)|lieber|prefiero|preferiria|preferisco|preferirei|prefiro)\b"
)
_GENERAL = re.compile(
    r"\b(?:any|all|every|each)\s+(?:\w+\s+)?(?:refunds?|money|payments?|charges?|differences?|messages?|replies)\b|"
    r"\b(?:refunds|replies|answers|messages|emails|e-mails)\b"
)

# --- what money the preference is about ------------------------------------------------------------
_REFUND_CUES = re.compile(
    r"\brefund\w*|\breimburs\w*|\bmoney\s+back\b|\bback\s+to\s+me\b|\bowe[sd]?\s+me\b|\bowing\s+me\b|"
    r"\bi'?m\s+owed\b|\bi\s+am\s+owed\b|\bpa(?:y|id)\s+(?:me\s+)?back\b|\bget\s+(?:\w+\s+){0,2}back\b|\bflows?\s+back\b|\bcredit\s+(?:it|them|me)\b|"
    r"\brembours\w*|\berstatt\w*|\bruckerstatt\w*|\bgutschrift\w*|\bzuruckzahl\w*|\bgeld\s+zuruck\b|"
    r"\breembols\w*|\bdevolv\w*\s+(?:el|o)\s+dinero|\bdinheiro\s+de\s+volta\b|\brimbors\w*|\brestitu\w*"
)
_CHARGE_CUES = re.compile(
    r"\bcharg\w*|\bbill(?:ed|ing)?\b|\bextra\b|\badditional\b|\bowe\s+you\b|\bowing\s+you\b|\bi\s+owe\b|"
    r"\bpay(?:ments?)?\b|\bcosts?\s+(?:\w+\s+)?more\b|\btop[- ]?up\b|\bsupplement\w*|\bpayer\b|"
    r"\baufpreis\w*|\bmehrkosten\b|\bzuzahl\w*|\bnachzahl\w*|\bbelast\w*|\bbezahl\w*|"
    r"\bcobr\w*|\bcargo\w*|\bpagar\b|\bpagare\b|\baddebit\w*|\bsupplemento\b|\bsuplemento\b"
)
# --- the reply language ----------------------------------------------------------------------------
_LANGUAGE_NAMES: dict[str, str] = {
    "english": "en", "anglais": "en", "englisch": "en", "ingles": "en", "inglese": "en",
    "french": "fr", "francais": "fr", "franzosisch": "fr", "frances": "fr", "francese": "fr",
    "german": "de", "allemand": "de", "deutsch": "de", "aleman": "de", "tedesco": "de", "alemao": "de",
    "spanish": "es", "espagnol": "es", "spanisch": "es", "espanol": "es", "spagnolo": "es", "espanhol": "es",
    "italian": "it", "italien": "it", "italienisch": "it", "italiano": "it",
    "portuguese": "pt", "portugais": "pt", "portugiesisch": "pt", "portugues": "pt", "portoghese": "pt",
}  # fmt: skip
LANGUAGE_LABELS = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese"
}  # fmt: skip
_IN_LANGUAGE = re.compile(r"\b(?:in|en|auf|em|na|no|a)\s+(" + "|".join(_LANGUAGE_NAMES) + r")\b")
_COMMUNICATION = re.compile(
    r"\b(?:answer|repl|respond|write|writ|messag|e-?mail|correspond|communicat|language|speak|talk|contact|"
    r"repond|ecri|langue|antwort|schreib|nachricht|sprache|escrib|mensaj|idioma|rispond|scriv|lingua|escrev|"
    r"comunic)\w*"
)

# --- payment methods -------------------------------------------------------------------------------
_METHOD = re.compile(
    r"(?P<paypal>pay\s?pal)"
    r"|(?P<gift>(?:store\s+|e-?)?gift\s?-?\s?cards?|store\s+credit|(?:tarjeta|carta|carte|cartao)\s+(?:de\s+)?"
    r"(?:regalo|cadeau|presente)|carte[- ]cadeau|geschenk(?:karte|gutschein)|gutschein|guthaben|vale[- ]presente|"
    r"buono\s+regalo)"
    r"|(?P<brand>visa|master\s?card|amex|american\s+express|discover)(?:\s+(?:credit\s+|debit\s+)?card)?"
    r"(?:\s*\(?(?:ending|that\s+ends|which\s+ends|ends)\s*(?:in|with)?\s*:?\s*(?P<last1>\d{4}))?"
    r"|(?P<card>(?:credit|debit)\s+card|carte\s+(?:de\s+credit|bancaire)|kreditkarte|tarjeta\s+de\s+credito|"
    r"carta\s+di\s+credito|cartao\s+de\s+credito|card(?=\s+ending))"
    r"(?:\s*\(?(?:ending|that\s+ends|which\s+ends|ends)\s*(?:in|with)?\s*:?\s*(?P<last2>\d{4}))?"
    r"|(?P<original>original\s+(?:payment|method|card)|(?:card|method)\s+i\s+(?:paid|used|bought\s+\w+)\s+with|"
    r"same\s+(?:card|method|payment\s+method))"
)
_BRANDS = {"mastercard": "mastercard", "master card": "mastercard", "american express": "amex"}
# Before a method: it is the one being replaced ('rather than my Mastercard', 'not PayPal').
_REPLACED_BEFORE = re.compile(
    r"(?:rather\s+than|instead\s+of|other\s+than|away\s+from|\bnot|\bnever|no\s+longer|\bstop\w*|"
    r"\bhardly|\b(?:keep|move|switch|get)\s+(?:it\s+|them\s+|\w+\s+)?off|plutot\s+que|au\s+lieu\s+d[e']|\bpas|\bjamais|\bstatt|\banstatt|"
    r"anstelle|\bnicht|\bkein\w*|en\s+lugar\s+de|en\s+vez\s+de|\bno\s+(?:a|al|en|con|por)|\bnunca|invece\s+d\w*|\banziche|"
    r"piuttosto\s+che|\bnon|\bmai|em\s+vez\s+d\w*|ao\s+inves\s+d\w*|\bnao)\b[^,;:()]*$"
)
_REPLACED_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:out\s+of\s+(?:it|this|that)|alone|any\s*more|no\s+more)\b")
_CLAUSE_CUT = re.compile(r"[,;:()]|\s-\s|\bbut\b|\bbecause\b|\bso\b|\bmais\b|\baber\b|\bpero\b|\bperche\b|\bporque\b")
# Where one sentence holds two preferences ('charges to my Visa and refunds to PayPal').
_SEGMENT_CUT = re.compile(
    r";|\bwhile\b|\bwhereas\b|,?\s+and\s+(?=(?:any|all|my|the|for|extra|refunds?|charges?|payments?|differences?)\b)"
)


@dataclass(frozen=True)
class Method:
    """A payment method as words name it: its kind, and the brand and last digits of a card."""

    kind: str  # gift_card | paypal | credit_card | original
    brand: str | None = None
    last_four: str | None = None

    def describe(self) -> str:
        if self.kind == "gift_card":
            return "gift card"
        if self.kind == "paypal":
            return "PayPal"
        if self.kind == "original":
            return "original payment method"
        label = {"mastercard": "Mastercard", "amex": "American Express", None: "credit card"}.get(
            self.brand, (self.brand or "").title()
        )
        return f"{label} ending in {self.last_four}" if self.last_four else label


@dataclass(frozen=True)
class Preference:
    """One standing preference: what it is about, what it asks for (a payment method or a
    language), what it replaces, and the words it came from."""

    about: str  # one of ABOUTS
    words: str
    method: Method | None = None
    replaces: Method | None = None
    language: str | None = None  # ISO 639-1
    replaced_language: str | None = None

    def canonical(self) -> str:
        """The sentence memory keeps: `parse` reads it back to this preference."""
        if self.about == REPLY_LANGUAGE and self.language:
            text = f"From now on, write replies in {LANGUAGE_LABELS[self.language]}"
            if self.replaced_language:
                text += f", not in {LANGUAGE_LABELS[self.replaced_language]}"
            return text + "."
        subject = "refunds go to" if self.about == REFUND_METHOD else "extra charges go on"
        text = f"From now on, {subject} my {self.method.describe() if self.method else 'original payment method'}"
        if self.replaces:
            text += f", not my {self.replaces.describe()}"
        return text + "."


@dataclass(frozen=True)
class _Mention:
    method: Method
    start: int
    replaced: bool


def is_standing(text: str) -> bool:
    """Whether the words state a wish for every future case."""
    folded = fold(text)
    return bool(_STANDING.search(folded) or (_WEAK_STANDING.search(folded) and _GENERAL.search(folded)))


def methods_in(text: str) -> list[_Mention]:
    """Payment methods the folded text names, in order, each marked when it is the one replaced."""
    mentions: list[_Mention] = []
    for match in _METHOD.finditer(text):
        clause_start = max([m.end() for m in _CLAUSE_CUT.finditer(text, 0, match.start())], default=0)
        clause_end = next((m.start() for m in _CLAUSE_CUT.finditer(text, match.end())), len(text))
        before, after = text[clause_start : match.start()], text[match.end() : clause_end]
        replaced = bool(_REPLACED_BEFORE.search(before) or _REPLACED_AFTER.match(after))
        mentions.append(_Mention(_method_of(match), match.start(), replaced))
    return mentions


def _method_of(match: re.Match[str]) -> Method:
    if match.group("paypal"):
        return Method("paypal")
    if match.group("gift"):
        return Method("gift_card")
    if match.group("original"):
        return Method("original")
    if match.group("brand"):
        raw = " ".join(match.group("brand").split())
        return Method("credit_card", _BRANDS.get(raw, raw), match.group("last1"))
    return Method("credit_card", None, match.group("last2"))


def _abouts(folded: str) -> list[str]:
    """Which money the words speak of (a method's own name, 'original payment method', says neither)."""
    words = _METHOD.sub(" ", folded)
    found = []
    if _REFUND_CUES.search(words):
        found.append(REFUND_METHOD)
    if _CHARGE_CUES.search(_REFUND_CUES.sub(" ", words)):
        found.append(CHARGE_METHOD)
    return found


def _payment_preferences(words: str, folded: str) -> list[Preference]:
    """Per segment of the sentence: what money it speaks of and the method it wants."""
    out: list[Preference] = []
    inherited = _abouts(folded)
    mentions = methods_in(folded)
    replaced = next((m.method for m in mentions if m.replaced), None)
    start = 0
    for cut in [*(m.start() for m in _SEGMENT_CUT.finditer(folded)), len(folded)]:
        segment = folded[start:cut]
        wanted = next((m.method for m in mentions if start <= m.start < cut and not m.replaced), None)
        abouts = _abouts(segment) or inherited
        if wanted is not None:
            out.extend(Preference(a, words, wanted, replaced) for a in abouts if a not in {p.about for p in out})
        start = cut
    return out


def _language_preference(words: str, folded: str) -> Preference | None:
    if not _COMMUNICATION.search(folded):
        return None
    wanted: str | None = None
    replaced: str | None = None
    for match in _IN_LANGUAGE.finditer(folded):
        code = _LANGUAGE_NAMES[match.group(1)]
        if re.search(r"\b(?:not|no|nicht|pas|non|nao|rather\s+than|instead\s+of)\s*$", folded[: match.start()]):
            replaced = replaced or code
        elif wanted is None:
            wanted = code
    return Preference(REPLY_LANGUAGE, words, language=wanted, replaced_language=replaced) if wanted else None


def parse(words: str, *, standing_known: bool = False) -> list[Preference]:
    """The standing preferences one sentence states (none when it is not standing, or names no
    method or language it wants). `standing_known`: the caller has already found the sentence
    standing by its own markers."""
    folded = " ".join(fold(words).split())
    if not standing_known and not is_standing(folded):
        return []
    language = _language_preference(words, folded)
    if language is not None:
        return [language]
    return _payment_preferences(words, folded)


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def standing_preferences(text: str) -> list[Preference]:
    """Every standing preference of a text, the last stated first for each kind (a later sentence
    corrects an earlier one)."""
    found: dict[str, Preference] = {}
    for sentence in _SENTENCE.split(text):
        for preference in parse(sentence):
            found[preference.about] = preference
    return list(reversed(found.values()))


_CUE = re.compile(
    "|".join(p.pattern for p in (_STANDING, _WEAK_STANDING, _REFUND_CUES, _CHARGE_CUES, _METHOD, _COMMUNICATION))
)


def residue(words: str) -> str:
    """The clauses of a sentence that carry no part of a preference (no standing marker, no money,
    no method, no language): what else the sentence says, '' when it only states preferences."""
    folded = " ".join(fold(words).split())
    pieces = _CLAUSE_CUT.split(folded)
    return " ".join(p.strip() for p in pieces if p and p.strip() and not _CUE.search(p)).strip()
