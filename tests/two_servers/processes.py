"""The deployment of the two-server test: its own PostgreSQL database, two Redis databases,
an S3 server (moto), two gunicorns, a Celery worker and beat — each a process of its own,
configured only through the environment, as on real servers."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from psycopg import sql
from psycopg.conninfo import make_conninfo

from hub.env import database_from_url

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
# What the processes take from the caller's environment: nothing that changes the portal's
# settings (a DEBUG, DATABASE_URL or REDIS_URL of the shell would change what is tested).
PASSED_ON = {"PATH", "HOME", "LANG", "LANGUAGE", "TMPDIR", "USER", "LOGNAME", "TZ"}
# The Redis databases of the server named by TWO_SERVERS_REDIS_URL, for the cache (and
# sessions) and the broker: TWO_SERVERS_REDIS_DBS, "3,4" unless set.
REDIS_DBS = "3,4"


def redis_dbs(value: str | None) -> tuple[int, int]:
    try:
        cache, broker = (int(number) for number in (value or REDIS_DBS).split(","))
    except ValueError:
        raise ValueError(f"TWO_SERVERS_REDIS_DBS={value!r}: two database numbers, as 3,4") from None
    if cache == broker:
        raise ValueError(f"TWO_SERVERS_REDIS_DBS={value!r}: the cache's and the broker's differ")
    return cache, broker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# prctl(PR_SET_PDEATHSIG): the kernel signals a process when the one that started it dies.
_PR_SET_PDEATHSIG = 1
_PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None


def dying_with(parent: int) -> Callable[[], None]:
    """A preexec_fn: the child gets SIGTERM when `parent` (the test run) dies, even by SIGKILL,
    so that a killed pytest leaves no server, worker or beat behind (each in its own process
    group, which the parent's death does not reach). SIGTERM: gunicorn and Celery then stop
    their own workers."""

    # Runs in the child between fork and exec: a system call and no lock, so the threads of
    # the test process (the SMTP sink's) cannot leave it waiting.
    def preexec() -> None:
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # died before prctl: no signal would ever come
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def wait_until(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.1)


class Process:
    """One process of the deployment, in a process group of its own (signals reach its
    children too: gunicorn's and Celery's workers), writing everything to one log file, and
    stopped when the test run dies (dying_with)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.popen: subprocess.Popen[bytes] | None = None
        self.started_at = 0  # characters of the log written before the current run

    def start(self) -> None:
        self.started_at = len(self.log_text())
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=dying_with(os.getpid()),
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM (a worker finishes its task first), SIGKILL after 20 s."""
        self.terminate()
        self.wait_stopped()

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def wait_stopped(self) -> None:
        try:
            self._wait(20)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the whole group: dead at once, mid-task, as in a power cut."""
        self._signal(signal.SIGKILL)
        self._wait(20)

    def _signal(self, number: int) -> None:
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError):  # the group is gone already
                os.killpg(self.popen.pid, number)

    def _wait(self, timeout: float) -> None:
        if self.popen is not None:
            self.popen.wait(timeout=timeout)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def run_log(self) -> str:
        """What the current run wrote."""
        return self.log_text()[self.started_at :]

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 60) -> None:
        def seen() -> bool:
            if self.popen is not None and self.popen.poll() is not None:
                raise AssertionError(f"{self.name} stopped:\n{self.log_text()[-3000:]}")
            return self.run_log().count(text) >= count

        wait_until(seen, f"{text!r} × {count} in the log of {self.name}", timeout)


class Listener:
    """A server process on a port of 127.0.0.1 chosen as it starts. Another process can take
    the port between free_port() and the server's bind: the server then says the port is in
    use (or stops), and is started again on another port."""

    TRIES = 3

    def __init__(
        self, process: Process, command: Callable[[int], list[str]], *, bound: str, taken: str
    ) -> None:
        # `bound` and `taken`: what its log says on binding the port ({port} filled in), and
        # on finding it in use.
        self.process, self.command, self.bound, self.taken = process, command, bound, taken
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process.command = self.command(self.port)
        self.process.start()

    def settle(self, timeout: float = 90) -> None:
        """Once the server listens on its port: started again on another one if it was taken."""
        for _ in range(self.TRIES):
            if self._bound(timeout):
                return
            self.process.stop()
            self.start()
        raise AssertionError(f"{self.process.name} found no free port in {self.TRIES} tries")

    def _bound(self, timeout: float) -> bool:
        outcome: list[bool] = []

        def decided() -> bool:
            log = self.process.run_log()
            if self.bound.format(port=self.port) in log:
                outcome.append(True)
            elif self.taken in log or not self.process.running:
                outcome.append(False)
            return bool(outcome)

        wait_until(decided, f"{self.process.name} to listen on {self.port}", timeout)
        return outcome[0]


def answers(url: str, host: str | None = None) -> bool:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310 - our own servers
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_for_http(process: Process, url: str, *, host: str | None = None, timeout=90) -> None:
    """Until `url` answers 200 (asked for `host`: only a server configured by this run, whose
    ALLOWED_HOSTS has it, does; any other answers 400)."""

    def up() -> bool:
        if not process.running:
            raise AssertionError(f"{process.name} stopped:\n{process.log_text()[-3000:]}")
        return answers(url, host)

    wait_until(up, f"{process.name} to answer {url}", timeout)


# -- PostgreSQL and Redis -------------------------------------------------------------------


def _server_conninfo(url: str) -> tuple[str, str]:
    """(the PostgreSQL server's own database, the test's database name) of a URL."""
    settings = database_from_url("TWO_SERVERS_DATABASE_URL", url)
    server = make_conninfo(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=5,
    )
    return server, settings["NAME"]


def check_servers(database_url: str, redis_url: str) -> None:
    """Raise ConnectionError naming the variable when PostgreSQL or Redis does not answer."""
    try:
        psycopg.connect(_server_conninfo(database_url)[0]).close()
    except psycopg.OperationalError as error:
        raise ConnectionError(f"TWO_SERVERS_DATABASE_URL={database_url}: {error}") from None
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        raise ConnectionError(f"TWO_SERVERS_REDIS_URL={redis_url}: {error}") from None


def create_database(url: str) -> None:
    """A new, empty database of that name (one a failed run left behind is dropped first)."""
    server, name = _server_conninfo(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    server, name = _server_conninfo(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def redis_db(url: str, number: int) -> str:
    """The URL of database `number` on the Redis server of `url`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/{number}"


def empty_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    client.flushdb()
    client.close()
