"""The two ways state files are held against other processes: a kernel file lock naming its
holder's pid (released however the holder ends, a SIGKILL included), and an SQLite transaction
that takes the write lock first (BEGIN IMMEDIATE), so a read-then-write is atomic across
connections and processes."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def pid_lock(path: Path, busy: Callable[[str], Exception]) -> Iterator[None]:
    """Hold `path` for this process, writing its pid there; when another process holds it, raise
    `busy(holder)` with the holder's pid (or 'another process')."""
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            handle.seek(0)
            raise busy(handle.read().strip() or "another process") from e
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A transaction on an open autocommit connection: committed when the block ends, rolled back
    when it raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
