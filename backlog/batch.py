"""`support-crew batch IN.jsonl --out OUT.jsonl --workers N`: run a backlog, resumably.

The journal (backlog/journal.py) records each ticket as queued, running or done; results go to
OUT as they finish. Killed at any moment, the same command finishes the backlog: finished tickets
are not run again, interrupted ones are (safely: store writes carry idempotency keys), and OUT
ends with exactly one line per ticket, in the order they finished.

A malformed input line or a repeated ticket id is reported with its line number and skipped.
"""

from __future__ import annotations

import importlib
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from backlog.journal import BatchJournal, Journal, ResultsFile, reconcile
from backlog.workers import DEFAULT_RUNNER, WorkerPool, peak_rss_mb, run_one
from core.models import Result, Ticket
from core.settings import Settings
from intake.ticket_io import read_tickets
from runner.traces import TraceWriter


@dataclass
class BatchSummary:
    in_path: Path
    out_path: Path
    workers: int  # processes that ran tickets (1 = in this process)
    tickets: int = 0  # valid, distinct tickets in the input
    skipped_lines: list[str] = field(default_factory=list)  # "file:line: problem"
    already_done: int = 0  # finished by an earlier run of the same command
    resumed: list[str] = field(default_factory=list)  # interrupted earlier, run again now
    changed_since_done: list[str] = field(default_factory=list)
    restored_lines: int = 0  # results the journal had and OUT lacked, appended again
    dropped_partial_line: bool = False
    results: list[Result] = field(default_factory=list)  # this run's, in finishing order
    crashed_workers: int = 0
    wall_s: float = 0.0  # whole command
    run_s: float = 0.0  # from the runner(s) ready to the last result: the throughput window
    peak_rss_mb_per_worker: dict[int, float] = field(default_factory=dict)

    @property
    def outcomes(self) -> Counter[str]:
        return Counter(r.outcome for r in self.results)

    @property
    def tickets_per_s(self) -> float:
        return len(self.results) / self.run_s if self.run_s > 0 else 0.0

    def describe(self) -> str:
        """What the batch did, in a few plain lines (the CLI prints it at the end)."""
        ran = len(self.results)
        rate = f" ({self.tickets_per_s:.2f} tickets/s on {self.workers} worker(s))" if ran else ""
        lines = [
            f"batch {self.in_path.name} -> {self.out_path}: {self.tickets} ticket(s), "
            f"{self.already_done} already done, {ran} run now in {self.wall_s:.1f} s{rate}"
        ]
        if ran:
            lines.append(f"outcomes: {_outcome_line(self.outcomes)}")
        if self.resumed:
            lines.append(f"resumed {len(self.resumed)} interrupted ticket(s): {', '.join(self.resumed)}")
        if self.skipped_lines:
            lines.append(f"{len(self.skipped_lines)} input line(s) skipped:")
            lines.extend(f"  {line}" for line in self.skipped_lines)
        if self.crashed_workers:
            lines.append(f"{self.crashed_workers} worker process(es) died; their tickets are marked failed")
        return "\n".join(lines)


class _RateColumn(ProgressColumn):
    """Tickets per second since the workers were ready (rich's own speed is a moving window,
    which a burst of quick tickets after a slow first one inflates)."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time or task.elapsed
        speed = task.completed / elapsed if elapsed and task.completed else None
        return Text(f"{speed:.2f} tickets/s" if speed else "– tickets/s", style="progress.data.speed")


def _progress(console: Console, enabled: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
    )


def _outcome_line(outcomes: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())) or "none yet"


def run_batch(
    in_path: Path,
    out_path: Path,
    *,
    settings: Settings,
    workers: int = 1,
    progress: bool = True,
    console: Console | None = None,
    runner: str = DEFAULT_RUNNER,
    plain: bool = False,
    queue: bool = False,
) -> BatchSummary:
    """Run (or resume) the backlog `in_path` into `out_path`; see the module docstring.

    `queue` hands the tickets to the fleet's workers through the broker (fleet/) instead.

    `workers` > 1 runs tickets in that many processes (never more than there are tickets left);
    1 runs them in this process. Skipped lines, repairs and the progress bar go to `console`
    (stderr by default); `BatchSummary.describe()` says what was done."""
    started = time.monotonic()
    console = console or Console(stderr=True)
    in_path, out_path = Path(in_path), Path(out_path)
    ticket_file = read_tickets(in_path)
    for error in ticket_file.errors:
        console.print(f"[yellow]skipped[/] {error}", highlight=False)

    summary = BatchSummary(
        in_path=in_path,
        out_path=out_path,
        workers=0,
        tickets=len(ticket_file.tickets),
        skipped_lines=[str(e) for e in ticket_file.errors],
    )
    with Journal(settings.resolved_data_dir, database_url=settings.database_url) as journal, journal.lock(out_path):
        batch = journal.batch(out_path, in_path)
        results_file = ResultsFile(out_path)
        try:
            repair = reconcile(batch, results_file)
            summary.restored_lines = len(repair.restored)
            summary.dropped_partial_line = repair.dropped_partial_line
            summary.changed_since_done = batch.enqueue(ticket_file.tickets).changed_done
            # What OUT holds after the repair is done; everything else runs (or, on the fleet, is
            # waited for): a ticket a fleet worker finishes meanwhile is then found in the journal,
            # never lost between two reads of it.
            in_out = set(repair.results) | set(repair.restored)
            attempts = batch.attempts()
            todo = [t for t in ticket_file.tickets if t.id not in in_out]
            summary.already_done = summary.tickets - len(todo)
            summary.resumed = [t.id for t in todo if attempts.get(t.id, 0) > 0]
            _report_repairs(summary, console)
            if todo and queue:
                _run_on_fleet(
                    todo,
                    summary,
                    batch=batch,
                    results_file=results_file,
                    settings=settings,
                    progress=progress,
                    console=console,
                    plain=plain,
                )
            elif todo:
                _run(
                    todo,
                    summary,
                    batch=batch,
                    results_file=results_file,
                    settings=settings,
                    workers=workers,
                    progress=progress,
                    console=console,
                    runner=runner,
                    plain=plain,
                )
        except KeyboardInterrupt:
            console.print(
                "[yellow]interrupted[/]: run the same command again to finish the backlog "
                "(finished tickets will not run again)"
            )
            raise
        finally:
            results_file.close()
    summary.wall_s = time.monotonic() - started
    return summary


def _run(
    todo: list[Ticket],
    summary: BatchSummary,
    *,
    batch: BatchJournal,
    results_file: ResultsFile,
    settings: Settings,
    workers: int,
    progress: bool,
    console: Console,
    runner: str,
    plain: bool,
) -> None:
    size = max(1, min(workers, len(todo)))
    summary.workers = size
    runner_module = importlib.import_module(runner)
    with _progress(console, progress) as bar:
        task = bar.add_task(f"starting {size} worker(s)…", total=len(todo), start=False)
        ready_at = time.monotonic()

        def on_ready() -> None:
            nonlocal ready_at
            ready_at = time.monotonic()
            bar.start_task(task)
            bar.update(task, description=_outcome_line(summary.outcomes))

        def deliver(result: Result) -> None:
            # Journal first, then OUT: a kill between the two is repaired on resume (journal.py).
            line = batch.finish(result)
            results_file.append(line)
            summary.results.append(result)
            summary.run_s = time.monotonic() - ready_at
            bar.update(task, advance=1, description=_outcome_line(summary.outcomes))

        if size == 1:
            with runner_module.open_environment(settings, api_url=settings.api_url) as env:
                traces = TraceWriter(settings.resolved_data_dir)
                on_ready()
                for ticket in todo:
                    attempt = batch.start(ticket.id, os.getpid())
                    deliver(run_one(runner_module, env, ticket, traces, attempt=attempt, plain=plain))
            summary.peak_rss_mb_per_worker = {os.getpid(): peak_rss_mb()}
            return
        # The workers start first and import while this process opens the environment (the
        # store they share, the knowledge index they read).
        with (
            WorkerPool(size=size, settings=settings, runner=runner, plain=plain) as pool,
            runner_module.open_environment(settings, api_url=settings.api_url) as env,
        ):
            try:
                stats = pool.run(
                    iter(todo), api_url=env.api_url, dispatch=batch.start, deliver=deliver, on_ready=on_ready
                )
            finally:
                pool.stop()  # while the store is still up
        summary.peak_rss_mb_per_worker = stats.peak_rss_mb
        summary.crashed_workers = stats.crashed


def _run_on_fleet(
    todo: list[Ticket],
    summary: BatchSummary,
    *,
    batch: BatchJournal,
    results_file: ResultsFile,
    settings: Settings,
    progress: bool,
    console: Console,
    plain: bool,
) -> None:
    """The workers write the journal; this process only appends their results to OUT."""
    from backlog.fleet.dispatch import run_backlog_on_fleet

    started = time.monotonic()
    with _progress(console, progress) as bar:
        task = bar.add_task(f"queued {len(todo)} ticket(s) for the fleet…", total=len(todo))

        def deliver(result: Result, line: str) -> None:
            results_file.append(line)
            summary.results.append(result)
            summary.run_s = time.monotonic() - started
            bar.update(task, advance=1, description=_outcome_line(summary.outcomes))

        run_backlog_on_fleet(todo, batch=batch, settings=settings, deliver=deliver, plain=plain)


def _report_repairs(summary: BatchSummary, console: Console) -> None:
    if summary.dropped_partial_line:
        console.print(
            f"[yellow]repaired[/] {summary.out_path}: removed a partial last line "
            "(written when the previous run was killed); that ticket runs again"
        )
    if summary.restored_lines:
        console.print(
            f"[yellow]repaired[/] {summary.out_path}: appended {summary.restored_lines} "
            "result(s) the journal had and the file lacked"
        )
    for ticket_id in summary.changed_since_done:
        console.print(
            f"[yellow]note[/] ticket {ticket_id} changed since its result was written; "
            "the earlier result is kept (write to a new --out to run it again)"
        )
    if summary.resumed:
        console.print(
            f"resuming: {len(summary.resumed)} interrupted ticket(s) run again "
            "(store writes are idempotent, none applies twice)"
        )
