"""`support-crew bench-fleet` end to end on the smallest backlog: it starts its own store and
workers, runs the backlog through the broker and on the local pool, and reports both (figures
only, no timing asserted: speed is what BENCHMARKS.md records)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from backlog.fleet.processes import command as cli
from core.settings import PROJECT_ROOT

BENCH = PROJECT_ROOT / "backlog" / "data" / "bench_tickets.jsonl"


def test_bench_fleet_measures_the_fleet_beside_the_local_pool(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text("\n".join(BENCH.read_text().splitlines()[:3]) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_")}
    done = subprocess.run(
        cli(tmp_path / "data", "bench-fleet", "--workers", "1", "--repeat", "2", "--tickets", str(tickets)),
        cwd=PROJECT_ROOT,
        env={**env, "SUPPORT_CREW_BROKER_URL": redis_url, "SUPPORT_CREW_DATABASE_URL": postgres_url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stderr.strip().splitlines()[-1])
    assert figures["tickets"] == 6
    runs = {run["mode"]: run for run in figures["runs"]}
    assert set(runs) == {"fleet", "local"}
    for run in runs.values():
        assert run["workers"] == 1 and run["tickets"] == 6 and run["tickets_per_s"] > 0
        assert sum(run["outcomes"].values()) == 6
    assert runs["fleet"]["outcomes"] == runs["local"]["outcomes"]  # the same tickets, the same answers
