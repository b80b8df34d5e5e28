"""`support-crew store serve` as a real process: the store a fleet shares over HTTP, seeded on its
first start, its writes kept across a restart, stopped cleanly by SIGTERM and SIGINT, and a busy
port or an unreadable --faults refused with a clear message."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT
from tests.live_servers import free_port

ORDER = "#W9205196"  # pending in the seed: a cancellation changes it
QUOTED = "%23W9205196"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_CREW_")}


def _cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "main", "--data-dir", str(data_dir), "store", "serve", *args]


@contextmanager
def _store_serve(data_dir: Path, port: int, *args: str, stop: signal.Signals = signal.SIGTERM) -> Iterator[str]:
    """The command running on `port` until the block ends, then stopped by `stop`; it must exit 0."""
    process = subprocess.Popen(
        _cli(data_dir, "--port", str(port), *args),
        cwd=PROJECT_ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(stop)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert process.returncode == 0, f"store serve exited {process.returncode}:\n{output}"
    assert "Shutting down" in output, output


def _wait_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"store serve exited {process.returncode}:\n{process.communicate()[0]}"
        try:
            if httpx.get(f"{url}/health", timeout=1).json() == {"status": "ok"}:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"store serve did not answer on {url}")


def test_a_write_is_kept_across_a_restart(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    with _store_serve(data_dir, port) as url:
        assert httpx.get(f"{url}/orders/{QUOTED}").json()["status"] == "pending"
        answer = httpx.post(
            f"{url}/orders/{QUOTED}/cancel", json={"reason": "ordered by mistake"}, headers={"Idempotency-Key": "k1"}
        )
        assert answer.status_code == 200, answer.text
        assert httpx.get(f"{url}/orders/{QUOTED}").json()["status"] == "cancelled"
    # Everything it wrote is in the data directory: the store and its seeded template.
    assert (data_dir / "store.db").is_file() and list((data_dir / "cache").glob("template-*.sqlite"))

    with _store_serve(data_dir, port, stop=signal.SIGINT) as url:  # the same port is free again at once
        order = httpx.get(f"{url}/orders/{QUOTED}").json()
        assert order["status"] == "cancelled" and order["order_id"] == ORDER
        changed = httpx.get(f"{url}/export/changes").json()["orders"]
        assert list(changed) == [ORDER]


def test_faults_are_injected_as_asked(tmp_path: Path) -> None:
    with _store_serve(tmp_path / "data", free_port(), "--faults", "error=1") as url:
        assert httpx.get(f"{url}/orders/{QUOTED}").status_code in (500, 503)
        assert httpx.get(f"{url}/health").status_code == 200  # health stays out of the faults


def test_a_busy_port_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            _cli(tmp_path / "data", "--port", str(port)),
            cwd=PROJECT_ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert not (tmp_path / "data").exists()  # nothing created for a server that could not start


def test_unreadable_faults_are_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        _cli(tmp_path / "data", "--port", str(free_port()), "--faults", "boom"),
        cwd=PROJECT_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "SUPPORT_CREW_FAULTS" in done.stderr
