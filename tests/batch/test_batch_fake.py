"""The batch machinery (journal, resume, workers, kill) on the fake runner: seconds, not minutes.
The same properties on the real crew are tested through the CLI in test_batch_cli.py."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from backlog.batch import run_batch
from backlog.journal import Journal
from core.models import Result
from core.settings import PROJECT_ROOT, Settings
from runner.traces import load_trace, trace_path
from tests.batch.fake_runner import runs_per_ticket, store_state

FAKE = "tests.batch.fake_runner"


def write_tickets(path: Path, count: int, extra: dict[str, dict] | None = None, bad_lines: bool = False) -> Path:
    lines = []
    for i in range(1, count + 1):
        ticket = {
            "id": f"T-{i:02d}",
            "body": f"Please credit me, request {i}.",
            "from_email": f"c{i}@example.com",
            "tags": ["credit"],
        }
        ticket.update((extra or {}).get(ticket["id"], {}))
        lines.append(json.dumps(ticket))
        if bad_lines and i == 2:
            lines.append('{"id": "T-broken", "body": ')  # a malformed line in the middle
            lines.append(json.dumps({"id": "T-01", "body": "a repeated id"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def out_ids(path: Path) -> list[str]:
    return [json.loads(line)["ticket_id"] for line in path.read_text().splitlines()]


def quiet() -> Console:
    return Console(file=io.StringIO(), width=200)


def test_runs_every_ticket_once_skips_bad_lines_and_resumes_to_nothing(tmp_path: Path) -> None:
    tickets = write_tickets(tmp_path / "in.jsonl", 5, bad_lines=True)
    out, settings = tmp_path / "out.jsonl", Settings(data_dir=tmp_path / "data")

    summary = run_batch(tickets, out, settings=settings, progress=False, console=quiet(), runner=FAKE)

    assert sorted(out_ids(out)) == [f"T-{i:02d}" for i in range(1, 6)]
    assert summary.tickets == 5 and len(summary.results) == 5 and summary.workers == 1
    assert summary.skipped_lines[0].startswith("in.jsonl:3: not valid JSON")
    assert summary.skipped_lines[1] == "in.jsonl:4: id: 'T-01' repeats line 1; skipped"
    assert "2 input line(s) skipped" in summary.describe()
    assert summary.outcomes == {"resolved": 5}
    assert runs_per_ticket(settings.resolved_data_dir) == {f"T-{i:02d}": 1 for i in range(1, 6)}
    events = load_trace(trace_path(settings.resolved_data_dir, "T-03"))
    assert [e["event"] for e in events] == ["run_start", "delegation", "tool_call", "llm_call", "run_end"]
    assert "c3@example.com" not in trace_path(settings.resolved_data_dir, "T-03").read_text()

    again = run_batch(tickets, out, settings=settings, progress=False, console=quiet(), runner=FAKE)
    assert again.already_done == 5 and again.results == []
    assert len(out_ids(out)) == 5
    assert set(runs_per_ticket(settings.resolved_data_dir).values()) == {1}


def test_resume_reruns_the_interrupted_ticket_and_repairs_the_output(tmp_path: Path) -> None:
    tickets = write_tickets(tmp_path / "in.jsonl", 4)
    out, settings = tmp_path / "out.jsonl", Settings(data_dir=tmp_path / "data")
    run_batch(tickets, out, settings=settings, progress=False, console=quiet(), runner=FAKE)
    reference = store_state(settings.resolved_data_dir)

    # Rewind to the state a kill leaves: T-03 running, T-04 queued, a partial line in OUT.
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:2]) + "\n" + lines[2][:30])
    with Journal(settings.resolved_data_dir).db.transaction() as db:
        db.execute("UPDATE tickets SET state = 'running', result = NULL WHERE ticket_id = 'T-03'")
        db.execute("UPDATE tickets SET state = 'queued', attempts = 0, result = NULL WHERE ticket_id = 'T-04'")

    summary = run_batch(tickets, out, settings=settings, progress=False, console=quiet(), runner=FAKE)

    assert summary.dropped_partial_line and summary.resumed == ["T-03"]
    assert [r.ticket_id for r in summary.results] == ["T-03", "T-04"]
    assert sorted(out_ids(out)) == ["T-01", "T-02", "T-03", "T-04"]
    # T-03 and T-04 ran twice in all, yet their writes applied once: the store is unchanged
    assert store_state(settings.resolved_data_dir) == reference
    attempts = [
        e["attempt"] for e in load_trace(trace_path(settings.resolved_data_dir, "T-03")) if e["event"] == "run_start"
    ]
    assert attempts == [1, 2]


def test_worker_pool_survives_a_crash_and_a_raising_runner(tmp_path: Path) -> None:
    extra = {
        "T-02": {"fake": {"crash": True}},
        "T-04": {"fake": {"raise": "model exploded"}},
        "T-05": {"fake": {"outcome": "escalated"}},
    }
    tickets = write_tickets(tmp_path / "in.jsonl", 7, extra)
    out, settings = tmp_path / "out.jsonl", Settings(data_dir=tmp_path / "data")

    summary = run_batch(tickets, out, settings=settings, workers=2, progress=False, console=quiet(), runner=FAKE)

    results = {r.ticket_id: r for r in map(Result.model_validate_json, out.read_text().splitlines())}
    assert sorted(results) == [f"T-{i:02d}" for i in range(1, 8)]
    assert results["T-02"].outcome == "failed" and "died while running this ticket" in results["T-02"].error
    assert results["T-04"].outcome == "failed" and "model exploded" in results["T-04"].error
    assert results["T-05"].outcome == "escalated"
    assert summary.crashed_workers == 1 and summary.workers == 2
    assert len(summary.peak_rss_mb_per_worker) >= 2  # two workers, plus the one that replaced the dead
    assert all(mb > 0 for mb in summary.peak_rss_mb_per_worker.values())
    assert {pid for pid in summary.peak_rss_mb_per_worker} != {os.getpid()}  # not run in this process


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _kill_mid_run(tmp_path: Path, workers: int) -> None:
    """Kill the batch process with SIGKILL while T-04 is in its (long) first run and others are
    done, run the same command again, and compare with an uninterrupted run."""
    slow = {"T-04": {"fake": {"first_run_sleep": 30}}}
    env = {**os.environ, "FAKE_RUNNER_SLEEP": "0.1"}
    command = [sys.executable, "-m", "tests.batch.fake_batch"]

    clean = tmp_path / "clean"
    subprocess.run(
        [
            *command,
            str(write_tickets(tmp_path / "clean.jsonl", 10)),
            str(clean / "out.jsonl"),
            str(clean),
            str(workers),
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )

    killed = tmp_path / "killed"
    args = [str(write_tickets(tmp_path / "in.jsonl", 10, slow)), str(killed / "out.jsonl"), str(killed), str(workers)]
    process = subprocess.Popen(
        [*command, *args], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out = killed / "out.jsonl"
        if out.exists() and len(out.read_text().splitlines()) >= 3 and "T-04" in runs_per_ticket(killed):
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    killed_at = time.monotonic()
    with Journal(killed).db.reading() as db:
        running = dict(db.execute("SELECT ticket_id, pid FROM tickets WHERE state = 'running'").fetchall())
    assert "T-04" in running and len(out_ids(killed / "out.jsonl")) < 10, "the kill interrupted nothing"
    # Workers exit with their parent: none goes on running T-04 beside the resumed batch.
    while _alive(running["T-04"]) and time.monotonic() - killed_at < 5:
        time.sleep(0.05)
    assert not _alive(running["T-04"]), "a worker outlived its killed parent"

    resumed = subprocess.run(
        [*command, *args], check=True, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert "resumed" in resumed.stdout and "T-04" in resumed.stdout

    assert sorted(out_ids(killed / "out.jsonl")) == [f"T-{i:02d}" for i in range(1, 11)]  # one result each
    assert store_state(killed) == store_state(clean)  # no write applied twice, none lost
    runs = runs_per_ticket(killed)
    assert all(count == 1 for tid, count in runs.items() if tid not in running)
    assert runs["T-04"] == 2


def test_sigkill_mid_batch_in_process_then_resume(tmp_path: Path) -> None:
    _kill_mid_run(tmp_path, workers=1)


def test_sigkill_mid_batch_with_workers_then_resume(tmp_path: Path) -> None:
    _kill_mid_run(tmp_path, workers=2)
