"""The backlog commands: `batch`, `report` and `bench`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from core.cli import err, fail, out, require_file, settings_of
from core.settings import Settings


def batch(
    ctx: typer.Context,
    in_path: Path = typer.Argument(..., metavar="IN.jsonl", help="Tickets, one JSON object per line."),
    out_path: Path = typer.Option(..., "--out", help="Results, one JSON object per line (appended as they finish)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Parallel worker processes."),
    queue: bool = typer.Option(
        False, "--queue", help="Hand the tickets to the fleet's `support-crew worker` processes through the broker."
    ),
) -> None:
    """Run a backlog; re-running the same command resumes where it stopped."""
    require_file(in_path)
    settings = settings_of(ctx)
    from backlog.batch import run_batch
    from backlog.fleet.app import FleetConfigError
    from backlog.fleet.dispatch import BrokerUnreachable
    from backlog.journal import JournalError
    from intake.ticket_io import JsonlFileError
    from storage.database import DatabaseError

    try:
        summary = run_batch(in_path, out_path, settings=settings, workers=workers, progress=True, queue=queue)
    except (JournalError, JsonlFileError, FleetConfigError, BrokerUnreachable, DatabaseError) as e:
        raise fail(str(e)) from e
    except KeyboardInterrupt:
        err.print("interrupted: run the same command again to finish the backlog", highlight=False)
        raise typer.Exit(130) from None
    err.print(summary.describe(), highlight=False)


def report(
    ctx: typer.Context,
    results: Path | None = typer.Argument(None, metavar="OUT.jsonl"),
    tickets: Path | None = typer.Option(None, "--tickets", help="The input tickets, to group by tag."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    fleet: bool = typer.Option(
        False,
        "--fleet",
        help="The fleet now: tickets waiting on the broker, tickets by state, each worker's throughput.",
    ),
) -> None:
    """Outcomes, rates, latency and tokens of a batch's results; or, with --fleet, the fleet's state."""
    settings = settings_of(ctx, validate=False)
    if fleet:
        _report_fleet(settings, as_json=as_json)
        return
    if results is None:
        raise fail("give the batch's OUT.jsonl, or --fleet for the fleet's state", 2)
    require_file(results)
    from backlog.report import print_report

    print_report(
        results,
        tickets_path=tickets,
        data_dir=settings.resolved_data_dir,
        database_url=settings.database_url,
        as_json=as_json,
        console=out,
    )


def _report_fleet(settings: Settings, *, as_json: bool) -> None:
    from rich.table import Table

    from backlog.fleet.status import fleet_status
    from storage.database import UNREACHABLE

    if not settings.database_url:
        raise fail("--fleet reads the fleet's shared journal: set SUPPORT_CREW_DATABASE_URL", 2)
    try:
        status = fleet_status(settings)
    except UNREACHABLE as e:
        raise fail(f"cannot read the fleet's journal: {e}") from e
    if as_json:
        print(json.dumps(status.as_json()))
        return
    waiting = status.waiting_on_broker if status.waiting_on_broker is not None else f"unknown ({status.broker_error})"
    states = ", ".join(f"{state} {count}" for state, count in status.states.items())
    out.print(f"waiting on the broker: {waiting}\ntickets in the journal: {states}", highlight=False)
    table = Table(title=f"workers, last {status.window_minutes} minutes")
    for column in ("worker", "finished", "per minute", "running now", "last seen"):
        table.add_column(column)
    for w in status.workers:
        table.add_row(w.worker, str(w.finished), f"{w.per_minute:.2f}", w.running or "", w.last_seen or "")
    out.print(table)


def bench(
    ctx: typer.Context,
    tickets: Path | None = typer.Option(None, "--tickets", help="Tickets to run (default: the bundled bench set)."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, max=64, help="Workers for the parallel run (default: all cores)."
    ),
) -> None:
    """Run the performance benchmark; its figures are JSON on the last line."""
    settings = settings_of(ctx)
    from backlog.bench import run_bench

    figures = run_bench(settings, tickets_path=tickets, workers=workers, console=err)
    print(json.dumps(figures))
