"""The portal as the bench runs it: its own VAR_DIR and database, the data made once, and
gunicorn with production settings on a free port of 127.0.0.1."""

import hashlib
import importlib.metadata
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.web import BenchError, BenchSkipped

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# What the bench takes from the caller's environment: nothing that changes the portal's
# settings (a DEBUG or DATABASE_URL left in a shell would change what is measured).
PASSED_ON = {"PATH", "HOME", "LANG", "LANGUAGE", "TERM", "TMPDIR", "USER", "LOGNAME", "TZ"}
WORKERS = 2


@dataclass(frozen=True)
class Database:
    label: str  # SQLite, PostgreSQL
    slug: str  # the folder under the bench's VAR_DIR
    url: str = ""  # DATABASE_URL; empty for SQLite
    # With Redis, the object store and a Celery worker (bench/shared.py), on this database's
    # folder and data.
    shared: bool = False


def environment(var_dir: Path, database: Database) -> dict[str, str]:
    """Production settings (DEBUG off, mail to files) with the bench's reference view."""
    env = {k: v for k, v in os.environ.items() if k in PASSED_ON or k.startswith("LC_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "BENCH_VIEWS": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    if database.url:
        env["DATABASE_URL"] = database.url
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """`manage.py ARGS` in the checkout; BenchError with the end of its output on failure."""
    try:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"manage.py {' '.join(args)} took more than {timeout:.0f} s") from None
    if done.returncode:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise BenchError(f"manage.py {' '.join(args)} failed:\n" + "\n".join(tail))
    return done.stdout


def prepare(
    env: dict[str, str],
    var_dir: Path,
    *,
    generate: Sequence[str],
    fresh: bool,
    new_database: bool,
    say: Any = print,
) -> dict[str, Any]:
    """Make the folder, the schema, the catalogue, the data (once: kept while its stamp says
    it was made with the same options) and the static files. Returns the handles file."""
    var_dir.mkdir(parents=True, exist_ok=True)
    manage(env, "prepare")
    manage(env, "migrate", "--noinput", timeout=900)
    manage(env, "load_catalogue", "--if-empty")
    handles_path, stamp_path = var_dir / "handles.json", var_dir / "data-stamp.json"
    stamp = {"generate_data": list(generate), "database": env.get("DATABASE_URL", "sqlite")}
    kept = (
        not fresh
        and not new_database
        and handles_path.is_file()
        and stamp_path.is_file()
        and json.loads(stamp_path.read_text()) == stamp
    )
    if kept:
        say(f"  data: kept ({handles_path}; --fresh makes it again)")
    else:
        stamp_path.unlink(missing_ok=True)
        say("  data: generating (minutes, once) …")
        started = time.monotonic()
        # --reset: the generator removes its earlier data (and only that) first.
        again = [] if new_database else ["--reset"]
        out = manage(
            env, "generate_data", *generate, *again, "--handles", str(handles_path), timeout=3600
        )
        say(f"  data: made in {time.monotonic() - started:.0f} s. {out.strip()[-300:]}")
        stamp_path.write_text(json.dumps(stamp))
    collect_static(env, var_dir)
    return dict(json.loads(handles_path.read_text()))


def collect_static(env: dict[str, str], var_dir: Path) -> None:
    """collectstatic, when a static file or an installed package changed since it last ran
    here: it compresses every file again, a minute on a busy machine."""
    stamp = var_dir / "static" / ".bench-fingerprint"
    fingerprint = _static_fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return
    manage(env, "collectstatic", "--noinput", "--verbosity", "0", timeout=900)
    stamp.write_text(fingerprint)


def _static_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/static/**/*")):
        if path.is_file() and path.relative_to(ROOT).parts[0] != "var":
            stat = path.stat()
            digest.update(f"{path.relative_to(ROOT)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    for package in sorted(f"{d.name}=={d.version}" for d in importlib.metadata.distributions()):
        digest.update(package.encode())
    return digest.hexdigest()


# -- PostgreSQL --------------------------------------------------------------------------------


def postgres(url: str) -> tuple[str, bool]:
    """Make the database of `url` when it is missing. Returns the server's version and whether
    the database is new; BenchError when no server answers."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    from hub.env import SettingsError, database_from_url

    try:
        settings = database_from_url("DATABASE_URL", url)
    except SettingsError as error:
        raise BenchError(str(error)) from None
    # The server's own database: the bench's may not exist yet.
    server = make_conninfo(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=5,
    )
    try:
        with psycopg.connect(server, autocommit=True) as connection:
            version = str(connection.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
            ).fetchone()
            if not exists:
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"]))
                )
    except psycopg.OperationalError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise BenchSkipped(f"no PostgreSQL server answers at {url}: {first}") from None
    return version, not exists


# -- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=2) as answer:  # noqa: S310 - our own server
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """gunicorn as `make serve` runs it (2 sync workers, gunicorn.conf.py of the checkout),
    stopped with its workers whatever happens."""
    command = [PYTHON, "-m", "gunicorn", "hub.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS), "--worker-class", "sync", "--error-logfile", str(log)]
    # gunicorn 27 otherwise makes one control socket path per user: two benches (or the
    # two-server test) at once would share it.
    command += ["--no-control-socket"]
    with _serving("gunicorn", command, env, port, log) as base_url:
        yield base_url


@contextmanager
def runserver(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """The server of `make run` (Django's threaded development server, DEBUG and trainer mode
    on, as the Makefile's DEV_ENV sets them), against the same database."""
    dev_env = env | {"DEBUG": "1", "DEMO_MODE": "1"}
    command = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with _serving("runserver", command, dev_env, port, log) as base_url:
        yield base_url


@contextmanager
def _serving(
    name: str, command: list[str], env: dict[str, str], port: int, log: Path
) -> Iterator[str]:
    base_url = f"http://127.0.0.1:{port}"
    with started(name, command, env, log, lambda: _healthy(base_url), waiting_for="/healthz"):
        yield base_url


@contextmanager
def started(
    name: str,
    command: list[str],
    env: dict[str, str],
    log: Path,
    ready: Callable[[], bool],
    *,
    waiting_for: str,
    stdout: bool = False,
) -> Iterator[None]:
    """`command` in the checkout, in a process group of its own, until `ready()` holds (60 s at
    most); stopped with its children whatever happens. Its stderr (and stdout if asked) goes to
    `log`."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output if stdout else subprocess.DEVNULL,
            stderr=output,
            start_new_session=True,  # its own process group: stopped with its workers
        )
    try:
        deadline = time.monotonic() + 60
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text()[-2000:] if log.exists() else ""
                raise BenchError(f"{name} did not answer {waiting_for}:\n{tail}")
            time.sleep(0.3)
        yield
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
