"""A ticket's thread as the service keeps it: every message of the conversation, oldest first, with
the run it belongs to. A run is given the messages of the runs before it (CONTRACTS §1 `thread`),
so a follow-up reads like `kickoff --ticket` with the same id and the earlier messages."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from core.models import ThreadMessage
from storage.database import Connection

CREW = "crew"  # the author of the crew's replies; people are recorded by their token's name


class Message(BaseModel):
    role: Literal["customer", "agent"]
    body: str
    at: str | None = None
    author: str | None = None  # token name (the helpdesk's or a person's), "crew", or None: came with the ticket


def append_message(
    db: Connection,
    *,
    ticket_id: str,
    run_seq: int,
    role: str,
    body: str,
    at: str | None,
    author: str | None,
    client_id: str | None = None,
) -> int:
    """Add a message at the end of the thread (inside the caller's transaction); its number."""
    seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]
    db.execute(
        "INSERT INTO messages (ticket_id, seq, run_seq, role, body, at, author, client_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, seq, run_seq, role, body, at, author, client_id),
    )
    return int(seq)


def thread_of(db: Connection, ticket_id: str) -> list[Message]:
    rows = db.execute(
        "SELECT role, body, at, author FROM messages WHERE ticket_id = ? ORDER BY seq", (ticket_id,)
    ).fetchall()
    return [Message.model_validate(dict(row)) for row in rows]


def thread_before(db: Connection, ticket_id: str, run_seq: int) -> list[ThreadMessage]:
    """What run `run_seq` is given as its thread: the messages of every earlier run (the customer's,
    the crew's replies, people's answers), in the order they were written."""
    rows = db.execute(
        "SELECT role, body, at FROM messages WHERE ticket_id = ? AND run_seq < ? ORDER BY seq", (ticket_id, run_seq)
    ).fetchall()
    return [ThreadMessage(role=row["role"], body=row["body"], at=row["at"]) for row in rows]
