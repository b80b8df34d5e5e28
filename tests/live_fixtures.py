"""Pytest fixtures over tests/live_servers.py, registered for every test folder by tests/conftest.py.

- `redis_server`, `postgres_server` (session): one real server each, started the first time a test
  asks for it and stopped at the end of the session, whatever the tests did;
- `redis_url` (function): `redis://127.0.0.1:PORT/N`, a database number of its own, empty;
- `postgres_url` (function): `postgresql://postgres@127.0.0.1:PORT/DB`, a new empty database.

A missing server program fails the test (it does not skip it): the suite is meant to run with these
servers, and `make install` installs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from storage.database import close_pools
from tests import live_servers
from tests.live_servers import PostgresServer, RedisServer

T = TypeVar("T")


def _installed(find: Callable[[], T]) -> T:
    try:
        return find()
    except live_servers.MissingServerBinary as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    _installed(live_servers.redis_binary)
    with live_servers.redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    _installed(live_servers.postgres_bin_dir)
    _installed(live_servers.postgres_user)
    with live_servers.postgres_server() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    with redis_server.fresh_db() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.fresh_database() as url:
        try:
            yield url
        finally:
            close_pools()  # this process's pooled connections to the database about to be dropped
