"""Feeding the durable queue to warm workers: a background thread owns a `WorkerPool` (processes
that opened the runner's environment once) and hands each idle worker the next run the queue
allows. A new ticket wakes it at once; it also looks every second, so nothing waits on a missed
wake-up. Results go back to the queue as they arrive."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from backlog.fleet.dispatch import BrokerPool
from backlog.workers import DEFAULT_RUNNER, Wakeup, WorkerPool
from core.models import Result, Ticket
from core.settings import Settings
from service.ticket_queue import TicketQueue
from storage.database import DATABASE_ERRORS

log = logging.getLogger("support_crew.service")

_RESTART_FIRST_S = 5.0
_RESTART_MAX_S = 300.0


@dataclass(frozen=True)
class PoolState:
    workers: int  # the pool's size
    ready: int  # workers with their environment open
    busy: int  # workers running a ticket now
    error: str | None  # why the pool stopped, if it did


class Dispatcher:
    def __init__(
        self,
        queue: TicketQueue,
        *,
        settings: Settings,
        workers: int,
        api_url: str,
        on_finished: Callable[[Result], None] = lambda result: None,
        runner: str = DEFAULT_RUNNER,
        grace_s: float = 10.0,
    ) -> None:
        self.queue = queue
        self.size = workers
        self._settings = settings
        self._api_url = api_url
        self._on_finished = on_finished
        self._runner = runner
        self._grace_s = grace_s
        self._wakeup = Wakeup()
        self._stopping = threading.Event()
        self._pool: WorkerPool | BrokerPool | None = None
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name="support-crew-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        """New work may be waiting (a ticket or a follow-up was accepted)."""
        self._wakeup.set()

    def stop(self) -> None:
        """Stop taking work; running tickets get the grace period to finish, the others run again
        at the next start (they are still `running` in the queue)."""
        self._stopping.set()
        self._wakeup.set()
        self._thread.join(timeout=self._grace_s + 30)
        self._wakeup.close()

    @property
    def state(self) -> PoolState:
        pool = self._pool
        return PoolState(
            workers=self.size,
            ready=pool.ready if pool else 0,
            busy=pool.busy if pool else 0,
            error=None if pool and pool.ready else self._error,  # a pool that works again clears it
        )

    def _run(self) -> None:
        """Serve until stopped; a pool that fails (no worker could start: a bad configuration, a
        broken install) is started again after 5 s, doubling to 5 minutes while it keeps failing.
        Accepted tickets wait in the queue meanwhile; /api/status shows why."""
        delay_s = _RESTART_FIRST_S
        while not self._stopping.is_set():
            was_ready = False
            try:
                if self._settings.broker_url:
                    self._serve_on_fleet()
                    return
                with WorkerPool(size=self.size, settings=self._settings, runner=self._runner) as pool:
                    self._pool = pool
                    pool.serve(
                        self._take,
                        api_url=self._api_url,
                        deliver=self._deliver,
                        stopping=self._stopping.is_set,
                        wakeup=self._wakeup,
                        grace_s=self._grace_s,
                    )
                return
            except Exception as e:  # the API keeps answering; the cause is logged and shown by /api/status
                was_ready = bool(self._pool and self._pool.ready)
                self._error = f"{type(e).__name__}: {e}"
                log.error("the worker pool stopped (%s); a new one starts in %.0f s", self._error, delay_s)
            finally:
                self._pool = None
            if self._stopping.wait(delay_s):
                return
            try:  # what the failed pool was running never finished: it runs again on the new pool
                self.queue.requeue_interrupted()
            except DATABASE_ERRORS:
                log.exception("could not queue again the runs of the failed pool; they run at the next start")
            delay_s = _RESTART_FIRST_S if was_ready else min(_RESTART_MAX_S, delay_s * 2)

    def _serve_on_fleet(self) -> None:
        """The runs go to the fleet's workers through the broker (fleet/); results come back
        through the shared journal."""
        with BrokerPool(size=self.size, settings=self._settings) as pool:
            self._pool = pool
            pool.serve(self._take_run, deliver=self._deliver, stopping=self._stopping.is_set, wakeup=self._wakeup)

    def _take_run(self) -> tuple[Ticket, str] | None:
        """The next run and its key in the journal (one per run: a follow-up is a run of its own)."""
        try:
            job = self.queue.claim(worker_pid=os.getpid())
        except DATABASE_ERRORS as e:
            log.warning("could not claim the next ticket: %s", e)
            return None
        return (job.ticket, f"service:{job.ticket.id}:{job.seq}") if job else None

    def _take(self, pid: int) -> tuple[Ticket, int] | None:
        try:
            job = self.queue.claim(worker_pid=pid)
        except DATABASE_ERRORS as e:  # busy past its timeout: the next wake-up or poll tries again
            log.warning("could not claim the next ticket: %s", e)
            return None
        return (job.ticket, job.attempt) if job else None

    def _deliver(self, result: Result) -> None:
        try:
            recorded = self.queue.finish(result)
        except DATABASE_ERRORS:  # the run stays `running`: it runs again at the next start
            log.exception("could not record the result of ticket %s", result.ticket_id)
            return
        if not recorded:
            log.warning("a result for ticket %s arrived with no run of it running; not recorded", result.ticket_id)
            return
        self._on_finished(result)
