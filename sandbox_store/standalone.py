"""`support-crew store serve`: the sandbox store as a service of its own, in the foreground, so a
fleet of workers on several machines shares one store (`SUPPORT_CREW_API_URL=http://host:port`)
as it would share one real commerce API.

The store file is seeded on first start and kept across restarts. SIGTERM and SIGINT stop it
cleanly: requests in flight finish (up to a few seconds), connections close, the exit code is 0.
"""

from __future__ import annotations

import errno
import signal
import socket
from pathlib import Path
from types import FrameType

import uvicorn

from sandbox_store.app import create_app
from sandbox_store.faults import FaultPlan


class CannotListen(RuntimeError):
    """The address cannot be bound (busy port, unknown address); the message says which and why."""


def bind(host: str, port: int) -> socket.socket:
    """Bind the address before anything is opened or seeded, so a busy port fails at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # A restart right after a stop must not wait out the old connections' TIME_WAIT; a port another
    # process listens on is still refused.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise CannotListen(
                f"port {port} on {host} is already in use (another `store serve`?); stop that process "
                "or choose another --port"
            ) from e
        raise CannotListen(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    return sock


def serve(sock: socket.socket, db_path: Path, *, faults: str | FaultPlan = "") -> None:
    """Serve the store over `db_path` on the socket `bind` gave until SIGTERM or SIGINT."""
    try:
        app = create_app(db_path, faults=faults)  # seeds the file on first start, migrates it after
    except BaseException:
        sock.close()
        raise
    config = uvicorn.Config(
        app,
        log_level="info",
        access_log=False,  # a fleet's every tool call would fill it; errors are still logged
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    # uvicorn stops on SIGTERM/SIGINT, then raises the signal again for the handler it found: make
    # that one a no-op, so the connections below are closed and the command exits 0.
    previous = {sig: signal.signal(sig, _already_handled) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        app.state.connections.close_all()
        sock.close()


def _already_handled(signum: int, frame: FrameType | None) -> None:
    """uvicorn has stopped the server by the time this runs."""
