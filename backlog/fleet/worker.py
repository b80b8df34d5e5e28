"""`support-crew worker`: one process that opens the runner's environment once (config, memory,
the embedder, the shared store) and runs the fleet's tickets one at a time.

A task names its batch (a batch's output path, or `service:<ticket>:<run>`) and carries the
ticket. The journal in the shared database decides what happens:
- the ticket is done: nothing runs (a task handed out again after its result was recorded);
- another live worker runs it (its heartbeat is fresh): the task is retried later;
- otherwise this worker claims it, heartbeats while it runs, and records the result; a second
  result for the same ticket (two workers that both ran it) never replaces the first.
Store writes carry idempotency keys from (ticket, operation, arguments), so a ticket run again
after a worker died applies none of its writes twice."""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from celery import Celery, Task
from pydantic import ValidationError

from backlog.fleet.app import TASK, celery_app, require_fleet_settings
from backlog.journal import BatchJournal, Journal
from backlog.workers import DEFAULT_RUNNER, run_one
from core.models import Result, Ticket
from core.settings import Settings
from runner.traces import TraceWriter
from storage.database import UNREACHABLE

log = logging.getLogger("support_crew.fleet")


def worker_name() -> str:
    """Who runs a ticket, as the journal records it: unique across the fleet's machines."""
    return f"{socket.gethostname()}:{os.getpid()}"


class FleetWorker:
    def __init__(self, settings: Settings, *, runner: str = DEFAULT_RUNNER) -> None:
        self.settings = settings
        self.name = worker_name()
        self.journal = Journal(settings.resolved_data_dir, database_url=settings.database_url)
        self.traces = TraceWriter(settings.resolved_data_dir)
        self._runner = importlib.import_module(runner)
        self._stack = ExitStack()
        self.env: Any = None

    def open(self) -> None:
        """Open the environment before the first task: a worker is warm when it says it is ready."""
        environment = self._runner.open_environment(self.settings, api_url=self.settings.api_url)
        self.env = self._stack.enter_context(environment)

    def close(self) -> None:
        self._stack.close()

    def run(self, batch_key: str, payload: dict[str, Any], *, plain: bool = False) -> str:
        """Run one task's ticket; returns 'ran', 'done' (nothing to do) or 'busy' (retry later)."""
        batch = BatchJournal(self.journal, batch_key)
        try:
            ticket = Ticket.model_validate(payload)
        except ValidationError as e:
            return self._unreadable(batch, payload, e)
        claim = batch.claim_lease(ticket.id, worker=self.name, pid=os.getpid(), lease_s=self.settings.worker_lease_s)
        if claim.status != "claimed":
            log.info("ticket %s of %s: %s", ticket.id, batch_key, claim.status)
            return claim.status
        with self._heartbeat(batch, ticket.id):
            result = run_one(self._runner, self.env, ticket, self.traces, attempt=claim.attempt, plain=plain)
        batch.finish(result, keep_first=True)
        log.info("ticket %s of %s: %s in %d ms", ticket.id, batch_key, result.outcome, result.duration_ms)
        return "ran"

    def _unreadable(self, batch: BatchJournal, payload: dict[str, Any], error: ValidationError) -> str:
        """A task whose ticket does not validate (a sender of another version): record it failed,
        so whoever waits for the ticket gets an answer instead of waiting forever."""
        ticket_id = str(payload.get("id") or "")
        log.error("a task of %s carries an unreadable ticket %r: %s", batch.key, ticket_id, error)
        if ticket_id:
            batch.finish(
                Result(ticket_id=ticket_id, outcome="failed", reply="", error=f"unreadable ticket: {error}"),
                keep_first=True,
            )
        return "done"

    @contextmanager
    def _heartbeat(self, batch: BatchJournal, ticket_id: str) -> Iterator[None]:
        stop = threading.Event()
        every = self.settings.worker_lease_s / 3

        def beat() -> None:
            while not stop.wait(every):
                try:
                    if not batch.heartbeat(ticket_id, worker=self.name):
                        # another worker took the ticket over after a silence longer than the lease;
                        # the first result recorded counts, and the store's idempotency keys stop
                        # the same writes applying twice
                        log.error("ticket %s of %s: lease lost to another worker", ticket_id, batch.key)
                        return
                except Exception:  # a missed beat only risks another worker taking the ticket over
                    log.exception("heartbeat of ticket %s failed", ticket_id)

        thread = threading.Thread(target=beat, name="support-crew-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)


_current: FleetWorker | None = None


def _run_ticket_task(task: Task, batch_key: str, payload: dict[str, Any], plain: bool = False) -> str:
    if _current is None:
        raise RuntimeError("this process is not a support-crew worker")
    try:
        status = _current.run(batch_key, payload, plain=plain)
    except UNREACHABLE as e:
        # the shared database is away (a restart, a failover): the task comes back later, and the
        # journal decides again what it has to do; acknowledging it now would lose the ticket
        delay = min(60, 2 ** min(task.request.retries, 6))
        log.warning("ticket task of %s: database unavailable (%s); again in %d s", batch_key, e, delay)
        raise task.retry(countdown=delay, max_retries=None) from e
    if status == "busy":  # another worker is on it: look again once its lease could have lapsed
        raise task.retry(countdown=_current.settings.worker_lease_s / 3, max_retries=None)
    return status


def worker_app(settings: Settings) -> Celery:
    app = celery_app(settings)
    app.task(name=TASK, bind=True, max_retries=None)(_run_ticket_task)
    return app


def run_worker(settings: Settings, *, loglevel: str = "INFO", runner: str = DEFAULT_RUNNER) -> None:
    """Open the environment, then consume the queue until stopped (SIGTERM: finish the ticket
    being run, then exit; SIGKILL: the ticket is handed out again, see fleet.app)."""
    global _current
    require_fleet_settings(settings, who="`support-crew worker`")
    worker = FleetWorker(settings, runner=runner)
    worker.open()
    _current = worker
    try:
        worker_app(settings).worker_main(
            [
                "worker",
                "--pool=solo",  # one ticket at a time; run more worker processes for more at once
                f"--hostname=support-crew-{os.getpid()}@{socket.gethostname()}",
                f"--loglevel={loglevel}",
                f"--queues={settings.broker_queue}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        _current = None
        worker.close()
