"""Extractors: plain parsing of the facts a customer writes out.

Order ids, e-mail addresses, names with zip codes, amounts, postal addresses, payment methods
described in words and cancellation reasons. Nothing here knows the store: matching what was
written against what the tools return lives in `matching.py`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from offline_model.understanding.text import fold, squash

# --- order ids and e-mails ----------------------------------------------------------------------

_ORDER_ID = re.compile(r"(?<![\w])#?\s?W\s?(\d{7})(?!\d)", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


_ORDER_NUMBER = re.compile(r"\border\s*(?:number|no\.?|num\.?|#|id)?\s*(?:is\s*)?:?\s*(\d{7})(?!\d)", re.IGNORECASE)


def order_ids(text: str) -> list[str]:
    """Order ids in order of first mention, normalised to '#W1234567' ('order number 1234567'
    counts too)."""
    found = [(m.start(), m.group(1)) for m in _ORDER_ID.finditer(text)]
    found += [(m.start(1), m.group(1)) for m in _ORDER_NUMBER.finditer(text)]
    seen: list[str] = []
    for _, digits in sorted(found):
        oid = "#W" + digits
        if oid not in seen:
            seen.append(oid)
    return seen


def emails(text: str) -> list[str]:
    seen: list[str] = []
    for match in _EMAIL.finditer(text):
        address = match.group(0).strip(".").lower()
        if address not in seen:
            seen.append(address)
    return seen


# --- names and zip codes ------------------------------------------------------------------------

_ZIP_LABEL = (
    r"(?:zip(?:\s*code)?|zipcode|postal\s*code|postcode|c[oó]digo\s+postal|code\s+postal|"
    r"cap|cep|plz|postleitzahl)"
)
_ZIP_LABELLED = re.compile(_ZIP_LABEL + r"(?:'s)?\s*(?:is|:|=|-|es|est|ist|é|e)?\s*(\d{5})(?!\d)", re.IGNORECASE)
_NAME_WORD = r"[A-Z][a-zA-Z'’-]+"
_FULL_NAME = rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})"
_INTRO = (
    r"(?:my\s+name\s+is|my\s+name's|i\s+am|i'm|i’m|this\s+is|writing\s+as|name\s*:|"
    r"me\s+llamo|mi\s+nombre\s+es|soy|je\s+m'appelle|je\s+m’appelle|je\s+suis|ich\s+bin|"
    r"mein\s+name\s+ist|ich\s+heiße|ich\s+heisse|meu\s+nome\s+é|eu\s+sou|sou|mi\s+chiamo|sono)"
)
_INTRO_NAME = re.compile(_INTRO + r"\s+" + _FULL_NAME, re.IGNORECASE)
# Introductions explicit enough to trust a name written in lower case ('this is ana silva').
_LOWER_INTRO_NAME = re.compile(
    r"(?:my\s+name\s+is|my\s+name's|this\s+is|writing\s+as|name\s*:|me\s+llamo|je\s+m'appelle|ich\s+hei(?:ß|ss)e|mi\s+chiamo)"
    r"\s+([a-z][a-z'’-]+\s+[a-z][a-z'’-]+)\b"
)
_NOT_NAME_WORDS = {
    "order",
    "orders",
    "hi",
    "hello",
    "hey",
    "dear",
    "thanks",
    "thank",
    "regards",
    "best",
    "the",
    "my",
    "account",
    "zip",
    "code",
    "please",
    "kind",
    "sincerely",
    "cheers",
    "customer",
    "service",
    "support",
    "team",
    "writing",
    "from",
    "email",
    "e-mail",
    "mail",
    "re",
    "fw",
    "fwd",
    "sent",
    "many",
    "warm",
    "good",
    "morning",
    "afternoon",
    "evening",
    "i",
    "hola",
    "bonjour",
    "hallo",
    "gracias",
    "merci",
    "danke",
    "obrigado",
    "grazie",
    "saludos",
    "un",
    "saludo",
    "cordialement",
    "atentamente",
    "also",
    "and",
    "or",
    "with",
    "not",
    "just",
    "still",
    "very",
    "so",
    "really",
    "i'm",
    "i’m",
    "im",
    "this",
    "it's",
    "it’s",
    "here",
    "name",
    "is",
    "am",
    "as",
    "me",
    "ps",
    "p.s.",
}


@dataclass(frozen=True)
class NameZip:
    first_name: str
    last_name: str
    zip: str


_ZIP_AFTER = re.compile(r"(?<!\d)(\d{5})\s+(?:is\s+)?(?:my|the)\s+" + _ZIP_LABEL, re.IGNORECASE)


def _zip_matches(text: str) -> list[re.Match[str]]:
    return sorted(list(_ZIP_LABELLED.finditer(text)) + list(_ZIP_AFTER.finditer(text)), key=lambda m: m.start())


def zip_codes(text: str) -> list[str]:
    """Zip codes the customer labels as theirs ('zip 12345', 'ZIP code: 12345', '12345 is my zip')."""
    seen: list[str] = []
    for match in _zip_matches(text):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def _clean_name(candidate: str) -> tuple[str, str] | None:
    parts = [p for p in re.split(r"\s+", candidate.strip()) if p]
    while parts and parts[-1].lower().strip("'’") in _NOT_NAME_WORDS:
        parts.pop()
    while parts and parts[0].lower() in _NOT_NAME_WORDS:
        parts.pop(0)
    if len(parts) < 2 or any(p.lower() in _NOT_NAME_WORDS for p in parts):
        return None
    if any(not p[0].isupper() for p in parts):
        return None
    return parts[0], " ".join(parts[1:])


_SIGN_OFF = re.compile(
    r"^(?:(?:many\s+|best\s+|kind\s+|warm\s+)?(?:thanks|thank\s+you|regards|wishes)|best|cheers|sincerely|yours(?:\s+truly)?|"
    r"cordialement|saludos|gracias|merci|danke|obrigad[oa]|grazie|un\s+saludo)\s*(?:a\s+lot)?[,!.:-]*\s*",
    re.IGNORECASE,
)


def full_names(text: str) -> list[tuple[str, str]]:
    """Full names the customer gives for themselves, most explicit first.

    Introductions ('My name is Ana Silva', 'Soy Juan Smith') come first, then signature lines
    (a line holding only a name, possibly followed by a zip code or an e-mail)."""
    found: list[tuple[str, str]] = []

    def add(candidate: str) -> None:
        name = _clean_name(candidate)
        if name and name not in found:
            found.append(name)

    for match in _INTRO_NAME.finditer(text):
        add(match.group(1))
    for match in re.finditer(rf"{_FULL_NAME}\s*[,(]?\s*\d{{5}}(?!\d)", text):
        add(match.group(1))  # 'Raj Li (76184)', 'Mei Ahmed, 43197'
    for match in _zip_matches(text):
        # 'Hi! Ava Nguyen, ZIP 94128', 'Yusuf Gonzalez here, 91455 is my zip': the name just before
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[max(line_start, match.start() - 60) : match.start()]
        names = re.findall(_FULL_NAME, before)
        if names:
            add(names[-1])
    for match in _LOWER_INTRO_NAME.finditer(text):
        add(" ".join(part.capitalize() for part in match.group(1).split()))
    for line in reversed(text.splitlines()):
        stripped = _SIGN_OFF.sub("", line.strip().lstrip("-–—~ ").strip())
        if not stripped:
            continue
        # 'Lei Anderson (zip 76192)', 'Mei Ahmed, 43197', 'Ivan Santos - ivan@x.com'
        signed = re.match(rf"^{_FULL_NAME}\s*(?:$|[,(\-–—|/]|\s+{_ZIP_LABEL}|\s+\d{{5}}\b)", stripped)
        if signed:
            add(signed.group(1))
    return found


def bare_zip_after_name(text: str) -> list[str]:
    """'Mei Ahmed, 43197': a five-digit number written right after a full name."""
    out: list[str] = []
    for match in re.finditer(rf"{_FULL_NAME}\s*[,(]?\s*(\d{{5}})(?!\d)", text):
        if match.group(2) not in out:
            out.append(match.group(2))
    return out


def name_zip_candidates(text: str) -> list[NameZip]:
    """Every (full name, zip) pair worth trying with find_customer_by_name_zip, best first."""
    names = full_names(text)
    zips = zip_codes(text) or bare_zip_after_name(text)
    return [NameZip(first, last, z) for (first, last) in names for z in zips]


# --- amounts ------------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?:\$|USD\s?|US\$)\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?|(\d+(?:\.\d{1,2})?)\s?(?:dollars|usd|\$)",
    re.IGNORECASE,
)


def amounts(text: str) -> list[float]:
    out: list[float] = []
    for match in _AMOUNT.finditer(text):
        if match.group(1):
            whole = match.group(1).replace(",", "")
            cents = match.group(2) or "0"
            out.append(round(float(f"{whole}.{cents}"), 2))
        elif match.group(3):
            out.append(round(float(match.group(3)), 2))
    return out


# --- postal addresses ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    address1: str
    address2: str
    city: str
    state: str
    country: str
    zip: str

    def as_kwargs(self) -> dict[str, str]:
        return {
            "address1": self.address1,
            "address2": self.address2,
            "city": self.city,
            "state": self.state,
            "country": self.country,
            "zip": self.zip,
        }


# The account's saved address named instead of written out: 'my home address (the one saved on my
# account)', 'my own address', 'the address you have on file'.
_ACCOUNT_ADDRESS = re.compile(
    r"\b(?:home|default|usual|own|saved|regular|permanent|primary|main|normal)\s+address\b|"
    r"\baddress\s+(?:on|in|from|of|you\s+have\s+(?:on|in))\s+(?:my\s+|the\s+)?(?:account|profile|file)\b|"
    r"\b(?:one|address)\s+(?:that'?s\s+|that\s+is\s+|which\s+is\s+|you\s+have\s+)?(?:saved|stored|on\s+file|"
    r"(?:on|in)\s+(?:my|the)\s+(?:account|profile))\b|\b(?:account|profile)(?:'s)?\s+address\b|"
    r"\bdireccion\s+(?:de\s+(?:mi\s+)?(?:casa|cuenta|perfil)|habitual|principal)\b|"
    r"\badresse\s+(?:de\s+(?:mon\s+)?compte|habituelle|principale|personnelle)\b|"
    r"\b(?:heim|haupt|standard|konto)adresse\b|\bindirizzo\s+(?:di\s+casa|del\s+(?:mio\s+)?(?:account|profilo)|abituale)\b|"
    r"\bendereco\s+(?:de\s+casa|da\s+(?:minha\s+)?conta|habitual|principal)\b"
)
# The address the ticket gives for another change: 'send that one to the new address as well'.
_NEW_ADDRESS = re.compile(
    r"\b(?:new|same|that|this|above)\s+address\b|\baddress\s+above\b|\bnueva\s+direccion\b|\bnouvelle\s+adresse\b|"
    r"\bneue[nr]?\s+adresse\b|\bnuovo\s+indirizzo\b|\bnovo\s+endereco\b"
)


def names_account_address(text: str) -> bool:
    return bool(_ACCOUNT_ADDRESS.search(fold(text)))


def names_new_address(text: str) -> bool:
    return bool(_NEW_ADDRESS.search(fold(text)))


_US_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR"
)
_US_STATES = set(_US_STATE_CODES.split())
_UNIT = re.compile(
    r"^(?:suite|ste\.?|apt\.?|apartment|unit|#|floor|fl\.?|room|rm\.?|building|bldg\.?|p\.?o\.? box|"
    r"dept\.?|department|lot|space|trailer)\b",
    re.IGNORECASE,
)
_STATE_ZIP = re.compile(r"^(?P<city>.*?)[\s,]*\b(?P<state>[A-Z]{2})\.?[\s,]+(?P<zip>\d{5})(?:-\d{4})?\b(?P<rest>.*)$")
_COUNTRY_WORDS = {
    "usa": "USA",
    "us": "USA",
    "u.s.": "USA",
    "u.s.a.": "USA",
    "u.s.a": "USA",
    "united states": "USA",
    "united states of america": "USA",
    "america": "USA",
}


def _address_parts(text: str) -> list[str]:
    parts: list[str] = []
    for line in text.replace(";", "\n").splitlines():
        for piece in line.split(","):
            piece = piece.strip().strip(".").strip()
            if piece:
                parts.append(piece)
    return parts


def _street_start(part: str) -> str | None:
    """'please ship it to 544 Sunset Drive' -> '544 Sunset Drive'."""
    match = re.search(r"(?:^|[\s:])(\d{1,6}[A-Za-z]?\s+[A-Za-z0-9].*)$", part)
    return match.group(1).strip() if match else None


def addresses(text: str) -> list[Address]:
    """Postal addresses written inline ('1 Main St, Apt 2, Austin, TX 78701, USA') or as a block."""
    parts = _address_parts(text)
    found: list[Address] = []
    for index, part in enumerate(parts):
        match = _STATE_ZIP.match(part)
        if not match or match.group("state") not in _US_STATES:
            continue
        state, zip_code = match.group("state"), match.group("zip")
        city = match.group("city").strip(" ,")
        cursor = index - 1
        if not city and cursor >= 0:
            city = parts[cursor]
            cursor -= 1
        if not city:
            continue
        address2 = ""
        address1 = None
        if cursor >= 0 and _UNIT.match(parts[cursor]):
            address2 = parts[cursor]
            cursor -= 1
        if cursor >= 0:
            address1 = _street_start(parts[cursor])
        if address1 is None:
            # the street may share the city's piece: '58 Willow Lane Raleigh NC 27605' is too
            # ambiguous to split, so it is not an address we can act on
            continue
        inline_unit = re.match(r"^(.*?\S)\s+((?:suite|ste\.?|apt\.?|apartment|unit|#)\s*\S+)$", address1, re.IGNORECASE)
        if inline_unit and not address2:
            address1, address2 = inline_unit.group(1), inline_unit.group(2)
        country = "USA"
        rest = match.group("rest").strip(" ,.")
        tail = rest or (parts[index + 1] if index + 1 < len(parts) else "")
        if tail and fold(tail).strip(". ") in _COUNTRY_WORDS:
            country = _COUNTRY_WORDS[fold(tail).strip(". ")]
        found.append(Address(squash(address1), squash(address2), squash(city), state, country, zip_code))
    return found


# --- payment methods described in words ---------------------------------------------------------


@dataclass(frozen=True)
class PaymentRef:
    """A payment method as the customer describes it: 'my Visa ending in 1234', 'PayPal'."""

    source: str | None  # credit_card | paypal | gift_card | None (any)
    brand: str | None = None
    last_four: str | None = None
    start: int = 0
    negated: bool = False  # 'rather than the gift card', 'instead of my Visa', 'from PayPal to ...'
    original: bool = False  # 'the card I paid with', 'original payment method'
    refused: bool = False  # 'not to PayPal', 'I don't want it on the Visa': never the method chosen

    def describe(self) -> str:
        if self.source == "paypal":
            return "PayPal"
        if self.source == "gift_card":
            return "gift card"
        label = (self.brand or "card").title() if self.brand != "mastercard" else "Mastercard"
        return f"{label} ending in {self.last_four}" if self.last_four else label


_BRANDS = {
    "visa": "visa",
    "mastercard": "mastercard",
    "master card": "mastercard",
    "mc": "mastercard",
    "amex": "amex",
    "american express": "amex",
    "discover": "discover",
}
_PAYMENT = re.compile(
    r"(?P<paypal>pay\s?pal)"
    r"|(?P<gift>(?:store\s+|e-?)?gift\s?-?\s?card|store\s+credit|tarjeta\s+regalo|tarjeta\s+de\s+regalo|"
    r"carte[- ]cadeau|geschenkkarte|gutschein|cart[aã]o[- ]presente|carta\s+regalo)"
    r"|(?P<brand>visa|master\s?card|amex|american\s+express|discover)"
    r"(?:\s+(?:credit|debit)\s+card|\s+card)?(?:\s*\(?(?:ending|that\s+ends|which\s+ends|ends)?\s*(?:in|with|:)?\s*(?:\*+|x+)?(?P<last1>\d{4})\)?)?"
    r"|(?P<card>(?:credit|debit)\s+card|\bcard\b)(?:\s*\(?(?:ending|that\s+ends|which\s+ends|ends)\s*(?:in|with|:)?\s*(?:\*+|x+)?\s*(?P<last2>\d{4})\)?)?",
    re.IGNORECASE,
)
# Words before a method that make it the one being replaced: 'instead of my Visa', 'I paid with
# PayPal, but ...', 'it went on my Mastercard', 'off my Mastercard and onto PayPal', 'stop using my
# Visa', 'lo pagué con la Visa', 'plutôt qu'avec la Visa'.
PAYMENT_WORDS = _PAYMENT  # for removing the methods from a sentence before reading the rest
_NEGATORS = re.compile(
    r"(?:rather\s+than|instead\s+of|not(?:\s+(?:back\s+)?(?:on|to|onto|into|via|through))?|no\s+longer\s+(?:on|with)|from|"
    r"away\s+from|replace|replacing|currently\s+(?:on|with)|currently\s+paid\s+with|"
    r"(?:don'?t|do\s+not|never|won'?t)\s+(?:really\s+)?(?:want|need|like|use)(?:\s+(?:any|it|a|the))?|"
    r"(?:i|we)\s+(?:originally\s+|already\s+)?paid\s+(?:for\s+(?:it|this|that|them|(?:the|this|that|my)\s+[\w\s-]{1,60}?)\s+)?"
    r"(?:with|using|by|on|via)|(?:i|we)\s+(?:originally\s+|first\s+)?used|"
    r"(?:went|gone|was\s+(?:charged|billed|put))(?:\s+through)?\s+(?:on|to)|off(?:\s+of)?|"
    r"stop\s+using|no\s+longer\s+using|"
    r"pagu[eé]\s+con|(?:lo\s+|la\s+)?pagado\s+con|en\s+vez\s+de|en\s+lugar\s+de|"
    r"pay[ée]e?s?\s+avec|plut[oô]t\s+qu'?\s*avec|au\s+lieu\s+de|"
    r"bezahlt\s+mit|statt|anstatt|"
    r"paguei\s+com|em\s+vez\s+d[oae]|ao\s+inv[eé]s\s+d[oae]|"
    r"pagato\s+con|invece\s+d(?:i|ella|el|ello))\s+"
    r"(?:the\s+|my\s+|our\s+|la\s+|el\s+|mi\s+|ma\s+|mon\s+|le\s+|meiner\s+|meine\s+|der\s+|minha\s+|meu\s+|"
    r"o\s+|a\s+|il\s+|mia\s+)?$",
    re.IGNORECASE,
)
# Words before a method that refuse it outright ('not to PayPal', 'I don't want the money going back
# to PayPal', 'anything but the Visa'): unlike the method being replaced ('I paid with my Visa'), a
# refused method is never the one chosen, even by default. The clause after the refusal stops at a
# word that starts another thought ('..., so', 'but', 'and').
_REFUSALS = re.compile(
    r"(?:\b(?:rather\s+than|instead\s+of|not|anything\s+but|never|no\s+longer|stop\s+using|en\s+vez\s+de|"
    r"en\s+lugar\s+de|au\s+lieu\s+de|statt|anstatt|em\s+vez\s+d[oae]|invece\s+d(?:i|ella|el|ello))\s+"
    r"(?:(?:back\s+)?(?:on|to|onto|into|via|through|with|using)\s+)?(?:the\s+|my\s+|our\s+|a\s+)?$)|"
    r"\b(?:don'?t|do\s+not|doesn'?t|does\s+not|won'?t|never)\s+(?:really\s+)?(?:want|need|like|use|put|send|refund|"
    r"go|charge)\b(?:(?!\b(?:so|but|and|just|please|rather|instead|or)\b|\s[-–—]\s)[^.,;:!?\n]){0,45}$",
    re.IGNORECASE,
)
# A method told to be unusable: 'my Visa was stolen last week', 'the PayPal account is closed now'.
_UNUSABLE = re.compile(
    r"(?:\s+(?:card|account))?(?:\s*\(?(?:ending\s+(?:in\s+)?)?\d{4}\)?)?\s+(?:was|is|has\s+been|got|'s|had\s+been)\s+"
    r"(?:\w+\s+){0,2}?(?:stolen|blocked|closed|expired|cancell?ed|lost|frozen|compromised|deactivated|suspended|"
    r"shut\s+down|no\s+longer\s+(?:valid|active|working))\b",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"original\s+(?:payment|method|card|form\s+of\s+payment)|same\s+(?:card|method|payment(?:\s+method)?)|"
    r"(?:card|method|account)\s+i\s+(?:paid|used|bought\s+it)\s+with|(?:whatever|what)\s+i\s+paid\s+with|"
    r"where\s+it\s+came\s+from|to\s+the\s+source|m[ée]todo\s+original|moyen\s+de\s+paiement\s+(?:d'origine|initial)|"
    # the way they paid: 'however I paid', 'whatever I used to pay for it', 'the same way as I paid'
    r"(?:however|whatever|how|the\s+(?:same\s+)?way(?:\s+as)?|as|like)\s+(?:i|we)\s+(?:originally\s+)?"
    r"(?:paid|used\s+to\s+pay|pay)\b|"
    # the way money usually goes back: 'refund it the usual way', 'the money back as usual'
    r"\bthe\s+(?:usual|normal|regular)\s+way\b|\b(?:refund\w*|money|credit\w*)\b[^.;\n]{0,25}\bas\s+usual\b|"
    r"(?:wie|womit)\s+ich\s+(?:\w+\s+){0,2}bezahlt|(?:comme|dont|que)\s+j'?ai\s+pay[ée]|"
    r"(?:como|con\s+(?:lo|la)\s+que)\s+pagu[ée]|(?:come|con\s+cui)\s+ho\s+pagato|(?:como|com\s+que)\s+paguei",
    re.IGNORECASE,
)


def payment_refs(text: str) -> list[PaymentRef]:
    """Payment methods mentioned, in order, each marked when it is the one being replaced."""
    refs: list[PaymentRef] = []
    for match in _PAYMENT.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        refusal = _REFUSALS.search(text[max(0, match.start() - 70) : match.start()])
        # 'I don't want store credit - Visa or nothing': the refusal is of the method it reaches first
        refused = refusal is not None and not _PAYMENT.search(refusal.group(0))
        refused = refused or bool(_UNUSABLE.match(text, match.end()))
        negated = refused or bool(_NEGATORS.search(before))
        # 'from X to Y': X is the old method only when a 'to' follows
        if negated and re.search(r"\bfrom\s+(?:the\s+|my\s+|our\s+)?$", before, re.IGNORECASE):
            after = text[match.end() : match.end() + 60]
            moved_to = bool(re.match(r"[^.;\n]*?\bto\b", after, re.IGNORECASE))
            describes = bool(re.match(r"\s*(?:ending|account|balance)", after, re.IGNORECASE))
            negated = refused or (moved_to and not describes)
        if match.group("paypal"):
            refs.append(PaymentRef("paypal", start=match.start(), negated=negated, refused=refused))
        elif match.group("gift"):
            refs.append(PaymentRef("gift_card", start=match.start(), negated=negated, refused=refused))
        elif match.group("brand"):
            brand = _BRANDS.get(" ".join(match.group("brand").lower().split()), match.group("brand").lower())
            refs.append(PaymentRef("credit_card", brand, match.group("last1"), match.start(), negated, refused=refused))
        else:
            last = match.group("last2")
            word = match.group("card").lower()
            if word == "card" and not last:
                # a bare 'card' is a payment method only in payment phrasing
                window = text[max(0, match.start() - 25) : match.end() + 25].lower()
                if not re.search(
                    r"\b(?:my|the|that|this|same|credit|debit|your|which|any|another)\s+card\b|\b(?:on|onto|to|use|using)\s+a\s+card\b",
                    window,
                ):
                    continue
                if re.search(r"card\s+(?:number|is\b)", window):
                    continue
            refs.append(PaymentRef("credit_card", None, last, match.start(), negated, refused=refused))
    for match in _ORIGINAL.finditer(text):
        refs.append(PaymentRef(None, start=match.start(), original=True))
    refs.sort(key=lambda r: r.start)
    return refs


# --- cancellation reasons -----------------------------------------------------------------------

REASON_NOT_NEEDED = "no longer needed"
REASON_MISTAKE = "ordered by mistake"

_MISTAKE = re.compile(
    r"by\s+(?:mistake|accident|error)|in\s+error|mistaken(?:ly)?|accidental(?:ly)?|"
    r"(?:didn'?t|did\s+not|never)\s+(?:mean|meant|intend|intended|wanted)\s+to\s+(?:order|buy|purchase|place)|"
    r"(?:was|is|been)\s+a\s+mistake|(?:my|a)\s+mistake|mistake\s+on\s+my\s+part|ordered\s+(?:it\s+)?wrong|"
    r"wrong\s+(?:item|product|order)|wrong(?:ly)?\s+(?:ordered|placed)|"
    r"(?:ordered|placed|bought|purchased|clicked)\s+(?:it\s+|this\s+|that\s+)?(?:twice|by\s+accident|wrong)|"
    r"duplicate\s+order|wasn'?t\s+supposed\s+to|unintentional(?:ly)?|slip\s+of\s+the|"
    r"misclick|mis-click|fat[- ]finger|"
    r"por\s+error|por\s+equivocaci[oó]n|por\s+accidente|sin\s+querer|equivoqu[eé]|"
    r"par\s+erreur|par\s+accident|par\s+m[ée]garde|"
    r"versehentlich|aus\s+versehen|irrt[uü]mlich|"
    r"por\s+engano|sem\s+querer|"
    r"per\s+errore|per\s+sbaglio",
    re.IGNORECASE,
)
_NOT_NEEDED = re.compile(
    r"no\s+longer\s+(?:need|want|require|have\s+(?:a\s+)?(?:use|need))|"
    r"(?:don'?t|do\s+not|won'?t|will\s+not|doesn'?t|does\s+not)\s+(?:really\s+)?(?:need|want|require)\s+(?:it|this|that|them|the\s+\w+)?\s*(?:any\s*more|anymore|after\s+all)?|"
    r"(?:have|has)\s+no\s+(?:need|use)\s+for|\bno\s+(?:further|more|longer\s+any)\s+(?:use|need)\b|\bno\s+longer\s+(?:necessary|required|wanted|useful)\b|"
    r"\b(?:isn'?t|is\s+not|not)\s+(?:needed|required|necessary)\s+any\s*more\b|not\s+needed|no\s+need\s+for|isn'?t\s+needed|"
    r"(?:won'?t|will\s+not)\s+be\s+needing|changed\s+my\s+mind|found\s+(?:\w+\s+){0,3}(?:cheaper|elsewhere|somewhere\s+else|for\s+less|a\s+better)|"
    r"bought\s+(?:it|one)\s+elsewhere|no\s+use\s+for|not\s+necessary|unnecessary|"
    # the need went away: 'my sister gave me exactly those', 'which makes my order pointless'
    r"\bpointless\b|\bredundant\b|\bsuperfluous\b|\bno\s+point\b|\b(?:already|now)\s+(?:have|has|got|own)\b|"
    r"\b(?:gave|given|gifted)\s+(?:me|us)\b|\bgeschenkt\b|\bme\s+(?:regal[oó]|offert)\b|"
    r"ya\s+no\s+(?:lo|la|los|las)\s+(?:necesito|quiero|necesitamos)|no\s+(?:lo|la)\s+necesito|"
    r"n'en\s+ai\s+plus\s+besoin|plus\s+besoin|n'ai\s+plus\s+besoin|"
    r"nicht\s+mehr\s+(?:ben[oö]tig|gebraucht|n[oö]tig)|brauche\s+(?:\w+\s+){0,3}?nicht\s+mehr|"
    r"n[aã]o\s+(?:\w+\s+)?(?:preciso|necessito)\s+(?:\w+\s+){0,2}?mais|j[aá]\s+n[aã]o\s+(?:\w+\s+)?preciso|"
    r"non\s+(?:mi\s+|ci\s+)?serv(?:e|ono)\s+pi[uù]|non\s+(?:ne\s+)?ho\s+pi[uù]\s+bisogno|"
    r"ya\s+no\s+(?:me\s+)?(?:hace|hacen)\s+falta|ya\s+no\s+(?:\w+\s+)?necesito|"
    r"(?:je\s+)?n'?(?:en\s+)?ai\s+plus\s+besoin",
    re.IGNORECASE,
)


# Any other stated cause ('because it would arrive too late') means the customer no longer needs
# the order: the store knows only the two reasons.
_OTHER_CAUSE = re.compile(
    r"\b(?:because|since|as\s+(?:i|we|it|the|my)|due\s+to|porque|ya\s+que|parce\s+que|car\s+(?:je|nous|il|elle)|weil|da\s+ich|"
    r"porque|perch[eé]|poich[eé])\b[^.?!]{6,}",
    re.IGNORECASE,
)


def cancel_reason(text: str, *, any_cause: bool = True) -> str | None:
    """Map the customer's words to one of the store's two cancellation reasons, or None.

    With `any_cause`, a stated cause that is no mistake ('because it arrives too late') counts as
    'no longer needed'; use it only on the words of the cancellation request itself."""
    mistake = _MISTAKE.search(text)
    not_needed = _NOT_NEEDED.search(text)
    if mistake and not_needed:
        return REASON_MISTAKE if mistake.start() < not_needed.start() else REASON_NOT_NEEDED
    if mistake:
        return REASON_MISTAKE
    if not_needed:
        return REASON_NOT_NEEDED
    if any_cause and _OTHER_CAUSE.search(text):
        return REASON_NOT_NEEDED
    return None


def cancel_reason_for(text: str, order_id: str) -> str | None:
    """The reason given for one of several orders cancelled in the same words: the reason written
    after that order's id (up to the next one), else the next reason written after it ('cancel
    #W1 and #W2 (don't need either) and #W3, which I placed by accident')."""
    ids = [(m.start(), "#W" + m.group(1)) for m in _ORDER_ID.finditer(text)]
    starts = [start for start, oid in ids if oid == order_id]
    if len(ids) < 2 or not starts:
        return cancel_reason(text)
    positions = [start for start, _ in ids] + [len(text)]
    index = positions.index(starts[0])
    for begin, end in zip(positions[index:], positions[index + 1 :], strict=False):
        reason = cancel_reason(text[begin:end])
        if reason:
            return reason
    return cancel_reason(text)
