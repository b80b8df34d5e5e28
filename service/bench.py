"""`support-crew bench-service`: what a ticket costs through the HTTP API once the workers are warm.

A `support-crew serve` subprocess on a free loopback port, on a fresh data directory (its own
sandbox store, memory and queue, under `<data_dir>/bench-service/`), then:
- `start-up`: from the process started to every worker ready (what the warm pool saves each
  ticket), and one warm-up ticket per worker (an order status question; not counted);
- `sequential`: each single-request ticket of the bench set, one at a time: POST, then GET with
  `?wait=` (answered when the result is recorded) -> p50/p95 seconds from POST to result, beside
  the crew's own run time (`duration_ms`), so what the service adds is visible;
- `concurrent`: N clients at once, each sending its tickets one after another (the single-request
  tickets that changed nothing in the sequential phase, under new ids, so every run does the same
  work) -> p50/p95 under load and tickets per second over the phase.
The server's log is kept in `<data_dir>/bench-service/serve.log`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from backlog.bench import BENCH_TICKETS, SINGLE_REQUEST_TAG
from backlog.report import percentile
from core.models import Result, Ticket
from core.processes import free_loopback_port, program, stop
from core.settings import ISOLATED, Settings
from intake.ticket_io import read_tickets
from service.database import ServiceDatabase
from service.tokens import TokenStore

# A customer and order the bench set does not use, so warming up changes nothing it reads.
WARM_UP = {"from_email": "chen.moore4507@example.com", "body": "Hi, what is the status of my order #W9205196?"}
_START_TIMEOUT_S = 600.0
_TICKET_TIMEOUT_S = 300.0


class ServiceBenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Timed:
    ticket_id: str
    latency_s: float  # POST to the result seen by the client
    result: Result


@contextmanager
def _server(settings: Settings, *, port: int, workers: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        *program(),
        *("--llm", settings.llm, "--data-dir", str(settings.data_dir)),
        *("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("SUPPORT_CREW_API_URL", "SUPPORT_CREW_WEBHOOK_URL")}
    if settings.knowledge_index_dir is not None:
        env["SUPPORT_CREW_KNOWLEDGE_INDEX_DIR"] = str(settings.knowledge_index_dir)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            yield process
        finally:
            stop(process)


def _wait_ready(client: httpx.Client, process: subprocess.Popen[bytes], workers: int, log_path: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
            raise ServiceBenchError(f"the service exited with code {process.returncode}:\n{tail}")
        try:
            answer = client.get("/api/status")
            if answer.status_code == 200:
                state = answer.json()["workers"]
                if state["error"]:
                    raise ServiceBenchError(f"the service's workers failed: {state['error']}")
                if state["ready"] >= workers:
                    return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)
    raise ServiceBenchError(f"the service's workers were not ready within {_START_TIMEOUT_S:.0f} s (see {log_path})")


def _run(client: httpx.Client, ticket: Ticket) -> Timed:
    """POST the ticket, then GET it with `?wait=` (answered the moment its result is recorded)."""
    started = time.perf_counter()
    posted = client.post("/api/tickets", content=ticket.model_dump_json(exclude_none=True))
    if posted.status_code != 202:
        raise ServiceBenchError(f"POST {ticket.id}: {posted.status_code} {posted.text[:300]}")
    deadline = started + _TICKET_TIMEOUT_S
    while time.perf_counter() < deadline:
        answer = client.get(f"/api/tickets/{ticket.id}", params={"wait": 20}).json()
        if answer["status"] == "done":
            return Timed(ticket.id, time.perf_counter() - started, Result.model_validate(answer["result"]))
    raise ServiceBenchError(f"ticket {ticket.id} was not done within {_TICKET_TIMEOUT_S:.0f} s")


def _concurrently(client: httpx.Client, batches: list[list[Ticket]]) -> tuple[list[Timed], float]:
    """Each batch is one client's tickets, sent one after another; all clients start together."""
    timed: list[Timed] = []
    errors: list[BaseException] = []
    lock, start = threading.Lock(), threading.Barrier(len(batches) + 1)

    def client_loop(batch: list[Ticket]) -> None:
        start.wait()
        try:
            for ticket in batch:
                result = _run(client, ticket)
                with lock:
                    timed.append(result)
        except BaseException as e:  # reported after the others finish
            errors.append(e)

    threads = [threading.Thread(target=client_loop, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise ServiceBenchError(str(errors[0])) from errors[0]
    return timed, time.perf_counter() - began


def _renamed(ticket: Ticket, suffix: str) -> Ticket:
    return ticket.model_copy(update={"id": f"{ticket.id}{suffix}"})


def _seconds(values: list[float], q: float) -> float | None:
    value = percentile(values, q)
    return round(value, 3) if value is not None else None


def run_service_bench(
    settings: Settings,
    *,
    tickets_path: Path | None = None,
    workers: int | None = None,
    clients: int = 4,
    rounds: int = 5,
    console: Console | None = None,
) -> dict[str, Any]:
    """Run the service benchmark, print its figures as a table on `console`, and return them."""
    console = console or Console(stderr=True)
    tickets_path = Path(tickets_path or BENCH_TICKETS)
    single = [t for t in read_tickets(tickets_path).tickets if SINGLE_REQUEST_TAG in t.tags]
    if not single:
        raise ServiceBenchError(f"{tickets_path} has no ticket tagged {SINGLE_REQUEST_TAG!r}")
    size = max(1, workers or os.cpu_count() or 1)
    root = settings.resolved_data_dir / "bench-service"
    shutil.rmtree(root, ignore_errors=True)
    from memory.knowledge_indexes import ensure_indexed

    index_dir = settings.knowledge_index_dir or settings.resolved_data_dir
    ensure_indexed(index_dir, settings.knowledge_dir)  # read-only content, built once (as `bench` does)
    run_settings = settings.model_copy(update={**ISOLATED, "data_dir": root / "data", "knowledge_index_dir": index_dir})
    service_db = ServiceDatabase.in_data_dir(run_settings.resolved_data_dir, database_url=run_settings.database_url)
    _, token = TokenStore(service_db).create(name="bench", role="admin")
    port, log_path = free_loopback_port(), root / "serve.log"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    console.print(f"[bold]bench-service[/] start-up: `serve --workers {size}` on 127.0.0.1:{port}")
    started = time.perf_counter()
    with (
        _server(run_settings, port=port, workers=size, log_path=log_path) as process,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client,
    ):
        _wait_ready(client, process, size, log_path)
        start_s = time.perf_counter() - started
        warm = [Ticket.model_validate({"id": f"warm-up-{i}", **WARM_UP}) for i in range(size)]
        warm_up, _ = _concurrently(client, [[t] for t in warm])
        console.print(f"[bold]bench-service[/] sequential: {len(single)} single-request tickets, one at a time")
        sequential = [_run(client, ticket) for ticket in single]
        by_id = {t.id: t for t in single}
        repeatable = [by_id[t.ticket_id] for t in sequential if not t.result.actions]  # changed nothing
        batches = [
            [_renamed(repeatable[(c * rounds + r) % len(repeatable)], f"-c{c}-r{r}") for r in range(rounds)]
            for c in range(clients)
            if repeatable
        ]
        console.print(f"[bold]bench-service[/] concurrent: {clients} clients x {rounds} tickets")
        loaded, wall_s = _concurrently(client, batches) if batches else ([], 0.0)
    figures = service_bench_figures(
        sequential, loaded, wall_s=wall_s, start_s=start_s, warm_up=warm_up, workers=size, clients=clients
    )
    figures.update(llm=settings.llm, tickets_file=str(tickets_path))
    console.print(render_service_bench(figures))
    return figures


def service_bench_figures(
    sequential: list[Timed],
    loaded: list[Timed],
    *,
    wall_s: float,
    start_s: float,
    warm_up: list[Timed],
    workers: int,
    clients: int,
) -> dict[str, Any]:
    latencies = [t.latency_s for t in sequential]
    runs = [t.result.duration_ms / 1000 for t in sequential]
    under_load = [t.latency_s for t in loaded]
    return {
        "tickets": len(sequential),
        "workers": workers,
        "service_start_s": round(start_s, 2),
        "warm_up_s": round(max((t.latency_s for t in warm_up), default=0.0), 3),
        "p50_s": _seconds(latencies, 50),
        "p95_s": _seconds(latencies, 95),
        "run_p50_s": _seconds(runs, 50),
        "run_p95_s": _seconds(runs, 95),
        "service_overhead_p50_s": _seconds([lat - run for lat, run in zip(latencies, runs, strict=True)], 50),
        "clients": clients,
        "concurrent_tickets": len(loaded),
        "concurrent_p50_s": _seconds(under_load, 50),
        "concurrent_p95_s": _seconds(under_load, 95),
        "tickets_per_s": round(len(loaded) / wall_s, 3) if wall_s > 0 else None,
        "outcomes": dict(Counter(t.result.outcome for t in sequential)),
        "by_ticket_s": {t.ticket_id: round(t.latency_s, 3) for t in sequential},
    }


def render_service_bench(figures: dict[str, Any]) -> Table:
    table = Table(title=f"Service benchmark, model {figures.get('llm', '?')}", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if key in ("llm", "tickets_file"):
            continue
        table.add_row(key.replace("_", " "), json.dumps(value) if isinstance(value, dict) else str(value))
    return table
