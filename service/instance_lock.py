"""One service per data directory, and one per PostgreSQL database when the state is shared: two
would each queue again the other's running tickets at start-up. An advisory lock on
`<data_dir>/service.lock` (and PostgreSQL's session advisory lock on the `service` schema), held for
the service's life and released however the process ends (a SIGKILL included: the kernel drops the
file lock, the server the session's), so a restart never finds it stale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.locks import pid_lock
from core.settings import redacted
from storage.database import PostgresDatabase


class ServiceAlreadyRunning(RuntimeError):
    pass


@contextmanager
def single_instance(data_dir: Path, *, database_url: str | None = None) -> Iterator[None]:
    path = Path(data_dir) / "service.lock"
    path.parent.mkdir(parents=True, exist_ok=True)

    def busy(holder: str) -> ServiceAlreadyRunning:
        return ServiceAlreadyRunning(
            f"a service already runs on {data_dir} (pid {holder}); stop it, or give this one another --data-dir"
        )

    with pid_lock(path, busy):
        if database_url is None:
            yield
            return
        with PostgresDatabase(database_url, "service").exclusive() as held:
            if not held:
                raise ServiceAlreadyRunning(
                    f"a service already runs on the database {redacted(database_url)}; stop it first "
                    "(one service per database: it owns the queue's running tickets)"
                )
            yield
