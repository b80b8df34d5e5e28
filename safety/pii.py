"""PII redaction: card numbers (Luhn-checked), national ids, phone numbers, IBANs and secrets are
replaced by placeholders such as [CARD_1] before any model, memory or trace sees a ticket.

Digit-only formats that collide with the store's own numbers (10-digit item ids, 12-digit
tracking ids, 9-digit numbers) count only with a context word ("phone", "SSN", ...), so tool
results pass through unchanged. Check digits come from python-stdnum, phone formats from
phonenumbers. E-mail addresses stay in what the tools need and are masked in logs
(`redact_for_log`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from stdnum import iban, luhn
from stdnum.ca import sin as ca_sin
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir as fr_nir
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.it import codicefiscale as it_cf
from stdnum.us import ssn as us_ssn

from safety.policy import PiiPolicy

EMAIL_RE = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
# Keys whose values never go to a log, whatever they hold ("prompt_tokens" is not one of them).
SENSITIVE_KEYS = re.compile(
    r"^(?:.*_)?(?:password|passwd|passcode|secret|token|api_?key|authorization|cvv|cvc|card_number|ssn|pin)$", re.I
)

_CARD_RUN = re.compile(r"(?<![\w-])\d{1,19}(?:[ -]\d{1,19})*(?![\w-])")
_EXPIRY_KEYWORD = re.compile(
    r"\b(?:exp(?:iry|iration|ires|\.)?(?:\s+date)?|valid\s+(?:thru|through|until))\s*[:.]?\s*"
    r"((?:0?[1-9]|1[0-2])\s*[/-]\s*(?:\d{4}|\d{2}))(?!\d)",
    re.I,
)
_EXPIRY_BARE = re.compile(r"(?<![\d/])((?:0[1-9]|1[0-2])\s*/\s*(?:\d{4}|\d{2}))(?![\d/])")
_CVV = re.compile(r"\b(?:cvv2?|cvc2?|cid|csc|security\s+code|card\s+code)\s*(?:is|:|=|#)?\s*(\d{3,4})\b", re.I)
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30})\b", re.I)
_SECRET = re.compile(
    r"\b(?:password|passcode|passwd|pwd|one[- ]time\s+(?:code|password)|otp|"
    r"verification\s+code|security\s+answer|api[\s_-]?key|access\s+token|auth(?:entication)?\s+token|secret\s+key)"
    r"\s*(?:is|was|:|=)\s*[\"'“‘]?([^\s\"'”’]+?)[\"'”’]?(?=[\s,;)]|[.!?](?:\s|$)|$)",
    re.I,
)
_PIN_DIGITS = re.compile(r"\bpin(?:\s+(?:code|number))?\s*(?:is|:|=|#)?\s*(\d{4,8})\b", re.I)
_SSN_DASHED = re.compile(r"(?<![\d-])(\d{3}[- ]\d{2}[- ]\d{4})(?![\d-])")
_NINE_DIGITS = re.compile(r"(?<![\d-])(\d{3}[ -]?\d{3}[ -]?\d{3})(?![\d-])")
_TWELVE_DIGITS = re.compile(r"(?<![\d-])(\d{4}[ -]?\d{4}[ -]?\d{4})(?![\d-])")
_DNI = re.compile(r"\b(\d{8}-?[A-Z])\b", re.I)
_NIE = re.compile(r"\b([XYZ]-?\d{7}-?[A-Z])\b", re.I)
_CODICE_FISCALE = re.compile(r"\b([A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z])\b", re.I)
_NIR = re.compile(r"(?<!\d)([12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}\s?\d{2})(?!\d)", re.I)
_NINO = re.compile(r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D])\b")
_ID_WITH_CONTEXT = re.compile(
    r"\b(?:passport|driver'?s?\s+licen[cs]e|national\s+id(?:entity)?|id\s+card|identity\s+(?:card|number)|"
    r"tax\s+id|personal\s+id)(?:\s+(?:number|no\.?|#))?\s*(?:is|:|=|#)?\s*([A-Z0-9][A-Z0-9-]{4,19})\b",
    re.I,
)
_PHONE_CONTEXT = re.compile(
    r"\b(?:phone|mobile|cell(?:phone)?|tel(?:ephone)?|whats\s?app|call\s+me|text\s+me|reach\s+me|ring\s+me|"
    r"t[eé]l[eé]fono|m[oó]vil|portable)\b[^\n\d+(]{0,20}(\+?\(?\d[\d\s().-]{6,18}\d)",
    re.I,
)
_PHONE_WORD = re.compile(
    r"\b(?:phone|mobile|cell|tel|telephone|call|text\s+me|sms|whats\s?app|fax|(?:my|contact|callback)\s+number)\b"
    r"[^\n\d]{0,25}$",
    re.I,
)
_SSN_WORD = re.compile(r"\b(?:ssn|social\s+security|sin|social\s+insurance|itin|tax\s+id)\b[^\n]{0,25}$", re.I)
_AADHAAR_WORD = re.compile(r"\baadhaa?r\b[^\n]{0,25}$", re.I)

# What a reply says instead of a value the customer pasted.
REPLY_PHRASES = {
    "CARD": "(card number removed)",
    "CARD_EXPIRY": "(expiry date removed)",
    "CVV": "(security code removed)",
    "IBAN": "(account number removed)",
    "NATIONAL_ID": "(ID number removed)",
    "PHONE": "(phone number removed)",
    "SECRET": "(secret removed)",
}


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str


@dataclass
class Redaction:
    """Redacted text; `found` maps each placeholder to its kind. The originals are kept off repr
    and out of logs: only `restore` (e-mails for tool arguments) and `clean_reply` use them."""

    text: str
    found: dict[str, str] = field(default_factory=dict)
    originals: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def kinds(self) -> set[str]:
        return set(self.found.values())

    def restore(self, text: str, kinds: frozenset[str] = frozenset({"EMAIL"})) -> str:
        """Put back originals of the given kinds (by default only e-mails, which tools need)."""
        for placeholder, kind in self.found.items():
            if kind in kinds:
                text = text.replace(placeholder, self.originals[placeholder])
        return text


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _group_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where the pattern's first group matches."""
    return [match.span(1) for match in pattern.finditer(text)]


def _is_card(digits: str) -> bool:
    # Major networks start with 2-6 (Mastercard 2-series, Amex 3, Visa 4, Mastercard 5, Discover 6).
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits)


class Redactor:
    """Redacts one ticket's texts with shared numbering: the same value gets the same placeholder
    in the body, the subject and the thread."""

    def __init__(self, policy: PiiPolicy | None = None) -> None:
        self.policy = policy or PiiPolicy()
        self.found: dict[str, str] = {}
        self.originals: dict[str, str] = {}
        self._by_value: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}

    # --- detection --------------------------------------------------------------------------------
    def spans(self, text: str) -> list[_Span]:
        found: list[_Span] = []
        for kind, candidates in self._detections(text):
            if not self.policy.enabled(kind):
                continue
            for start, end in candidates:
                if not any(s.start < end and start < s.end for s in found):
                    found.append(_Span(start, end, kind))
        return sorted(found, key=lambda s: s.start)

    def _detections(self, text: str) -> list[tuple[str, list[tuple[int, int]]]]:
        """Each detector's spans, in priority order: a span that overlaps one found before it is dropped."""
        on = self.policy.enabled
        cards = list(self._cards(text)) if on("card") else []
        return [
            ("card", cards),
            ("iban", self._ibans(text)),
            ("cvv", _group_spans(_CVV, text)),
            ("card_expiry", _group_spans(_EXPIRY_KEYWORD, text)),
            ("card_expiry", self._expiries_after(text, cards)),
            ("national_id", self._national_ids(text)),
            ("secret", _group_spans(_SECRET, text)),
            ("secret", _group_spans(_PIN_DIGITS, text)),
            ("phone", self._phones(text)),
            ("email", [match.span() for match in EMAIL_RE.finditer(text)] if on("email") else []),
        ]

    @staticmethod
    def _cards(text: str) -> list[tuple[int, int]]:
        """Card numbers, plain, spaced or dashed: the longest Luhn-valid run of digit groups."""
        result = []
        for run in _CARD_RUN.finditer(text):
            groups = list(re.finditer(r"\d+", run.group()))
            i = 0
            while i < len(groups):
                best = None
                for j in range(i, len(groups)):
                    digits = "".join(g.group() for g in groups[i : j + 1])
                    if len(digits) > 19:
                        break
                    if _is_card(digits):
                        best = j
                if best is None:
                    i += 1
                    continue
                result.append((run.start() + groups[i].start(), run.start() + groups[best].end()))
                i = best + 1
        return result

    @staticmethod
    def _expiries_after(text: str, cards: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """'4716 2930 5516 5490 09/27': a bare expiry right after a card."""
        spans = []
        for _, card_end in cards:
            match = _EXPIRY_BARE.search(text, card_end, min(len(text), card_end + 30))
            if match:
                spans.append(match.span(1))
        return spans

    @classmethod
    def _ibans(cls, text: str) -> list[tuple[int, int]]:
        spans = []
        for match in _IBAN.finditer(text):
            start, end = cls._iban(text, match)
            if start is not None:
                spans.append((start, end))
        return spans

    @staticmethod
    def _iban(text: str, match: re.Match[str]) -> tuple[int | None, int]:
        candidate = match.group(1)
        # The greedy match may run into the next word ("... 3000 ABC"): shrink until it validates.
        for cut in range(len(candidate), 14, -1):
            piece = candidate[:cut].rstrip()
            if iban.is_valid(piece.upper()):
                return match.start(1), match.start(1) + len(piece)
        return None, 0

    @staticmethod
    def _national_ids(text: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        checks: list[tuple[re.Pattern[str], Callable[[str], bool]]] = [
            (_SSN_DASHED, lambda v: us_ssn.is_valid(_digits(v))),
            (_DNI, es_dni.is_valid),
            (_NIE, es_nie.is_valid),
            (_CODICE_FISCALE, it_cf.is_valid),
            (_NIR, fr_nir.is_valid),
            (_NINO, lambda v: True),  # the letter pattern is specific enough; no public check digit
        ]
        for pattern, valid in checks:
            spans += [m.span(1) for m in pattern.finditer(text) if valid(m.group(1).upper())]
        # Digit-only ids collide with order data: they count only after a context word.
        for pattern, word, valid in (
            (_NINE_DIGITS, _SSN_WORD, lambda v: us_ssn.is_valid(v) or ca_sin.is_valid(v)),
            (_TWELVE_DIGITS, _AADHAAR_WORD, in_aadhaar.is_valid),
        ):
            for m in pattern.finditer(text):
                if word.search(text, max(0, m.start() - 40), m.start()) and valid(_digits(m.group(1))):
                    spans.append(m.span(1))
        spans += [m.span(1) for m in _ID_WITH_CONTEXT.finditer(text) if re.search(r"\d", m.group(1))]
        return spans

    @staticmethod
    def _phones(text: str) -> list[tuple[int, int]]:
        spans = []
        for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.VALID):
            raw = match.raw_string
            formatted = raw.startswith("+") or re.search(r"[\s().-]", raw)
            # A bare 10-digit run is as likely an item id: only with a phone word before it.
            if formatted or _PHONE_WORD.search(text, max(0, match.start - 40), match.start):
                spans.append((match.start, match.end))
        # After the library's matches (which know the formats), numbers it rejects but a phone word announces.
        return spans + [m.span(1) for m in _PHONE_CONTEXT.finditer(text)]

    # --- replacement ------------------------------------------------------------------------------
    def _placeholder(self, kind: str, value: str) -> str:
        # One value, one placeholder, however it was spaced or dashed.
        key = (kind, re.sub(r"[\s().-]", "", value).upper() if kind != "secret" else value)
        if key not in self._by_value:
            label = kind.upper()
            self._counts[label] = self._counts.get(label, 0) + 1
            placeholder = self.policy.placeholder.format(kind=label, n=self._counts[label])
            self._by_value[key] = placeholder
            self.found[placeholder] = label
            self.originals[placeholder] = value
        return self._by_value[key]

    def redact(self, text: str) -> Redaction:
        pieces, cursor, found, originals = [], 0, {}, {}
        for span in self.spans(text):
            placeholder = self._placeholder(span.kind, text[span.start : span.end])
            pieces += [text[cursor : span.start], placeholder]
            found[placeholder] = self.found[placeholder]
            originals[placeholder] = self.originals[placeholder]
            cursor = span.end
        pieces.append(text[cursor:])
        return Redaction("".join(pieces), found, originals)

    def redaction(self, text: str) -> Redaction:
        """A Redaction of `text` carrying every placeholder this redactor has issued so far."""
        return Redaction(text, dict(self.found), dict(self.originals))


def redact(text: str, policy: PiiPolicy | None = None) -> Redaction:
    """Replace the PII in one text by placeholders ([CARD_1], [PHONE_1], ...)."""
    return Redactor(policy).redact(text)


def mask_email(address: str) -> str:
    """j***@example.com: enough to tell two customers apart in a log, not enough to contact them."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def redact_for_log(obj: Any, policy: PiiPolicy | None = None) -> Any:
    """A copy of `obj` (str, dict, list, tuple, scalars) fit for traces and logs: PII replaced,
    e-mails masked, values of keys like 'password' or 'token' hidden."""
    policy = policy or PiiPolicy()
    redactor = Redactor(policy)

    def walk(value: Any, key: str | None = None) -> Any:
        if key is not None and SENSITIVE_KEYS.search(key) and value not in (None, "", [], {}):
            return "[REDACTED]"
        if isinstance(value, str):
            text = redactor.redact(value).text
            if policy.mask_emails_in_logs:
                text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text)
            return text
        if isinstance(value, dict):
            return {k: walk(v, str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(walk(v) for v in value)
        return value

    return walk(obj)


def _loose_pattern(original: str) -> re.Pattern[str]:
    """Matches the value however it is spaced or dashed ("4539148803468726", "4539 1488 ...")."""
    digits = _digits(original)
    if len(digits) >= 6 and len(digits) >= len(re.sub(r"[\s().+-]", "", original)):
        return re.compile(r"(?<!\d)" + r"[\s.-]?".join(digits) + r"(?!\d)")
    return re.compile(re.escape(original), re.I)


def contains_value(text: str, value: str) -> bool:
    """Whether `value` appears in `text`, however its digits are spaced or dashed."""
    return bool(_loose_pattern(value).search(text))


def leaked(text: str, redaction: Redaction, kinds: frozenset[str] | None = None) -> list[str]:
    """Placeholders whose original value appears in `text` (in any spacing)."""
    return [
        p
        for p, original in redaction.originals.items()
        if (kinds is None or redaction.found[p] in kinds) and contains_value(text, original)
    ]


def clean_reply(reply: str, redaction: Redaction) -> str:
    """Nothing the customer pasted comes back: originals (any spacing) and placeholders are turned
    into neutral words. E-mails are left alone (the customer's own address may be confirmed)."""
    for placeholder, original in redaction.originals.items():
        kind = redaction.found[placeholder]
        if kind == "EMAIL":
            reply = reply.replace(placeholder, original)
            continue
        phrase = REPLY_PHRASES.get(kind, "(removed)")
        reply = _loose_pattern(original).sub(phrase, reply).replace(placeholder, phrase)
    return reply
