"""Settings: env-driven, SQLite tuned for concurrent use, PostgreSQL by URL, nonsense refused."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hub.env import SettingsError, database_from_url
from tests.conftest import subprocess_env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Jd9-pQ2v_x8ZrT4wLm6YbN0cHs5FgA1eUiO7tRyWqE2zXvB9nM",
    "ALLOWED_HOSTS": "hub.example.com",
    "HTTPS": "1",
}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_it_runs_sqlite_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000
    assert connection.transaction_mode == "IMMEDIATE"


@pytest.mark.django_db
def test_it_keeps_uploads_under_var_with_no_public_url(client):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

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
    result = manage(
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
    ],
)
def test_it_stops_start_up_on_a_bad_value_naming_the_variable(name, value):
    result = manage("check", **{name: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {name}")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_it_passes_check_deploy_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_warns_in_check_deploy_when_debug_is_on():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION | {"DEBUG": "1"})
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr
