"""What the fleet is doing, for `support-crew report --fleet`: tickets waiting on the broker, the
journal's tickets by state, and each worker's throughput over the last minutes (from the
journal: who finished what, when, and who is running what now)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kombu.exceptions import ChannelError

from backlog.fleet.app import celery_app
from backlog.journal import Journal
from core.settings import Settings


@dataclass
class WorkerFigures:
    worker: str
    finished: int  # tickets finished in the window
    per_minute: float
    running: str | None  # the ticket it runs now, if any
    last_seen: str | None  # its latest heartbeat or finish


@dataclass
class FleetStatus:
    waiting_on_broker: int | None  # None: the broker could not be asked
    broker_error: str | None
    states: dict[str, int]  # journal tickets by state, every batch and service run
    window_minutes: int
    workers: list[WorkerFigures] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "waiting_on_broker": self.waiting_on_broker,
            "broker_error": self.broker_error,
            "states": self.states,
            "window_minutes": self.window_minutes,
            "workers": [vars(w) for w in self.workers],
        }


def _waiting(settings: Settings) -> tuple[int | None, str | None]:
    try:
        with celery_app(settings).connection_for_read() as connection:
            declared = connection.default_channel.queue_declare(settings.broker_queue, passive=True)
            return int(declared.message_count), None
    except ChannelError as e:
        if "NOT_FOUND" in str(e):  # Redis drops an empty queue's list: nothing waits
            return 0, None
        return None, f"{type(e).__name__}: {e}"
    except Exception as e:  # kombu's connection errors vary by transport: say what the broker answered
        return None, f"{type(e).__name__}: {e}"


def fleet_status(settings: Settings, *, window_minutes: int = 15) -> FleetStatus:
    journal = Journal(settings.resolved_data_dir, database_url=settings.database_url)
    since = (datetime.now(UTC) - timedelta(minutes=window_minutes)).isoformat(timespec="milliseconds")
    with journal.db.reading() as db:
        states = {row[0]: int(row[1]) for row in db.execute("SELECT state, count(*) FROM tickets GROUP BY state")}
        finished = db.execute(
            "SELECT worker, count(*), max(finished_at) FROM tickets WHERE state = 'done' AND worker IS NOT NULL "
            "AND finished_at >= ? GROUP BY worker",
            (since,),
        ).fetchall()
        running = db.execute(
            "SELECT worker, ticket_id, heartbeat_at FROM tickets WHERE state = 'running' AND worker IS NOT NULL"
        ).fetchall()
    figures: dict[str, WorkerFigures] = {}
    for worker, count, last in finished:
        figures[worker] = WorkerFigures(worker, int(count), round(int(count) / window_minutes, 2), None, last)
    for worker, ticket_id, heartbeat in running:
        entry = figures.setdefault(worker, WorkerFigures(worker, 0, 0.0, None, None))
        entry.running = ticket_id
        entry.last_seen = max(filter(None, [entry.last_seen, heartbeat]), default=None)
    waiting, error = _waiting(settings) if settings.broker_url else (None, "no broker configured")
    return FleetStatus(
        waiting_on_broker=waiting,
        broker_error=error,
        states={state: states.get(state, 0) for state in ("queued", "running", "done")},
        window_minutes=window_minutes,
        workers=sorted(figures.values(), key=lambda w: w.worker),
    )
