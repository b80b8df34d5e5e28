"""Real fleet processes for the tests: `support-crew store serve`, `support-crew worker` and the
CLI's other commands as subprocesses, each with its own data directory and only the settings a
test gives it (nothing from the environment the suite runs in)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.processes import stop
from core.settings import PROJECT_ROOT
from tests.live_servers import free_port


@dataclass
class Fleet:
    """The settings every process of one test's fleet shares."""

    broker_url: str
    database_url: str
    api_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_")}
        return {
            **base,
            "SUPPORT_CREW_BROKER_URL": self.broker_url,
            "SUPPORT_CREW_DATABASE_URL": self.database_url,
            "SUPPORT_CREW_API_URL": self.api_url,
            # a killed worker's ticket comes back within seconds, not minutes
            "SUPPORT_CREW_BROKER_VISIBILITY_TIMEOUT_S": "4",
            "SUPPORT_CREW_WORKER_LEASE_S": "3",
            **self.extra,
        }


def cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "main", "--data-dir", str(data_dir), *args]


@contextmanager
def store_serve(data_dir: Path, env: dict[str, str]) -> Iterator[str]:
    """The sandbox store on its own, on a free port; yields its URL."""
    port = free_port()
    log = data_dir.parent / f"{data_dir.name}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            cli(data_dir, "store", "serve", "--port", str(port)), cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"store serve exited:\n{log.read_text()}"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"store serve did not answer:\n{log.read_text()}"
            time.sleep(0.2)
        yield url
    finally:
        stop(process)


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def workers(root: Path, fleet: Fleet, count: int) -> Iterator[list[Worker]]:
    """`count` worker processes, each with a data directory of its own, ready when yielded."""
    started: list[Worker] = []
    try:
        for n in range(count):
            data_dir = root / f"worker-{n}"
            data_dir.mkdir(parents=True, exist_ok=True)
            log = root / f"worker-{n}.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    cli(data_dir, "worker"), cwd=PROJECT_ROOT, env=fleet.env(), stdout=out, stderr=out
                )
            started.append(Worker(process, log))
        deadline = time.monotonic() + 180
        for worker in started:
            while " ready." not in worker.output():
                assert worker.process.poll() is None, f"worker exited:\n{worker.output()}"
                assert time.monotonic() < deadline, f"worker not ready:\n{worker.output()}"
                time.sleep(0.2)
        yield started
    finally:
        for worker in started:
            stop(worker.process)
