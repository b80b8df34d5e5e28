"""Our own program as child processes (the benchmarks start servers and workers the way a team
would): the command that runs it, a free loopback port, and a stop that waits for a clean exit."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path


def program() -> list[str]:
    """`support-crew` beside this interpreter, or `python -m main` when it is not installed."""
    script = Path(sys.executable).with_name("support-crew")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "main"]


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """SIGTERM (our servers and workers finish what they run, then exit), SIGKILL past the timeout."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
