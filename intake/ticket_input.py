"""Turning what a person gives the CLI into a Ticket, with errors that name what is wrong."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from core.models import Ticket


class TicketInputError(ValueError):
    pass


def describe_validation_error(error: ValidationError) -> str:
    parts = []
    for issue in error.errors():
        loc = ".".join(str(p) for p in issue["loc"]) or "(ticket)"
        parts.append(f"{loc}: {issue['msg']}")
    return "; ".join(parts)


def ticket_from_file(path: Path) -> Ticket:
    if not path.is_file():
        raise TicketInputError(f"{path}: no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise TicketInputError(f"{path}: line {e.lineno}: not valid JSON ({e.msg})") from e
    except UnicodeDecodeError as e:
        raise TicketInputError(f"{path}: not UTF-8 text") from e
    if not isinstance(data, dict):
        raise TicketInputError(f"{path}: expected one JSON object (a ticket), got {type(data).__name__}")
    try:
        return Ticket.model_validate(data)
    except ValidationError as e:
        raise TicketInputError(f"{path}: {describe_validation_error(e)}") from e


def ticket_from_text(text: str, *, from_email: str | None = None, subject: str | None = None) -> Ticket:
    if not text.strip():
        raise TicketInputError("the message is empty: give the customer's text")
    # A stable id for the same message, so re-running it cannot apply a change twice.
    digest = hashlib.sha256(f"{from_email}|{subject}|{text}".encode()).hexdigest()[:12]
    try:
        return Ticket(id=f"cli-{digest}", body=text, from_email=from_email, subject=subject)
    except ValidationError as e:
        raise TicketInputError(describe_validation_error(e)) from e
