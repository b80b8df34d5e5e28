"""Reading an evaluation file (CONTRACTS §4): JSONL of tickets with an `expected` field.

A malformed line does not stop the evaluation: it comes back as a `MalformedCase` with its line
number, and the harness counts it as a failed case, so a broken file cannot raise the pass rate by
shrinking the denominator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from core.models import EvalCase, Ticket


@dataclass(frozen=True)
class MalformedCase:
    line: int
    id: str  # the line's id when it has a usable one, else "line-<n>"
    reason: str
    tags: list[str] = field(default_factory=list)


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '(root)'}: {item['msg']}" for item in error.errors()
    )


def _parse_line(text: str, line: int, seen: dict[str, int]) -> EvalCase | MalformedCase:
    where = f"line {line}"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return MalformedCase(line, f"line-{line}", f"{where}: not valid JSON ({error.msg} at column {error.colno})")
    if not isinstance(raw, dict):
        return MalformedCase(line, f"line-{line}", f"{where}: a case must be a JSON object, got {type(raw).__name__}")
    raw_id = raw.get("id")
    usable_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else f"line-{line}"
    raw_tags = raw.get("tags")
    tags = [tag for tag in raw_tags if isinstance(tag, str)] if isinstance(raw_tags, list) else []
    try:
        case = EvalCase.model_validate(raw)
    except ValidationError as error:
        return MalformedCase(line, usable_id, f"{where}: invalid case: {_describe(error)}", tags)
    if case.id in seen:
        return MalformedCase(
            line, f"{case.id}@line-{line}", f"{where}: duplicate id {case.id!r} (first on line {seen[case.id]})", tags
        )
    seen[case.id] = line
    return case


def load_cases(path: Path) -> list[tuple[int, EvalCase | MalformedCase]]:
    """(line number, case or report) for every non-blank line of `path`, in order. Raises
    FileNotFoundError / UnicodeDecodeError for a file that cannot be read at all."""
    seen: dict[str, int] = {}
    entries: list[tuple[int, EvalCase | MalformedCase]] = []
    with path.open(encoding="utf-8") as handle:
        for line, text in enumerate(handle, start=1):
            if text.strip():
                entries.append((line, _parse_line(text, line, seen)))
    return entries


def ticket_of(case: EvalCase) -> Ticket:
    """The ticket the crew sees: the case without its `expected` answers (Ticket keeps unknown
    fields, so passing the case itself would hand the crew the answer key)."""
    return Ticket.model_validate(case.model_dump(mode="json", exclude={"expected"}, exclude_none=True))
