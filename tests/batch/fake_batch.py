"""`python -m tests.batch.fake_batch IN OUT DATA_DIR WORKERS`: the batch command on the fake
runner, in a process of its own that a test can kill."""

from __future__ import annotations

import sys
from pathlib import Path

from backlog.batch import run_batch
from core.settings import Settings

if __name__ == "__main__":
    in_path, out_path, data_dir, workers = sys.argv[1:5]
    summary = run_batch(
        Path(in_path),
        Path(out_path),
        settings=Settings(data_dir=Path(data_dir)),
        workers=int(workers),
        progress=False,
        runner="tests.batch.fake_runner",
    )
    print(summary.describe())
