"""The backlog commands: `batch`, `report` and `bench`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from core.cli import err, fail, out, require_file, settings_of


def batch(
    ctx: typer.Context,
    in_path: Path = typer.Argument(..., metavar="IN.jsonl", help="Tickets, one JSON object per line."),
    out_path: Path = typer.Option(..., "--out", help="Results, one JSON object per line (appended as they finish)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Parallel worker processes."),
) -> None:
    """Run a backlog; re-running the same command resumes where it stopped."""
    require_file(in_path)
    settings = settings_of(ctx)
    from backlog.batch import run_batch
    from backlog.journal import JournalError
    from intake.ticket_io import JsonlFileError

    try:
        summary = run_batch(in_path, out_path, settings=settings, workers=workers, progress=True)
    except (JournalError, JsonlFileError) as e:
        raise fail(str(e)) from e
    except KeyboardInterrupt:
        err.print("interrupted: run the same command again to finish the backlog", highlight=False)
        raise typer.Exit(130) from None
    err.print(summary.describe(), highlight=False)


def report(
    ctx: typer.Context,
    results: Path = typer.Argument(..., metavar="OUT.jsonl"),
    tickets: Path | None = typer.Option(None, "--tickets", help="The input tickets, to group by tag."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Outcomes, rates, latency and tokens of a batch's results."""
    require_file(results)
    from backlog.report import print_report

    data_dir = settings_of(ctx, validate=False).resolved_data_dir
    print_report(results, tickets_path=tickets, data_dir=data_dir, as_json=as_json, console=out)


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
