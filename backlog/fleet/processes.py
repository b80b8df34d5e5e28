"""A fleet's processes on this machine, as separate programs exactly as on a fleet's machines:
`support-crew store serve` and `support-crew worker`, each with a data directory of its own, ready
when handed over and stopped (SIGTERM, then SIGKILL) when the block ends. `bench-fleet` and the
fleet's tests start them the same way."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.processes import free_loopback_port, program, stop


def command(data_dir: Path, *args: str) -> list[str]:
    return [*program(), "--data-dir", str(data_dir), *args]


@contextmanager
def store_server(data_dir: Path, env: dict[str, str], *, timeout_s: float = 120) -> Iterator[str]:
    """The sandbox store over `data_dir` on a free loopback port (log beside it: `<data_dir>.log`);
    yields its URL once it answers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}.log"
    port = free_loopback_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command(data_dir, "store", "serve", "--port", str(port)), env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the store did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        stop(process)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def worker_processes(
    root: Path, env: dict[str, str], count: int, *, timeout_s: float = 300
) -> Iterator[list[WorkerProcess]]:
    """`count` workers, data directories `root/worker-N` (logs `root/worker-N.log`), yielded once
    every one of them says it is ready."""
    with ExitStack() as stack:
        started: list[WorkerProcess] = []
        for n in range(count):
            data_dir, log = root / f"worker-{n}", root / f"worker-{n}.log"
            data_dir.mkdir(parents=True, exist_ok=True)
            with open(log, "wb") as out:
                process = subprocess.Popen(command(data_dir, "worker"), env=env, stdout=out, stderr=out)
            stack.callback(stop, process)
            started.append(WorkerProcess(process, log))
        deadline = time.monotonic() + timeout_s
        for worker in started:
            while " ready." not in worker.output():
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"a worker did not start:\n{worker.output()[-3000:]}")
                time.sleep(0.2)
        yield started
