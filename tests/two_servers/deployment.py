"""Two servers, A and B, as an operator stands them up: one PostgreSQL database, Redis (cache
and sessions in one database, the task broker in another), one S3 bucket, a Celery worker and
beat, mail by SMTP. Each server has a VAR_DIR and UPLOAD_ROOT of its own, so anything kept on
one server's disk or in one process's memory is missing on the other."""

import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import boto3

from tests.two_servers.processes import (
    PASSED_ON,
    PYTHON,
    ROOT,
    Listener,
    Process,
    create_database,
    drop_database,
    dying_with,
    empty_redis,
    redis_db,
    wait_for_http,
)

# A short mail retry interval (and claim lease, server_settings.py): an email a killed worker
# held is sent again within seconds, not minutes. The broker's visibility timeout stays above
# the lease and the longest retry countdown, as the settings demand (a killed worker's message
# comes back then).
MAIL_RETRY_SECONDS = 3
VISIBILITY_TIMEOUT_SECONDS = 3600
S3_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # moto takes any
REGION = "us-east-1"


@dataclass
class Server:
    name: str
    listener: Listener
    upload_root: Path

    @property
    def url(self) -> str:
        return self.listener.url

    @property
    def process(self) -> Process:
        return self.listener.process


class Deployment:
    def __init__(
        self,
        folder: Path,
        *,
        database_url: str,
        redis_url: str,
        redis_dbs: tuple[int, int],
        smtp_port: int,
    ):
        self.folder = folder
        self.database_url = database_url
        self.cache_url, self.broker_url = (redis_db(redis_url, number) for number in redis_dbs)
        self.smtp_port = smtp_port
        self.secret_key = secrets.token_urlsafe(50)
        # The portal's public name in this run (SITE_URL, ALLOWED_HOSTS): a server answers
        # /healthz asked for it only if this run configured it, not a stray one on its port.
        self.host = f"run-{secrets.token_hex(6)}.test"
        self.bucket = "hub-two-servers"
        self.processes: list[Process] = []
        self.servers: dict[str, Server] = {}
        # Made by tests/two_servers/seed.py: who signs in (email, password, TOTP key), who
        # is mailed a customer's post (the operator's email), the case's number.
        self.people: dict[str, dict[str, str]] = {}
        self.operator = self.case = ""
        self.worker = self.process(
            "worker", celery("worker", "--concurrency", "2", "--without-gossip", "--without-mingle")
        )
        self.beat = self.process(
            "beat", celery("beat", "--schedule", str(self.folder / "beat-schedule"))
        )
        self.moto = Listener(
            self.process("moto", []),
            lambda port: [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            bound="Running on http://127.0.0.1:{port}",
            taken="Address already in use",
        )
        for name in ("A", "B"):
            listener = Listener(
                self.process(name, []),
                gunicorn,
                bound="Listening at: http://127.0.0.1:{port}",
                taken="Connection in use",
            )
            self.servers[name] = Server(name, listener, self.folder / name / "uploads")

    @property
    def s3_endpoint(self) -> str:
        return self.moto.url

    # -- environment ----------------------------------------------------------------------

    def env(self, role: str) -> dict[str, str]:
        """What the process of `role` is configured with: the same for every process but its
        VAR_DIR and UPLOAD_ROOT."""
        var_dir = self.folder / role
        (var_dir / "static").mkdir(parents=True, exist_ok=True)
        storage = f"s3://{self.bucket}?endpoint_url={self.s3_endpoint}&region_name={REGION}"
        return passed_on() | {
            "DJANGO_SETTINGS_MODULE": "tests.two_servers.server_settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": f"127.0.0.1,{self.host}",
            "SITE_URL": f"http://{self.host}",
            "RELEASE": "two-servers",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.cache_url,
            "CELERY_BROKER_URL": self.broker_url,
            "STORAGE_URL": storage + "&addressing_style=path",
            "AWS_ACCESS_KEY_ID": S3_KEYS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": S3_KEYS["aws_secret_access_key"],
            "VAR_DIR": str(var_dir),
            "UPLOAD_ROOT": str(var_dir / "uploads"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "0",
            "MAIL_RETRY_SECONDS": str(MAIL_RETRY_SECONDS),
            "BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
            "LOG_LEVEL": "INFO",
        }

    def process(self, role: str, command: list[str]) -> Process:
        """A process of the deployment, configured (env) once the S3 server's port is known."""
        process = Process(role, command, passed_on(), self.folder / f"{role}.log")
        self.processes.append(process)
        return process

    def manage(self, *args: str, timeout: float = 300) -> str:
        """`manage.py ARGS` as an operator runs it on server A."""
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env("A"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=dying_with(os.getpid()),
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done.stdout

    def s3(self):
        return boto3.client("s3", endpoint_url=self.s3_endpoint, region_name=REGION, **S3_KEYS)

    # -- start and stop ---------------------------------------------------------------------

    def start(self) -> None:
        empty_redis(self.cache_url)
        empty_redis(self.broker_url)
        create_database(self.database_url)
        # The S3 server starts while the database is made ready; everything else is told its
        # port, so starts once it listens.
        self.moto.start()
        seeded = json.loads(
            self.manage("shell", "-v", "0", "-c", "from tests.two_servers import seed; seed.main()")
        )
        self.people, self.operator, self.case = (seeded[k] for k in ("people", "operator", "case"))
        self.moto.settle()
        for process in self.processes:
            if process is not self.moto.process:
                process.env = self.env(process.name)
        for server in self.servers.values():
            server.listener.start()
        # The worker and beat only once the tables exist: beat's first mail retry would fail.
        self.worker.start()
        self.beat.start()
        wait_for_http(self.moto.process, f"{self.s3_endpoint}/moto-api/")
        self.s3().create_bucket(Bucket=self.bucket)
        for server in self.servers.values():
            server.listener.settle()
            wait_for_http(server.process, f"{server.url}/healthz", host=self.host)
        self.worker.wait_for_log(" ready.")
        self.beat.wait_for_log("beat: Starting...")

    def stop(self) -> None:
        try:
            for process in self.processes:
                process.terminate()
            for process in self.processes:
                process.wait_stopped()
        finally:
            drop_database(self.database_url)
            empty_redis(self.cache_url)
            empty_redis(self.broker_url)

    def logs(self) -> list[tuple[str, str]]:
        return [(process.name, process.log_text()) for process in self.processes]


def passed_on() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in PASSED_ON or k.startswith("LC_")}


def gunicorn(port: int) -> list[str]:
    # --no-control-socket: gunicorn 27 otherwise shares one control socket path per user.
    command = [PYTHON, "-m", "gunicorn", "hub.wsgi", "--bind", f"127.0.0.1:{port}"]
    return [*command, "--workers", "2", "--access-logfile", "-", "--no-control-socket"]


def celery(*args: str) -> list[str]:
    return [PYTHON, "-m", "celery", "-A", "hub", *args, "--loglevel", "INFO"]
