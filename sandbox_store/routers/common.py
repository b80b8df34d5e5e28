"""What every router shares: a connection per request and the write path with its key."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox_store.db import connect
from sandbox_store.writes import execute_write

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ConnectionPool:
    """One connection per worker thread, kept open: opening costs about a millisecond, and closing
    the last connection of a WAL database checkpoints it (tens of milliseconds). A handler runs
    entirely in one worker thread, so a thread's connection is never shared by two requests."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []

    def get(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.db_path)
            with self._lock:
                self._all.append(conn)
        return conn

    def close_all(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


@contextmanager
def connection(request: Request) -> Iterator[sqlite3.Connection]:
    """The calling worker thread's connection to the app's store."""
    conn = request.app.state.connections.get()
    if conn.in_transaction:  # left open by an interrupted handler: never leak it into this one
        conn.execute("ROLLBACK")
    yield conn


def write(
    request: Request, operation: str, arguments: dict[str, Any], idempotency_key: str | None, dry_run: bool
) -> JSONResponse:
    with connection(request) as conn:
        status, body = execute_write(
            conn, operation=operation, arguments=arguments, idempotency_key=idempotency_key, dry_run=dry_run
        )
    return JSONResponse(body, status_code=status)
