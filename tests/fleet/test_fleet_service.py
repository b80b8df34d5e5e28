"""`support-crew serve` with a broker: the service keeps its queue, threads and tokens in
PostgreSQL and hands each run to a `support-crew worker` on another data directory; a ticket and
its follow-up come back through the shared journal. `report --fleet` then shows the fleet."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import httpx
import psycopg

from backlog.fleet.processes import command as cli
from backlog.fleet.processes import store_server, worker_processes
from core.processes import stop
from core.settings import PROJECT_ROOT
from tests.fleet.fleet_processes import Fleet
from tests.live_servers import free_port

TICKET = {
    "id": "FLEET-1",
    "from_email": "chen.moore4507@example.com",
    "subject": "Order status",
    "body": "Hi, where is my order #W9205196? Thanks, Chen",
}


def _token(data_dir: Path, fleet: Fleet) -> str:
    created = subprocess.run(
        cli(data_dir, "tokens", "create", "desk", "--role", "admin"),
        cwd=PROJECT_ROOT,
        env=fleet.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"sc_\S+", created.stdout + created.stderr)
    assert match, created
    return match.group(0)


def _wait_done(client: httpx.Client, ticket_id: str, runs: int, timeout_s: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        view = client.get(f"/api/tickets/{ticket_id}", params={"wait": 5}).json()
        agent_messages = [m for m in view["thread"] if m["role"] == "agent"]
        if view["status"] == "done" and len(agent_messages) >= runs:
            return dict(view)
    raise AssertionError(f"ticket {ticket_id} not done after {timeout_s} s: {view}")


def test_the_service_runs_tickets_and_follow_ups_on_the_fleet(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    fleet = Fleet(broker_url=redis_url, database_url=postgres_url)
    plain_env = {k: v for k, v in fleet.env().items() if not k.startswith("SUPPORT_CREW_")}
    with store_server(tmp_path / "store", plain_env) as url:
        fleet.api_url = url
        with worker_processes(tmp_path, fleet.env(), 1) as [worker]:
            token = _token(tmp_path / "admin", fleet)  # another data dir: the token lives in PostgreSQL
            port = free_port()
            log = tmp_path / "serve.log"
            with open(log, "wb") as out:
                serve = subprocess.Popen(
                    cli(tmp_path / "service", "serve", "--port", str(port), "--workers", "2"),
                    cwd=PROJECT_ROOT,
                    env=fleet.env(),
                    stdout=out,
                    stderr=out,
                )
            try:
                client = httpx.Client(
                    base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30
                )
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if client.get("/api/health").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    assert serve.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.3)

                assert client.post("/api/tickets", json=TICKET).status_code == 202
                first = _wait_done(client, "FLEET-1", runs=1)
                assert "#W9205196" in str(first["result"])
                follow_up = {"id": "m-2", "body": "Thanks. And can you cancel it? I ordered it by mistake."}
                assert client.post("/api/tickets/FLEET-1/messages", json=follow_up).status_code == 202
                second = _wait_done(client, "FLEET-1", runs=2)
                status = client.get("/api/status").json()
            finally:
                stop(serve)
            worker_log = worker.output()
            report = subprocess.run(
                cli(tmp_path / "admin", "report", "--fleet", "--json"),
                cwd=PROJECT_ROOT,
                env=fleet.env(),
                capture_output=True,
                text=True,
                check=True,
            )

    result = second["result"]
    assert isinstance(result, dict) and result["customer_id"]  # the follow-up kept the ticket's customer
    assert status["runs"]["done"] == 2
    # both runs ran on the worker, not in the service's process
    assert "ticket FLEET-1 of service:FLEET-1:1" in worker_log and "ticket FLEET-1 of service:FLEET-1:2" in worker_log
    with psycopg.connect(postgres_url) as db:
        keys = [row[0] for row in db.execute("SELECT batch_key FROM journal.tickets WHERE state = 'done'")]
    assert sorted(keys) == ["service:FLEET-1:1", "service:FLEET-1:2"]
    fleet_report = json.loads(report.stdout.strip().splitlines()[-1])
    assert fleet_report["states"]["done"] == 2 and fleet_report["waiting_on_broker"] == 0
    assert [w["finished"] for w in fleet_report["workers"]] == [2]
