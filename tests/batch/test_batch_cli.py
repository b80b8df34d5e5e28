"""The backlog properties of issue 7 on the real crew, through the `support-crew` CLI:
- a batch killed with SIGKILL mid-run and run again gives exactly one result per ticket and the
  same store as an uninterrupted run;
- the same backlog under API faults completes, and its store differs from the fault-free one only
  where a ticket was escalated instead of acted on: no write is ever applied twice.

Eight bench tickets of eight different customers (so memory of one cannot steer another), seven
of which change the store. Stores are compared as `store export` writes them (users, orders,
products), read straight from each data directory's store file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.settings import PROJECT_ROOT
from sandbox_store.db import create_fresh_store, export_store

BENCH_TICKETS = PROJECT_ROOT / "backlog" / "data" / "bench_tickets.jsonl"
IDS = ["B-01", "B-03", "B-04", "B-05", "B-07", "B-08", "B-09", "B-15"]
FAULTS = "error=0.2,timeout=0.05"
RUN_TIMEOUT_S = 300


def _cli_lacks(command: str) -> bool:
    import typer.main

    from main import app

    return command not in typer.main.get_command(app).commands


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_") and not k.endswith("_API_KEY")}
    return {**env, **extra}


def _cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "main", "--data-dir", str(data_dir), *args]


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env or _env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done


def _export(data_dir: Path) -> dict[str, Any]:
    store_file = data_dir / "store.db"  # where the CLI keeps the bundled store (runner.ticket_run)
    assert store_file.is_file(), f"no store in {data_dir}"
    return export_store(store_file)


def _results(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text().splitlines()]


@dataclass
class Run:
    data_dir: Path
    out: Path
    outcomes: dict[str, str]
    customers: dict[str, str | None]
    store: dict[str, Any]


@pytest.fixture(scope="module")
def backlog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if _cli_lacks("batch"):
        pytest.skip("main.py has no `batch` command yet")
    lines = [line for line in BENCH_TICKETS.read_text().splitlines() if json.loads(line)["id"] in IDS]
    path = tmp_path_factory.mktemp("backlog") / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _batch(data_dir: Path, backlog: Path, env: dict[str, str] | None = None) -> Run:
    out = data_dir / "out.jsonl"
    _run(_cli(data_dir, "batch", str(backlog), "--out", str(out), "--workers", "2"), env)
    results = _results(out)
    return Run(
        data_dir,
        out,
        {r["ticket_id"]: r["outcome"] for r in results},
        {r["ticket_id"]: r["customer_id"] for r in results},
        _export(data_dir),
    )


@pytest.fixture(scope="module")
def clean(backlog: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = _batch(tmp_path_factory.mktemp("clean") / "data", backlog)
    assert sorted(run.outcomes) == sorted(IDS)
    return run


@pytest.fixture(scope="module")
def fresh_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data_dir = tmp_path_factory.mktemp("fresh")
    create_fresh_store(data_dir / "store.db")
    return _export(data_dir)


def test_sigkill_mid_batch_then_resume_equals_an_uninterrupted_run(
    clean: Run, backlog: Path, fresh_store: dict[str, Any], tmp_path: Path
) -> None:
    assert clean.store != fresh_store, "the backlog changed nothing: this test would prove nothing"
    data_dir = tmp_path / "data"
    out = data_dir / "out.jsonl"
    command = _cli(data_dir, "batch", str(backlog), "--out", str(out), "--workers", "2")
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and len(out.read_text().splitlines()) >= 3:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    finished_before = {r["ticket_id"]: r["outcome"] for r in _results(out)} if out.read_text().strip() else {}
    assert len(finished_before) < len(IDS)

    resumed = _run(command)
    assert "already done" in resumed.stderr + resumed.stdout

    results = _results(out)
    assert sorted(r["ticket_id"] for r in results) == sorted(IDS)  # exactly one result per ticket
    assert _export(data_dir) == clean.store
    for ticket_id, outcome in finished_before.items():
        assert clean.outcomes[ticket_id] == outcome


def test_faults_complete_retry_or_escalate_and_never_apply_a_write_twice(
    clean: Run, backlog: Path, fresh_store: dict[str, Any], tmp_path: Path
) -> None:
    faulty = _batch(tmp_path / "data", backlog, _env(SUPPORT_CREW_FAULTS=FAULTS))

    assert sorted(faulty.outcomes) == sorted(IDS)
    assert "failed" not in faulty.outcomes.values(), faulty.outcomes
    for ticket_id, outcome in faulty.outcomes.items():
        assert outcome in (clean.outcomes[ticket_id], "escalated"), (ticket_id, outcome, clean.outcomes[ticket_id])

    # Every record is as the fault-free run left it, or untouched (a ticket that escalated):
    # a write applied twice would match neither (a second refund, a second exchange).
    for section in ("users", "orders", "products"):
        for key, record in faulty.store[section].items():
            assert record in (clean.store[section][key], fresh_store[section][key]), (section, key)
    # Tickets that ended as in the fault-free run did exactly what it did.
    for ticket_id, outcome in faulty.outcomes.items():
        customer = clean.customers[ticket_id]
        if outcome != clean.outcomes[ticket_id] or customer is None:
            continue
        assert faulty.store["users"][customer] == clean.store["users"][customer], ticket_id
        for order_id in clean.store["users"][customer]["orders"]:
            assert faulty.store["orders"][order_id] == clean.store["orders"][order_id], (ticket_id, order_id)
