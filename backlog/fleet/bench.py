"""`support-crew bench-fleet`: tickets per second through the broker on 1, 2, 4... worker
processes, beside the local pool's on as many processes, on the same backlog.

Needs the fleet's broker and database (SUPPORT_CREW_BROKER_URL, SUPPORT_CREW_DATABASE_URL); each
run gets a fresh `support-crew store serve` and fresh workers with data directories of their own
under `<data_dir>/bench-fleet/`, started as separate processes exactly as on a fleet's machines.
Throughput counts from the moment every worker is ready to the last result (the local pool's the
same way), so start-up is not in it."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from backlog.batch import run_batch
from backlog.fleet.app import FleetConfigError
from backlog.fleet.processes import store_server, worker_processes
from core.models import Ticket
from core.settings import ISOLATED, Settings
from intake.ticket_io import read_tickets

BENCH_TICKETS = Path(__file__).resolve().parents[1] / "data" / "bench_tickets.jsonl"


def _backlog(tickets: list[Ticket], repeat: int, path: Path) -> int:
    """The tickets `repeat` times, each copy with ids of its own."""
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(repeat):
            for ticket in tickets:
                out.write(ticket.model_copy(update={"id": f"{ticket.id}-{copy}"}).model_dump_json() + "\n")
    return len(tickets) * repeat


def run_fleet_bench(
    settings: Settings,
    *,
    worker_counts: list[int],
    tickets_path: Path | None = None,
    repeat: int = 4,
    console: Console,
) -> dict[str, Any]:
    if not settings.broker_url or not settings.database_url:
        raise FleetConfigError(
            "bench-fleet needs SUPPORT_CREW_BROKER_URL (redis://...) and SUPPORT_CREW_DATABASE_URL (postgresql://...)"
        )
    tickets = read_tickets(tickets_path or BENCH_TICKETS).tickets
    root = settings.resolved_data_dir / "bench-fleet"
    shutil.rmtree(root, ignore_errors=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_")}
    figures: dict[str, Any] = {"tickets": len(tickets) * repeat, "cores": os.cpu_count(), "runs": []}
    for count in worker_counts:
        for mode in ("fleet", "local"):
            run_dir = root / f"{mode}-{count}"
            run_dir.mkdir(parents=True)
            backlog = run_dir / "tickets.jsonl"
            total = _backlog(tickets, repeat, backlog)
            console.print(f"{mode}: {count} worker(s), {total} tickets…", highlight=False)
            with store_server(run_dir / "store", base_env) as api_url:
                run = _on_fleet if mode == "fleet" else _on_local_pool
                seconds, outcomes = run(settings, run_dir, backlog, api_url=api_url, count=count, env=base_env)
            figures["runs"].append(
                {
                    "mode": mode,
                    "workers": count,
                    "tickets": total,
                    "seconds": round(seconds, 2),
                    "tickets_per_s": round(total / seconds, 2) if seconds else None,
                    "outcomes": outcomes,
                }
            )
    _print(figures, console)
    return figures


_QUIET = Console(stderr=True, quiet=True)


def _on_fleet(
    settings: Settings, run_dir: Path, backlog: Path, *, api_url: str, count: int, env: dict[str, str]
) -> tuple[float, dict[str, int]]:
    """`batch --queue` on `count` fresh worker processes; seconds from the first ticket queued."""
    fleet_env = {
        **env,
        # a queue of the bench's own: a live fleet on the same broker neither takes these tickets
        # nor has its tickets taken by the bench's workers
        "SUPPORT_CREW_BROKER_QUEUE": f"support-crew-bench-{os.getpid()}",
        "SUPPORT_CREW_BROKER_URL": settings.broker_url or "",
        "SUPPORT_CREW_DATABASE_URL": settings.database_url or "",
        "SUPPORT_CREW_API_URL": api_url,
    }
    with worker_processes(run_dir, fleet_env, count):
        run_settings = settings.model_copy(
            update={
                "data_dir": run_dir / "batch",
                "api_url": api_url,
                "broker_queue": fleet_env["SUPPORT_CREW_BROKER_QUEUE"],
            }
        )
        started = time.monotonic()
        summary = run_batch(
            backlog, run_dir / "out.jsonl", settings=run_settings, progress=False, console=_QUIET, queue=True
        )
        return time.monotonic() - started, dict(summary.outcomes)


def _on_local_pool(
    settings: Settings, run_dir: Path, backlog: Path, *, api_url: str, count: int, env: dict[str, str]
) -> tuple[float, dict[str, int]]:
    """`batch --workers count` against the same kind of store; seconds from the workers ready."""
    run_settings = settings.model_copy(update={**ISOLATED, "data_dir": run_dir / "batch", "api_url": api_url})
    summary = run_batch(
        backlog, run_dir / "out.jsonl", settings=run_settings, workers=count, progress=False, console=_QUIET
    )
    return summary.run_s, dict(summary.outcomes)


def _print(figures: dict[str, Any], console: Console) -> None:
    table = Table(title=f"{figures['tickets']} tickets, {figures['cores']} cores")
    for column in ("mode", "workers", "seconds", "tickets/s"):
        table.add_column(column)
    for run in figures["runs"]:
        table.add_row(run["mode"], str(run["workers"]), str(run["seconds"]), str(run["tickets_per_s"]))
    console.print(table)
    console.print(json.dumps(figures))
