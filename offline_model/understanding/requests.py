"""Splitting a ticket into requests: which things the customer asks for, about which orders, and
in which of their own words.

Each sentence gets an intent (or none); sentences without one attach to the request they belong
to (a reason, a payment method, an order id written after the verb, an address block under the
sentence that asks for the change)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from offline_model.understanding import conditions, extract, intents, lexicon, matching, preferences
from offline_model.understanding.text import blocks, fold, sentence_units

QUESTION_WORDS = re.compile(
    r"\?|\b(?:can|could|would|will)\s+you\b|\btell\s+me\b|\blet\s+me\s+know\b|\bi'?d\s+like\s+to\s+know\b|"
    r"\bwant\s+to\s+know\b|\bcheck\b|\bstatus\b|\bwhere\b|\bupdate\s+on\b|\bwondering\b|\bdonde\b|\bou\s+(?:est|en)\b|"
    r"\bwo\s+ist\b|\bonde\b|\bdov'?e\b|\bstatut\b|\bestado\b|\bstato\b|\bquestion\b|\bwhat\b|\bhow\b|\bis\s+there\b|\bany\s+ideas\b"
)
_EXCHANGE_VERB = re.compile(r"\b(?:exchang\w*|swap\w*|trade\w*|umtausch\w*|echang\w*|troc\w*)\b")
_DIFFERENCE = re.compile(
    r"\bdifferen|\bextra\s+charge|\bprices?\s+differ|\bcover\s+or\s+receive\b|\bpay\s+or\s+refund\b"
)
# A change asked about, not asked for: 'only asking for now, I haven't decided'.
_ONLY_ASKING = re.compile(
    r"\b(?:only|just)\s+asking\b(?!\s+(?:you|that|for\s+(?!now\b)))|\bjust\s+(?:wondering|curious)\b|\bbefore\s+i\s+decide\b|"
    r"\bhaven'?t\s+(?:yet\s+)?decided\b|\bnot\s+(?:yet\s+)?decided\b|\bstill\s+deciding\b|"
    r"\bdon'?t\s+(?:start|do)\s+anything\b"
)
_PRICE_ONLY = re.compile(_ONLY_ASKING.pattern + r"|\bdon'?t\s+change\b")


@dataclass
class Request:
    """One thing the customer asks for."""

    intent: str
    order_ids: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    block: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.sentences)

    @property
    def label(self) -> str:
        return intents.LABELS[self.intent]


_NEW_REQUEST = re.compile(
    r"^(?:also|and\s+also|besides(?:\s+that)?|separately|in\s+addition|additionally|on\s+top\s+of\s+that|"
    r"one\s+more\s+thing|another\s+thing|finally|lastly|secondly|thirdly)\b",
    re.IGNORECASE,
)
_STRONG_CHANGE = re.compile(
    r"\b(?:exchang\w*|swap\w*|switch|switching|chang\w*|replac\w*|modif\w*|upgrad\w*|downgrad\w*|cambi\w*|"
    r"echang\w*|umtausch\w*|tausch\w*|troc\w*)\b|\bupdate\s+(?:the\s+|my\s+)?(?:items?|order|pending\s+order|#w)|"
    r"\bfor\s+(?:the|a|one)\s+(?:version|one|model|variant)\b|\binstead\s+of\b|\bshould\s+(?:be|have\s+been)\b[^.?!]{0,60}\binstead\b|"
    r"\bshould\s+(?:be|have\s+been)\s+(?:the|a|an)\s+[^.?!,;]{0,40}\b(?:one|version|model|size|colou?r)\b|"
    r"\btrad(?:e|ing)\s+(?:in|it|them|for)\b|\s(?:->|→|=>)\s|\binstead\s*[?.!]*\s*$|\brather\s+than\b|"
    r"\bmake\s+(?:the|my|it)\s+(?:[\w-]+\s+){0,4}?(?:a|an|the)\s|\bmake\s+it\s+(?:a|an|the|in)\b|"
    r"\b(?:can|could|would)\s+(?:the|my)\s+[\w\s-]{2,30}?\s+be\s+(?:the|a|an|in|changed|swapped|switched|exchanged)\b|"
    r"\bshould\s+(?:be|have\s+been)\s+(?:\d|in\s|(?:the|a|an)\s+\w)"
)
_ADDRESS_WORDS = re.compile(
    r"\bship|\bsend|\bdeliver|\bredirect|\breroute|\bgo\s+to\b|\bsomewhere\s+else\b|\bdireccion|\badresse|"
    r"\bendereco|\bindirizzo|\banschrift|\benvi[oa]|\blivr"
)
_REFUND_DESTINATION = re.compile(
    r"\b(?:the|my|a|any|your)\s+refund\b|\brefund\s+(?:it|them|this|that|the\s+money|me|everything|all)\b|\brefund\s+(?:should|to|on|onto|via|go|back)\b|\bmoney\s+back|\breimburs|\brembours|\breembols"
)
_PAYMENT_CHANGE_VERB = re.compile(
    r"\b(?:chang\w*|switch\w*|updat\w*|mov\w*|replac\w*|use\s+a\s+different|swap\w*|put\s+(?:it|the\s+order|#w\d+)\s+on|"
    r"bill\w*|pay\s+for|charge\s+(?:it|the\s+order|#w\d+|order)|cambi\w*|chang\w*|mud\w*|alter\w*|andern|wechsel\w*|"
    r"modifi\w*)\b"
)
_PAYMENT_WORD = re.compile(
    r"\bpayment|\bpay\b|\bpaid\b|\bbill|\bcharge\b|\bmetodo\s+de\s+pago|\bforma\s+de\s+pago|\bmoyen\s+de\s+paiement|"
    r"\bpaiement|\bpagamento|\bzahlungs"
)


# Escalations come first; REVIEW is decided by the manager, never by a sentence.
_SENTENCE_ESCALATIONS = (intents.SAFETY, intents.LEGAL, intents.ABUSE, intents.HUMAN)


def sentence_intent(sentence: str) -> str | None:
    """The intent a sentence expresses, or None for context, greetings and sign-offs."""
    hits = intents.cue_hits(sentence)
    folded = fold(sentence)
    if _only_leaves_alone(folded):
        return None
    escalation = next((e for e in _SENTENCE_ESCALATIONS if e in hits), None)
    if escalation is not None:
        return escalation
    if intents.POLICY in hits and _is_policy_question(sentence, folded):
        return intents.POLICY
    if is_figure_question(folded):
        return intents.BILLING
    intent = _change_intent(sentence, folded, hits) or _item_intent(folded, hits) or _question_intent(folded, hits)
    if (
        intent is None
        and not (hits - {intents.TROUBLE_HINT})
        and _worth_embedding(sentence)
        and not intents.negates_an_action(sentence)
    ):
        intent = _embedded_intent(sentence, folded)
    if intent in (intents.RETURN, intents.CANCEL, intents.CHANGE_ITEMS) and _only_done_before(folded):
        return None  # 'last spring I returned a pair of sneakers and the refund took weeks': a story
    if intent == intents.RETURN and _BACK_TO_SOMEONE_ELSE.search(folded):
        return None  # 'I'd like to send it back to her', '... back to the shop': not to us
    return intent


# What the customer did before, told ('I returned a pair of sneakers last spring'); asked for only
# with a present form or a request form in the same sentence.
_DONE_BEFORE = re.compile(
    r"\b(?:i|we)\s+(?:(?:already|once|previously|also|just)\s+)?(?:returned|sent\s+(?:[\w-]+\s+){0,5}?back|cancell?ed|"
    r"exchanged|swapped)\b|"
    # a request not made after all: 'I was about to ask you to take back the lamp'
    r"\b(?:i|we)\s+(?:was|were)\s+(?:about|going)\s+to\s+(?:ask|request|write)\b|\b(?:i|we)\s+almost\s+asked\b"
)
_ASKED_NOW = re.compile(
    r"\b(?:return|send\s+(?:[\w-]+\s+){0,5}?back|cancel|exchange|swap)\b|\bplease\b|\b(?:could|can|would)\s+you\b|"
    r"\bi'?d\s+like\b|\bi\s+(?:want|need|would\s+like)\b|\bkindly\b"
)


_BACK_TO_SOMEONE_ELSE = re.compile(
    r"\b(?:send|give|take|bring|return)\w*\s+(?:it|them|that|those)\s+back\s+to\s+(?!you\b|your\b|us\b)"
    r"(?:her|him|them|the\s+(?:shop|store|seller|market|mall)|my\s+\w+|(?:a|the)\s+\w+\s+(?:shop|store))\b"
)


def _only_done_before(folded: str) -> bool:
    return bool(_DONE_BEFORE.search(folded)) and not _ASKED_NOW.search(folded)


# Words saying an order or item stays as it is: 'so nothing to change there', 'can stay on PayPal'.
_LEAVES_ALONE = re.compile(
    r"\bnothing\s+to\s+(?:change|do|fix)\b|\bno\s+need\s+to\s+(?:change|touch|do\s+anything)\b|\bno\s+changes?\b|"
    r"\b(?:can|should|will|may)\s+(?:just\s+)?stay\b|\bstays?\s+(?:as\s+(?:it\s+is|is)|the\s+same|unchanged)\b|"
    r"\bleave\s+(?:it|that|them|this|the\s+rest|everything\s+else)\s+(?:as\s+(?:it\s+is|is)|alone|unchanged)\b|"
    r"\b(?:don'?t|do\s+not)\s+(?:touch|change)\b"
)
_ANY_ACTION = re.compile(
    r"\b(?:cancel|return|exchange|swap|send\s+(?:\w+\s+){0,3}back|change|replace|switch|modify|refund|ship|update|"
    r"charge|bill|move)\w*"
)


def _only_leaves_alone(folded: str) -> bool:
    """A sentence that only says what stays as it is asks for nothing (the reading of the
    request it stands beside takes it as a description of what to leave alone)."""
    match = _LEAVES_ALONE.search(folded)
    if match is None:
        return False
    rest = folded[: match.start()] + " " + folded[match.end() :]
    return not _ANY_ACTION.search(rest)


# A request form with an action verb: 'could you return it and tell me what I get back' asks for the return.
_ACTION_REQUEST = re.compile(
    r"\b(?:i'?d\s+like|i\s+want|i\s+would\s+like|please|kindly|could\s+you|can\s+you|go\s+ahead)\b[^?]{0,40}?"
    r"\b(?:return|cancel|exchange|swap|send\s+(?:\w+\s+){0,3}back|change|replace|switch|modify)"
)
# What a change comes to, asked about the change just requested: 'how much will I get back for them?'
_ABOUT_THE_CHANGE = re.compile(
    r"\b(?:get\s+back|getting\s+back|refunded|refund|came\s+to|comes\s+to|come\s+to|extra|owe|receive|"
    r"(?:come|comes|coming|go|goes|going)\s+back|back\s+to\s+me)\b"
)


def is_figure_question(folded: str) -> bool:
    """'What did I pay for the e-reader?', 'if I sent both back, how much would I get?': a question
    about a figure of the customer's orders, not a request to act on the item it names."""
    return bool(intents.FIGURE_QUESTION.search(folded)) and not _ACTION_REQUEST.search(folded)


def _change_intent(sentence: str, folded: str, hits: set[str]) -> str | None:
    """A change to an order or the account: a cancellation, an address, a return, the payment."""
    if intents.CANCEL in hits:
        return intents.CANCEL
    has_address = bool(extract.addresses(sentence))
    if (
        intents.USER_ADDRESS in hits
        and _changes_account_address(folded, has_address)
        and not extract.order_ids(sentence)
    ):
        return intents.USER_ADDRESS
    if _is_address_change(folded, has_address, hits):
        return intents.ORDER_ADDRESS
    if _is_payment_change(sentence, folded):
        return intents.PAYMENT
    if intents.RETURN in hits and not _EXCHANGE_VERB.search(folded):
        return intents.RETURN
    return None


# An order as what is shipped: 'ship it to my home address', 'send that order to the one on my account'.
_SHIPS_AN_ORDER = re.compile(
    r"\b(?:ship|send|deliver|redirect|reroute|forward)\s+(?:it|them|that|this|everything|the\s+order|my\s+order|"
    r"(?:that|this|the|my)\s+(?:one|order|package|parcel))\b"
)
_ADDRESS_WORD = re.compile(r"\bad+res+|\bdireccion|\bendereco|\bindirizzo|\banschrift|\bdomicilio")


def _changes_account_address(folded: str, has_address: bool) -> bool:
    """The account's address is what changes: it is named ('the address on my account', a new
    address written out), and no order is what gets shipped somewhere ('ship it to my home address'
    changes the order's address, taking the account's; 'the operation got moved' is a story)."""
    if _SHIPS_AN_ORDER.search(folded):
        return False
    return has_address or bool(_ADDRESS_WORD.search(folded))


def _item_intent(folded: str, hits: set[str]) -> str | None:
    """A question about a product (its price, its versions), or a change of an order's items."""
    if (
        intents.PRODUCT in hits
        and (_PRICE_ONLY.search(folded) or not _STRONG_CHANGE.search(folded))
        and QUESTION_WORDS.search(folded)
    ):
        return intents.PRODUCT
    if (
        intents.CHANGE_ITEMS in hits
        and (_STRONG_CHANGE.search(folded) or not _DIFFERENCE.search(folded))
        and not re.search(r"\bupdate\s+me\b|\bkeep\s+me\s+updated", folded)
        and not _tells_or_announces(folded)
    ):
        return intents.CHANGE_ITEMS
    return None


# 'I recently switched banks': what the customer did, told as a story.
_STORY = re.compile(r"\b(?:i|we)\s+(?:\w+\s+){0,2}?(?:switched|changed|swapped|replaced|moved|exchanged|upgraded)\b")
# 'I'd like to ask for a change to my order', 'un cambio en mi pedido': a change named, not said.
_A_CHANGE = re.compile(
    r"\b(?:a|one|some|two|few|couple\s+of|un|une|uno|una|eine|um|uma)\s+(?:small\s+|quick\s+|little\s+|pequeno\s+)?"
    r"(?:changes?|cambios?|changements?|modifications?|anderung(?:en)?|modifich?e|modifica|alterac\w+|mudancas?)\b"
)


_CONTRAST_ONLY = re.compile(r"^(?:rather\s+than|instead(?:\s+of)?)$")


def _tells_or_announces(folded: str) -> bool:
    """A sentence that tells what the customer did, announces that a change follows, or contrasts
    things that are no items ('a request rather than a complaint'), without saying what an item
    should become: the request, if any, is in the sentences after it."""
    if _ITEM_OPTION_WORDS.search(folded) or OPTION_VALUE_WORDS.search(folded):
        return False
    if _STORY.search(folded) and "?" not in folded and not _FIRST_PERSON_WISH.search(folded):
        return True
    strong = [m.group(0).strip() for m in _STRONG_CHANGE.finditer(folded)]
    if strong and all(_CONTRAST_ONLY.match(w) for w in strong):
        return True
    return announces_change(folded)


def announces_change(folded: str) -> bool:
    """'I'd like to ask for a change to my order', 'un cambio en mi pedido': a change named as a
    noun with nothing said of what it is."""
    if _ITEM_OPTION_WORDS.search(folded) or OPTION_VALUE_WORDS.search(folded):
        return False
    return bool(_A_CHANGE.search(folded))


def _question_intent(folded: str, hits: set[str]) -> str | None:
    """A question about payments, a problem with a product, or where an order is."""
    if intents.BILLING in hits:
        return intents.BILLING
    if intents.TROUBLE in hits or (
        intents.TROUBLE_HINT in hits and (QUESTION_WORDS.search(folded) or re.search(r"\bhelp\b", folded))
    ):
        return intents.TROUBLE
    if intents.STATUS in hits and QUESTION_WORDS.search(folded):
        return intents.STATUS
    return None


def _embedded_intent(sentence: str, folded: str) -> str | None:
    """The intent whose examples a sentence without cue words is close to, past that intent's bar."""
    best = intents.score(sentence)[0]
    threshold = _EMBEDDING_ONLY.get(best.intent)
    asks = "?" in sentence or bool(QUESTION_WORDS.search(folded))
    if threshold is not None and best.score >= threshold[0] and (asks or not threshold[1]):
        return best.intent
    return None


_SHIP_TO = re.compile(
    r"\b(?:ship|ships|shipped|shipping|deliver|delivers|delivered|send|sent|mail|go|goes|redirect|reroute)\s+"
    r"(?:(?:it|them|the\s+order|my\s+order|order|#w\d+|the\s+package|everything)\s+)?(?:to|here)\b(?:\s*:?\s*$|\s*\?|\s+\d)"
)


# Where an order goes now ('is set to ship to', 'goes to'), as against where it should go.
_CURRENT_DESTINATION = re.compile(
    r"\b(?:set|scheduled|supposed|due)\s+to\s+(?:ship|go|be\s+(?:shipped|delivered|sent))\s+to\b|"
    r"\b(?:is|are|was|were|it'?s)\s+(?:going|headed|heading|being\s+(?:shipped|sent)|shipping)\s+to\b|\b(?:goes|ships)\s+to\b"
)
_TO_A_NEW_PLACE = re.compile(
    r"\b(?:instead|chang\w*|updat\w*|correct\w*|redirect\w*|reroute\w*|new\s+address|should\s+(?:go|be\s+(?:shipped|sent))|"
    r"please\s+(?:ship|send)|(?:can|could|would)\s+you\s+(?:ship|send|deliver))\b"
)
# 'it needs to go to the new place instead', 'ship it to my new apartment': a new address, not given yet.
_TO_A_NEW_HOME = re.compile(
    r"\b(?:go|goes|ship|send|deliver|sent|shipped|delivered|redirect\w*|forward\w*)\s+(?:it\s+|them\s+)?to\s+(?:the|my|our)\s+"
    r"new\s+(?:place|address|apartment|home|house|flat|office)\b"
)
_ADDRESS_VERBS = re.compile(
    r"\b(?:ship|send|deliver|redirect|reroute|go|change|update|correct|move|moved|should|new|instead|use|set|put|make|"
    r"ad+res+|direccion|adresse|endereco|indirizzo|anschrift)\w*\b"
)
_ADDRESS_LINE_WORDS = re.compile(
    r"\d+\s+[\w .'-]+|\b(?:suite|apt|apartment|unit|floor|usa|united\s+states)\b|\b[a-z]{2}\s+\d{5}\b|"
    r"[,.:;\n]|\bnew\s+address\b"
)


def _is_address_change(folded: str, has_address: bool, hits: set[str]) -> bool:
    """'Please ship #W1 to 1 Main St ...', 'change the shipping address on #W1', 'It should go to:'."""
    if re.search(r"\brefund|\bdifference\b|\bmoney|\be-?mail\s+address", folded) and not has_address:
        return False
    if _CURRENT_DESTINATION.search(folded) and not _TO_A_NEW_PLACE.search(folded):
        return False  # 'the tablet is set to ship to 388 Spruce Street': where it goes now, a description
    if has_address and len(_ADDRESS_LINE_WORDS.sub(" ", folded).split()) >= 2 and _ADDRESS_VERBS.search(folded):
        # a full address inside a sentence that asks for it ('It should be 1 Main St, ...'); a
        # bare address block is a detail of the request before it, and one under a name is a
        # signature
        return True
    if re.search(
        r"\bredirect|\breroute|\bsomewhere\s+else|\bsend\s+it\s+here|\bwhere\s+.{0,30}\bships?\s+to\b", folded
    ):
        return True
    if _SHIP_TO.search(folded) or _TO_A_NEW_HOME.search(folded):
        return True
    return (
        intents.ORDER_ADDRESS in hits
        and bool(re.search(r"\baddress|adresse|\bdireccion|\bendereco|\bindirizzo|\banschrift", folded))
        and (
            intents.CHANGE_ITEMS in hits
            or bool(re.search(r"\bnew\b|\bdifferent\b|\bwrong\b|\bship|\bdeliver|\bsend", folded))
        )
    )


def _is_payment_change(sentence: str, folded: str) -> bool:
    """'Please bill #W1 to my Visa', 'I paid with PayPal, but I'd like to move that payment to my
    Visa', 'charge it to my Mastercard instead of the gift card' - decided on the payment methods
    the sentence names and their roles (extract.payment_refs marks the one being replaced): a method
    to move to, and words of paying or of preference. Not where a refund or a price difference
    should go (returns and item changes), nor a sentence that also names what an item should become."""
    if _DIFFERENCE.search(folded) or _PRICE_GAP.search(folded) or _RETURN_OR_EXCHANGE.search(folded):
        return False
    folded = _BILL_NOUNS.sub(" ", folded)  # 'I need it for a bill that's due' charges nothing
    refs = extract.payment_refs(sentence)
    targets = [r for r in refs if not r.negated and not r.original]
    has_order = bool(extract.order_ids(sentence))
    if not targets:
        # 'Could you change the payment method?', 'update the payment for #W1': the method comes later
        named = _METHOD_WORDS.search(folded) or (has_order and _PAYMENT_WORD.search(folded))
        return bool(named and _PAYMENT_CHANGE_VERB.search(folded))
    if (_REFUND_DESTINATION.search(folded) or _MONEY_BACK.search(folded)) and not _charging_now(folded):
        return False
    if _ITEM_OPTION_WORDS.search(_without_payment_words(folded)):
        return False
    charging = bool(_CHARGING.search(folded))
    # a method replaced ('I paid with the gift card') is a move only with a verb of charging or changing
    # a preference alone ('I'd rather have it as store credit') moves a payment only when it is about
    # paying or about an order ('I'd prefer that order paid with PayPal')
    preferring = bool(_PREFERRING.search(folded)) and (charging or has_order or bool(_ORDER_WORD.search(folded)))
    moving = bool(_PAYMENT_CHANGE_VERB.search(folded)) or preferring or (charging and any(r.negated for r in refs))
    # 'charge it to my Visa' moves a payment; 'can I pay with PayPal?' alone asks about the store
    return moving or (charging and (has_order or bool(_AN_ORDER.search(folded))))


_RETURN_OR_EXCHANGE = re.compile(
    r"\b(?:exchang\w*|return\w*|send\s+(?:\w+\s+){0,3}back|devol\w*|retourn\w*|renvoy\w*|zuruck\w*|"
    r"umtausch\w*|restitu\w*|rimand\w*)\b"
)
# 'charge my Visa if it costs more': where a price difference goes, in an item change
_PRICE_GAP = re.compile(r"\b(?:costs?\s+(?:more|less)|more\s+expensive|cheaper|extra|owe|higher|pricier)\b")
_MONEY_BACK = re.compile(
    r"\b(?:credit|money|refund|it)\s+back\b|\brefund\w*\b|\bde\s+vuelta\b|\bdevuel\w*|\breembols\w*|\brembours\w*|"
    r"\bzuruck\w*|\berstatt\w*|\brimbors\w*|\bde\s+volta\b|\bdevolv\w*"
)
_METHOD_WORDS = re.compile(
    r"\bpayment\s+method|\bmethod\s+of\s+payment|\bmetodo\s+de\s+pago|\bforma\s+de\s+pago|\bmoyen\s+de\s+paiement|"
    r"\bmode\s+de\s+paiement|\bzahlungs(?:methode|art|mittel)|\bmetodo\s+di\s+pagamento|\bforma\s+de\s+pagamento|"
    r"\bmetodo\s+de\s+pagamento"
)
# Paying for the order with a method: the verbs of charging in the six languages.
_BILL_NOUNS = re.compile(r"\b(?:a|an|the|my|any|your|this|that|some|other)\s+(?:\w+\s+)?(?:bills?|charges?)\b")
# English charging verbs with what they charge ('charge it to', 'bill my Visa', 'pay with'): the
# nouns ('a bill that's due', 'a charge I don't recognise') charge nothing.
_CHARGING = re.compile(
    r"\b(?:(?:charge|bill)\s+(?:it|them|that|this|me|my|the|to|#w\d+|order)|charging|"
    r"pay(?:ing)?\s+(?:with|for|by|using|via|on)|pay|payment|put\s+(?:it|that|this|the\s+order|#w\d+)\s+on|onto|"
    r"cobr\w*|pag\w*|pay[eé]\w*|paie\w*|factur\w*|zahl\w*|bezahl\w*|belast\w*|abbuch\w*|addebit\w*)\b"
)
# What was paid ('lo que pagué', 'what I paid with') names the original method, not a charge to make.
_PAID_BEFORE = {
    "pague",
    "paid",
    "paye",
    "payee",
    "bezahlt",
    "paguei",
    "pagato",
    "pagado",
    "charged",
    "billed",
    "pagaste",
}


def _charging_now(folded: str) -> bool:
    return any(m.group(0) not in _PAID_BEFORE for m in _CHARGING.finditer(folded))


_PREFERRING = re.compile(
    r"\b(?:instead|rather|prefer\w*|plutot|lieber|invece|en\s+vez|en\s+lugar|em\s+vez|ao\s+inves)\b"
)
# Words of an item's options: colours, sizes, materials, measures.
OPTION_VALUE_WORDS = re.compile(
    r"\b(?:size|colou?r|version|model|variant|material|capacity|black|white|red|blue|green|silver|gold|grey|gray|"
    r"pink|purple|yellow|orange|brown|beige|leather|cotton|polyester|wool|steel|glass|plastic|wood(?:en)?|"
    r"\d+\s*(?:ml|l|liters?|litres?|inch(?:es)?|mm|cm|gb|tb|w|pieces?|oz))\b"
)
# What an item becomes ('to the silver one', 'in size L', 'for the blue one'): such a sentence changes an item,
# and the method it names pays the difference.
_ITEM_OPTION_WORDS = re.compile(
    r"\b(?:to|for|into|in|by)\s+(?:the\s+|a\s+|an\s+|one\s+)?(?:[\w-]+\s+){0,2}?(?:size|colou?r|version|model|variant|material|capacity|black|white|red|blue|green|silver|gold|grey|gray|"
    r"pink|purple|yellow|orange|brown|beige|\d+\s*(?:ml|l|liters?|litres?|inch(?:es)?|mm|cm|gb|tb|w|pieces?))\b"
)
_ORDER_WORD = re.compile(r"\b(?:order|commande|pedido|bestellung|ordine|encomenda)\b")
_AN_ORDER = re.compile(r"\b(?:order|it|that|this|commande|pedido|bestellung|ordine|encomenda)\b")


def _without_payment_words(folded: str) -> str:
    return extract.PAYMENT_WORDS.sub(" ", folded)


_FIRST_PERSON_WISH = re.compile(
    r"\b(?:i'?d\s+like|i\s+want|i\s+would\s+like|i\s+need|please|kindly|could\s+you|can\s+you\s+please)\b"
)


def _is_policy_question(sentence: str, folded: str) -> bool:
    """'What is your return policy?' asks about rules; 'I'd like to return #W1' asks for an action."""
    if extract.order_ids(sentence):
        return False
    return bool(re.search(r"\bpolic(?:y|ies)\b|\bwarrant|\bpolitica|\bpolitique|\bgarant", folded)) or (
        ("?" in sentence or bool(QUESTION_WORDS.search(folded))) and not _FIRST_PERSON_WISH.search(folded)
    )


def _worth_embedding(sentence: str) -> bool:
    """Greetings, sign-offs and names carry no request: skip the model for them."""
    return len(sentence.split()) >= 4


# A sentence without any cue word counts as a request when it is this close to an intent's
# examples (and, for questions, is asked as one). The bars sit above the best score any sentence
# that asks nothing reaches in the development tickets (greetings, details, sign-offs).
_EMBEDDING_ONLY: dict[str, tuple[float, bool]] = {
    intents.CANCEL: (0.72, False),
    intents.RETURN: (0.62, False),
    intents.HUMAN: (0.62, False),
    intents.STATUS: (0.66, True),
    intents.TROUBLE: (0.64, True),
    intents.POLICY: (0.60, True),
    intents.PRODUCT: (0.70, True),
}


def _has_parameters(sentence: str) -> bool:
    return bool(extract.payment_refs(sentence) or extract.addresses(sentence) or extract.cancel_reason(sentence))


def split_requests(text: str, subject: str | None = None) -> list[Request]:
    """Requests in the order the customer wrote them.

    Within a paragraph, sentences before the first request are its preamble ('My order #W1 has
    the blue bottle. How much is the black one?'), and sentences after a request belong to it. A
    paragraph that asks nothing but carries details (an address block, a reason, a payment
    method) belongs to the request before it; one that names orders hands them to the next
    request that names none."""
    requests: list[Request] = []
    carried_orders: list[str] = []
    for block_index, block in enumerate(blocks(text)):
        paragraph = _Paragraph(block_index, carried_orders, requests[-1] if requests else None)
        for sentence, bullet in _clause_units(block):
            paragraph.add(sentence, bullet)
        carried_orders = paragraph.carried_orders
        if paragraph.requests:
            requests.extend(paragraph.requests)
        elif paragraph.preamble:
            if paragraph.preamble_orders:
                carried_orders = paragraph.preamble_orders
            elif requests:
                details = [s for s in paragraph.preamble if _has_parameters(s)]
                requests[-1].sentences.extend(details)
    _fill_missing_orders(requests, text, subject)
    for request in requests:
        # 'would swapping the white headphones for black ones cost extra? Only asking for now': a price question
        if request.intent == intents.CHANGE_ITEMS and _ONLY_ASKING.search(fold(request.text)):
            request.intent = intents.PRODUCT
    for previous, request in itertools.pairwise(requests):
        # 'Has my camera shipped? Also, which card did I use for that purchase?': the order asked about before
        if request.intent == intents.BILLING and not request.order_ids and _THAT_ORDER.search(fold(request.text)):
            request.order_ids = list(previous.order_ids)
            if not request.order_ids:
                request.sentences = [previous.sentences[0], *request.sentences]
    return _merge_restated(_merge_same_order(_merge_escalations(requests)))


@dataclass
class _Paragraph:
    """The requests of one paragraph, built sentence by sentence."""

    index: int
    carried_orders: list[str]  # named by an earlier paragraph that asked nothing: for the first request
    previous: Request | None = None  # the last request of the paragraphs before
    requests: list[Request] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)  # the sentences before the first request
    preamble_orders: list[str] = field(default_factory=list)

    def add(self, sentence: str, bullet: bool) -> None:
        ids = extract.order_ids(sentence)
        current = self.requests[-1] if self.requests else None
        if current is None and not self.preamble and self.previous is not None and _about_the_change(sentence, ids):
            # a paragraph opening with 'If you do swap it, tell me the difference': the change before
            self.previous.sentences.append(sentence)
            return
        # 'Only do it if it costs no more than I paid': a branch of the request before, not a request
        intent = None if current is not None and conditions.branch_of_request(sentence) else sentence_intent(sentence)
        action = _action_after_question(current, sentence) if intent is None and current is not None else None
        if current is not None and action is not None:
            # 'has my order shipped yet? if it hasn't, please cancel it': the question, then a request
            # on the same order, which keeps the question's words for which order it is
            self.requests.append(
                Request(action, list(current.order_ids), [current.sentences[-1], sentence], self.index)
            )
            return
        if current is None and intent == intents.RETURN and self.previous and _only_where_money_goes(sentence, ids):
            # a detail of the return before if the paragraph asks nothing else, else of the request it opens
            intent = None
        if current is not None and _gives_the_new_address(current, intent, ids, sentence):
            intent = current.intent  # 'still has his old address. Please change it to: <address>'
        if current is not None and intent in intents.ACTIONS and _asks_it_again(sentence):
            intent = current.intent  # '¿Pueden cambiarlo?' after the change it asks for: the same request
        if current is not None and current.intent == intents.PAYMENT and intent == intents.RETURN and not ids:
            # 'Please refund the Mastercard once it's switched': what a payment change does to the old
            # method, not a return (which sends items back)
            intent = None if not _RETURN_OR_EXCHANGE.search(fold(sentence)) else intent
        if intent == intents.BILLING and current is not None and _asks_what_change_comes_to(current, sentence):
            intent = None  # answered by the change's own report (its refund or price difference)
        if (
            bullet
            and current is not None
            and (
                intent is None
                or intent == current.intent
                or (not ids and intent not in (intents.CANCEL, *intents.ESCALATIONS))
            )
            # '- and its status?' under a question is a question of its own, and so is a question
            # under a change ('- how much was the laptop?' under a return is not an item to return)
            and intent not in intents.QUESTIONS
        ):
            # '- the Kettle for the glass one' under 'Could I exchange these items:'
            current.sentences.append(sentence)
        elif intent is None:
            self._add_detail(sentence, ids, current)
        elif current is not None and _same_request(current, intent, ids, sentence):
            current.sentences.append(sentence)
            current.order_ids.extend(i for i in ids if i not in current.order_ids)
        elif current is not None and current.intent == intents.TROUBLE and intent in _FOR_WHAT_FAILS and not ids:
            # 'the wall clock just doesn't work ... I'd like to send it back': the complaint says what 'it' is
            current.intent = intent
            current.sentences.append(sentence)
        else:
            self.requests.append(self._new_request(intent, ids, sentence))

    def _add_detail(self, sentence: str, ids: list[str], current: Request | None) -> None:
        """A sentence that asks nothing belongs to the request before it, else to the preamble."""
        if current is not None:
            if ids and not current.order_ids:
                current.order_ids.extend(ids)
            current.sentences.append(sentence)
        else:
            self.preamble.append(sentence)
            self.preamble_orders.extend(i for i in ids if i not in self.preamble_orders)

    def _new_request(self, intent: str, ids: list[str], sentence: str) -> Request:
        """A request starting at this sentence; the first one takes the preamble (and its orders),
        and the orders carried from an earlier paragraph when it names none."""
        request = Request(intent, list(ids), [sentence], self.index)
        if not self.requests and self.preamble:
            request.sentences = self.preamble + request.sentences
            if not ids:
                request.order_ids = list(self.preamble_orders)
        if not request.order_ids and self.carried_orders:
            request.order_ids = list(self.carried_orders)
        self.carried_orders = []
        return request


# A change asked of a bare pronoun: 'can you change it?', '¿pueden cambiarlo?', 'pouvez-vous le faire ?'.
_IT_AGAIN = re.compile(
    r"^\W*(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+|(?:pueden|podrian|puede|pouvez-vous|"
    r"pourriez-vous|konnen\s+sie|potete|podem|poderiam)\s+)?(?:\w+\s+)?(?:chang|switch|updat|do|make|cambi|modific|"
    r"chang|modifi|ander|fa|alter|mud)\w*\s*(?:it|that|this|lo|la|le|es|lo\s+por\s+favor)?\s*(?:for\s+me|please|por\s+favor|"
    r"s'il\s+vous\s+plait|bitte|per\s+favore)?\W*$"
)


_FOR_WHAT_FAILS = (intents.RETURN, intents.CHANGE_ITEMS)


_THAT_ORDER = re.compile(
    r"\b(?:that|this|the\s+same)\s+(?:purchase|order|one|parcel|package|delivery)\b|\bfor\s+(?:it|them)\b"
)


_ADDRESS_CHANGES = (intents.ORDER_ADDRESS, intents.USER_ADDRESS)


def _gives_the_new_address(current: Request, intent: str | None, ids: list[str], sentence: str) -> bool:
    """'Please change it to:' and an address, right after the address change it is about."""
    return (
        current.intent in _ADDRESS_CHANGES
        and intent == intents.CHANGE_ITEMS
        and not ids
        and bool(extract.addresses(sentence) or sentence.rstrip().endswith(":"))
    )


def _only_where_money_goes(sentence: str, ids: list[str]) -> bool:
    """'Refund the usual way is fine.', 'Vous pouvez mettre le remboursement sur ma carte cadeau.':
    where the money of a change goes, read as a return only for its word 'refund'."""
    folded = fold(sentence)
    return (
        not ids
        and bool(extract.payment_refs(sentence))
        and not _RETURN_OR_EXCHANGE.search(folded)
        and len(folded.split()) <= 16
    )


def _about_the_change(sentence: str, ids: list[str]) -> bool:
    """A condition on the change asked just before, naming no order: what to do with a price
    difference, or what to say once it is done."""
    if ids or not conditions.branch_of_request(sentence):
        return False
    found = conditions.conditions_in(sentence) or []
    return all(c.topic in (conditions.DIFFERENCE, conditions.DONE) for c in found)


def _action_after_question(current: Request, sentence: str) -> str | None:
    """The change a branch after a question about an order asks for ('if it hasn't shipped,
    cancel it'): a request of its own, not a detail of the question."""
    if current.intent not in intents.QUESTIONS or not conditions.branch_of_request(sentence):
        return None
    action = sentence_intent(sentence)
    return action if action in intents.ACTIONS else None


def _asks_it_again(sentence: str) -> bool:
    return bool(_IT_AGAIN.match(fold(sentence)))


def _asks_what_change_comes_to(current: Request, sentence: str) -> bool:
    """A figure question right after a return, an item change or a cancellation, about what that
    change refunds or costs, naming no order of its own."""
    folded = fold(sentence)
    return (
        current.intent in (intents.RETURN, intents.CHANGE_ITEMS, intents.CANCEL)
        and not extract.order_ids(sentence)
        and bool(_ABOUT_THE_CHANGE.search(folded))
        and not re.search(r"\bpa(?:y|id)\b", folded)
    )


def _same_request(current: Request, intent: str, ids: list[str], sentence: str) -> bool:
    """A sentence asking for the same thing about the same orders goes on with the request
    ('Please cancel #W1. I ordered it by mistake, please cancel it.'), unless it says it is another."""
    return (
        current.intent == intent
        and (not ids or not current.order_ids or set(ids) <= set(current.order_ids))
        and not _NEW_REQUEST.match(sentence)
    )


_CLAUSE_JOINT = re.compile(
    r"(?:,\s*|\s+)(?:and\s+)?(?:also|then|plus|additionally|as\s+well\s+as)\s+|;\s+|,\s*and\s+|"
    r",?\s+and\s+(?=(?:please\s+|kindly\s+|can\s+you\s+|could\s+you\s+|i'?d\s+(?:also\s+)?like\s+to\s+|"
    r"i\s+(?:also\s+)?want\s+to\s+|i\s+need\s+to\s+)?(?:cancel|return|exchange|swap|switch|change|send|ship|update|"
    r"modify|refund|replace|tell|check|let)\b)",
    re.IGNORECASE,
)


def _only_preference(sentence: str) -> bool:
    """'From now on, refunds to my gift card rather than my Mastercard': a standing preference that
    asks for nothing else is no request of its own (its payment words would make it one)."""
    rest = preferences.beside_preference(sentence)
    return rest is not None and (not rest or sentence_intent(rest) is None)


def _clause_units(block: str) -> list[tuple[str, bool]]:
    """Sentences, with a sentence that asks for two different things cut into its clauses
    ('cancel #W1 since I ordered it by mistake and also return the watch from #W2')."""
    out: list[tuple[str, bool]] = []
    for sentence, bullet in sentence_units(block):
        if _only_preference(sentence):
            continue  # read as a standing preference (reading.py), applied by the payment choice
        hits = intents.cue_hits(sentence)
        kinds = hits & set(intents.ACTIONS) | (hits & {intents.STATUS})
        if len(kinds) < 2:
            out.append((sentence, bullet))
            continue
        pieces = [p.strip(" ,;") for p in _CLAUSE_JOINT.split(sentence) if p and p.strip(" ,;")]
        clauses: list[str] = []
        for piece in pieces:
            if clauses and sentence_intent(piece) is None:
                clauses[-1] = f"{clauses[-1]} {piece}"
            else:
                clauses.append(piece)
        clause_intents = [sentence_intent(c) for c in clauses]
        if len(clauses) > 1 and all(clause_intents) and len(set(clause_intents)) > 1:
            out.extend((clause, bullet) for clause in clauses)
        else:
            out.append((sentence, bullet))
    return out


def _merge_same_order(requests: list[Request]) -> list[Request]:
    """Two paragraphs returning (or changing) items of the same order are one store operation."""
    out: list[Request] = []
    for request in requests:
        twin = next(
            (
                r
                for r in out
                if r.intent == request.intent
                and request.intent in (intents.RETURN, intents.CHANGE_ITEMS)
                and r.order_ids
                and r.order_ids == request.order_ids
            ),
            None,
        )
        if twin is not None:
            twin.sentences.extend(request.sentences)
            continue
        out.append(request)
    return out


# 'the order', 'o pedido', 'la commande': the order already spoken of, not another one
_THE_ORDER = re.compile(
    r"\b(?:the|this|that|my)\s+order\b|\b(?:o|este|esse|el|ese|le|la|cette|die|diese|l'|il|quest)\s*"
    r"(?:pedido|commande|bestellung|ordine|encomenda)\b|\bit\b"
)
_ANOTHER = re.compile(
    r"\b(?:other|another|second|also|too|as\s+well|outr[oa]|otr[oa]|autre|andere|altr[oa]|tambien|tambem|aussi|auch|anche)\b"
)


def _merge_restated(requests: list[Request]) -> list[Request]:
    """A cancellation asked again in other words right after the first ('I want to cancel my tablet
    order. ... I just want the order cancelled and my money back'): one request, not two. Only
    when the second names no order of its own (no id, no product, no 'the other one')."""
    out: list[Request] = []
    for request in requests:
        previous = out[-1] if out else None
        text = fold(" ".join(request.sentences))
        if (
            previous is not None
            and request.intent == previous.intent == intents.CANCEL
            and not request.order_ids
            and _THE_ORDER.search(text)
            and not _ANOTHER.search(text)
            and not matching.item_mentions(text, list(lexicon.NAMES))
        ):
            previous.sentences.extend(request.sentences)
            continue
        out.append(request)
    return out


def _fill_missing_orders(requests: list[Request], text: str, subject: str | None) -> None:
    """A request without an order id takes the only order the ticket mentions (or its subject's)."""
    all_ids = extract.order_ids(text)
    subject_ids = extract.order_ids(subject or "")
    for request in requests:
        if request.order_ids or request.intent in (
            intents.USER_ADDRESS,
            intents.PRODUCT,
            intents.POLICY,
            intents.HUMAN,
            intents.ABUSE,
            intents.LEGAL,
        ):
            continue
        if len(all_ids) == 1:
            request.order_ids = list(all_ids)
        elif not all_ids and len(subject_ids) == 1:
            request.order_ids = list(subject_ids)


def _merge_escalations(requests: list[Request]) -> list[Request]:
    """One escalation per ticket: several angry sentences are one request for a human."""
    out: list[Request] = []
    escalation: Request | None = None
    for request in requests:
        if request.intent in intents.ESCALATIONS:
            if escalation is None:
                escalation = request
                out.append(request)
            else:
                escalation.sentences.extend(request.sentences)
                if intents.ESCALATIONS.index(request.intent) > intents.ESCALATIONS.index(escalation.intent):
                    escalation.intent = request.intent
                for oid in request.order_ids:
                    if oid not in escalation.order_ids:
                        escalation.order_ids.append(oid)
            continue
        out.append(request)
    return out
