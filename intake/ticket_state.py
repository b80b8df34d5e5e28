"""What earlier runs of a ticket established, so a follow-up (same id, with a thread) continues
the conversation: the customer it spoke for and the last outcome."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from core.models import Result

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ticket_state (
    ticket_id TEXT PRIMARY KEY,
    customer_id TEXT,
    outcome TEXT NOT NULL,
    reply TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


class TicketStateStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def customer_of(self, ticket_id: str) -> str | None:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT customer_id FROM ticket_state WHERE ticket_id = ?", (ticket_id,)).fetchone()
        return row[0] if row else None

    def save(self, result: Result) -> None:
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO ticket_state (ticket_id, customer_id, outcome, reply) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(ticket_id) DO UPDATE SET customer_id = COALESCE(excluded.customer_id, customer_id), "
                "outcome = excluded.outcome, reply = excluded.reply, updated_at = datetime('now')",
                (result.ticket_id, result.customer_id, result.outcome, result.reply),
            )
