"""Whose order a ticket is about, when the writer says it is someone else's.

Tools bind every ticket to the customer who wrote it, so an order of another customer is refused
when it is named by its id. When it is only described ("my father has an order going to
Chicago"), no order of the writer fits; the ticket must then be read as what it is - a request
on another person's account, which only that person can make - not as a missing order number.
The cues are closed classes: third-person owners, kinship and acquaintance nouns with a
possessive, and "on behalf of" in the six languages the model reads."""

from __future__ import annotations

import re

from offline_model.understanding.text import fold

_PERSON = (
    r"(?:father|dad|mother|mom|mum|parents?|brother|sister|wife|husband|partner|boyfriend|girlfriend|fiance|son|"
    r"daughter|kids?|child|friend|neighbou?r|colleague|co-?worker|boss|cousin|aunt|uncle|grand(?:ma|pa|mother|father)|"
    r"roommate|flatmate|housemate|client|employer|in-laws?)"
)
_THING = r"(?:orders?|purchases?|packages?|parcels?|deliver(?:y|ies)|account|shipments?)"
_SOMEONE_ELSES = re.compile(
    rf"\b(?:his|her|their)\s+(?:[\w-]+\s+){{0,3}}?{_THING}\b|"
    rf"\b(?:he|she|they)\s+(?:has|have|had)\s+(?:an?|one|two|some|this|that)\s+(?:[\w-]+\s+){{0,2}}?{_THING}\b|"
    r"\b(?:he|she|they)\s+(?:placed|ordered|bought|purchased)\b|"
    rf"\b{_PERSON}'?s?'s\s+(?:[\w-]+\s+){{0,3}}?{_THING}\b|"
    rf"\b(?:order|purchase|package|account)\s+(?:of|for|from)\s+my\s+{_PERSON}\b(?=[^.?!]*\b(?:asked|wants|needs|cancel))|"
    rf"\bmy\s+{_PERSON}\b[^.?!]{{0,80}}\basked\s+me\s+to\b|\bon\s+(?:his|her|their|my\s+{_PERSON}'?s?)\s+behalf\b|"
    r"\bon\s+behalf\s+of\b|\bde\s+la\s+part\s+de\b|\bpour\s+le\s+compte\s+de\b|\bim\s+(?:auftrag|namen)\s+(?:von|meine[sr]?)\b|"
    r"\ben\s+nombre\s+de\b|\bde\s+parte\s+de\b|\bper\s+conto\s+d[ie]\b|\ba\s+nome\s+d[ie]\b|\bem\s+nome\s+d[eoa]\b"
)


def someone_elses(text: str) -> str | None:
    """The words that say the order meant belongs to another person, or None."""
    match = _SOMEONE_ELSES.search(fold(" ".join(text.split())))
    return match.group(0) if match else None
