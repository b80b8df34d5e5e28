"""Running tickets: one at a time in this process, or on a pool of worker processes.

Workers are started with the 'spawn' method: CrewAI, torch and ChromaDB hold threads and locks
that a fork would copy half-taken. Each worker opens its environment once (config, policy,
memory, the embedder) against the store its parent started, then runs the tickets its parent
sends, one at a time, over its own pipe. The parent alone writes the journal and the output file;
a worker only runs tickets and writes their traces.

The pool runs a finite backlog (`run`, for `batch`) or a feed that never runs dry while the
process lives (`serve`, for `support-crew serve`): both hand a ticket to a worker only when it is
idle, so what waits stays in the caller's durable queue, not in a pipe.

The runner is any module with `open_environment(settings, *, api_url)` and
`run_ticket(ticket, env, *, trace, plain=...)` (by default runner.ticket_run); it is named by its
import path so a spawned worker can import it.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from core.models import Result, Ticket
from core.settings import Settings
from runner.traces import TraceWriter

DEFAULT_RUNNER = "runner.ticket_run"
_STOP_GRACE_S = 30.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_one(
    runner: ModuleType, env: Any, ticket: Ticket, traces: TraceWriter, *, attempt: int, plain: bool = False
) -> Result:
    """Run one ticket with its trace; whatever happens, return a Result for it."""
    sink = traces.for_ticket(ticket.id, attempt=attempt)
    started = time.monotonic()
    try:
        # plain=True asks for the baseline crew (bench); only passed when wanted.
        extra = {"plain": True} if plain else {}
        result = runner.run_ticket(ticket, env, trace=sink, **extra)
    except Exception as e:  # run_ticket promises not to raise; if it does, the ticket still gets a line
        result = Result(
            ticket_id=ticket.id,
            outcome="failed",
            reply="",
            duration_ms=int((time.monotonic() - started) * 1000),
            error=f"the runner raised {type(e).__name__}: {e}",
        )
        sink({"event": "error", "traceback": traceback.format_exc(limit=8)})
    sink.finish(result)
    return result


# --- worker process ---------------------------------------------------------------------------
def _exit_with_parent() -> None:
    """A worker must not outlive its parent: a killed batch followed by a resume would otherwise
    have an orphan still running a ticket the resumed batch runs again."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(70)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _share_cores(pool_size: int) -> None:
    """Each worker's numeric libraries (torch, BLAS) would start one thread per core: N workers on
    N cores would then run N*N threads that take turns. A worker gets its share of the cores
    (set before torch is imported; an explicit setting in the environment wins)."""
    threads = str(max(1, (os.cpu_count() or 1) // max(1, pool_size)))
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, threads)


def _worker_main(
    conn: multiprocessing.connection.Connection, settings: Settings, runner_name: str, plain: bool, pool_size: int
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _exit_with_parent()
    _share_cores(pool_size)
    try:
        # The imports (CrewAI, torch...) take seconds: do them while the parent starts the store,
        # then wait for its URL.
        runner = importlib.import_module(runner_name)
        traces = TraceWriter(settings.resolved_data_dir)
        api_url = conn.recv()
        if api_url is None:
            return
        with runner.open_environment(settings, api_url=api_url) as env:
            conn.send(("ready", os.getpid(), peak_rss_mb()))
            while (job := conn.recv()) is not None:
                ticket_json, attempt = job
                ticket = Ticket.model_validate_json(ticket_json)
                result = run_one(runner, env, ticket, traces, attempt=attempt, plain=plain)
                conn.send(("result", result.model_dump_json(), peak_rss_mb()))
    except (EOFError, BrokenPipeError):
        return  # the parent is gone
    except BaseException:
        with contextlib.suppress(OSError):
            conn.send(("fatal", traceback.format_exc(limit=12)))
        sys.exit(1)


# --- parent side --------------------------------------------------------------------------------
class PoolError(RuntimeError):
    pass


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    ready: bool = False
    ticket_id: str | None = None
    peak_rss_mb: float = 0.0
    last_error: str | None = None

    @property
    def pid(self) -> int:
        pid = self.process.pid
        if pid is None:  # only before start(); the pool starts every process it keeps
            raise PoolError("a worker process was not started")
        return pid


@dataclass
class PoolStats:
    peak_rss_mb: dict[int, float] = field(default_factory=dict)  # pid -> peak
    crashed: int = 0


Dispatch = Callable[[str, int], int]  # (ticket id, pid) -> attempt number
Deliver = Callable[[Result], None]
# (pid of an idle worker) -> the ticket it should run and its attempt number; None: nothing now
Take = Callable[[int], tuple[Ticket, int] | None]


class Wakeup:
    """Wakes a pool's `serve` loop from any thread (new work arrived, or stop): a socket pair
    the loop waits on beside its workers' pipes. Setting it twice before it is read wakes once."""

    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)

    def set(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):  # full: a wake-up is already pending
            self._writer.send(b"\0")

    def clear(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while self._reader.recv(4096):
                pass

    def fileno(self) -> int:
        return self._reader.fileno()

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


class WorkerPool:
    """`size` worker processes fed by the parent; survives a worker dying mid-ticket (the ticket
    gets outcome failed, a new worker takes the dead one's place).

    Use as a context manager: entering starts the processes (they import while the parent opens
    its environment), `run` (a backlog) or `serve` (a feed) hands them the store URL and the
    tickets, leaving stops them."""

    def __init__(self, *, size: int, settings: Settings, runner: str = DEFAULT_RUNNER, plain: bool = False):
        self.size = size
        self._args = (settings, runner, plain, size)
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: dict[int, _Worker] = {}
        self._startup_errors: list[str] = []
        self._api_url: str | None = None
        self._finished = False
        self.stats = PoolStats()

    def __enter__(self) -> WorkerPool:
        for _ in range(self.size):
            self._spawn()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Let idle workers exit after a finished run; otherwise (Ctrl-C, an error) terminate them
        now: the journal has their tickets running, so the next run of the same command runs
        those tickets again. Safe to call twice."""
        self._stop(graceful=self._finished)

    def _spawn(self) -> None:
        parent_end, child_end = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main, args=(child_end, *self._args), name="support-crew-worker", daemon=True
        )
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers[worker.pid] = worker
        if self._api_url is not None:
            self._send(worker, self._api_url)

    def run(
        self,
        tickets: Iterator[Ticket],
        *,
        api_url: str,
        dispatch: Dispatch,
        deliver: Deliver,
        on_ready: Callable[[], None] = lambda: None,
    ) -> PoolStats:
        """Run every ticket against the store at `api_url`; `dispatch` is called just before a
        ticket is sent (the journal marks it running), `deliver` with each result as it arrives."""
        self._connect(api_url)
        pending = iter(tickets)
        exhausted = False

        def take(pid: int) -> tuple[Ticket, int] | None:
            nonlocal exhausted
            ticket = next(pending, None)
            if ticket is None:
                exhausted = True
                return None
            return ticket, dispatch(ticket.id, pid)

        self._await_ready()
        on_ready()
        self._drive(take, deliver, done=lambda: exhausted)
        self._finished = True
        return self.stats

    def serve(
        self,
        take: Take,
        *,
        api_url: str,
        deliver: Deliver,
        stopping: Callable[[], bool],
        wakeup: Wakeup,
        poll_s: float = 1.0,
        grace_s: float = 10.0,
    ) -> PoolStats:
        """Feed the workers from `take` until `stopping()`: a worker is offered work as soon as it
        is ready or idle, and `wakeup` (or every `poll_s`) makes the loop ask `take` again. Once
        stopping, running tickets get `grace_s` to finish; the workers of those that do not are
        terminated when the pool stops (their tickets are still running in the caller's queue,
        which runs them again at its next start)."""
        self._connect(api_url)
        deadline: float | None = None

        def done() -> bool:
            nonlocal deadline
            if deadline is None and stopping():
                deadline = time.monotonic() + grace_s
            return deadline is not None

        self._drive(
            take,
            deliver,
            done=done,
            wakeup=wakeup,
            poll_s=poll_s,
            give_up=lambda: time.monotonic() > (deadline or float("inf")),
        )
        self._finished = not self.busy
        return self.stats

    @property
    def ready(self) -> int:
        """Workers that have opened their environment (a snapshot: another thread drives the pool)."""
        return sum(1 for w in list(self._workers.values()) if w.ready)

    @property
    def busy(self) -> int:
        return sum(1 for w in list(self._workers.values()) if w.ticket_id is not None)

    def _connect(self, api_url: str) -> None:
        self._api_url = api_url
        for worker in self._workers.values():
            self._send(worker, api_url)

    @staticmethod
    def _send(worker: _Worker, message: Any) -> None:
        """A worker that died (one that could not even start, say) has closed its end of the pipe:
        its death is handled when its sentinel fires, so a failed send is not an error here."""
        with contextlib.suppress(OSError):
            worker.conn.send(message)

    def _drive(
        self,
        take: Take,
        deliver: Deliver,
        *,
        done: Callable[[], bool],
        wakeup: Wakeup | None = None,
        poll_s: float | None = None,
        give_up: Callable[[], bool] = lambda: False,
    ) -> None:
        """Offer work to idle workers until `done()`, then wait for the busy ones (or `give_up()`)."""
        while True:
            if not done():
                for worker in list(self._workers.values()):
                    if worker.ready and worker.ticket_id is None:
                        job = take(worker.pid)
                        if job is None:
                            break
                        ticket, attempt = job
                        worker.ticket_id = ticket.id
                        self._send(worker, (ticket.model_dump_json(), attempt))
            if done() and (not self.busy or give_up()):
                return
            if not self._workers:
                raise PoolError("every worker has died; " + self._startup_summary())
            self._wait_and_handle(deliver, respawn=not done(), wakeup=wakeup, timeout=poll_s)

    def _await_ready(self) -> None:
        while any(not w.ready for w in self._workers.values()):
            self._wait_and_handle(lambda _result: None, respawn=False)
            if not self._workers:
                raise PoolError("no worker could start; " + self._startup_summary())

    def _startup_summary(self) -> str:
        if not self._startup_errors:
            return "no error was reported"
        return "the last error was:\n" + self._startup_errors[-1]

    def _wait_and_handle(
        self, deliver: Deliver, *, respawn: bool, wakeup: Wakeup | None = None, timeout: float | None = None
    ) -> None:
        by_conn = {w.conn: w for w in self._workers.values()}
        by_sentinel = {w.process.sentinel: w for w in self._workers.values()}
        # wait() answers with either kind, typed as their union
        by_ready: dict[object, _Worker] = {
            key: w for w in self._workers.values() for key in (w.conn, w.process.sentinel)
        }
        extra: list[Any] = [wakeup] if wakeup is not None else []  # wait() takes anything with fileno()
        for ready in multiprocessing.connection.wait([*by_conn, *by_sentinel, *extra], timeout):
            if ready is wakeup and wakeup is not None:
                wakeup.clear()
                continue
            worker = by_ready.get(ready)
            if worker is None or worker.process.pid not in self._workers:
                continue
            if ready in by_conn:
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    message = None
                if message is not None:
                    self._handle_message(worker, message, deliver)
                    continue
            self._handle_death(worker, deliver, respawn=respawn)

    def _handle_message(self, worker: _Worker, message: tuple[Any, ...], deliver: Deliver) -> None:
        kind = message[0]
        pid = worker.pid
        if kind == "ready":
            worker.ready = True
            worker.peak_rss_mb = message[2]
        elif kind == "result":
            worker.peak_rss_mb = message[2]
            worker.ticket_id = None
            deliver(Result.model_validate_json(message[1]))
        elif kind == "fatal":
            worker.last_error = message[1]
            self._startup_errors.append(message[1])
        self.stats.peak_rss_mb[pid] = max(self.stats.peak_rss_mb.get(pid, 0.0), worker.peak_rss_mb)

    def _handle_death(self, worker: _Worker, deliver: Deliver, *, respawn: bool) -> None:
        # A result sent just before the process ended is still in the pipe: take it first.
        try:
            while worker.conn.poll():
                self._handle_message(worker, worker.conn.recv(), deliver)
        except (EOFError, OSError):
            pass
        worker.process.join(timeout=5)
        pid = worker.pid
        del self._workers[pid]
        worker.conn.close()
        if worker.ticket_id is not None:
            self.stats.crashed += 1
            code = worker.process.exitcode
            cause = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            last = f": {worker.last_error.strip().splitlines()[-1]}" if worker.last_error else ""
            deliver(
                Result(
                    ticket_id=worker.ticket_id,
                    outcome="failed",
                    reply="",
                    error=f"the worker process (pid {pid}) died while running this ticket ({cause}{last}); "
                    f"see its trace with: support-crew trace {worker.ticket_id}",
                )
            )
        if not worker.ready and worker.last_error is None:
            self._startup_errors.append(
                f"worker pid {pid} exited with code {worker.process.exitcode} before it was ready "
                "(its own error output, above, says why)"
            )
        # Replace a worker that died on a ticket, not one that could not start (it would again).
        if respawn and worker.ready:
            self._spawn()

    def _stop(self, *, graceful: bool) -> None:
        for worker in self._workers.values():
            if not graceful:
                worker.process.terminate()
                continue
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        deadline = time.monotonic() + (_STOP_GRACE_S if graceful else 5.0)
        for worker in self._workers.values():
            worker.process.join(timeout=max(0.1, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=5)
            worker.conn.close()
        self._workers.clear()
