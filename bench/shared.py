"""The shared parts of issue #15 for `make bench`'s third run: Redis for the cache, the sessions
and Celery's broker, an S3 bucket (moto's server) for the attachments and a Celery worker for
the mail, beside the same PostgreSQL database and data as the embedded PostgreSQL run.

The bench owns the two Redis databases it is given (REDIS_URL_BENCH, db 5 and the next one by
default) and empties them when the run starts: cold caches and an empty queue, as the embedded
run starts with each worker's empty memory.
"""

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import server
from bench.web import BenchError, BenchSkipped

DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
BUCKET = "hub-bench"
# moto accepts any key; boto3 wants one to sign its requests with.
KEYS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
WORKER = ["-m", "celery", "-A", "hub", "worker", "--concurrency", "2"]
WORKER += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
# moto's server without werkzeug's line per request: writing that log is the bench's cost on
# these cores, not one an object store would put on the portal's machine.
MOTO_CALL = """\
import logging, sys
logging.getLogger("werkzeug").setLevel(logging.WARNING)
from moto.server import main
main(sys.argv[1:])
"""
DRAIN_S = 120


def redis_url(environ: dict[str, str] | None = None) -> str:
    """The cache's Redis: REDIS_URL_BENCH, else db 5 of the local server."""
    given = (os.environ if environ is None else environ).get("REDIS_URL_BENCH", "")
    return given or DEFAULT_REDIS


def next_database(url: str) -> str:
    """The same Redis server's next database number: the broker's, beside the cache's, so that
    emptying one never drops the other's keys."""
    parts = urlsplit(url)
    number = parts.path.strip("/") or "0"
    if not number.isdigit():
        raise BenchError(f"{url}: the database number is not a number; give --broker-url")
    return urlunsplit(parts._replace(path=f"/{int(number) + 1}"))


def storage_url(endpoint: str) -> str:
    """STORAGE_URL of the bench's bucket on the object store at `endpoint`."""
    # Unquoted, as docs/deploy.md writes it: an http://host:port holds no & or =.
    return f"s3://{BUCKET}?endpoint_url={endpoint}&region_name=us-east-1&addressing_style=path"


def environment(
    env: dict[str, str], *, cache_url: str, broker_url: str, endpoint: str
) -> dict[str, str]:
    """The embedded run's environment with every shared part switched on."""
    return (
        env
        | KEYS
        | {
            "REDIS_URL": cache_url,
            "CELERY_BROKER_URL": broker_url,
            "STORAGE_URL": storage_url(endpoint),
        }
    )


# -- Redis -------------------------------------------------------------------------------------


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def redis_version(url: str) -> str:
    """The server's version; BenchSkipped when no Redis answers at `url`."""
    import redis

    try:
        return str(_redis(url).info("server")["redis_version"])
    except redis.RedisError as error:
        raise BenchSkipped(
            f"no Redis answers at {url} ({error}): the run with the shared parts needs one "
            "(start it, or point REDIS_URL_BENCH or --redis-url at one)"
        ) from None


def empty(url: str) -> None:
    _redis(url).flushdb()


def queued(broker_url: str) -> int:
    """Tasks on the broker not yet done: waiting in a queue's list (Celery's priority steps are
    lists of their own) or taken by the worker and not acknowledged (kombu's `unacked`)."""
    client = _redis(broker_url)
    lists = [key for key in client.scan_iter("celery*") if client.type(key) == b"list"]
    return sum(int(client.llen(key)) for key in lists) + int(client.hlen("unacked"))


def drain_note(broker_url: str, *, timeout_s: float = DRAIN_S) -> str:
    """How long the worker took to finish the mail the posts queued, once their load ended."""
    waiting, started = queued(broker_url), time.monotonic()
    while queued(broker_url):
        if time.monotonic() - started > timeout_s:
            return (
                f"Celery: {waiting} tasks were queued when the post load ended; "
                f"{queued(broker_url)} were still there {timeout_s:.0f} s later."
            )
        time.sleep(0.2)
    return (
        f"Celery: {waiting} tasks (notification emails of the posts) were queued when the post "
        f"load ended; the worker had finished them {time.monotonic() - started:.1f} s later."
    )


# -- the object store and the worker -----------------------------------------------------------


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server
            return True
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def object_store(env: dict[str, str], log: Path) -> Iterator[str]:
    """moto's S3 server on a free port (its objects live in its memory); yields its URL."""
    port = server.free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [server.PYTHON, "-c", MOTO_CALL, "-H", "127.0.0.1", "-p", str(port)]
    ready = lambda: _answers(endpoint + "/moto-api/")  # noqa: E731
    with server.started("moto's S3 server", command, env, log, ready, waiting_for="/moto-api/"):
        yield endpoint


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[None]:
    """`celery -A hub worker` as `make worker` runs it, until it says it is ready."""
    log.unlink(missing_ok=True)  # "ready." of an earlier run is not this worker's
    ready = lambda: " ready." in log.read_text(errors="replace")  # noqa: E731
    command = [server.PYTHON, *WORKER]
    with server.started(
        "celery worker", command, env, log, ready, waiting_for="ready.", stdout=True
    ):
        yield


def fill_bucket(env: dict[str, str], numbers: list[str]) -> dict[str, Any]:
    """Make the bucket and copy the files of the cases `numbers` into it (bench/bucket.py)."""
    done = subprocess.run(
        [server.PYTHON, "-m", "bench.bucket"],
        cwd=server.ROOT,
        env=env,
        input=json.dumps({"cases": numbers}),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise BenchError("filling the bucket failed:\n" + done.stderr[-3000:])
    return dict(json.loads(done.stdout))


@contextmanager
def parts(
    env: dict[str, str],
    var_dir: Path,
    handles: dict[str, Any],
    *,
    cache_url: str,
    broker_url: str,
    notes: list[str],
    say: Any = print,
) -> Iterator[dict[str, str]]:
    """Redis emptied, the object store started and filled, the worker running: yields the
    environment of the portal's processes with the shared parts on."""
    empty(cache_url)
    empty(broker_url)
    with object_store(env, var_dir / "moto.log") as endpoint:
        shared = environment(env, cache_url=cache_url, broker_url=broker_url, endpoint=endpoint)
        numbers = [str(handles[case]["number"]) for case in ("long_case", "short_case")]
        started = time.monotonic()
        copied = fill_bucket(shared, numbers)
        took = time.monotonic() - started
        note = (
            f"Object store: moto's S3 server at {endpoint}; the {copied['files']} generated "
            f"files of the 1,000-message and the 5-message case ({copied['bytes']:,} bytes) "
            f"copied into its bucket in {copied['seconds']:.1f} s ({took:.1f} s with the "
            "process's start). Only these: no page of the bench reads another case's files, "
            "and a page would answer 404 for a file missing from the bucket."
        )
        say(f"  {note}")
        notes.append(note)
        with worker(shared, var_dir / "celery-worker.log"):
            yield shared
