"""Reading JSONL files of tickets (CONTRACTS §1) and results (§3) line by line.

A bad line never stops the file: it becomes a `LineError` that names the file, the line number
and the field ("tickets.jsonl:7: body: Field required"), and the caller reports it and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.models import Result, Ticket

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LineError:
    """One unusable line of a JSONL file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}:{self.line}: {self.message}"


@dataclass
class TicketFile:
    """The usable tickets of a file, in file order, and the lines that were skipped."""

    tickets: list[Ticket] = field(default_factory=list)
    line_of: dict[str, int] = field(default_factory=dict)  # ticket id -> line number
    errors: list[LineError] = field(default_factory=list)


class JsonlFileError(OSError):
    """The file itself cannot be read (missing, a directory, unreadable)."""


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | LineError]]:
    """Yield (line number, JSON object or LineError) for each non-blank line; numbers start at 1."""
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise JsonlFileError(f"cannot read {path}: {e.strerror or e}") from e
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        yield number, _parse_line(Path(path), number, line)


def _parse_line(path: Path, number: int, line: bytes) -> dict[str, Any] | LineError:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return LineError(path, number, f"not UTF-8 (byte {e.start}); save the file as UTF-8")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        return LineError(path, number, f"not valid JSON ({e.msg} at column {e.colno})")
    if not isinstance(obj, dict):
        return LineError(path, number, f"expected a JSON object, got {type(obj).__name__}")
    return obj


def validation_message(error: ValidationError) -> str:
    """Pydantic errors as 'field: problem; field: problem' (nested fields dotted)."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(line)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def _validate(model: type[M], path: Path, number: int, obj: dict[str, Any]) -> M | LineError:
    try:
        return model.model_validate(obj)
    except ValidationError as e:
        return LineError(path, number, validation_message(e))


def read_tickets(path: Path) -> TicketFile:
    """Every valid ticket of the file; malformed lines and repeated ids become errors.

    A repeated id is skipped and reported against the first line that used it: ids are unique
    (CONTRACTS §1), and a follow-up message belongs in the ticket's `thread`, not in a second line.
    """
    path = Path(path)
    out = TicketFile()
    for number, obj in iter_jsonl(path):
        ticket = obj if isinstance(obj, LineError) else _validate(Ticket, path, number, obj)
        if isinstance(ticket, LineError):
            out.errors.append(ticket)
        elif ticket.id in out.line_of:
            first = out.line_of[ticket.id]
            out.errors.append(LineError(path, number, f"id: {ticket.id!r} repeats line {first}; skipped"))
        else:
            out.line_of[ticket.id] = number
            out.tickets.append(ticket)
    return out


def read_results(path: Path) -> tuple[list[Result], list[LineError]]:
    """Results of a batch output file, in file order, and the lines that are not results."""
    path = Path(path)
    results: list[Result] = []
    errors: list[LineError] = []
    for number, obj in iter_jsonl(path):
        result = obj if isinstance(obj, LineError) else _validate(Result, path, number, obj)
        (errors if isinstance(result, LineError) else results).append(result)  # type: ignore[arg-type]
    return results, errors
