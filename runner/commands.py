"""The one-ticket commands: `kickoff`, `validate`, `trace` and the `store` commands."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from core.cli import err, fail, out, require_file, settings_of

store_app = typer.Typer(help="The bundled sandbox store.", no_args_is_help=True)


def kickoff(
    ctx: typer.Context,
    text: str | None = typer.Argument(None, help="The customer's message."),
    ticket: Path | None = typer.Option(None, "--ticket", help="A ticket as a JSON object (CONTRACTS §1)."),
    from_email: str | None = typer.Option(None, "--from-email", help="Sender address as the helpdesk verified it."),
    subject: str | None = typer.Option(None, "--subject", help="Subject line."),
    as_json: bool = typer.Option(False, "--json", help="Print the result object (CONTRACTS §3) instead of the reply."),
) -> None:
    """Run one ticket through the crew and print the reply."""
    from intake.ticket_input import TicketInputError, ticket_from_file, ticket_from_text

    if (text is None) == (ticket is None):
        raise fail("give the message as TEXT or a ticket file with --ticket FILE.json (one of the two)", 2)
    try:
        parsed = (
            ticket_from_file(ticket) if ticket else ticket_from_text(text or "", from_email=from_email, subject=subject)
        )
    except TicketInputError as e:
        raise fail(str(e), 2 if ticket is None else 1) from e
    settings = settings_of(ctx)
    from runner.ticket_run import SetupError, open_environment, run_ticket
    from tools.errors import ToolError

    try:
        with open_environment(settings) as env:
            if parsed.from_email:
                try:  # the sender was given as verified: an unknown one is the operator's mistake
                    env.store.customers.find_by_email(parsed.from_email)
                except ToolError as e:
                    raise fail(
                        f"no customer with e-mail {parsed.from_email!r} ({e.code}); check --from-email "
                        "or leave it out and let the customer identify themselves in the text"
                    ) from e
            result = run_ticket(parsed, env)
    except SetupError as e:
        raise fail(str(e)) from e
    if as_json:
        out.print_json(result.model_dump_json())
    else:
        print(result.reply)
    if result.outcome == "failed":
        err.print(f"[red]the ticket failed:[/] {escape(str(result.error))}", highlight=False)
        raise typer.Exit(1)


def validate(ctx: typer.Context) -> None:
    """Check config/ and knowledge/; print every problem with its file and line."""
    from runner.validation import validate_all

    problems = validate_all(settings_of(ctx, validate=False))
    for problem in problems:
        print(str(problem))
    if problems:
        raise fail(f"{len(problems)} problem(s) found")
    out.print("configuration OK: agents.yaml, tasks.yaml, policy.yaml, prices.yaml, knowledge/")


def trace(ctx: typer.Context, ticket_id: str = typer.Argument(..., metavar="TICKET_ID")) -> None:
    """Show a ticket's trace as a tree."""
    from runner.traces import show_trace

    data_dir = settings_of(ctx, validate=False).resolved_data_dir
    if not show_trace(data_dir, ticket_id, console=out):
        raise fail(f"no trace for ticket {ticket_id!r} under {data_dir / 'traces'}")


@store_app.command("export")
def store_export(
    ctx: typer.Context, out_file: Path = typer.Option(..., "--out", help="Where to write the store JSON.")
) -> None:
    """Write the current store as {"users", "orders", "products"} in the data's shape."""
    settings = settings_of(ctx)
    from runner.store_commands import export_current_store

    counts = export_current_store(settings, out_file)
    out.print(f"wrote {out_file}: {counts}")


@store_app.command("replay")
def store_replay(
    ctx: typer.Context,
    cases: Path = typer.Argument(..., metavar="CASES.jsonl"),
    stores_dir: Path = typer.Option(..., "--stores-dir", help="Write DIR/<id>.json for each case."),
) -> None:
    """Apply each case's expected actions to a fresh store through the store's API."""
    require_file(cases)
    settings = settings_of(ctx)
    from runner.store_commands import replay_cases

    if replay_cases(settings, cases, stores_dir, console=out):
        raise typer.Exit(1)


@store_app.command("serve")
def store_serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless told otherwise)."),
    port: int = typer.Option(8700, "--port", min=1, max=65535, help="Port to listen on."),
    faults: str | None = typer.Option(
        None, "--faults", help="Fault injection, e.g. error=0.2,timeout=0.05 (default: SUPPORT_CREW_FAULTS)."
    ),
) -> None:
    """Run the sandbox store on its own, in the foreground, over <data-dir>/store.db (seeded on first
    start, kept across restarts), for workers that share it through SUPPORT_CREW_API_URL."""
    settings = settings_of(ctx, validate=False)  # serves the store only: config/ plays no part
    from runner.store_commands import serve_store
    from sandbox_store.standalone import CannotListen

    try:
        serve_store(settings, host=host, port=port, faults=settings.faults if faults is None else faults)
    except ValueError as e:  # an unreadable --faults
        raise fail(str(e), 2) from e
    except CannotListen as e:
        raise fail(str(e)) from e
