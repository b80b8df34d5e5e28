"""The durable ticket queue: what was accepted runs exactly once, in order, across restarts.

A posted ticket is one row in `tickets` and its first run in `runs`, written in one transaction
before the 202 goes out. Each follow-up adds the customer's message and one more run. A run is
claimed for a worker (queued -> running) only when no earlier run of its ticket is waiting or
running, so a ticket's runs go one at a time and each is given the thread as it stands then. A run
still `running` when the service stopped (killed, crashed) is queued again at the next start;
its writes carry idempotency keys, so running it again cannot apply them twice.

The same id posted again with the same ticket is the same request (nothing new runs); with a
different ticket it is a conflict, never silently a second ticket.
"""

from __future__ import annotations

import builtins
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from core.models import Outcome, Result, Ticket
from service.database import ServiceDatabase, utc_now
from service.escalations import record_escalation
from service.outbox import Outbox
from service.threads import CREW, Message, append_message, thread_before, thread_of
from storage.database import Connection

RunStatus = Literal["queued", "running", "done"]
FINISHED_EVENT = "ticket.finished"


class TicketNotFound(LookupError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"no ticket with id {ticket_id!r}")


class TicketConflict(Exception):
    """The id is taken by a different ticket."""


@dataclass(frozen=True)
class Accepted:
    """What a post or a follow-up did: `created` False means it was a repeat of one already taken."""

    ticket_id: str
    status: RunStatus
    created: bool
    submitted_by: str


@dataclass(frozen=True)
class Job:
    ticket: Ticket
    seq: int  # the run of the ticket: 1, then one per follow-up
    attempt: int  # how many times runs of this ticket were handed to a worker, this one included


class TicketView(BaseModel):
    ticket_id: str
    status: RunStatus
    result: Result | None  # the latest run's, once it is done
    submitted_by: str
    created_at: str
    updated_at: str
    thread: list[Message]


class TicketSummary(BaseModel):
    ticket_id: str
    status: RunStatus
    outcome: Outcome | None
    submitted_by: str
    created_at: str
    updated_at: str
    tags: list[str]


class FinishedRun(BaseModel):
    finished_at: str
    result: Result
    tags: list[str]


def request_hash(ticket: Ticket) -> str:
    """The ticket as the service understood it (defaults filled in, unknown fields kept), so the
    same ticket sent with other spacing or key order is recognised as the same request."""
    canonical = json.dumps(ticket.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# A ticket (stored as JSON text) carries a tag: the JSON functions are each database's own.
_HAS_TAG = {
    "sqlite": "EXISTS (SELECT 1 FROM json_each(t.ticket, '$.tags') WHERE value = ?)",
    "postgresql": "EXISTS (SELECT 1 FROM jsonb_array_elements_text(t.ticket::jsonb -> 'tags') AS tag WHERE tag = ?)",
}


class TicketQueue:
    def __init__(self, db: ServiceDatabase, *, outbox: Outbox) -> None:
        self.db = db
        self.outbox = outbox

    # --- taking work in -------------------------------------------------------------------------
    def submit(self, ticket: Ticket, *, submitted_by: str) -> Accepted:
        digest = request_hash(ticket)
        with self.db.transaction() as db:
            row = db.execute(
                "SELECT request_hash, submitted_by FROM tickets WHERE ticket_id = ?", (ticket.id,)
            ).fetchone()
            if row is not None:
                if row["request_hash"] != digest:
                    raise TicketConflict(
                        f"ticket {ticket.id!r} exists with another body; a follow-up goes to "
                        f"POST /api/tickets/{ticket.id}/messages, a new ticket needs a new id"
                    )
                return Accepted(ticket.id, self._status(db, ticket.id), False, row["submitted_by"])
            now = utc_now()
            db.execute(
                "INSERT INTO tickets (ticket_id, submitted_by, request_hash, ticket, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (ticket.id, submitted_by, digest, ticket.model_dump_json(), now, now),
            )
            for message in ticket.thread:
                append_message(
                    db, ticket_id=ticket.id, run_seq=0, role=message.role, body=message.body, at=message.at, author=None
                )
            self._enqueue(db, ticket.id, 1, ticket.body, author=submitted_by, at=now)
        return Accepted(ticket.id, "queued", True, submitted_by)

    def follow_up(self, ticket_id: str, *, body: str, author: str, client_id: str | None = None) -> Accepted:
        """The customer's next message: one more run of the ticket, with the thread so far. A
        `client_id` seen before on this ticket is the same message sent again: nothing new runs."""
        with self.db.transaction() as db:
            owner = self._owner(db, ticket_id)
            if client_id is not None:
                seen = db.execute(
                    "SELECT body FROM messages WHERE ticket_id = ? AND client_id = ?", (ticket_id, client_id)
                ).fetchone()
                if seen is not None:
                    if seen["body"] != body:
                        raise TicketConflict(
                            f"message {client_id!r} of ticket {ticket_id!r} was sent with another body"
                        )
                    return Accepted(ticket_id, self._status(db, ticket_id), False, owner)
            seq = db.execute("SELECT max(seq) + 1 FROM runs WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]
            now = utc_now()
            self._enqueue(db, ticket_id, seq, body, author=author, at=now, client_id=client_id)
            db.execute("UPDATE tickets SET updated_at = ? WHERE ticket_id = ?", (now, ticket_id))
        return Accepted(ticket_id, "queued", True, owner)

    @staticmethod
    def _enqueue(
        db: Connection,
        ticket_id: str,
        seq: int,
        body: str,
        *,
        author: str,
        at: str,
        client_id: str | None = None,
    ) -> None:
        append_message(
            db, ticket_id=ticket_id, run_seq=seq, role="customer", body=body, at=at, author=author, client_id=client_id
        )
        db.execute(
            "INSERT INTO runs (ticket_id, seq, status, body, queued_at) VALUES (?, ?, 'queued', ?, ?)",
            (ticket_id, seq, body, at),
        )

    # --- the dispatcher's side ------------------------------------------------------------------
    def claim(self, *, worker_pid: int) -> Job | None:
        """The oldest run that may start now (none of its ticket's earlier runs waiting or running),
        marked running for `worker_pid`; None when there is none."""
        with self.db.transaction() as db:
            row = db.execute(
                "SELECT r.ticket_id, r.seq, r.body FROM runs r WHERE r.status = 'queued' AND NOT EXISTS ("
                " SELECT 1 FROM runs o WHERE o.ticket_id = r.ticket_id"
                " AND (o.status = 'running' OR (o.status = 'queued' AND o.seq < r.seq)))"
                " ORDER BY r.queued_at, r.ticket_id, r.seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            ticket_id, seq = row["ticket_id"], row["seq"]
            db.execute(
                "UPDATE runs SET status = 'running', attempts = attempts + 1, worker_pid = ?, started_at = ?"
                " WHERE ticket_id = ? AND seq = ?",
                (worker_pid, utc_now(), ticket_id, seq),
            )
            attempt = db.execute("SELECT sum(attempts) FROM runs WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]
            return Job(self._ticket_for_run(db, ticket_id, seq, row["body"]), seq, int(attempt))

    @staticmethod
    def _ticket_for_run(db: Connection, ticket_id: str, seq: int, body: str) -> Ticket:
        posted: dict[str, Any] = json.loads(
            db.execute("SELECT ticket FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]
        )
        if seq > 1:  # a follow-up: the customer's new message, after everything said so far
            posted["body"] = body
            posted["thread"] = [m.model_dump(exclude_none=True) for m in thread_before(db, ticket_id, seq)]
        return Ticket.model_validate(posted)

    def finish(self, result: Result) -> bool:
        """Record the running run's result with what follows from it, in one transaction: the
        crew's reply in the thread, the escalation in the inbox, the webhook delivery. False when
        no run of the ticket is running (nothing is recorded)."""
        with self.db.transaction() as db:
            row = db.execute(
                "SELECT seq FROM runs WHERE ticket_id = ? AND status = 'running'", (result.ticket_id,)
            ).fetchone()
            if row is None:
                return False
            seq, now, text = row["seq"], utc_now(), result.model_dump_json()
            db.execute(
                "UPDATE runs SET status = 'done', finished_at = ?, outcome = ?, result = ?"
                " WHERE ticket_id = ? AND seq = ?",
                (now, result.outcome, text, result.ticket_id, seq),
            )
            if result.reply.strip():
                append_message(
                    db, ticket_id=result.ticket_id, run_seq=seq, role="agent", body=result.reply, at=now, author=CREW
                )
            if result.escalation is not None:
                record_escalation(db, ticket_id=result.ticket_id, run_seq=seq, escalation=result.escalation, at=now)
            self.outbox.add(db, event=FINISHED_EVENT, ticket_id=result.ticket_id, body=text, at=now)
            db.execute("UPDATE tickets SET updated_at = ? WHERE ticket_id = ?", (now, result.ticket_id))
        return True

    def requeue_interrupted(self) -> list[str]:
        """At start-up: runs a stopped service left running are queued again (their tickets' ids)."""
        with self.db.transaction() as db:
            ids = [r[0] for r in db.execute("SELECT ticket_id FROM runs WHERE status = 'running' ORDER BY queued_at")]
            db.execute("UPDATE runs SET status = 'queued', worker_pid = NULL WHERE status = 'running'")
        return ids

    # --- reading ----------------------------------------------------------------------------------
    def owner(self, ticket_id: str) -> str:
        """The name of the token that posted the ticket."""
        with self.db.reading() as db:
            return self._owner(db, ticket_id)

    @staticmethod
    def _owner(db: Connection, ticket_id: str) -> str:
        row = db.execute("SELECT submitted_by FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise TicketNotFound(ticket_id)
        return str(row[0])

    @staticmethod
    def _status(db: Connection, ticket_id: str) -> RunStatus:
        row = db.execute(
            "SELECT status FROM runs WHERE ticket_id = ? ORDER BY seq DESC LIMIT 1", (ticket_id,)
        ).fetchone()
        return row[0]

    def view(self, ticket_id: str) -> TicketView:
        with self.db.reading() as db:
            row = db.execute(
                "SELECT submitted_by, created_at, updated_at FROM tickets WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
            if row is None:
                raise TicketNotFound(ticket_id)
            run = db.execute(
                "SELECT status, result FROM runs WHERE ticket_id = ? ORDER BY seq DESC LIMIT 1", (ticket_id,)
            ).fetchone()
            thread = thread_of(db, ticket_id)
        result = Result.model_validate_json(run["result"]) if run["status"] == "done" and run["result"] else None
        return TicketView(ticket_id=ticket_id, status=run["status"], result=result, thread=thread, **dict(row))

    def list(
        self,
        *,
        submitted_by: str | None = None,
        status: RunStatus | None = None,
        outcome: Outcome | None = None,
        tag: str | None = None,
        day: str | None = None,
        limit: int = 100,
    ) -> builtins.list[TicketSummary]:
        """Newest first; each ticket with its latest run's status and outcome (`day`: YYYY-MM-DD,
        UTC, of its creation)."""
        query = (
            "SELECT t.ticket_id, t.submitted_by, t.created_at, t.updated_at, t.ticket, r.status, r.outcome"
            " FROM tickets t JOIN runs r ON r.ticket_id = t.ticket_id"
            " AND r.seq = (SELECT max(seq) FROM runs WHERE ticket_id = t.ticket_id) WHERE 1 = 1"
        )
        params: builtins.list[Any] = []
        filters = (
            ("t.submitted_by = ?", submitted_by),
            ("r.status = ?", status),
            ("r.outcome = ?", outcome),
            (_HAS_TAG[self.db.dialect], tag),
            ("substr(t.created_at, 1, 10) = ?", day),
        )
        for condition, value in filters:
            if value is not None:
                query, params = f"{query} AND {condition}", [*params, value]
        with self.db.reading() as db:
            rows = db.execute(f"{query} ORDER BY t.created_at DESC, t.ticket_id LIMIT ?", [*params, limit]).fetchall()
        return [
            TicketSummary(
                ticket_id=row["ticket_id"],
                status=row["status"],
                outcome=row["outcome"],
                submitted_by=row["submitted_by"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                tags=json.loads(row["ticket"]).get("tags") or [],
            )
            for row in rows
        ]

    def finished(self, *, submitted_by: str | None = None) -> builtins.list[FinishedRun]:
        """Each ticket's latest finished run, oldest first: what the console's dashboard reports on."""
        query = (
            "SELECT r.finished_at, r.result, t.ticket FROM runs r JOIN tickets t ON t.ticket_id = r.ticket_id"
            " WHERE r.status = 'done' AND r.result IS NOT NULL"
            " AND r.seq = (SELECT max(seq) FROM runs WHERE ticket_id = r.ticket_id AND status = 'done')"
        )
        params: builtins.list[Any] = []
        if submitted_by is not None:
            query, params = query + " AND t.submitted_by = ?", [submitted_by]
        with self.db.reading() as db:
            rows = db.execute(query + " ORDER BY r.finished_at", params).fetchall()
        return [
            FinishedRun(
                finished_at=row["finished_at"],
                result=Result.model_validate_json(row["result"]),
                tags=json.loads(row["ticket"]).get("tags") or [],
            )
            for row in rows
        ]

    def counts(self) -> dict[str, int]:
        """Runs by status (queued, running, done)."""
        with self.db.reading() as db:
            found = dict(db.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())
        return {status: int(found.get(status, 0)) for status in ("queued", "running", "done")}
