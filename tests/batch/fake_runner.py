"""A stand-in for runner.ticket_run with the same interface, so the batch machinery (journal,
resume, workers, kill) is tested in seconds without the crew.

Its "store" is a SQLite file in the data directory with one idempotent write per ticket: a
credit keyed by tools.context.idempotency_key, applied to a balance only the first time the key
is seen, exactly as the real store treats a repeated write. Every run of a ticket is recorded in
`runs`, so a test can count how often a ticket ran.

A ticket steers the fake through an extra field (tickets keep unknown fields):
`"fake": {"sleep": 0.2, "first_run_sleep": 30, "crash": true, "raise": "boom", "outcome": "escalated"}`
(`first_run_sleep` applies only when the ticket never ran before in this store);
FAKE_RUNNER_SLEEP sets the default sleep (seconds) before the write.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.models import Result, Ticket, Usage
from core.settings import Settings
from tools.context import idempotency_key

_SCHEMA = """
CREATE TABLE IF NOT EXISTS writes (key TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, amount INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS balance (id INTEGER PRIMARY KEY CHECK (id = 1), total INTEGER NOT NULL);
INSERT OR IGNORE INTO balance VALUES (1, 0);
CREATE TABLE IF NOT EXISTS runs (ticket_id TEXT NOT NULL, pid INTEGER NOT NULL);
"""


@dataclass
class FakeEnvironment:
    api_url: str
    db_path: Path


def store_path(data_dir: Path) -> Path:
    return Path(data_dir) / "fake_store.db"


@contextmanager
def open_environment(settings: Settings, *, api_url: str | None = None) -> Iterator[FakeEnvironment]:
    if api_url is None:
        path = store_path(settings.resolved_data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as db:
            db.executescript(_SCHEMA)
        api_url = f"sqlite:{path}"
    yield FakeEnvironment(api_url=api_url, db_path=Path(api_url.removeprefix("sqlite:")))


def run_ticket(
    ticket: Ticket, env: FakeEnvironment, trace: Callable[[dict[str, Any]], None] | None = None, *, plain: bool = False
) -> Result:
    started = time.monotonic()
    sink = trace or (lambda event: None)
    fake = (ticket.model_extra or {}).get("fake", {})
    sink(
        {
            "event": "delegation",
            "kind": "delegate_work_to_coworker",
            "coworker": "Billing Specialist",
            "task": f"credit the customer of {ticket.id}",
        }
    )
    with sqlite3.connect(env.db_path, timeout=30) as db:
        ran_before = db.execute("SELECT count(*) FROM runs WHERE ticket_id = ?", (ticket.id,)).fetchone()[0]
        db.execute("INSERT INTO runs VALUES (?, ?)", (ticket.id, os.getpid()))
    time.sleep(float(fake.get("sleep", os.environ.get("FAKE_RUNNER_SLEEP", "0"))))
    if not ran_before:
        time.sleep(float(fake.get("first_run_sleep", 0)))
    if fake.get("crash"):
        os._exit(3)
    if fake.get("raise"):
        raise RuntimeError(fake["raise"])
    amount = sum(map(ord, ticket.id))  # deterministic per ticket
    key = idempotency_key(ticket.id, "add_credit", {"amount": amount})
    with sqlite3.connect(env.db_path, timeout=30) as db:
        inserted = db.execute("INSERT OR IGNORE INTO writes VALUES (?, ?, ?)", (key, ticket.id, amount)).rowcount
        if inserted:
            db.execute("UPDATE balance SET total = total + ? WHERE id = 1", (amount,))
    sink(
        {
            "event": "tool_call",
            "agent": "Billing Specialist",
            "tool": "add_credit",
            "arguments": {"amount": amount, "email": ticket.from_email},
            "status": "ok",
            "latency_ms": 1.5,
        }
    )
    sink(
        {
            "event": "llm_call",
            "agent": "Billing Specialist",
            "prompt_tokens": 2 * len(ticket.body),
            "completion_tokens": 20,
            "latency_ms": 3.0,
        }
    )
    return Result(
        ticket_id=ticket.id,
        outcome=fake.get("outcome", "resolved"),
        reply=f"Credited {amount} for {ticket.id}.",
        # the plain (baseline) crew costs more, as the real one does: 5 calls, 3x the prompt tokens
        usage=Usage(
            llm_calls=5 if plain else 2,
            prompt_tokens=(6 if plain else 2) * len(ticket.body),
            completion_tokens=20,
            tool_calls=1,
        ),
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def store_state(data_dir: Path) -> dict[str, Any]:
    with sqlite3.connect(store_path(data_dir)) as db:
        return {
            "writes": sorted(db.execute("SELECT key, ticket_id, amount FROM writes")),
            "balance": db.execute("SELECT total FROM balance").fetchone()[0],
        }


def runs_per_ticket(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(store_path(data_dir)) as db:
        return dict(db.execute("SELECT ticket_id, count(*) FROM runs GROUP BY ticket_id"))
