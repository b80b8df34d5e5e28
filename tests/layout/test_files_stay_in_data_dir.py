"""Nothing is written outside the data directory: a ticket run with TMPDIR pointing at an empty
folder leaves it empty (CrewAI's locks, the store template and every cache live under --data-dir)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_ticket_writes_nothing_outside_the_data_directory(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    data_dir = tmp_path / "data"
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    env.pop("SUPPORT_CREW_KNOWLEDGE_INDEX_DIR", None)  # the suite's shared index lives outside on purpose
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--data-dir",
            str(data_dir),
            "kickoff",
            "--from-email",
            "chen.moore4507@example.com",
            "Where is my order #W9205196?",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "W9205196" in run.stdout
    assert sorted(p.name for p in temp.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "tmp"]
    assert (data_dir / "locks").is_dir() and any((data_dir / "locks").iterdir())
