"""Plain-text helpers shared by the extractors: normalisation, blocks and sentences.

A customer's message is read as blocks (paragraphs, numbered or bulleted list entries) and each
block as sentences; every later step works on these pieces."""

from __future__ import annotations

import re
import unicodedata

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u2043]|\(?\d{1,2}[.)]|\(?[a-h][.)])\s+")
_NUMBERED = re.compile(r"^\s*\(?\d{1,2}[.)]\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\W_]|[#¿¡\"'(])")
_STATE_ZIP_LINE = re.compile(r"\b[A-Z]{2}\.?,?\s+\d{5}(?:-\d{4})?\b")
_ABBREVIATIONS = {
    "st",
    "ave",
    "dr",
    "mr",
    "mrs",
    "ms",
    "no",
    "apt",
    "e.g",
    "i.e",
    "etc",
    "approx",
    "blvd",
    "rd",
    "ln",
    "ste",
    "fl",
    "vs",
    "jr",
    "sr",
    "ct",
    "hwy",
    "pl",
    "sq",
    "mt",
    "ft",
    "inc",
    "co",
    "p.o",
    "u.s",
    "u.s.a",
}


def fold(text: str) -> str:
    """Lowercase without accents: 'Código' -> 'codigo'. For lexicon matching only."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def squash(text: str) -> str:
    return " ".join(text.split())


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1)


def blocks(text: str) -> list[str]:
    """Paragraphs, with each numbered list entry its own block.

    Bulleted lines ('- the Kettle to ...') stay with the paragraph that introduces them, because
    the introduction ('In order #W1, please change') carries the order and the verb. A numbered
    entry ('1. ...', '2) ...') starts a new block: numbered lists are how customers enumerate
    separate requests."""
    out: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            if current:
                out.append(current)
                current = []
            continue
        if _NUMBERED.match(line) and current:
            out.append(current)
            current = []
        current.append(line)
    if current:
        out.append(current)
    return ["\n".join(b) for b in out]


def sentences(block: str) -> list[str]:
    """Sentences of a block; a bulleted line is its own sentence."""
    return [text for text, _ in sentence_units(block)]


def sentence_units(block: str) -> list[tuple[str, bool]]:
    """Sentences of a block, each with whether it is a bullet under the sentence before it."""
    out: list[tuple[str, bool]] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            if any(_STATE_ZIP_LINE.search(line) for line in pending):
                # an address written over several lines keeps its line breaks: they separate its parts
                joined = "\n".join(" ".join(line.split()) for line in pending)
            else:
                joined = squash(" ".join(pending))
            out.extend((piece, False) for piece in _split_sentences(joined))
            pending.clear()

    for line in block.split("\n"):
        if is_bullet(line) and not _NUMBERED.match(line):
            flush()
            out.append((squash(strip_bullet(line)), True))
        else:
            pending.append(strip_bullet(line) if _NUMBERED.match(line) else line)
    flush()
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text)


def _split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()]
        last_word = before.rstrip(".!?").rsplit(None, 1)[-1].lower() if before.strip() else ""
        if before.endswith(".") and last_word.strip("(") in _ABBREVIATIONS:
            continue
        pieces.append(text[start : match.start()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]
