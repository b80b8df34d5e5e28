"""The `redteam` command."""

from __future__ import annotations

from pathlib import Path

import typer

from core.cli import fail, out, settings_of


def redteam(
    ctx: typer.Context,
    tickets: Path | None = typer.Option(None, "--tickets", help="Tickets to attack with (default: the bundled set)."),
) -> None:
    """Run a hostile model as every agent against the crew; exits 1 if any attempt got through."""
    settings = settings_of(ctx)
    from redteam.harness import RedTeamError, run_redteam
    from runner.ticket_run import SetupError

    try:
        report = run_redteam(settings, tickets_path=tickets, console=out)
    except (RedTeamError, SetupError) as e:
        raise fail(str(e)) from e
    if report.got_through:
        raise typer.Exit(1)
