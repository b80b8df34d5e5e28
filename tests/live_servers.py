"""Real Redis and PostgreSQL servers for the tests, started by the tests on 127.0.0.1.

`redis_server()` and `postgres_server()` are context managers that start a throw-away server on a
free loopback port in a temp folder (no file in the repo, nothing kept), wait until it answers and
stop it on exit. `RedisServer.fresh_db()` and `PostgresServer.fresh_database()` hand one test a
database of its own. `tests/live_fixtures.py` wraps them as pytest fixtures.

No orphan servers: each server is stopped on exit of its context manager, again at interpreter
exit for any left running, and is sent a signal by the kernel if the process that started it dies
(PR_SET_PDEATHSIG), so a test run killed with SIGKILL leaves none behind either. The kernel ties that
signal to the starting thread: start servers from the thread that will outlive them (pytest's).

Binaries come from Debian's packages (`redis-server`, `postgresql`), which `make install` installs.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = "`make install` installs it (apt-get install -y redis-server postgresql)"
POSTGRES_ROOT = Path("/usr/lib/postgresql")  # Debian's packages: one bin/ per major version
POSTGRES_USER = "postgres"  # the superuser initdb creates, whoever runs the server


class MissingServerBinary(RuntimeError):
    """A server's program is not installed; the message says how to install it."""


class ServerDidNotStart(RuntimeError):
    """The server exited or did not answer in time; the message ends with its log."""


def free_port() -> int:
    """A port free on 127.0.0.1 now (another process may take it before the server binds it: the
    starters retry on another port when the server reports the address in use)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- processes ------------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_running: dict[int, tuple[subprocess.Popen[bytes], signal.Signals]] = {}


def _die_with_parent(sig: signal.Signals) -> Callable[[], None] | None:
    """A preexec function asking the kernel to send `sig` to the child when its parent dies (Linux);
    it runs after Popen's setuid, which would otherwise clear the setting."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, only called after it

    def set_parent_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, int(sig))

    return set_parent_death_signal


def _spawn(
    argv: list[str], *, log: Path, stop_signal: signal.Signals, user: str | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}  # no PG*/REDIS* settings leak in
    with open(log, "ab") as output:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            user=user,
            group=pwd.getpwnam(user).pw_gid if user else None,
            extra_groups=[] if user else None,
            start_new_session=True,  # a Ctrl-C in the terminal reaches pytest, whose teardown stops it
            preexec_fn=_die_with_parent(stop_signal),  # only prctl runs in the child
        )
    _running[process.pid] = (process, stop_signal)
    return process


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals, timeout_s: float = 15.0) -> None:
    _running.pop(process.pid, None)
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@atexit.register
def _stop_all_left_running() -> None:
    for process, sig in list(_running.values()):
        _stop(process, sig, timeout_s=5.0)


def remove_stale_folders() -> None:
    """Remove the temp folders of runs that were killed (the kernel stopped their servers, see
    above; nothing ran to remove their folders)."""
    for stale in Path(tempfile.gettempdir()).glob("support-crew-[rp]*-*"):
        try:
            owner = int((stale / "owner.pid").read_text())
        except (OSError, ValueError):
            continue  # not a server's folder, or one still being set up
        if not _alive(owner):
            shutil.rmtree(stale, ignore_errors=True)


def _temp_folder(kind: str) -> Path:
    """A temp folder for one server, marked with this process's id (see remove_stale_folders)."""
    remove_stale_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"support-crew-{kind}-"))
    (folder / "owner.pid").write_text(str(os.getpid()))
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _log_tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def _wait_until(
    answers: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, name: str, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"{name} exited with code {process.returncode}; its log:\n{_log_tail(log)}")
        if answers():
            return
        time.sleep(0.02)
    _stop(process, signal.SIGKILL)
    raise ServerDidNotStart(f"{name} did not answer within {timeout_s}s; its log:\n{_log_tail(log)}")


def _start_on_free_port(
    start: Callable[[int], subprocess.Popen[bytes]],
    answers: Callable[[int], bool],
    *,
    log: Path,
    name: str,
    timeout_s: float,
) -> tuple[int, subprocess.Popen[bytes]]:
    """Start the server on a free port and wait until it answers; again on another port if someone
    took this one in between (the server then exits saying the address is in use)."""
    for attempt in range(1, 4):
        port = free_port()
        process = start(port)
        try:
            _wait_until(functools.partial(answers, port), process, log, f"{name} on port {port}", timeout_s)
            return port, process
        except ServerDidNotStart:
            if attempt == 3 or process.poll() is None or "in use" not in _log_tail(log, 1000):
                raise
            _running.pop(process.pid, None)
    raise AssertionError("unreachable")


# --- Redis ------------------------------------------------------------------------------------------


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise MissingServerBinary(f"redis-server is not installed; {INSTALL_HINT}")
    return found


def _redis_answers(port: int) -> bool:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    no_retry = Retry(NoBackoff(), 0)  # the client's default retries with backoff for seconds
    try:
        with redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=no_retry) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


class RedisServer:
    def __init__(self, port: int, databases: int, *, pid: int, folder: Path) -> None:
        self.port, self.databases, self.pid, self.folder = port, databases, pid, folder
        # Database 0 is left to whoever uses `url()` alone; tests take 1, 2, ... in turn.
        self._numbers = itertools.cycle(range(1, databases))

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        return _redis_answers(self.port)

    @contextmanager
    def fresh_db(self) -> Iterator[str]:
        """The URL of a database number nobody else uses now, empty (the numbers cycle: emptied
        before and after use)."""
        import redis

        db = next(self._numbers)
        with redis.Redis(host="127.0.0.1", port=self.port, db=db) as client:
            client.flushdb()
            try:
                yield self.url(db)
            finally:
                client.flushdb()


@contextmanager
def redis_server(*, databases: int = 256, start_timeout_s: float = 10.0) -> Iterator[RedisServer]:
    """A `redis-server` on 127.0.0.1 with no persistence, in a temp folder removed on exit."""
    binary = redis_binary()
    folder = _temp_folder("redis")
    log = folder / "redis.log"

    def start(port: int) -> subprocess.Popen[bytes]:
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
        argv += ["--save", "", "--appendonly", "no", "--databases", str(databases), "--logfile", ""]
        return _spawn(argv, log=log, stop_signal=signal.SIGTERM, cwd=folder)

    process: subprocess.Popen[bytes] | None = None
    try:
        port, process = _start_on_free_port(
            start, _redis_answers, log=log, name="redis-server", timeout_s=start_timeout_s
        )
        yield RedisServer(port, databases, pid=process.pid, folder=folder)
    finally:
        if process is not None:
            _stop(process, signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)


# --- PostgreSQL ---------------------------------------------------------------------------------------


def postgres_bin_dir() -> Path:
    """The newest PostgreSQL installed from Debian's packages (/usr/lib/postgresql/N/bin)."""
    found = [d for d in POSTGRES_ROOT.glob("*/bin") if (d / "initdb").exists()]
    if not found:
        raise MissingServerBinary(
            f"PostgreSQL (initdb under /usr/lib/postgresql/*/bin) is not installed; {INSTALL_HINT}"
        )
    return max(found, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)


def postgres_user() -> str | None:
    """initdb and postgres refuse to run as root: then they run as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as e:
        raise MissingServerBinary(
            f"running as root, PostgreSQL needs the `postgres` system user; {INSTALL_HINT}"
        ) from e
    return "postgres"


# Durability off: a test server's data is thrown away at exit, and fsyncs would dominate its time.
_FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # Celery workers and connection pools of several processes per test
    "unix_socket_directories": "",  # TCP on loopback only: no socket in /var/run/postgresql to own
}


def _postgres_answers(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            f"postgresql://{POSTGRES_USER}@127.0.0.1:{port}/postgres", autocommit=True, connect_timeout=1
        ) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


class PostgresServer:
    def __init__(self, port: int, *, pid: int, folder: Path) -> None:
        self.port, self.pid, self.folder = port, pid, folder
        self._names = (f"test_{os.getpid()}_{n}" for n in itertools.count(1))

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{POSTGRES_USER}@127.0.0.1:{self.port}/{dbname}"

    def answers(self) -> bool:
        return _postgres_answers(self.port)

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its URL."""
        import psycopg
        from psycopg import sql

        name = name or next(self._names)
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever connections a test left open to it."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    @contextmanager
    def fresh_database(self) -> Iterator[str]:
        """The URL of a new empty database, dropped on exit."""
        url = self.create_database()
        try:
            yield url
        finally:
            self.drop_database(url.rsplit("/", 1)[1])


@contextmanager
def postgres_server(*, start_timeout_s: float = 30.0) -> Iterator[PostgresServer]:
    """A PostgreSQL server on 127.0.0.1 (trust auth, durability off) over a fresh cluster in a temp
    folder removed on exit; as root, the cluster belongs to and runs as the `postgres` user."""
    bin_dir = postgres_bin_dir()
    user = postgres_user()
    folder = _temp_folder("postgres")
    data, log = folder / "data", folder / "postgres.log"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    process: subprocess.Popen[bytes] | None = None
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", POSTGRES_USER, "--auth=trust", "--no-sync"]
        initdb += ["--encoding=UTF8", "--locale=C", "--no-instructions"]
        done = _spawn(initdb, log=log, stop_signal=signal.SIGKILL, user=user, cwd=folder)
        if done.wait(timeout=120) != 0:
            raise ServerDidNotStart(f"initdb failed with code {done.returncode}:\n{_log_tail(log)}")
        _running.pop(done.pid, None)

        def start(port: int) -> subprocess.Popen[bytes]:
            settings = {**_FAST_SETTINGS, "listen_addresses": "127.0.0.1", "port": str(port)}
            argv = [str(bin_dir / "postgres"), "-D", str(data)]
            argv += [arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")]
            # SIGQUIT if the test run dies: immediate shutdown, which also ends the backends.
            return _spawn(argv, log=log, stop_signal=signal.SIGQUIT, user=user, cwd=folder)

        port, process = _start_on_free_port(
            start, _postgres_answers, log=log, name="postgres", timeout_s=start_timeout_s
        )
        yield PostgresServer(port, pid=process.pid, folder=folder)
    finally:
        if process is not None:
            # SIGINT is the fast shutdown: open sessions are ended, not waited for.
            _stop(process, signal.SIGINT, timeout_s=30.0)
        shutil.rmtree(folder, ignore_errors=True)
