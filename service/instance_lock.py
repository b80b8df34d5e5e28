"""One service per data directory: two would each queue again the other's running tickets at
start-up. An advisory lock on `<data_dir>/service.lock`, held for the service's life and released
by the kernel however the process ends (a SIGKILL included), so a restart never finds it stale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.locks import pid_lock


class ServiceAlreadyRunning(RuntimeError):
    pass


@contextmanager
def single_instance(data_dir: Path) -> Iterator[None]:
    path = Path(data_dir) / "service.lock"
    path.parent.mkdir(parents=True, exist_ok=True)

    def busy(holder: str) -> ServiceAlreadyRunning:
        return ServiceAlreadyRunning(
            f"a service already runs on {data_dir} (pid {holder}); stop it, or give this one another --data-dir"
        )

    with pid_lock(path, busy):
        yield
