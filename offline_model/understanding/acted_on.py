"""The part of a request's words that can name the items to act on.

Customers tell a story around what they ask ("I ordered two puzzles, a watch and a jacket ...
the big puzzle is a joy and it's staying ... please return the 500-piece puzzle and the jacket").
Every item named in the story is not an item to return. Before items are picked, the sentences
that cannot be naming them are set aside: what the customer keeps, what happened (first-person
past tense with nothing asked), and phrases that only say which order is meant ("the one with the
laptop"), what the order holds ("there are two pet beds in it").
What is left is where the items to act on are named; when nothing is named there, the
playbook reads the whole request as before and the write check (playbooks/write_check.py) still
stands between it and the store."""

from __future__ import annotations

import re

from offline_model.understanding import extract
from offline_model.understanding.text import blocks, fold, sentence_units

_ASKS = re.compile(
    r"\b(?:please|pls|could\s+you|can\s+you|would\s+you|i'?d\s+like|i\s+would\s+like|i\s+want|i\s+need|"
    r"i'?d\s+love|kindly|let'?s|go\s+ahead|return|send|exchange|swap|change|cancel|refund|replace|"
    r"je\s+voudrais|pouvez|pourriez|merci\s+de|ich\s+mochte|bitte|konnen\s+sie|quisiera|quiero|por\s+favor|"
    r"podrian|vorrei|potete|per\s+favore|gostaria|quero|podem|poderiam)\b"
)
_TOLD = re.compile(
    r"\b(?:i|we)\s+(?:\w+\s+)?(?:ordered|bought|purchased|got|received|picked|chose|used|had|gave|tried|loved)\b|"
    r"\b(?:arrived|came|was\s+delivered|were\s+delivered|showed\s+up)\b|"
    # the same without its subject, as notes are written ('hi, got my box with the lamp and kettles')
    r"(?:^|^\w+\s*,\s*)(?:just\s+|finally\s+)?(?:got|received)\s+(?:my|the|our|your|a|an|both)\b|"
    # what the order holds ('my order has two keyboards', 'there are two pet beds'): which items exist
    r"\b(?:there\s+(?:is|are|'s)|(?:it|order|one|box|parcel)\s+(?:has|have|contains|includes|holds)|"
    r"(?:has|have|contains|includes|holds)\s+(?:two|three|four|both|several|\d+)\b|i\s+have|i'?ve\s+got)"
)
_KEEPS = re.compile(
    r"\b(?:stays?\s+with\s+me|stays|(?:is|'s|are|'re)\s+staying|i'?(?:ll|\s+will)\s+keep|i'?m\s+keeping|i\s+keep|"
    # 'the grill and the laptop stay here', 'both can stay', 'the other two stay.'; not 'stay within budget'
    r"stay\s+(?:here|put|with\s+(?:me|us))|(?:can|will|should|may|must)\s+(?:just\s+)?stay\b(?!\s+(?:within|in\s+touch|at|"
    r"up|away|on|in\s+budget))|stay\s*(?:[.!]|$)|remains?\s+with\s+(?:me|us)|"
    r"i\s+want\s+to\s+keep|i'?d\s+like\s+to\s+keep|"
    # 'I've decided to keep', 'we'll probably keep' (never 'I don't want to keep': no negation between)
    r"(?:i|we)(?:'ve|'d|'ll|'m|'re|\s+have|\s+will|\s+would|\s+are|\s+am)?\s+(?:(?!not\b|never\b|no\b)\w+\s+){0,3}?"
    r"(?:keep(?:ing)?|hang(?:ing)?\s+on\s+to|hold(?:ing)?\s+on\s+to)|"
    r"je\s+(?:garde|conserve)|behalte|bleibt|me\s+quedo|mi\s+tengo|fico\s+com|vou\s+ficar|"
    # the object before the verb: 'le set, je le garde', 'den Helm behalte ich', 'lo tengo', 'me la quedo'
    r"je\s+(?:le|la|les)\s+(?:garde|conserve)|(?:lo|la|li|le|los|las)\s+(?:tengo|conservo|guardo|tenho)|"
    r"me\s+(?:lo|la|los|las)\s+quedo|(?:o|a|os|as)\s+(?:guardo|mantenho)|"
    # a participle clause: '..., keeping the electric kettle'; not 'keeping the same size' (an option kept)
    r"keeping\s+(?!(?:the\s+|its\s+|their\s+)?(?:same|size|colou?r|material|style|options?)\b|it\b|them\b|everything\b))\b"
)
# An item refused after the one asked for: 'just the toothbrush, not the helmet', 'the lamp - not
# the bulbs', 'seulement la lampe, pas l'ampoule'. After a comma, a dash or 'just/only ...', so
# that 'it's not the size I ordered' (a complaint) is no such clause.
_NOT_THIS = re.compile(
    r"(?:[,;(\u2013\u2014]|\s-|\b(?:just|only|solo|solamente|seulement|uniquement|nur|apenas|soltanto)\b[^.;:!?\n]*?)"
    r"\s*(?:(?:and|but|et|mais|und|aber|y|pero|e|ma|mas)\s+)?"
    r"((?:not|pas|nicht|no|non|n[aã]o)\s+(?:the|my|that|this|those|these|le|la|les|l'|den|die|das|el|los|las|il|lo|gli|i|"
    r"o|a|os|as)\b[^,.;:!?()\n]*)",
    re.IGNORECASE,
)
# The rest of a describing phrase: up to the end of its clause, or to a comma where the request
# starts ('the order with the luggage set and the bookshelf, can you switch the kettle ...').
_PHRASE = (
    r"[^.;:!?()\n]*?(?=,\s*(?:can|could|would|will|please|pls|i'?d|i\s+(?:want|need|would)|kindly|"
    r"pourriez|pouvez|podrian|pueden|konnen|potete|podem)\b|[.;:!?()\n]|$)"
)
_DESCRIBING = re.compile(
    # 'my big delivery (the one with the keyboard and the phone)', 'my earlier delivery, the one with ...'
    r"\b(?:order|delivery|shipment|package|parcel|box|purchase)\b[^.;:!?\n]{0,40}?[(,\u2013\u2014-]\s*(?:the\s+)?"
    rf"one\s+(?:(?:also\s+)?with|that\s+(?:also\s+|only\s+)?(?:had|has|came\s+with)|(?:also\s+)?containing|including)\s+{_PHRASE}|"
    r"\b(?:order|delivery|shipment|package|parcel|box|commande|celle|celui|bestellung|pedido|encomenda|"
    # ('the order delivered with ...', 'l'ordine consegnato con ...': one participle may stand between)
    r"aquela|ordine|quella|quello)\s+(?:that\s+|which\s+|que\s+|che\s+)?(?:[\w']+(?:ed|t|to|ta|do|da|e|ee)\s+)?"
    r"(?:had|has|with|w/|containing|contained|"
    rf"came\s+with|including|avec|contenant|mit|con|com|tiene|tinha|tem|aveva)\s+{_PHRASE}"
    # 'el de la tableta y el lector', 'celle du barbecue', 'quello con il monitor', 'o da chaleira': the one of
    rf"|\b(?:el|la|los|las)\s+de(?:l|\s+(?:la|el|los|las))\s+{_PHRASE}|\b(?:celle|celui|ceux)\s+(?:de|du|des|d')\s*{_PHRASE}"
    rf"|\bquell[oaie]\s+(?:di|del|della|dei|delle|con)\s+{_PHRASE}|\b(?:aquel[ae]|o|a)\s+d[oa]s?\s+{_PHRASE}",
    re.IGNORECASE,
)


# 'from the phone order', 'my espresso machine delivery': an order named by what it holds (set aside
# from what can name the items to act on; not a description every order must fit: it is as often
# said in passing, 'I paid for the puzzle order with my gift card')
_NAMED_BY_ITEM = re.compile(
    r"\b(?:the|my|your|our|that|this)\s+((?:(?!(?:from|of|in|with|and|or|the|my|a|an|to|for)\s)[\w-]+\s+){1,3}?)"
    r"(?:order|delivery|shipment|package|parcel|box)\b",
    re.IGNORECASE,
)


def acted_on_text(text: str, *, with_story: bool = False) -> str:
    """The request's words less the sentences and phrases that cannot name the items to act on
    (the rest keeps its lines and bullets: the item pickers read the layout). `with_story` keeps
    the told sentences, for a request that names its item only there ('the puzzle that came last
    week is missing pieces; I'd like to send it back')."""
    out = text
    for block in blocks(text):
        for sentence, _ in sentence_units(block):
            folded = fold(" ".join(sentence.split()))
            if _TOLD.search(folded) and not _ASKS.search(folded) and not with_story:
                out = _without(out, sentence)
                continue
            for part in _kept_parts(sentence) + _asked_about(sentence):
                out = _without(out, part)
    return _NAMED_BY_ITEM.sub(" ", _SAME_DELIVERY.sub(" ", _DESCRIBING.sub(" ", out)))


def describing_phrases(text: str) -> list[str]:
    """The phrases that only say which order is meant ('from my order with the laptop and the lamp',
    'that came in the same delivery as my umbrella'), each describing one order."""
    return [m.group(0) for pattern in (_DESCRIBING, _SAME_DELIVERY) for m in pattern.finditer(text)]


def kept_clauses(text: str) -> list[str]:
    """The clauses that keep something ('the phone stays with me', 'je garde le skateboard', 'just
    the toothbrush, not the helmet')."""
    return [part for block in blocks(text) for sentence, _ in sentence_units(block) for part in _kept_parts(sentence)]


def until_contrast(clause: str) -> str:
    """'the smartphone, but I send back the perfume': the clause up to where the contrast starts."""
    return _CONTRAST.split(clause, maxsplit=1)[0]


def _kept_parts(sentence: str) -> list[str]:
    """The parts of a sentence, cut at its contrasts ('I keep the phone, but return the perfume'),
    that keep something: a keeping verb, or praise in a short clause ('the black one is great')."""
    parts = [part for part in _CONTRAST.split(sentence) if part and _keeps(fold(" ".join(part.split())))]
    parts += [m.group(1) for m in _NOT_THIS.finditer(sentence) if not any(m.group(1) in part for part in parts)]
    # praise is a clause of its own: 'the makeup kit was great, my daughter loves it, and the ...'
    if _CONDITIONAL.search(fold(sentence)):
        return parts  # 'if the red ones are out of stock, black is fine': a version accepted, not praise
    # a short sentence praises as a whole ('the tablet is what I use every day, love it')
    pieces = [*_PRAISE_CUT.split(sentence), sentence]
    # 'the boots are great but I get wet feet': praise before a contrast is the lead-in to a complaint
    praised = [
        piece
        for piece in pieces
        if piece
        and _praises(fold(" ".join(piece.split())))
        and not _CONTRAST.search(piece)
        and not any(piece in part for part in parts)
    ]
    return parts + praised


def _praises(folded: str) -> bool:
    """An item praised ('the watch is fantastic'), not a payment method found fine ('PayPal is fine')."""
    if extract.payment_refs(folded):
        return False
    return len(folded.split()) <= 14 and bool(_PRAISED.search(folded)) and not _ACTION_WORD.search(folded)


def _asked_about(sentence: str) -> list[str]:
    """The clauses that only ask about something ('how much was the laptop?', 'I wonder what the
    laptop cost'): what they name is asked about, not acted on."""
    clauses = [c for c in _CLAUSE_CUT.split(sentence) if c and c.strip()]
    return [c for c in clauses if _ASKS_TO_KNOW.search(fold(c)) and not _ACTION_WORD.search(fold(c))]


def _keeps(folded: str) -> bool:
    return bool(_KEEPS.search(folded) or (len(folded.split()) <= 12 and _PRAISED.search(folded)))


# 'the puzzle that came in the same delivery as my umbrella': the umbrella only says which order
_SAME_DELIVERY = re.compile(
    r"\b(?:(?:came|arrived|was|were)\s+(?:in|with)\s+)?(?:the\s+)?same\s+(?:delivery|order|box|package|parcel|"
    r"shipment)\s+as\s+[^.;:!?()\n]*|\b(?:came|arrived)\s+(?:together\s+)?with\s+[^.;:!?()\n]*|"
    # 'en même temps que le barbecue', 'zusammen mit dem Grill', 'junto con', 'insieme a', 'junto com'
    r"\ben\s+m[eê]me\s+temps\s+que\s+[^.;:!?()\n,]*|\bzusammen\s+mit\s+[^.;:!?()\n,]*|"
    r"\bjunto\s+(?:con|com)\s+[^.;:!?()\n,]*|\binsieme\s+(?:a|al|alla|allo|ai|alle)\s+[^.;:!?()\n,]*|"
    # '(avec les lunettes de soleil, dans le même colis)', '(with the speaker)': what came alongside
    r"\(\s*(?:together\s+)?(?:with|avec|con|mit|com|insieme\s+a)\s+[^()]*\)",
    re.IGNORECASE,
)


_PRAISED = re.compile(
    r"(?<!n't\s)(?<!not\s)(?<!never\s)\b(?:love|loves|adore|adores)\s+(?:it|them)\b(?!\s+(?:if|when|back))|"
    r"(?<!n't\s)(?<!not\s)(?<!never\s)\b(?:use|uses)\s+(?:it\s+|them\s+)?(?:every\s+day|daily|all\s+the\s+time)\b|"
    r"\b(?:is|are|'s|was|were|works|worked|work)\s+(?:\w+\s+)?(?:great|perfect|perfectly|lovely|fine|a\s+joy|wonderful|"
    r"excellent|amazing|fantastic|brilliant|well)\b|"
    r"\b(?:ist|sind|war|waren|est|sont|etait|es|son|era|sono|e)\s+(?:\w+\s+)?(?:super|toll|prima|klasse|genial|parfaite?s?|"
    r"geniale?s?|perfect[oa]s?|ottim[oaie]|fantastic[oaie]s?|excelentes?|otim[oa]s?)\b"
)
_CONDITIONAL = re.compile(r"\b(?:if|unless|otherwise|si|wenn|falls|sonst|se|caso|altrimenti|senao|sinon)\b")
_PRAISE_CUT = re.compile(r",|;|\s[-\u2013\u2014]\s")
_CLAUSE_CUT = re.compile(r";|\s[-\u2013\u2014]\s")
_ASKS_TO_KNOW = re.compile(
    r"\b(?:know|wonder\w*|curious|how\s+much|what\s+(?:\w+\s+){0,4}(?:cost|costs|price|paid|pay))\b"
)
_ACTION_WORD = re.compile(
    r"\b(?:return\w*|send\w*\s+(?:\w+\s+){0,3}back|exchang\w*|swap\w*|refund\w*|cancel\w*|replac\w*|switch\w*|"
    r"chang\w*|going\s+back|retourn\w*|devol\w*|zuruck\w*|restitu\w*|renvoy\w*)\b"
)
_CONTRAST = re.compile(
    r"[,;]?\s*\b(?:but|mais|aber|pero|ma|mas|however|whereas|while)\b|[,;(]\s*(?=keeping\b)|;", re.IGNORECASE
)


def _without(text: str, sentence: str) -> str:
    """`text` less one sentence of it, whatever whitespace the sentence was written with."""
    pattern = r"\s+".join(re.escape(word) for word in sentence.split())
    return re.sub(pattern, " ", text, count=1) if pattern else text
