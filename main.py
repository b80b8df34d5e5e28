"""support-crew: the command line (CONTRACTS §5). `python main.py` is the same program.

This file only assembles the application: each command lives beside the code it drives
(`<package>/commands.py`) and imports its machinery lazily, so `--help` and `validate` stay fast.
Every command except `validate`, `trace` and `report` checks the configuration first.
Exit codes: 0 ok, 1 failure, 2 usage.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import core.environment  # noqa: F401  (telemetry and tracing off before anything imports crewai)

import typer
from pydantic import ValidationError

from backlog.commands import batch, bench, report
from backlog.fleet.commands import bench_fleet, worker
from core.cli import CommandState, fail
from core.settings import Settings
from evaluation.commands import evaluate
from memory.commands import knowledge_app, memory_app
from redteam.commands import redteam
from runner.commands import kickoff, store_app, trace, validate
from safety.approval_commands import approvals_app
from service.commands import bench_service, serve, tokens_app

app = typer.Typer(
    help="Multi-agent customer support on a CrewAI crew declared in YAML.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _find_problems(settings: Settings) -> list[object]:
    from runner.validation import validate_all

    return list(validate_all(settings))


@app.callback()
def main(
    ctx: typer.Context,
    llm: str | None = typer.Option(
        None,
        "--llm",
        help="Model for every agent (default: offline); several, comma-separated, are tiers tried in order. "
        "Env: SUPPORT_CREW_LLM.",
    ),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Where all state lives (default ./.support-crew). Env: SUPPORT_CREW_DATA_DIR."
    ),
) -> None:
    overrides: dict[str, object] = {k: v for k, v in {"llm": llm, "data_dir": data_dir}.items() if v is not None}
    try:
        settings = Settings.model_validate(overrides)
    except ValidationError as e:
        raise fail(f"invalid setting: {e.errors()[0]['loc'][0]}: {e.errors()[0]['msg']}", 2) from e
    ctx.obj = CommandState(settings=settings, find_problems=_find_problems)


command: Callable[..., None]  # each command function has its own options
for command in (kickoff, batch):
    app.command()(command)
app.command("eval")(evaluate)
for command in (validate, trace, report, bench, redteam, serve, worker):
    app.command()(command)
app.command("bench-service")(bench_service)
app.command("bench-fleet")(bench_fleet)
app.add_typer(tokens_app, name="tokens")
app.add_typer(store_app, name="store")
app.add_typer(approvals_app, name="approvals")
app.add_typer(memory_app, name="memory")
app.add_typer(knowledge_app, name="knowledge")


def run() -> None:
    """The program (`support-crew`): the application, with the shared state out of reach turned
    into one line naming the database instead of a traceback, whatever the command."""
    from core.settings import redacted
    from storage.database import UNREACHABLE

    try:
        app()
    except UNREACHABLE as e:
        raise SystemExit(f"error: the shared state's database is unavailable: {redacted(str(e))}") from None


if __name__ == "__main__":
    run()
