"""`support-crew serve` as a real process, killed with SIGKILL and started again on the same data
directory: a ticket accepted and still running when it died runs again after the restart and
ends with one result and one store write; a webhook delivery the receiver refused before the kill
is delivered after the restart, signed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT
from service.webhook import verify
from tests.service.receiver import Receiver

SECRET = "restart-secret"
STATUS_TICKET = {
    "id": "RS-STATUS",
    "from_email": "chen.lopez1681@example.com",
    "body": "Hi, could you tell me the current status of my order #W1790752? Thanks, Chen Lopez",
}
CANCEL_TICKET = {
    "id": "RS-CANCEL",
    "from_email": "harper.johansson4006@example.com",
    "body": "Hi team, please cancel order #W3525030, I ordered it by mistake. Thank you, Harper Johansson",
}
# Every store call takes a second: the cancellation runs for several seconds, long enough to be
# killed in the middle of it, every time.
SLOW_STORE = "latency_ms=1000"


def _env(**extra: str) -> dict[str, str]:
    keep = {"SUPPORT_CREW_KNOWLEDGE_INDEX_DIR"}  # the session's shared index (tests/conftest.py)
    env = {
        k: v
        for k, v in os.environ.items()
        if (not k.startswith("SUPPORT_CREW_") or k in keep) and not k.endswith("_API_KEY")
    }
    return {**env, **extra}


def _cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "main", "--data-dir", str(data_dir), *args]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serve(data_dir: Path, port: int, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "ab") as output:
        process = subprocess.Popen(
            _cli(data_dir, "serve", "--port", str(port), "--workers", "1"),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers share its group: cleaned up with it below
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # any worker left of this server's group


def _wait_ready(client: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited {process.returncode}:\n{log.read_text()[-3000:]}"
        try:
            answer = client.get("/api/status")
            if answer.status_code == 200 and answer.json()["workers"]["ready"] >= 1:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"serve not ready:\n{log.read_text()[-3000:]}")


def _wait_status(client: httpx.Client, ticket_id: str, wanted: str, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = client.get(f"/api/tickets/{ticket_id}").json()
        if answer["status"] == wanted:
            return dict(answer)
        time.sleep(0.05)
    raise AssertionError(f"{ticket_id} never {wanted}")


def _writes(data_dir: Path, order_id: str) -> int:
    with sqlite3.connect(data_dir / "store.db") as db:
        rows = db.execute("SELECT arguments FROM operation_log WHERE operation = 'cancel_pending_order'").fetchall()
    return sum(1 for (arguments,) in rows if order_id in arguments)


def test_a_killed_service_runs_its_interrupted_ticket_once_and_redelivers_its_webhook(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "serve.log"
    made = subprocess.run(
        _cli(data_dir, "tokens", "create", "desk", "--role", "admin"),
        cwd=PROJECT_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    receiver = Receiver()
    receiver.status = 503  # the helpdesk is down at first
    port = _free_port()
    env = _env(SUPPORT_CREW_WEBHOOK_URL=receiver.url, SUPPORT_CREW_WEBHOOK_SECRET=SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client,
            _serve(
                data_dir, port, {**env, "SUPPORT_CREW_FAULTS": SLOW_STORE, "SUPPORT_CREW_API_TIMEOUT_S": "10"}, log
            ) as first,
        ):
            _wait_ready(client, first, log)
            assert client.post("/api/tickets", json=STATUS_TICKET).status_code == 202
            finished = _wait_status(client, "RS-STATUS", "done")["result"]
            refused = receiver.wait_for(lambda r: r.answered == 503)[0]  # its delivery was refused

            assert client.post("/api/tickets", json=CANCEL_TICKET).status_code == 202
            _wait_status(client, "RS-CANCEL", "running")
            time.sleep(1.5)  # inside the run: its store calls take seconds
            assert client.get("/api/tickets/RS-CANCEL").json()["status"] == "running"
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)

        receiver.status = 200  # the helpdesk is back
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client,
            _serve(data_dir, port, env, log) as second,
        ):
            _wait_ready(client, second, log)
            done = _wait_status(client, "RS-CANCEL", "done")
            assert client.post("/api/tickets", json=CANCEL_TICKET).status_code == 200  # re-posting runs nothing
            redelivered = receiver.wait_for(
                lambda r: r.answered == 200
                and r.headers["X-Support-Crew-Delivery"] == refused.headers["X-Support-Crew-Delivery"]
            )[0]
            cancel_hook = receiver.wait_for(lambda r: r.answered == 200 and b'"ticket_id":"RS-CANCEL"' in r.body)
    finally:
        receiver.close()

    result = done["result"]
    assert result["outcome"] == "resolved", result
    assert [a["status"] for a in result["actions"]] == ["done"]
    with sqlite3.connect(data_dir / "service.db") as db:
        runs = db.execute("SELECT ticket_id, seq, status, attempts FROM runs ORDER BY ticket_id").fetchall()
    assert runs == [("RS-CANCEL", 1, "done", 2), ("RS-STATUS", 1, "done", 1)]  # one result each
    assert _writes(data_dir, "#W3525030") == 1  # one store write, though the ticket ran twice
    assert "run again" in log.read_text() or "queued again" in log.read_text()

    assert verify(SECRET, redelivered.body, redelivered.headers["X-Support-Crew-Signature"])
    assert json.loads(redelivered.body) == finished
    assert len(cancel_hook) == 1 and json.loads(cancel_hook[0].body) == result
