"""The shared state's two backends as a pytest fixture: a test that takes `backend` runs once on
SQLite files under its tmp_path and once on a fresh database of the session's real PostgreSQL
server (tests/live_fixtures.py), so every guarantee it checks is checked on both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.database import Database, open_database


@dataclass(frozen=True)
class Backend:
    name: str
    data_dir: Path
    url: str | None  # None: SQLite files under data_dir

    def database(self, part: str, file_name: str | None = None) -> Database:
        return open_database(part, data_dir=self.data_dir, url=self.url, file_name=file_name)

    @property
    def argv(self) -> list[str]:
        """For a child process: data_dir and url ('' for SQLite)."""
        return [str(self.data_dir), self.url or ""]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    return Backend(request.param, tmp_path / "state", url)
