"""One service per data directory: two would each queue again the other's running tickets at
start-up. An advisory lock on `<data_dir>/service.lock`, held for the service's life and released
by the kernel however the process ends (a SIGKILL included), so a restart never finds it stale."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ServiceAlreadyRunning(RuntimeError):
    pass


@contextmanager
def single_instance(data_dir: Path) -> Iterator[None]:
    path = Path(data_dir) / "service.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ServiceAlreadyRunning(
                f"a service already runs on {data_dir} (pid {holder}); stop it, or give this one another --data-dir"
            ) from e
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
