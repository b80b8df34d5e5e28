"""The service commands: `serve`, `tokens create / list / revoke` and `bench-service`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from core.cli import err, fail, note_if_not_loopback, out, settings_of
from service.database import ServiceDatabase
from service.tokens import ROLES, TokenConflict, TokenError, TokenStore

tokens_app = typer.Typer(help="API tokens of `support-crew serve` (only their hashes are kept).", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless told otherwise)."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Warm worker processes running tickets; with SUPPORT_CREW_BROKER_URL, how many tickets are out on "
        "the fleet's workers at once.",
    ),
) -> None:
    """Run the HTTP API (CONTRACTS §6) with warm workers; OpenAPI at /docs."""
    settings = settings_of(ctx)
    from service.state import ServiceConfigError, check_service_settings

    try:
        check_service_settings(settings)
    except ServiceConfigError as e:
        raise fail(str(e), 2) from e
    note_if_not_loopback(host, "tokens travel in clear text unless a TLS proxy stands in front")
    from service.instance_lock import ServiceAlreadyRunning, single_instance

    try:  # checked here for a plain message; the app takes the lock itself for its whole life
        with single_instance(settings.resolved_data_dir, database_url=settings.database_url):
            pass
    except ServiceAlreadyRunning as e:
        raise fail(str(e)) from e
    import uvicorn

    from service.app import create_app

    _log_to_stderr()
    app = create_app(settings, workers=workers)
    err.print(f"support-crew serve: http://{host}:{port} (OpenAPI at /docs), {workers} worker(s)", highlight=False)
    # No access log: helpdesks polling GET /api/tickets/{id} would fill it (errors are still logged).
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, timeout_graceful_shutdown=15)


def _log_to_stderr() -> None:
    """The service's own messages (runs queued again at start-up, webhook retries, a failed pool)
    beside uvicorn's."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-9s %(message)s"))
    logger = logging.getLogger("support_crew.service")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NAME", help="Who holds it (recorded with every decision it makes)."),
    role: str = typer.Option(..., "--role", help="submitter, approver or admin (each includes the ones before)."),
) -> None:
    """Make a token; it is printed once, on the last line."""
    if role not in ROLES:
        raise fail(f"--role {role!r}: use one of {', '.join(ROLES)}", 2)
    try:
        record, token = _store(ctx).create(name=name, role=role)
    except TokenConflict as e:
        raise fail(str(e)) from e
    except TokenError as e:
        raise fail(str(e), 2) from e
    err.print(f"token {record.name} ({record.role}) created; it is shown once, keep it now:", highlight=False)
    print(token)


@tokens_app.command("list")
def tokens_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Names, roles, when made and when revoked (never the tokens)."""
    records = _store(ctx).list()
    if as_json:
        print(json.dumps([r.model_dump() for r in records]))
        return
    if not records:
        out.print("no tokens (make one with `support-crew tokens create NAME --role ROLE`)")
        return
    for r in records:
        revoked = f"revoked {r.revoked_at}" if r.revoked_at else "active"
        out.print(f"{r.name:<24} {r.role:<9} created {r.created_at}  {revoked}", highlight=False, markup=False)


@tokens_app.command("revoke")
def tokens_revoke(ctx: typer.Context, name: str = typer.Argument(..., metavar="NAME")) -> None:
    """Revoke a token: it is refused (401) from now on."""
    try:
        record = _store(ctx).revoke(name)
    except TokenError as e:
        raise fail(str(e)) from e
    out.print(f"token {record.name} revoked at {record.revoked_at}", highlight=False)


def _store(ctx: typer.Context) -> TokenStore:
    settings = settings_of(ctx, validate=False)
    return TokenStore(ServiceDatabase.in_data_dir(settings.resolved_data_dir, database_url=settings.database_url))


def bench_service(
    ctx: typer.Context,
    tickets: Path | None = typer.Option(None, "--tickets", help="Tickets to run (default: the bundled bench set)."),
    workers: int | None = typer.Option(None, "--workers", min=1, max=64, help="Service workers (default: all cores)."),
    clients: int = typer.Option(4, "--clients", min=1, max=64, help="Concurrent clients in the load phase."),
    rounds: int = typer.Option(5, "--rounds", min=1, max=100, help="Tickets each client sends in the load phase."),
) -> None:
    """Benchmark the service: latency of single-request tickets through the API, then concurrent
    clients and throughput; its figures are JSON on the last line."""
    settings = settings_of(ctx)
    from service.bench import ServiceBenchError, run_service_bench

    try:
        figures = run_service_bench(
            settings, tickets_path=tickets, workers=workers, clients=clients, rounds=rounds, console=err
        )
    except ServiceBenchError as e:
        raise fail(str(e)) from e
    print(json.dumps(figures))
