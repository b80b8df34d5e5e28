"""A backlog on the fleet, with every part real: Redis, PostgreSQL, `support-crew store serve`, two
`support-crew worker` processes with data directories of their own (no shared file), and
`support-crew batch --queue`. One worker is killed with SIGKILL in the middle of a ticket; the
backlog still ends with one result per ticket and the very store a local run gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import psycopg

from backlog.fleet.processes import WorkerProcess, store_server, worker_processes
from backlog.fleet.processes import command as cli
from core.settings import PROJECT_ROOT
from tests.fleet.fleet_processes import Fleet
from tools.client import StoreClient

BENCH = PROJECT_ROOT / "backlog" / "data" / "bench_tickets.jsonl"


def _backlog(path: Path, count: int) -> list[str]:
    lines = BENCH.read_text().splitlines()[:count]
    path.write_text("\n".join(lines) + "\n")
    return [json.loads(line)["id"] for line in lines]


def _plain_env(**settings: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_")}
    return {**base, **settings}


def _results(path: Path) -> dict[str, dict[str, object]]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    ids = [r["ticket_id"] for r in lines]
    assert len(ids) == len(set(ids)), f"a ticket has two results: {sorted(ids)}"
    return {r["ticket_id"]: r for r in lines}


def _store(url: str) -> dict[str, object]:
    with StoreClient(url, timeout_s=10) as client:
        data = json.loads(client.export_json())
    return {"orders": data["orders"], "users": data["users"]}


def _journal(database_url: str) -> dict[str, tuple[str, str | None, int]]:
    """ticket id -> (state, worker, attempts), from the fleet's shared journal."""
    with psycopg.connect(database_url) as db:
        rows = db.execute("SELECT ticket_id, state, worker, attempts FROM journal.tickets").fetchall()
    return {ticket_id: (state, worker, attempts) for ticket_id, state, worker, attempts in rows}


def _kill_mid_ticket(worker: WorkerProcess, database_url: str, timeout_s: float = 120) -> str:
    """SIGKILL `worker` while the journal shows it running a ticket; returns that ticket's id."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for ticket_id, (state, name, _) in _journal(database_url).items():
            if state == "running" and name is not None and name.endswith(f":{worker.pid}"):
                worker.process.send_signal(signal.SIGKILL)
                worker.process.wait(timeout=10)
                return ticket_id
        time.sleep(0.01)
    raise AssertionError(f"worker {worker.pid} never ran a ticket:\n{worker.output()}")


def test_a_backlog_on_two_workers_survives_one_killed_mid_ticket(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    tickets = tmp_path / "tickets.jsonl"
    ids = _backlog(tickets, 12)

    # The reference: the same backlog on the local pool, against a store of its own.
    with store_server(tmp_path / "reference-store", _plain_env()) as reference_url:
        subprocess.run(
            cli(tmp_path / "reference", "batch", str(tickets), "--out", str(tmp_path / "reference.jsonl")),
            cwd=PROJECT_ROOT,
            env=_plain_env(SUPPORT_CREW_API_URL=reference_url),
            check=True,
            capture_output=True,
        )
        reference_store = _store(reference_url)
    reference = _results(tmp_path / "reference.jsonl")

    fleet = Fleet(broker_url=redis_url, database_url=postgres_url)
    out = tmp_path / "out.jsonl"
    with store_server(tmp_path / "store", _plain_env()) as url:
        fleet.api_url = url
        with worker_processes(tmp_path, fleet.env(), 2) as (doomed, survivor):
            batch = subprocess.Popen(
                cli(tmp_path / "batch", "batch", str(tickets), "--out", str(out), "--queue"),
                cwd=PROJECT_ROOT,
                env=fleet.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            interrupted = _kill_mid_ticket(doomed, postgres_url)
            output, _ = batch.communicate(timeout=300)
            assert batch.returncode == 0, output
            fleet_store = _store(url)
            survivor_log = survivor.output()

    results = _results(out)
    assert sorted(results) == sorted(ids)  # one result per ticket, none lost, none twice
    assert {t: r["outcome"] for t, r in results.items()} == {t: r["outcome"] for t, r in reference.items()}
    assert fleet_store == reference_store  # no write applied twice, none missing

    journal = _journal(postgres_url)
    state, finished_by, attempts = journal[interrupted]
    assert state == "done" and attempts >= 2 and finished_by is not None
    assert finished_by.endswith(f":{survivor.process.pid}")  # the survivor took the ticket over
    assert f"ticket {interrupted} of " in survivor_log
    # every ticket was finished by one of the two workers (their names: host:pid)
    pids = {str(doomed.pid), str(survivor.process.pid)}
    assert all(worker is not None and worker.rsplit(":", 1)[1] in pids for _, worker, _ in journal.values())
