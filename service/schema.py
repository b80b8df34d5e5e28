"""The service's database schema (`<data_dir>/service.db`), as numbered migrations.

Each migration runs once, in its own transaction, and is recorded in `schema_migrations`: a
database made by an older release is brought up to date when the service opens it, and a new
table or column is a new migration, never an edit of an old one. The SQL keeps to what SQLite and
PostgreSQL share (TEXT and INTEGER columns, ISO-8601 UTC times as text, no AUTOINCREMENT, no
PRAGMA), so a PostgreSQL backend can apply the same list.

Tables:
- `tokens`: API tokens by name, with their role; only a SHA-256 hash of each token is kept.
- `tickets`: one row per ticket id, with the ticket as first posted and the hash that tells a
  repeated post (same id and body) from a conflicting one.
- `runs`: each run a ticket needs, in order: the first for the ticket, one more per follow-up.
  `status` queued -> running -> done; a run still `running` when the service stopped is queued
  again at the next start, and `attempts` counts how often it was handed to a worker.
- `messages`: the ticket's thread (customer, crew and people), oldest first; `run_seq` is the run
  a message belongs to (0 for the thread the ticket came with), `client_id` makes a retried
  follow-up a no-op.
- `escalations`: each escalated result's escalation, open until a person answers it.
- `outbox`: webhook deliveries, written in the transaction that finished the run, retried until
  the receiver accepts them.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE tokens (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE TABLE tickets (
            ticket_id TEXT PRIMARY KEY,
            submitted_by TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            ticket TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE runs (
            ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
            seq INTEGER NOT NULL,
            status TEXT NOT NULL,
            body TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            worker_pid INTEGER,
            queued_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            outcome TEXT,
            result TEXT,
            PRIMARY KEY (ticket_id, seq)
        );
        CREATE INDEX runs_status ON runs (status, queued_at);
        CREATE TABLE messages (
            ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
            seq INTEGER NOT NULL,
            run_seq INTEGER NOT NULL,
            role TEXT NOT NULL,
            body TEXT NOT NULL,
            at TEXT,
            author TEXT,
            client_id TEXT,
            PRIMARY KEY (ticket_id, seq)
        );
        CREATE UNIQUE INDEX messages_client_id ON messages (ticket_id, client_id);
        CREATE TABLE escalations (
            id TEXT PRIMARY KEY,
            ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
            run_seq INTEGER NOT NULL,
            reason TEXT NOT NULL,
            priority TEXT NOT NULL,
            summary TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            closed_by TEXT,
            closed_at TEXT,
            answer TEXT
        );
        CREATE INDEX escalations_status ON escalations (status, created_at);
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            event TEXT NOT NULL,
            ticket_id TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            delivered_at TEXT,
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);
        """,
    ),
]
