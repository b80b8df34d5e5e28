"""A real ChromaDB server for the tests: `chroma run`, the CLI the chromadb package ships (no model,
no network), on a free loopback port, stopped with its whole process group at the end."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

CHROMA = Path(sys.executable).with_name("chroma")
START_TIMEOUT_S = 60.0  # about 2 s on an idle machine; the suite may share two busy cores


@dataclass(frozen=True)
class RunningChroma:
    url: str
    port: int
    path: Path  # the server's data, kept across a restart on the same path and port
    log: Path
    pid: int  # also its process group's id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_chroma(path: Path, *, port: int | None = None) -> Iterator[RunningChroma]:
    """Start a server on `path` (a directory it creates), yield once its heartbeat answers, stop it."""
    port = port or free_port()
    url, log_path = f"http://127.0.0.1:{port}", path.with_suffix(f".{port}.log")
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        # a session of its own, so that stopping it stops everything it started
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = RunningChroma(url=url, port=port, path=path, log=log_path, pid=process.pid)
    try:
        _wait_for_heartbeat(server, process)
        yield server
    finally:
        _stop(process)


def _wait_for_heartbeat(server: RunningChroma, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}: {_tail(server.log)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"chroma run did not answer on {server.url} within {START_TIMEOUT_S:.0f} s: {_tail(server.log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _tail(log: Path, chars: int = 2000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"
