"""The real servers the fleet's tests run against: each starts on loopback, answers, hands every
test a database of its own, keeps nothing on disk, and never outlives the test run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis

from core.settings import PROJECT_ROOT
from tests import live_servers
from tests.live_fixtures import _installed
from tests.live_servers import PostgresServer, RedisServer

_seen_redis: list[str] = []
_seen_postgres: list[str] = []


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_an_empty_redis_database_of_its_own(redis_url: str, turn: int) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.ping() and client.dbsize() == 0  # the other turn's key is not here
    client.set("marker", turn)
    assert redis_url.startswith("redis://127.0.0.1:") and redis_url not in _seen_redis
    _seen_redis.append(redis_url)


def test_redis_listens_on_loopback_and_persists_nothing(redis_server: RedisServer) -> None:
    client = redis.Redis(host="127.0.0.1", port=redis_server.port, decode_responses=True)
    config = {str(k): str(v) for k, v in client.config_get("*").items()}
    assert config["bind"] == "127.0.0.1"
    assert config["save"] == "" and config["appendonly"] == "no"
    assert Path(config["dir"]) == redis_server.folder and not redis_server.folder.is_relative_to(PROJECT_ROOT)


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_an_empty_postgres_database_of_its_own(postgres_url: str, turn: int) -> None:
    assert postgres_url.startswith("postgresql://postgres@127.0.0.1:")
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)  # the other turn's table is not here
        conn.execute("CREATE TABLE marker (turn INTEGER)")
        conn.execute("INSERT INTO marker VALUES (%s)", (turn,))
    assert postgres_url not in _seen_postgres
    _seen_postgres.append(postgres_url)


def test_postgres_listens_on_loopback_with_test_settings(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.url()) as conn:
        settings: dict[str, str] = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('listen_addresses', 'fsync', 'unix_socket_directories', 'data_directory')"
            ).fetchall()
        )
    assert settings["listen_addresses"] == "127.0.0.1" and settings["fsync"] == "off"
    assert settings["unix_socket_directories"] == ""
    assert Path(settings["data_directory"]).is_relative_to(postgres_server.folder)


def test_a_database_left_with_open_connections_is_still_dropped(postgres_server: PostgresServer) -> None:
    with postgres_server.fresh_database() as url:
        leaked = psycopg.connect(url)  # a test that forgot to close its connection
    with psycopg.connect(postgres_server.url()) as conn:
        name = url.rsplit("/", 1)[1]
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone() == (0,)
    assert leaked.closed or leaked.broken or _query_fails(leaked)


def _query_fails(conn: psycopg.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def test_servers_stop_and_leave_no_folder() -> None:
    with live_servers.redis_server() as r, live_servers.postgres_server() as pg:
        assert live_servers._redis_answers(r.port) and live_servers._postgres_answers(pg.port)
    assert not live_servers._redis_answers(r.port) and not live_servers._postgres_answers(pg.port)
    assert not r.folder.exists() and not pg.folder.exists()
    assert not _running(r.pid) and not _running(pg.pid)


_STARTER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.live_servers import redis_server, postgres_server
with redis_server() as r, postgres_server() as pg:
    print(r.port, r.pid, pg.port, pg.pid, r.folder, pg.folder, flush=True)
    time.sleep(120)
"""


def test_servers_die_with_a_test_run_killed_by_sigkill() -> None:
    """No finally runs on SIGKILL: the kernel's parent-death signal stops the servers, and the next
    start removes their folders."""
    starter = subprocess.Popen([sys.executable, "-c", _STARTER, str(PROJECT_ROOT)], stdout=subprocess.PIPE, text=True)
    try:
        assert starter.stdout is not None
        *numbers, redis_folder, pg_folder = starter.stdout.readline().split()
        redis_port, redis_pid, pg_port, pg_pid = map(int, numbers)
        assert live_servers._redis_answers(redis_port) and live_servers._postgres_answers(pg_port)
    finally:
        starter.send_signal(signal.SIGKILL)
        starter.wait()
    deadline = time.monotonic() + 10
    while (_running(redis_pid) or _running(pg_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(redis_pid) and not _running(pg_pid)
    live_servers.remove_stale_folders()  # what the next start does first
    assert not Path(redis_folder).exists() and not Path(pg_folder).exists()


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_missing_server_fails_the_test_and_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(live_servers, "POSTGRES_ROOT", tmp_path)
    for find in (live_servers.redis_binary, live_servers.postgres_bin_dir):
        with pytest.raises(pytest.fail.Exception, match="make install"):
            _installed(find)
