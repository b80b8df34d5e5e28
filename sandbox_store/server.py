"""Run the store API on loopback in a background thread (tests, the CLI, the evaluation)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from sandbox_store.app import create_app
from sandbox_store.db import reset_store
from sandbox_store.faults import FaultStats


class SandboxServer:
    """The store API over `db_path` on 127.0.0.1 and a free port, started at construction.

    Use as a context manager or call `stop()`. `reset()` puts the store back to its fresh seed
    while the server runs (one server can serve many evaluation cases in turn)."""

    def __init__(self, db_path: Path, faults: str = "", *, start_timeout_s: float = 10.0) -> None:
        self.db_path = Path(db_path)
        self.app = create_app(self.db_path, faults=faults)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            limit_concurrency=256,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name=f"sandbox-store:{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + start_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"The sandbox store did not start on {self.base_url} within "
                    f"{start_timeout_s}s (database {self.db_path})."
                )
            time.sleep(0.005)

    @property
    def fault_stats(self) -> FaultStats:
        return self.app.state.fault_stats

    def reset(self) -> None:
        reset_store(self.db_path)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
        self.app.state.connections.close_all()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
