"""Handing tickets to the fleet and collecting their results from the shared journal: a batch's
backlog (`batch --queue`) or the service's runs (`serve` with a broker).

The broker carries only the work; results come back through the journal the workers write in
the shared database, so a batch or a service that stops while the fleet works loses nothing:
run again, it finds the finished tickets there and sends again only those that are not."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery import Celery

from backlog.fleet.app import celery_app, require_fleet_settings, send_ticket
from backlog.journal import BatchJournal, Journal
from backlog.workers import Wakeup
from core.models import Result, Ticket
from core.settings import Settings, redacted

log = logging.getLogger("support_crew.fleet")


class BrokerUnreachable(RuntimeError):
    pass


def _send(app: Celery, settings: Settings, *, batch_key: str, ticket: Ticket, plain: bool) -> None:
    try:
        send_ticket(app, batch_key=batch_key, ticket=ticket.model_dump(mode="json"), plain=plain)
    except Exception as e:  # kombu's connection errors vary by transport; all mean the same here
        raise BrokerUnreachable(
            f"cannot queue ticket {ticket.id} on the broker {redacted(settings.broker_url or '')}: {e}"
        ) from e


def run_backlog_on_fleet(
    todo: list[Ticket],
    *,
    batch: BatchJournal,
    settings: Settings,
    deliver: Callable[[Result, str], None],
    plain: bool = False,
    poll_s: float = 0.5,
) -> None:
    """Queue every ticket of `todo`, then hand each result to `deliver` (result, its JSON line as
    the journal holds it) as the fleet finishes it, until all are done."""
    require_fleet_settings(settings, who="`batch --queue`")
    app = celery_app(settings)
    done = batch.done_ids()
    by_id = {ticket.id: ticket for ticket in todo}
    for ticket in todo:
        if ticket.id not in done:  # finished by the fleet since the batch looked: only collect it
            _send(app, settings, batch_key=batch.key, ticket=ticket, plain=plain)
    waiting = set(by_id)
    next_check = time.monotonic() + settings.worker_lease_s
    while waiting:
        finished = sorted(waiting & batch.done_ids())
        for ticket_id, line in batch.result_lines(finished).items():
            deliver(Result.model_validate_json(line), line)
            waiting.discard(ticket_id)
        if waiting and time.monotonic() > next_check:
            _send_again_if_lost(app, settings, batch, by_id, waiting, plain=plain)
            next_check = time.monotonic() + settings.worker_lease_s
        if waiting:
            time.sleep(poll_s)


def _send_again_if_lost(
    app: Celery, settings: Settings, batch: BatchJournal, by_id: dict[str, Ticket], waiting: set[str], *, plain: bool
) -> None:
    """A ticket running on a worker silent past its lease may have lost its task with it (a
    broker that dropped the message): send it again; if the task was only late, the journal
    makes the copy do nothing."""
    for ticket_id in batch.stale_running(settings.worker_lease_s * 2):
        if ticket_id in waiting:
            log.warning("ticket %s: its worker went quiet; sent again", ticket_id)
            _send(app, settings, batch_key=batch.key, ticket=by_id[ticket_id], plain=plain)


@dataclass
class _InFlight:
    ticket: Ticket
    batch: BatchJournal


class BrokerPool:
    """The service's runs on the fleet, with the shape of backlog.workers.WorkerPool's `serve`:
    `take` gives the next run the service queue allows, `deliver` records a result. At most `size`
    runs are out on the fleet at once, so the service queue (not the broker) holds what waits and
    keeps its order (a follow-up after its ticket's earlier run)."""

    def __init__(self, *, size: int, settings: Settings) -> None:
        require_fleet_settings(settings, who="`serve` with a broker")
        self.size = size
        self._settings = settings
        self._app = celery_app(settings)
        self._journal = Journal(settings.resolved_data_dir, database_url=settings.database_url)
        self._in_flight: dict[str, _InFlight] = {}

    def __enter__(self) -> BrokerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        """Runs still out on the fleet go on there; the service queues them again at its next start
        and finds their results in the journal (or sends them once more, which the journal makes
        harmless)."""

    @property
    def ready(self) -> int:
        return self.size

    @property
    def busy(self) -> int:
        return len(self._in_flight)

    def serve(
        self,
        take: Callable[[], tuple[Ticket, str] | None],
        *,
        deliver: Callable[[Result], None],
        stopping: Callable[[], bool],
        wakeup: Wakeup,
        poll_s: float = 0.25,
    ) -> None:
        """`take` returns (ticket, run key) for the next run, None when there is none now."""
        import select

        next_check = time.monotonic() + self._settings.worker_lease_s
        while not stopping():
            while len(self._in_flight) < self.size:
                job = take()
                if job is None:
                    break
                ticket, key = job
                batch = self._journal.named_batch(key)
                batch.enqueue([ticket])
                _send(self._app, self._settings, batch_key=key, ticket=ticket, plain=False)
                self._in_flight[key] = _InFlight(ticket, batch)
            for key, run in list(self._in_flight.items()):
                line = run.batch.result_lines([run.ticket.id]).get(run.ticket.id)
                if line is not None:
                    del self._in_flight[key]
                    deliver(Result.model_validate_json(line))
            if time.monotonic() > next_check:
                for key, run in self._in_flight.items():
                    if run.batch.stale_running(self._settings.worker_lease_s * 2):
                        log.warning("run %s: its worker went quiet; sent again", key)
                        _send(self._app, self._settings, batch_key=key, ticket=run.ticket, plain=False)
                next_check = time.monotonic() + self._settings.worker_lease_s
            select.select([wakeup], [], [], poll_s)
            wakeup.clear()
