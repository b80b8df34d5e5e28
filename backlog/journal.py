"""The batch journal: which ticket of which backlog is queued, running or done, kept in SQLite
under the data directory so that a batch killed at any moment resumes where it stopped.

A batch is keyed by its output file (the resolved OUT path), not by the input: OUT is what must
hold exactly one result per ticket, so "the same command" means "the same OUT". Appending tickets
to IN and re-running with the same OUT runs only the new ones; writing to a new OUT starts afresh.

Order of writes for a finished ticket: the result is committed to the journal first, then its
line is appended to OUT. A kill between the two leaves a result the journal has and OUT lacks; a
kill during the append leaves a partial last line. `ResultsFile.repair` and `restore_missing` put
both right on resume, so no finished result is ever lost or written twice.

A ticket found `running` on resume was interrupted (its process died) and is run again. That is
safe: every store write carries an idempotency key derived from (ticket id, operation, arguments)
(tools.context.idempotency_key), so the re-run's writes find the first run's and cannot apply
twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import ValidationError

from core.locks import pid_lock
from core.models import Result, Ticket
from intake.ticket_io import validation_message
from storage.database import Database, open_database, utc_now

# Numbered migrations (storage.database): SQLite files of earlier releases numbered them in
# PRAGMA user_version, which the SQLite backend adopts.
_MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE batches (
            key TEXT PRIMARY KEY,          -- resolved OUT path
            in_path TEXT,                  -- the input file of the last run
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE tickets (
            batch_key TEXT NOT NULL REFERENCES batches(key),
            ticket_id TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
            attempts INTEGER NOT NULL DEFAULT 0,
            pid INTEGER,                   -- process running it (state running)
            ticket_sha TEXT,               -- content hash of the ticket as queued
            tags TEXT NOT NULL DEFAULT '[]',
            outcome TEXT,
            result TEXT,                   -- the Result JSON line (state done)
            started_at TEXT,
            finished_at TEXT,
            PRIMARY KEY (batch_key, ticket_id)
        );
        """,
    ),
    (
        2,
        # the fleet (fleet/): which worker (host:pid) runs or ran a ticket, and when it last said it
        # was alive; a running ticket whose worker went quiet may be claimed by another
        """
        ALTER TABLE tickets ADD COLUMN worker TEXT;
        ALTER TABLE tickets ADD COLUMN heartbeat_at TEXT
        """,
    ),
]


def ticket_sha(ticket: Ticket) -> str:
    return hashlib.sha256(ticket.model_dump_json().encode()).hexdigest()[:16]


class JournalError(RuntimeError):
    """The journal or the output file is in a state the batch must not guess about."""


class BatchLocked(JournalError):
    pass


def _seconds_before(moment: str, seconds: float) -> str:
    return (datetime.fromisoformat(moment) - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Claim:
    status: Literal["claimed", "busy", "done"]
    attempt: int = 0


@dataclass
class EnqueueReport:
    new: list[str] = field(default_factory=list)
    changed_done: list[str] = field(default_factory=list)  # finished, but the input differs now


class Journal:
    """The batches' journal: `<data_dir>/journal.db`, or schema `journal` of the fleet's PostgreSQL
    database when `database_url` is set (then every machine's batch and workers share it)."""

    def __init__(self, data_dir: Path, *, database_url: str | None = None):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.db: Database = open_database("journal", data_dir=self.data_dir, url=database_url)
        self.db.migrate(_MIGRATIONS)

    def close(self) -> None:
        """Nothing stays open between calls (each opens its connection); kept for `with`."""

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- batches --------------------------------------------------------------------------------
    def batch(self, out_path: Path, in_path: Path | None = None) -> BatchJournal:
        """The journal of the batch writing to `out_path` (created on first use)."""
        key = str(Path(out_path).expanduser().resolve())
        return self.named_batch(key, in_path=str(Path(in_path).resolve()) if in_path else None)

    def named_batch(self, key: str, *, in_path: str | None = None) -> BatchJournal:
        """The batch called `key` (created on first use): an output path, or the service's
        `service:<ticket id>:<run>` for a run it hands to the fleet."""
        now = utc_now()
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO batches(key, in_path, created_at, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET in_path = coalesce(excluded.in_path, batches.in_path), "
                "updated_at = excluded.updated_at",
                (key, in_path, now, now),
            )
        return BatchJournal(self, key)

    def find_batch(self, out_path: Path) -> BatchJournal | None:
        key = str(Path(out_path).expanduser().resolve())
        with self.db.reading() as db:
            row = db.execute("SELECT 1 FROM batches WHERE key = ?", (key,)).fetchone()
        return BatchJournal(self, key) if row else None

    @contextmanager
    def lock(self, out_path: Path) -> Iterator[None]:
        """Hold the batch for this process: two batch commands writing one OUT would run tickets
        twice. The lock is a kernel file lock, so a killed holder releases it at once."""
        key = str(Path(out_path).expanduser().resolve())
        lock_dir = self.data_dir / "locks"
        lock_dir.mkdir(exist_ok=True)
        lock_path = lock_dir / f"batch-{hashlib.sha256(key.encode()).hexdigest()[:16]}.lock"

        def busy(holder: str) -> BatchLocked:
            return BatchLocked(
                f"another batch is already writing {key} (pid {holder}); wait for it to finish "
                "or stop it, then run the same command again to resume"
            )

        with pid_lock(lock_path, busy), self.db.exclusive(f"batch:{key}") as held:
            # a fleet's journal is shared: another machine's batch writing the same path is refused too
            if not held:
                raise busy("on another machine")
            yield


class BatchJournal:
    """The rows of one batch. States: queued -> running(attempt, pid) -> done(result)."""

    def __init__(self, journal: Journal, key: str):
        self._journal = journal
        self.key = key

    @property
    def _db(self) -> Database:
        return self._journal.db

    def _column(self, column: str, where: str = "") -> dict[str, Any]:
        with self._db.reading() as db:
            return dict(
                db.execute(
                    f"SELECT ticket_id, {column} FROM tickets WHERE batch_key = ? {where}", (self.key,)
                ).fetchall()
            )

    @property
    def in_path(self) -> Path | None:
        with self._db.reading() as db:
            row = db.execute("SELECT in_path FROM batches WHERE key = ?", (self.key,)).fetchone()
        return Path(row[0]) if row and row[0] else None

    def enqueue(self, tickets: list[Ticket]) -> EnqueueReport:
        """Queue the tickets not seen before; report finished ones whose content has changed."""
        report = EnqueueReport()
        with self._db.transaction() as db:
            known = {
                tid: (state, sha)
                for tid, state, sha in db.execute(
                    "SELECT ticket_id, state, ticket_sha FROM tickets WHERE batch_key = ?", (self.key,)
                ).fetchall()
            }
            for ticket in tickets:
                sha = ticket_sha(ticket)
                if ticket.id not in known:
                    db.execute(
                        "INSERT INTO tickets(batch_key, ticket_id, state, ticket_sha, tags) "
                        "VALUES (?, ?, 'queued', ?, ?)",
                        (self.key, ticket.id, sha, json.dumps(ticket.tags)),
                    )
                    report.new.append(ticket.id)
                    continue
                state, old_sha = known[ticket.id]
                if state == "done" and old_sha is None:  # adopted from OUT: learn its tags
                    db.execute(
                        "UPDATE tickets SET ticket_sha = ?, tags = ? WHERE batch_key = ? AND ticket_id = ?",
                        (sha, json.dumps(ticket.tags), self.key, ticket.id),
                    )
                elif state == "done":
                    if old_sha != sha:
                        report.changed_done.append(ticket.id)
                else:  # not finished yet: run what the input says now
                    db.execute(
                        "UPDATE tickets SET ticket_sha = ?, tags = ? WHERE batch_key = ? AND ticket_id = ?",
                        (sha, json.dumps(ticket.tags), self.key, ticket.id),
                    )
        return report

    def states(self) -> dict[str, str]:
        return self._column("state")

    def attempts(self) -> dict[str, int]:
        return self._column("attempts")

    def tags(self) -> dict[str, list[str]]:
        return {tid: json.loads(tags) for tid, tags in self._column("tags").items()}

    def start(self, ticket_id: str, pid: int) -> int:
        """Mark the ticket running in process `pid`; returns its attempt number (1 for the first)."""
        attempt = self.claim(ticket_id, pid)
        if attempt is None:
            raise JournalError(f"ticket {ticket_id} is not queued in batch {self.key}")
        return attempt

    def claim(self, ticket_id: str, pid: int) -> int | None:
        """Mark the ticket running in process `pid` and return its attempt number, or None when it
        is done (or not in the batch): a redelivered task finds its ticket finished and stops."""
        with self._db.transaction() as db:
            row = db.execute(
                "UPDATE tickets SET state = 'running', attempts = attempts + 1, pid = ?, started_at = ? "
                "WHERE batch_key = ? AND ticket_id = ? AND state != 'done' RETURNING attempts",
                (pid, utc_now(), self.key, ticket_id),
            ).fetchone()
        return int(row[0]) if row is not None else None

    def claim_lease(self, ticket_id: str, *, worker: str, pid: int, lease_s: float) -> Claim:
        """A fleet worker's claim: like `claim`, but a ticket another worker runs and heartbeated
        within `lease_s` stays that worker's ("busy": try again later); one whose worker went quiet
        (killed, its machine gone) is taken over. Times are the database's, not the workers'."""
        with self._db.transaction() as db:
            now = self._db.now()
            stale_before = _seconds_before(now, lease_s)
            row = db.execute(
                "SELECT state, worker, heartbeat_at FROM tickets WHERE batch_key = ? AND ticket_id = ?",
                (self.key, ticket_id),
            ).fetchone()
            if row is None or row["state"] == "done":
                return Claim("done")
            held = row["state"] == "running" and row["worker"] not in (None, worker)
            if held and (row["heartbeat_at"] or "") > stale_before:
                return Claim("busy")
            attempts = db.execute(
                "UPDATE tickets SET state = 'running', attempts = attempts + 1, pid = ?, worker = ?, started_at = ?, "
                "heartbeat_at = ? WHERE batch_key = ? AND ticket_id = ? RETURNING attempts",
                (pid, worker, now, now, self.key, ticket_id),
            ).fetchone()[0]
        return Claim("claimed", int(attempts))

    def heartbeat(self, ticket_id: str, *, worker: str) -> bool:
        """Renew `worker`'s lease; False when the ticket is no longer its own (taken over after a
        silence, or finished by another). One statement, outside the part's write lock."""
        with self._db.statement() as db:
            row = db.execute(
                "UPDATE tickets SET heartbeat_at = ? WHERE batch_key = ? AND ticket_id = ? AND worker = ? "
                "AND state = 'running' RETURNING ticket_id",
                (self._db.now(), self.key, ticket_id, worker),
            ).fetchone()
        return row is not None

    def stale_running(self, lease_s: float) -> list[str]:
        """Tickets running on a worker that has been quiet for longer than its lease: its task may
        be lost with it (a broker that lost the message, a task that failed outside the run)."""
        stale_before = _seconds_before(self._db.now(), lease_s)
        with self._db.reading() as db:
            rows = db.execute(
                "SELECT ticket_id FROM tickets WHERE batch_key = ? AND state = 'running' "
                "AND coalesce(heartbeat_at, started_at, '') < ?",
                (self.key, stale_before),
            ).fetchall()
        return [row[0] for row in rows]

    def finish(self, result: Result, *, keep_first: bool = False) -> str:
        """Record the result (committed before anything else sees it); returns the JSON line the
        journal holds. With `keep_first`, a ticket already done keeps its first result (two
        workers that both ran it: the journal decides which result counts)."""
        line = result.model_dump_json()
        keep = " WHERE tickets.state != 'done'" if keep_first else ""
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO tickets(batch_key, ticket_id, state, outcome, result, finished_at) "
                "VALUES (?, ?, 'done', ?, ?, ?) ON CONFLICT(batch_key, ticket_id) DO UPDATE SET "
                "state = 'done', pid = NULL, outcome = excluded.outcome, result = excluded.result, "
                f"finished_at = excluded.finished_at{keep}",
                (self.key, result.ticket_id, result.outcome, line, utc_now()),
            )
            stored = db.execute(
                "SELECT result FROM tickets WHERE batch_key = ? AND ticket_id = ?", (self.key, result.ticket_id)
            ).fetchone()
        return str(stored[0])

    def done_ids(self) -> set[str]:
        with self._db.reading() as db:
            rows = db.execute(
                "SELECT ticket_id FROM tickets WHERE batch_key = ? AND state = 'done'", (self.key,)
            ).fetchall()
        return {row[0] for row in rows}

    def result_lines(self, ticket_ids: list[str]) -> dict[str, str]:
        """The Result JSON lines of these finished tickets (a batch waiting on the fleet asks for
        the ones it has not seen yet, not for every result each time)."""
        found: dict[str, str] = {}
        with self._db.reading() as db:
            for start in range(0, len(ticket_ids), 500):
                chunk = ticket_ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                found.update(
                    db.execute(
                        f"SELECT ticket_id, result FROM tickets WHERE batch_key = ? AND state = 'done' "
                        f"AND ticket_id IN ({marks})",
                        (self.key, *chunk),
                    ).fetchall()
                )
        return found

    def done_lines(self) -> dict[str, str]:
        """ticket id -> Result JSON line, for every finished ticket of the batch."""
        return self._column("result", "AND state = 'done'")


@dataclass
class RepairReport:
    results: dict[str, Result] = field(default_factory=dict)  # ticket id -> result found in OUT
    dropped_partial_line: bool = False
    restored: list[str] = field(default_factory=list)  # done in the journal, re-appended to OUT


class ResultsFile:
    """The batch output, one Result JSON per line, appended as tickets finish.

    Only the batch's parent process writes it; each line goes out in one write and is flushed and
    fsynced before the next ticket's, so a kill leaves at most one partial last line."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._files = ExitStack()  # the file stays open from the first append until close()
        self._handle: TextIO | None = None

    def repair(self) -> RepairReport:
        """Cut a partial last line (the write a kill interrupted) and read the results.

        Any other unreadable line or a repeated ticket id was not written by the batch: stop and
        say where, rather than guess which copy is right."""
        report = RepairReport()
        if not self.path.exists():
            return report
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            last_start = data.rfind(b"\n") + 1
            tail = data[last_start:]
            if _as_result(tail) is not None:
                data += b"\n"  # complete line whose newline was lost
                with open(self.path, "ab") as handle:
                    handle.write(b"\n")
            else:
                data = data[:last_start]
                with open(self.path, "r+b") as handle:
                    handle.truncate(last_start)
                report.dropped_partial_line = True
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            result = _as_result(line)
            if result is None:
                raise JournalError(
                    f"{self.path}:{number}: not a result line ({_why_not_result(line)}); this file "
                    "was changed outside the batch: fix or remove that line, then run the command again"
                )
            if result.ticket_id in report.results:
                raise JournalError(
                    f"{self.path}:{number}: a second result for ticket {result.ticket_id}; keep one "
                    "line per ticket, then run the command again"
                )
            report.results[result.ticket_id] = result
        return report

    def append(self, line: str) -> None:
        if self._handle is None:
            self._handle = self._files.enter_context(self._appending())
        self._handle.write(line + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    @contextmanager
    def _appending(self) -> Iterator[TextIO]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            yield handle

    def close(self) -> None:
        self._files.close()
        self._handle = None


def _as_result(line: bytes) -> Result | None:
    try:
        return Result.model_validate_json(line)
    except ValidationError:
        return None


def _why_not_result(line: bytes) -> str:
    try:
        Result.model_validate_json(line)
    except ValidationError as e:
        return validation_message(e)
    return "unknown"


def reconcile(batch: BatchJournal, results_file: ResultsFile) -> RepairReport:
    """Make the journal and OUT agree before a (re)run.

    - a partial last line of OUT is cut;
    - a result in OUT the journal does not have as done (the journal was deleted, or OUT came from
      elsewhere) is adopted as done: it is a finished ticket and will not run again;
    - a result done in the journal but missing from OUT (killed between commit and append, or OUT
      deleted) is appended to OUT.
    """
    report = results_file.repair()
    states = batch.states()
    for ticket_id, result in report.results.items():
        if states.get(ticket_id) != "done":
            batch.finish(result)
    for ticket_id, line in batch.done_lines().items():
        if ticket_id not in report.results:
            results_file.append(line)
            report.restored.append(ticket_id)
    return report
