"""The service's database: `<data_dir>/service.db`, or schema `service` of the fleet's PostgreSQL
database (storage.database). Write transactions take the part's lock up front, so a
read-then-write (claim the next run, accept a ticket id once) is atomic everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.schema import MIGRATIONS
from storage.database import Connection, Database, SqliteDatabase, open_database, utc_now

DB_NAME = "service.db"

__all__ = ["DB_NAME", "ServiceDatabase", "utc_now"]


class ServiceDatabase:
    def __init__(self, database: Database | Path) -> None:
        self.database = database if isinstance(database, Database) else SqliteDatabase(Path(database), "service")
        self.database.migrate(MIGRATIONS)

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, database_url: str | None = None) -> ServiceDatabase:
        return cls(open_database("service", data_dir=Path(data_dir), url=database_url, file_name=DB_NAME))

    @property
    def dialect(self) -> str:
        return self.database.dialect

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.database.transaction() as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.database.reading() as db:
            yield db

    def schema_version(self) -> int:
        return self.database.schema_version()
