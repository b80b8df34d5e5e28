"""What earlier runs of a ticket established, so a follow-up (same id, with a thread) continues
the conversation: the customer it spoke for and the last outcome. `<data_dir>/tickets.db`, or
schema `ticket_state` of the fleet's PostgreSQL database (a follow-up may reach another machine)."""

from __future__ import annotations

from pathlib import Path

from core.models import Result
from storage.database import Database, open_database, utc_now

_MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        # IF NOT EXISTS: files of earlier releases made this table without recording a migration
        """
        CREATE TABLE IF NOT EXISTS ticket_state (
            ticket_id TEXT PRIMARY KEY,
            customer_id TEXT,
            outcome TEXT NOT NULL,
            reply TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
    ),
]


class TicketStateStore:
    def __init__(self, database: Database) -> None:
        self.db = database
        self.db.migrate(_MIGRATIONS)

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, database_url: str | None = None) -> TicketStateStore:
        return cls(open_database("ticket_state", data_dir=Path(data_dir), url=database_url, file_name="tickets.db"))

    def customer_of(self, ticket_id: str) -> str | None:
        with self.db.reading() as db:
            row = db.execute("SELECT customer_id FROM ticket_state WHERE ticket_id = ?", (ticket_id,)).fetchone()
        return row[0] if row else None

    def save(self, result: Result) -> None:
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO ticket_state (ticket_id, customer_id, outcome, reply, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(ticket_id) DO UPDATE SET "
                "customer_id = COALESCE(excluded.customer_id, ticket_state.customer_id), "
                "outcome = excluded.outcome, reply = excluded.reply, updated_at = excluded.updated_at",
                (result.ticket_id, result.customer_id, result.outcome, result.reply, utc_now()),
            )
