"""The escalation inbox: every escalated result's escalation (reason, priority, summary), open
until a person answers it. The answer goes into the ticket's thread as the `agent`'s message (the
customer's next follow-up is read with it) and closes the escalation, recording who answered."""

from __future__ import annotations

import builtins
import json
import secrets
from typing import Literal

from pydantic import BaseModel

from core.models import Escalation, Priority
from service.database import ServiceDatabase, utc_now
from service.outbox import Outbox
from service.threads import append_message
from storage.database import Connection

EscalationStatus = Literal["open", "closed"]


class EscalationNotFound(LookupError):
    def __init__(self, escalation_id: str) -> None:
        super().__init__(f"no escalation with id {escalation_id!r} (GET /api/escalations lists them)")


class EscalationClosed(Exception):
    pass


class EscalationRecord(BaseModel):
    id: str
    ticket_id: str
    reason: str
    priority: Priority
    summary: str
    status: EscalationStatus
    created_at: str
    closed_by: str | None = None
    closed_at: str | None = None
    answer: str | None = None


_COLUMNS = "id, ticket_id, reason, priority, summary, status, created_at, closed_by, closed_at, answer"


def record_escalation(db: Connection, *, ticket_id: str, run_seq: int, escalation: Escalation, at: str) -> str:
    """Open an escalation for a finished run (inside the transaction that finishes it)."""
    escalation_id = f"esc-{secrets.token_hex(5)}"
    db.execute(
        "INSERT INTO escalations (id, ticket_id, run_seq, reason, priority, summary, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
        (escalation_id, ticket_id, run_seq, escalation.reason, escalation.priority, escalation.summary, at),
    )
    return escalation_id


class EscalationInbox:
    def __init__(self, db: ServiceDatabase, *, outbox: Outbox) -> None:
        self.db = db
        self.outbox = outbox

    def list(
        self, *, status: EscalationStatus | None = None, ticket_id: str | None = None
    ) -> builtins.list[EscalationRecord]:
        """Oldest first: the inbox is worked through in order."""
        query, params = f"SELECT {_COLUMNS} FROM escalations WHERE 1 = 1", builtins.list[str]()
        if status is not None:
            query, params = query + " AND status = ?", [*params, status]
        if ticket_id is not None:
            query, params = query + " AND ticket_id = ?", [*params, ticket_id]
        with self.db.reading() as db:
            rows = db.execute(query + " ORDER BY created_at, id", params).fetchall()
        return [EscalationRecord.model_validate(dict(row)) for row in rows]

    def get(self, escalation_id: str) -> EscalationRecord:
        with self.db.reading() as db:
            return self._get(db, escalation_id)

    @staticmethod
    def _get(db: Connection, escalation_id: str) -> EscalationRecord:
        row = db.execute(f"SELECT {_COLUMNS} FROM escalations WHERE id = ?", (escalation_id,)).fetchone()
        if row is None:
            raise EscalationNotFound(escalation_id)
        return EscalationRecord.model_validate(dict(row))

    def reply(self, escalation_id: str, *, body: str, by: str) -> EscalationRecord:
        """A person's answer: into the thread as `agent`, and the escalation closed, at once."""
        with self.db.transaction() as db:
            record = self._get(db, escalation_id)
            if record.status != "open":
                raise EscalationClosed(
                    f"escalation {escalation_id} was closed by {record.closed_by} at {record.closed_at}"
                )
            now = utc_now()
            run_seq = db.execute("SELECT run_seq FROM escalations WHERE id = ?", (escalation_id,)).fetchone()[0]
            append_message(db, ticket_id=record.ticket_id, run_seq=run_seq, role="agent", body=body, at=now, author=by)
            db.execute(
                "UPDATE escalations SET status = 'closed', closed_by = ?, closed_at = ?, answer = ? WHERE id = ?",
                (by, now, body, escalation_id),
            )
            db.execute("UPDATE tickets SET updated_at = ? WHERE ticket_id = ?", (now, record.ticket_id))
            closed = self._get(db, escalation_id)
            payload = {"escalation": closed.model_dump(), "message": {"role": "agent", "body": body, "at": now}}
            self.outbox.add(
                db, event="escalation.replied", ticket_id=record.ticket_id, body=json.dumps(payload), at=now
            )
        return closed
