"""The fleet's command: `support-crew worker`."""

from __future__ import annotations

from pathlib import Path

import typer

from core.cli import err, fail, settings_of


def worker(
    ctx: typer.Context,
    loglevel: str = typer.Option("INFO", "--loglevel", help="Celery's log level (DEBUG, INFO, WARNING, ERROR)."),
) -> None:
    """Run tickets from the broker's queue, one at a time, until stopped (SIGTERM finishes the
    ticket first). Needs SUPPORT_CREW_BROKER_URL, SUPPORT_CREW_DATABASE_URL and SUPPORT_CREW_API_URL;
    start one per core, on as many machines as you like."""
    settings = settings_of(ctx)
    from backlog.fleet.app import FleetConfigError
    from backlog.fleet.worker import run_worker
    from runner.ticket_run import SetupError
    from storage.database import DatabaseError

    try:
        run_worker(settings, loglevel=loglevel.upper())
    except (FleetConfigError, SetupError, DatabaseError) as e:
        raise fail(str(e)) from e
    err.print("worker stopped", highlight=False)


def bench_fleet(
    ctx: typer.Context,
    workers: str = typer.Option("1,2,4", "--workers", help="Worker process counts to measure, comma-separated."),
    tickets: Path | None = typer.Option(None, "--tickets", help="Tickets to run (default: the bundled bench set)."),
    repeat: int = typer.Option(4, "--repeat", min=1, max=100, help="Copies of the tickets in the backlog."),
) -> None:
    """Tickets per second through the broker on 1, 2, 4... workers, beside the local pool's; needs
    SUPPORT_CREW_BROKER_URL and SUPPORT_CREW_DATABASE_URL. Figures are JSON on the last line."""
    settings = settings_of(ctx)
    from backlog.fleet.app import FleetConfigError
    from backlog.fleet.bench import run_fleet_bench

    try:
        counts = [int(n) for n in workers.split(",") if n.strip()]
    except ValueError as e:
        raise fail(f"--workers {workers!r}: give counts like 1,2,4", 2) from e
    if not counts or min(counts) < 1:
        raise fail(f"--workers {workers!r}: give counts like 1,2,4", 2)
    try:
        run_fleet_bench(settings, worker_counts=counts, tickets_path=tickets, repeat=repeat, console=err)
    except (FleetConfigError, RuntimeError) as e:
        raise fail(str(e)) from e
