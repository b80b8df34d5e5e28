"""support-crew: the command line (CONTRACTS §5). `python main.py` is the same program.

Exit codes: 0 ok, 1 failure, 2 usage. Commands import their machinery lazily so `--help` and
`validate` stay fast; every command except `validate` validates the configuration first.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import runtime.environment  # noqa: F401  (telemetry and tracing off before anything imports crewai)

import typer
from pydantic import ValidationError
from rich.console import Console

from runtime.settings import Settings

app = typer.Typer(help="Multi-agent customer support on a CrewAI crew declared in YAML.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
store_app = typer.Typer(help="The bundled sandbox store.", no_args_is_help=True)
approvals_app = typer.Typer(help="The human approval queue.", no_args_is_help=True)
memory_app = typer.Typer(help="What the crew remembers about customers.", no_args_is_help=True)
knowledge_app = typer.Typer(help="The knowledge base (policies, troubleshooting guides).", no_args_is_help=True)
app.add_typer(store_app, name="store")
app.add_typer(approvals_app, name="approvals")
app.add_typer(memory_app, name="memory")
app.add_typer(knowledge_app, name="knowledge")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


@app.callback()
def main(
    ctx: typer.Context,
    llm: Optional[str] = typer.Option(None, "--llm", help="Model for every agent (default: offline). Env: SUPPORT_CREW_LLM."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Where all state lives (default ./.support-crew). Env: SUPPORT_CREW_DATA_DIR."),
) -> None:
    overrides = {k: v for k, v in {"llm": llm, "data_dir": data_dir}.items() if v is not None}
    try:
        ctx.obj = Settings(**overrides)
    except ValidationError as e:
        raise _fail(f"invalid setting: {e.errors()[0]['loc'][0]}: {e.errors()[0]['msg']}", 2) from e


def _settings(ctx: typer.Context, *, validate: bool = True) -> Settings:
    settings: Settings = ctx.obj
    if validate:
        from runtime.validation import validate_all

        problems = validate_all(settings)
        if problems:
            for problem in problems:
                err.print(str(problem), highlight=False, markup=False)
            raise _fail(f"configuration has {len(problems)} problem(s); fix them (see `support-crew validate`)")
    return settings


# --- one ticket ------------------------------------------------------------------------------

@app.command()
def kickoff(
    ctx: typer.Context,
    text: Optional[str] = typer.Argument(None, help="The customer's message."),
    ticket: Optional[Path] = typer.Option(None, "--ticket", help="A ticket as a JSON object (CONTRACTS §1)."),
    from_email: Optional[str] = typer.Option(None, "--from-email", help="Sender address as the helpdesk verified it."),
    subject: Optional[str] = typer.Option(None, "--subject", help="Subject line."),
    as_json: bool = typer.Option(False, "--json", help="Print the result object (CONTRACTS §3) instead of the reply."),
) -> None:
    """Run one ticket through the crew and print the reply."""
    from runtime.ticket_input import TicketInputError, ticket_from_file, ticket_from_text

    if (text is None) == (ticket is None):
        raise _fail("give the message as TEXT or a ticket file with --ticket FILE.json (one of the two)", 2)
    try:
        parsed = ticket_from_file(ticket) if ticket else ticket_from_text(text or "", from_email=from_email, subject=subject)
    except TicketInputError as e:
        raise _fail(str(e), 2 if ticket is None else 1) from e
    settings = _settings(ctx)
    from runtime.runner import SetupError, open_environment, run_ticket

    from tools.errors import ToolError

    try:
        with open_environment(settings) as env:
            if parsed.from_email:
                try:  # the sender was given as verified: an unknown one is the operator's mistake
                    env.store.customers.find_by_email(parsed.from_email)
                except ToolError as e:
                    raise _fail(f"no customer with e-mail {parsed.from_email!r} ({e.code}); check --from-email "
                                "or leave it out and let the customer identify themselves in the text") from e
            result = run_ticket(parsed, env)
    except SetupError as e:
        raise _fail(str(e)) from e
    if as_json:
        out.print_json(result.model_dump_json())
    else:
        print(result.reply)
    if result.outcome == "failed":
        err.print(f"[red]the ticket failed:[/] {result.error}", highlight=False)
        raise typer.Exit(1)


# --- backlogs ----------------------------------------------------------------------------------

@app.command()
def batch(
    ctx: typer.Context,
    in_path: Path = typer.Argument(..., metavar="IN.jsonl", help="Tickets, one JSON object per line."),
    out_path: Path = typer.Option(..., "--out", help="Results, one JSON object per line (appended as they finish)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Parallel worker processes."),
) -> None:
    """Run a backlog; re-running the same command resumes where it stopped."""
    if not in_path.is_file():
        raise _fail(f"{in_path}: no such file", 2)
    settings = _settings(ctx)
    from runtime.batch import run_batch
    from runtime.journal import JournalError
    from runtime.ticket_io import JsonlFileError

    try:
        summary = run_batch(in_path, out_path, settings=settings, workers=workers, progress=True)
    except (JournalError, JsonlFileError) as e:
        raise _fail(str(e)) from e
    except KeyboardInterrupt:
        err.print("interrupted: run the same command again to finish the backlog", highlight=False)
        raise typer.Exit(130)
    err.print(summary.describe(), highlight=False)


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    cases: Path = typer.Argument(..., metavar="IN.jsonl", help="Evaluation cases (CONTRACTS §4)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write the JSON report here."),
    stores_dir: Optional[Path] = typer.Option(None, "--stores-dir", help="Write each case's final store here."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Cases run in parallel."),
    keep: Optional[Path] = typer.Option(None, "--keep", help="Keep each case's data directory here (traces, stores)."),
    shared_memory: bool = typer.Option(False, "--shared-memory", help="Share memory across cases (off: each case starts fresh)."),
) -> None:
    """Score evaluation cases; exits 0 whatever the pass rate."""
    if not cases.is_file():
        raise _fail(f"{cases}: no such file", 2)
    settings = _settings(ctx)
    from runtime.evaluation import print_evaluation, run_evaluation

    try:
        result = run_evaluation(cases, settings=settings, workers=workers, report_path=report, stores_dir=stores_dir,
                                keep_dir=keep, shared_memory=shared_memory)
    except RuntimeError as e:
        raise _fail(str(e)) from e
    print_evaluation(result, console=out)


@app.command()
def validate(ctx: typer.Context) -> None:
    """Check config/ and knowledge/; print every problem with its file and line."""
    from runtime.validation import validate_all

    problems = validate_all(ctx.obj)
    for problem in problems:
        print(str(problem))
    if problems:
        raise _fail(f"{len(problems)} problem(s) found")
    out.print("configuration OK: agents.yaml, tasks.yaml, policy.yaml, knowledge/")


# --- the store ---------------------------------------------------------------------------------

@store_app.command("export")
def store_export(ctx: typer.Context, out_file: Path = typer.Option(..., "--out", help="Where to write the store JSON.")) -> None:
    """Write the current store as {"users", "orders", "products"} in the data's shape."""
    settings = _settings(ctx)
    from runtime.store_commands import export_current_store

    counts = export_current_store(settings, out_file)
    out.print(f"wrote {out_file}: {counts}")


@store_app.command("replay")
def store_replay(
    ctx: typer.Context,
    cases: Path = typer.Argument(..., metavar="CASES.jsonl"),
    stores_dir: Path = typer.Option(..., "--stores-dir", help="Write DIR/<id>.json for each case."),
) -> None:
    """Apply each case's expected actions to a fresh store through the store's API."""
    if not cases.is_file():
        raise _fail(f"{cases}: no such file", 2)
    settings = _settings(ctx)
    from runtime.store_commands import replay_cases

    failures = replay_cases(settings, cases, stores_dir, console=out)
    if failures:
        raise typer.Exit(1)


# --- approvals ---------------------------------------------------------------------------------

@approvals_app.command("list")
def approvals_list(ctx: typer.Context, status: Optional[str] = typer.Option(None, "--status", help="pending, executed, denied, expired...")) -> None:
    """List approval requests."""
    from runtime.approval_commands import list_approvals

    list_approvals(_settings(ctx), status=status, console=out)


@approvals_app.command("show")
def approvals_show(ctx: typer.Context, approval_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Show one approval request and its ticket's record."""
    from runtime.approval_commands import show_approval

    if not show_approval(_settings(ctx), approval_id, console=out):
        raise _fail(f"no approval request {approval_id!r} (see `support-crew approvals list`)")


@approvals_app.command("approve")
def approvals_approve(ctx: typer.Context, approval_id: str = typer.Argument(..., metavar="ID"),
                      approver: str = typer.Option("cli", "--by", help="Who approves.")) -> None:
    """Execute exactly that held operation, exactly once."""
    from runtime.approval_commands import approve

    if not approve(_settings(ctx), approval_id, approver=approver, console=out):
        raise typer.Exit(1)


@approvals_app.command("deny")
def approvals_deny(ctx: typer.Context, approval_id: str = typer.Argument(..., metavar="ID"),
                   reason: str = typer.Option("denied by reviewer", "--reason", help="Why."),
                   approver: str = typer.Option("cli", "--by", help="Who denies.")) -> None:
    """Deny a held operation; it will never run."""
    from runtime.approval_commands import deny

    if not deny(_settings(ctx), approval_id, approver=approver, reason=reason, console=out):
        raise typer.Exit(1)


# --- memory and knowledge ----------------------------------------------------------------------

@memory_app.command("show")
def memory_show(ctx: typer.Context, customer_id: str = typer.Argument(..., metavar="CUSTOMER_ID")) -> None:
    """Everything remembered about one customer."""
    from runtime.memory_commands import MemoryCommandError, show_customer

    try:
        show_customer(_settings(ctx), customer_id, console=out)
    except MemoryCommandError as e:
        raise _fail(str(e)) from e


@memory_app.command("forget")
def memory_forget(ctx: typer.Context, customer_id: str = typer.Argument(..., metavar="CUSTOMER_ID")) -> None:
    """Delete everything remembered about one customer (right to be forgotten)."""
    from runtime.memory_commands import MemoryCommandError, forget_customer

    try:
        forget_customer(_settings(ctx), customer_id, console=out)
    except MemoryCommandError as e:
        raise _fail(str(e)) from e


@knowledge_app.command("check")
def knowledge_check(ctx: typer.Context) -> None:
    """Retrieval check: is the right document in the top 3 for the written questions?"""
    from runtime.memory_commands import knowledge_retrieval_check

    if not knowledge_retrieval_check(_settings(ctx), console=out):
        raise typer.Exit(1)


@knowledge_app.command("index")
def knowledge_index(ctx: typer.Context) -> None:
    """(Re)index the knowledge base; only changed documents are embedded again."""
    from runtime.memory_commands import index_knowledge

    index_knowledge(_settings(ctx), console=out)


# --- observability -----------------------------------------------------------------------------

@app.command()
def trace(ctx: typer.Context, ticket_id: str = typer.Argument(..., metavar="TICKET_ID")) -> None:
    """Show a ticket's trace as a tree."""
    from runtime.traces import show_trace

    if not show_trace(ctx.obj.resolved_data_dir, ticket_id, console=out):
        raise _fail(f"no trace for ticket {ticket_id!r} under {ctx.obj.resolved_data_dir / 'traces'}")


@app.command()
def report(
    ctx: typer.Context,
    results: Path = typer.Argument(..., metavar="OUT.jsonl"),
    tickets: Optional[Path] = typer.Option(None, "--tickets", help="The input tickets, to group by tag."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Outcomes, rates, latency and tokens of a batch's results."""
    if not results.is_file():
        raise _fail(f"{results}: no such file", 2)
    from runtime.report import print_report

    print_report(results, tickets_path=tickets, data_dir=ctx.obj.resolved_data_dir, as_json=as_json, console=out)


@app.command()
def bench(
    ctx: typer.Context,
    tickets: Optional[Path] = typer.Option(None, "--tickets", help="Tickets to run (default: the bundled bench set)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=64, help="Workers for the parallel run (default: all cores)."),
) -> None:
    """Run the performance benchmark; its figures are JSON on the last line."""
    settings = _settings(ctx)
    from runtime.bench import run_bench

    figures = run_bench(settings, tickets_path=tickets, workers=workers, console=err)
    print(json.dumps(figures))


@app.command()
def redteam(ctx: typer.Context, tickets: Optional[Path] = typer.Option(None, "--tickets", help="Tickets to attack with (default: the bundled set).")) -> None:
    """Run a hostile model as every agent against the crew; exits 1 if any attempt got through."""
    settings = _settings(ctx)
    from runtime.redteam import RedTeamError, run_redteam
    from runtime.runner import SetupError

    try:
        report = run_redteam(settings, tickets_path=tickets, console=out)
    except (RedTeamError, SetupError) as e:
        raise _fail(str(e)) from e
    if report.got_through:
        raise typer.Exit(1)


if __name__ == "__main__":
    sys.exit(app())
