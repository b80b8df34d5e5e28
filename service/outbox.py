"""The webhook's outbox: a delivery is written in the same transaction as what it announces (a
finished run, a person's answer), so a service stopped before it reached the receiver still has it
at its next start. Deliveries are at least once: a receiver de-duplicates by the delivery id."""

from __future__ import annotations

import secrets

from pydantic import BaseModel

from service.database import ServiceDatabase
from storage.database import Connection


class Delivery(BaseModel):
    id: str
    event: str
    ticket_id: str
    body: str  # the exact JSON text that is sent and signed
    attempts: int
    created_at: str
    next_attempt_at: str


class Outbox:
    """`enabled` is whether a webhook URL is set: without one, nothing is written to deliver."""

    def __init__(self, db: ServiceDatabase, *, enabled: bool) -> None:
        self.db = db
        self.enabled = enabled

    def add(self, db: Connection, *, event: str, ticket_id: str, body: str, at: str) -> str | None:
        """Queue a delivery inside the caller's transaction; its id, or None when disabled."""
        if not self.enabled:
            return None
        delivery_id = f"dlv-{secrets.token_hex(8)}"
        db.execute(
            "INSERT INTO outbox (id, event, ticket_id, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
            (delivery_id, event, ticket_id, body, at, at),
        )
        return delivery_id

    def due(self, *, now: str, limit: int = 20) -> list[Delivery]:
        with self.db.reading() as db:
            rows = db.execute(
                "SELECT id, event, ticket_id, body, attempts, created_at, next_attempt_at FROM outbox"
                " WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
                (now, limit),
            ).fetchall()
        return [Delivery.model_validate(dict(row)) for row in rows]

    def next_attempt_at(self) -> str | None:
        with self.db.reading() as db:
            row = db.execute("SELECT min(next_attempt_at) FROM outbox WHERE delivered_at IS NULL").fetchone()
        return row[0]

    def delivered(self, delivery_id: str, *, at: str) -> None:
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                (at, delivery_id),
            )

    def failed(self, delivery_id: str, *, error: str, retry_at: str) -> None:
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                (error[:500], retry_at, delivery_id),
            )

    def counts(self) -> dict[str, int]:
        with self.db.reading() as db:
            row = db.execute(
                "SELECT count(*) - count(delivered_at) AS pending, count(delivered_at) AS delivered FROM outbox"
            ).fetchone()
        return {"pending": int(row["pending"]), "delivered": int(row["delivered"])}
