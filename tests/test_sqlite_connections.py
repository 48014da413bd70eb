"""SQLite connections kept across requests, as under gunicorn: opened once per worker, never
left holding a lock, and opened again when the database file under the name is another one."""

import io
import os
import sqlite3
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection

from hub.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite only; PostgreSQL's are kept by hub/env.py"
)


def served(path: str) -> int:
    """A request through the WSGI handler, as a server makes it: unlike the test client, it
    lets Django close or keep the connection at the start and end of the request."""
    answers: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    response = WSGIHandler()(environ, lambda status, headers, exc_info=None: answers.append(status))
    b"".join(response)
    response.close()  # request_finished, as the server signals it
    return int(answers[0].split()[0])


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_connection_from_one_request_to_the_next():
    assert served("/healthz") == 200
    opened = connection.connection
    assert served("/healthz") == 200
    assert opened is not None and connection.connection is opened


@pytest.mark.django_db(transaction=True)
def test_it_holds_no_lock_or_snapshot_between_requests():
    assert served("/healthz") == 200
    assert connection.connection is not None
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # the writer's lock is free
        other.execute("ROLLBACK")
        # A checkpoint that empties the WAL needs every reader's snapshot gone.
        busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        other.close()


@pytest.fixture
def kept(tmp_path, django_db_blocker):
    """A connection of the portal's settings to a database of its own, with a table."""
    settings_dict = {**connection.settings_dict, "NAME": str(tmp_path / "portal.sqlite3")}
    wrapper = DatabaseWrapper(settings_dict, alias="kept")
    with django_db_blocker.unblock():
        wrapper.ensure_connection()
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE note (text TEXT)")
            cursor.execute("INSERT INTO note VALUES ('before')")
        yield wrapper
        wrapper.close()


def next_request(wrapper):
    # What Django does at a request's boundary, then at its first query.
    wrapper.close_if_unusable_or_obsolete()
    wrapper.ensure_connection()


def notes(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT text FROM note")
        return [row[0] for row in cursor.fetchall()]


def test_it_opens_the_name_again_when_another_file_was_put_in_its_place(kept, tmp_path):
    opened = kept.connection
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).close()
    os.replace(other, kept.settings_dict["NAME"])
    next_request(kept)
    kept.cursor().close()  # the first query of the request checks the file
    # What the new file then reads is SQLite's business: swapping a WAL database under a
    # running server leaves the old one's -wal beside it, so a restore stops the server first.
    assert kept.connection is not opened


def test_it_never_writes_on_into_a_deleted_database_file(kept):
    os.unlink(kept.settings_dict["NAME"])
    next_request(kept)
    # Opened again by name: an empty file, so the request fails (a 503) instead of writing
    # into a file that nobody will ever read.
    with pytest.raises(OperationalError, match="no such table"):
        notes(kept)


def test_it_keeps_the_connection_while_the_file_is_the_same(kept):
    opened = kept.connection
    next_request(kept)
    assert kept.connection is opened
    assert notes(kept) == ["before"]
