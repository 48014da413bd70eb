"""Settings: env-driven, SQLite tuned for concurrent use, PostgreSQL by URL, nonsense refused."""

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from catalog.models import Service
from hub.env import SettingsError, database_from_url
from tests.helpers import HUB_PARENT, needs_checkout, subprocess_env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Jd9-pQ2v_x8ZrT4wLm6YbN0cHs5FgA1eUiO7tRyWqE2zXvB9nM",
    "ALLOWED_HOSTS": "hub.example.com",
    "HTTPS": "1",
}


def manage(*args, **env):
    """`manage.py ARGS`: the checkout's start-up, which checks the settings first (one line on a
    bad value or a missing key), then runs the command."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def django(*args, **env):
    """`python -m django ARGS` on the code the tests import: the checkout or an installed copy."""
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=subprocess_env(
            PYTHONPATH=str(HUB_PARENT), DJANGO_SETTINGS_MODULE="hub.settings", **env
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )


# The one-line refusals of tests marked with it come from manage.py (hub.env.settings_or_exit).
START_UP_CHECKS = "manage.py's start-up checks"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_it_runs_sqlite_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_it_takes_the_sqlite_write_lock_when_a_transaction_begins():
    """A read-then-write transaction holds the lock from its start, so a second writer waits at
    its BEGIN instead of deadlocking halfway through."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        with transaction.atomic():
            Service.objects.count()  # a read only: a deferred BEGIN would take no lock yet
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ends
        other.rollback()
    finally:
        other.close()


@pytest.mark.django_db
def test_it_keeps_uploads_under_var_with_no_public_url(client):
    assert Path(default_storage.location).is_relative_to(settings.VAR_DIR)
    name = default_storage.save("probe/secret.txt", ContentFile(b"confidential"))
    try:
        for url in (f"/{name}", f"{settings.MEDIA_URL}{name}", f"/media/{name}"):
            assert client.get(url).status_code == 404
    finally:
        default_storage.delete(name)


def test_it_chooses_postgresql_from_database_url():
    db = database_from_url("DATABASE_URL", "postgres://hub:s%40cret@db.internal:6543/hub")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("hub", "hub", "s@cret")
    assert (db["HOST"], db["PORT"]) == ("db.internal", "6543")


def test_it_switches_the_running_project_to_postgresql():
    result = django(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.db import connection as c; print(c.vendor, c.settings_dict['NAME'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "test"]


@pytest.mark.parametrize(
    "url",
    ["mysql://x/y", "postgres://host", "postgres://host/a/b", "postgres://h:port/db", "nonsense"],
)
def test_it_rejects_a_malformed_database_url(url):
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        database_from_url("DATABASE_URL", url)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "postgres://h:port/db"),
        ("HTTPS", "sometimes"),
        ("SQLITE_BUSY_TIMEOUT", "soon"),
        ("EMAIL_PORT", "-1"),
        # Below 20 × EMAIL_TIMEOUT (10 s): a slow send's claim would run out mid-send.
        ("EMAIL_CLAIM_LEASE", "199"),
    ],
)
@needs_checkout(START_UP_CHECKS)
def test_it_stops_start_up_on_a_bad_value_naming_the_variable(name, value):
    result = manage("check", **{name: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {name}")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "env",
    [
        # A refused email's task waits up to 1800 s for its retry, unacknowledged.
        {"BROKER_VISIBILITY_TIMEOUT": "1800"},
        # A task waiting out another sender's claim: the default 3600 s no longer outlasts it.
        {"EMAIL_CLAIM_LEASE": "3600"},
    ],
)
@needs_checkout(START_UP_CHECKS)
def test_it_stops_start_up_on_a_broker_that_would_run_waiting_tasks_twice(env):
    broker = {"REDIS_URL": "", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/7"}
    result = manage("check", **broker, **env)
    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error: BROKER_VISIBILITY_TIMEOUT")
    assert len(result.stderr.strip().splitlines()) == 1
    assert manage("check", **broker | {"CELERY_BROKER_URL": ""}, **env).returncode == 0, (
        "no broker, nothing to refuse"
    )


def test_it_passes_check_deploy_with_production_values():
    result = django("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_warns_in_check_deploy_when_debug_is_on():
    result = django("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION | {"DEBUG": "1"})
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


# The settings, then every app and the URLs, as any command or worker starts.
START_UP = (
    "import django, hub.settings as s; django.setup(); from django.urls import resolve; "
    "resolve('/'); print(s.VAR_DIR, bool(s.SECRET_KEY))"
)


def test_it_writes_nothing_when_the_settings_are_imported(tmp_path):
    var = tmp_path / "fresh" / "var"
    result = subprocess.run(
        [sys.executable, "-c", START_UP],
        cwd=tmp_path,
        env=subprocess_env(
            VAR_DIR=str(var), PYTHONPATH=str(HUB_PARENT), DJANGO_SETTINGS_MODULE="hub.settings"
        )
        | {"SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(var), "False"]
    assert list(tmp_path.iterdir()) == []


def test_it_prepares_var_and_keeps_the_local_secret_key(tmp_path):
    env = {"VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": ""}
    first = django("prepare", **env)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    key = key_file.read_text()
    assert django("prepare", **env).returncode == 0
    assert key_file.read_text() == key and len(key) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var" / "static").is_dir()
    read = "from django.conf import settings; print(settings.SECRET_KEY)"
    assert django("shell", "--verbosity=0", "-c", read, **env).stdout.strip() == key


@needs_checkout("the default VAR_DIR is the checkout's var/")
def test_it_keeps_var_in_the_checkout_wherever_a_command_starts(tmp_path):
    env = {k: v for k, v in subprocess_env(PYTHONPATH=str(ROOT)).items() if k != "VAR_DIR"}
    result = subprocess.run(
        [sys.executable, "-c", "import hub.settings as s; print(s.VAR_DIR)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == str(ROOT / "var"), result.stderr


def test_it_asks_an_installed_package_where_var_is(tmp_path):
    """Without a checkout around it, the working directory is no default: from / it is /var."""
    site = tmp_path / "site"
    shutil.copytree(
        HUB_PARENT / "hub",
        site / "hub",
        ignore=shutil.ignore_patterns("templates", "static", "locale", "__pycache__"),
    )
    env = {k: v for k, v in subprocess_env(PYTHONPATH=str(site)).items() if k != "VAR_DIR"}
    result = subprocess.run(
        [sys.executable, "-c", "import hub.settings"],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "VAR_DIR is not set" in result.stderr


@needs_checkout(START_UP_CHECKS)
def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "var").exists(), "refusing writes nothing"


def test_it_refuses_a_server_without_a_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import hub.wsgi"],
        cwd=ROOT,
        env=subprocess_env(
            VAR_DIR=str(tmp_path / "var"), SECRET_KEY="", PYTHONPATH=str(HUB_PARENT)
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr


def test_it_replaces_an_empty_key_file(tmp_path):
    env = {"VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": ""}
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("")
    assert django("prepare", **env).returncode == 0
    key = (tmp_path / "var" / "secret_key").read_text()
    assert len(key) >= 50
    read = "from django.conf import settings; print(settings.SECRET_KEY)"
    assert django("shell", "--verbosity=0", "-c", read, **env).stdout.strip() == key
