"""The `eval` command."""

from __future__ import annotations

from pathlib import Path

import typer

from core.cli import fail, out, require_file, settings_of


def evaluate(
    ctx: typer.Context,
    cases: Path = typer.Argument(..., metavar="IN.jsonl", help="Evaluation cases (CONTRACTS §4)."),
    report: Path | None = typer.Option(None, "--report", help="Write the JSON report here."),
    stores_dir: Path | None = typer.Option(None, "--stores-dir", help="Write each case's final store here."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Cases run in parallel."),
    keep: Path | None = typer.Option(None, "--keep", help="Keep each case's data directory here (traces, stores)."),
    shared_memory: bool = typer.Option(
        False, "--shared-memory", help="Share memory across cases (off: each case starts fresh)."
    ),
) -> None:
    """Score evaluation cases; exits 0 whatever the pass rate."""
    require_file(cases)
    settings = settings_of(ctx)
    from evaluation.evaluate import print_evaluation, run_evaluation

    try:
        result = run_evaluation(
            cases,
            settings=settings,
            workers=workers,
            report_path=report,
            stores_dir=stores_dir,
            keep_dir=keep,
            shared_memory=shared_memory,
        )
    except RuntimeError as e:
        raise fail(str(e)) from e
    print_evaluation(result, console=out)
