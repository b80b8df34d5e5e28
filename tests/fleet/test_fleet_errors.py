"""A fleet missing a part says which, before any ticket runs: the worker and `batch --queue`
without the broker, the shared database or the store; a broker that does not answer; `report
--fleet` without the shared database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from backlog.fleet.processes import command as cli
from core.settings import PROJECT_ROOT
from tests.live_servers import free_port

TICKET = '{"id": "E-1", "from_email": "chen.moore4507@example.com", "body": "Where is my order #W9205196?"}\n'


def _run(data_dir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_")}
    return subprocess.run(
        cli(data_dir, *args), cwd=PROJECT_ROOT, env={**env, **settings}, capture_output=True, text=True, timeout=120
    )


def test_a_worker_names_every_setting_it_lacks(tmp_path: Path) -> None:
    done = _run(tmp_path, "worker", SUPPORT_CREW_BROKER_URL="redis://127.0.0.1:1/0")
    assert done.returncode == 1
    assert "SUPPORT_CREW_DATABASE_URL" in done.stderr and "SUPPORT_CREW_API_URL" in done.stderr
    assert "SUPPORT_CREW_BROKER_URL" not in done.stderr.split("needs", 1)[1]  # the one given is not asked for


def test_batch_queue_without_a_broker_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    tickets = tmp_path / "in.jsonl"
    tickets.write_text(TICKET)
    done = _run(tmp_path / "data", "batch", str(tickets), "--out", str(tmp_path / "out.jsonl"), "--queue")
    assert done.returncode == 1 and "SUPPORT_CREW_BROKER_URL" in done.stderr
    assert not (tmp_path / "out.jsonl").exists() or not (tmp_path / "out.jsonl").read_text()


def test_a_broker_that_does_not_answer_is_named(tmp_path: Path, postgres_url: str) -> None:
    tickets = tmp_path / "in.jsonl"
    tickets.write_text(TICKET)
    dead = f"redis://127.0.0.1:{free_port()}/0"
    done = _run(
        tmp_path / "data",
        "batch",
        str(tickets),
        "--out",
        str(tmp_path / "out.jsonl"),
        "--queue",
        SUPPORT_CREW_BROKER_URL=dead,
        SUPPORT_CREW_DATABASE_URL=postgres_url,
        SUPPORT_CREW_API_URL="http://127.0.0.1:9",
    )
    assert done.returncode == 1, done.stderr
    assert f"cannot queue ticket E-1 on the broker {dead}" in done.stderr


def test_a_malformed_database_url_is_a_usage_error(tmp_path: Path) -> None:
    done = _run(tmp_path, "report", "--fleet", SUPPORT_CREW_DATABASE_URL="mysql://x@y/z")
    assert done.returncode == 2 and "must be a postgresql:// URL" in done.stderr
    done = _run(tmp_path, "report", "--fleet")
    assert done.returncode == 2 and "SUPPORT_CREW_DATABASE_URL" in done.stderr
