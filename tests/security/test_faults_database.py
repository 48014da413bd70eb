"""The database locked, away or cut off mid-request: a clear "try again", the typed text kept,
nothing written, and one post once it is back."""

import contextlib
import socket
import sqlite3
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.urls import reverse

from cases import views
from cases.models import Attachment, Case, Message
from tests.security.faults import (
    TYPED,
    assert_try_again,
    chat,
    quietly,
    stored_files,
)

pytestmark = pytest.mark.django_db


def test_it_answers_try_again_when_the_first_query_fails_in_middleware(
    customer_client, customer, make_case
):
    case = make_case(customer)
    refused = []

    def unreachable(execute, sql, params, many, context):
        refused.append(sql)
        raise OperationalError("server closed the connection unexpectedly")

    client = quietly(customer_client)
    with connection.execute_wrapper(unreachable):
        response = chat(client, case)
    assert_try_again(response)
    assert "please try again" in response.content.decode()  # in the browser's language
    assert "django_session" in refused[0]  # failed in the session layer, before any view
    assert not Message.objects.exists()


def test_it_answers_try_again_for_an_upload_while_the_database_is_away_and_writes_nothing(
    customer_client, customer, make_case, temp_dir, settings
):
    case = make_case(customer)

    def unreachable(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    client = quietly(customer_client)
    with connection.execute_wrapper(unreachable):
        response = client.post(
            reverse("cases:attachments_upload", args=[case.number]),
            {"files": [SimpleUploadedFile("big.log", b"x" * (2 * 1024 * 1024))]},
        )
    assert_try_again(response, typed=False)
    assert list(temp_dir.iterdir()) == []
    assert not Attachment.objects.exists() and not stored_files(settings)


def test_it_renders_try_again_without_the_database_in_trainer_mode_too(
    customer_client, customer, make_case, settings
):
    # Trainer mode adds the tour checklist to every page; the 503 page must not ask for it.
    settings.DEMO_MODE = True
    case = make_case(customer)
    queries = []

    def unreachable(execute, sql, params, many, context):
        queries.append(sql)
        raise OperationalError("database is locked")

    client = quietly(customer_client)
    with connection.execute_wrapper(unreachable):
        response = chat(client, case)
    assert_try_again(response)
    assert len(queries) == 1  # the first failure, and nothing more was asked of the database


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the database server until stopped; stopping cuts every open
    connection at once, as a restarted server or a dropped network would."""

    def __init__(self, target):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self):
        self.stopped.set()
        self.listener.close()
        for end in self.sockets:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


@pytest.fixture
def proxied_database():
    """The test's database connection goes through a TcpProxy (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server to cut off: run with DATABASE_URL=postgres://…")
    settings_dict = connection.settings_dict
    original = settings_dict["HOST"], settings_dict["PORT"]
    proxy = TcpProxy((original[0] or "127.0.0.1", int(original[1] or 5432)))
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", proxy.port

    def restore():
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = original

    try:
        yield proxy, restore
    finally:
        proxy.stop()
        restore()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("when", ["before the request", "inside the view"])
def test_it_survives_postgresql_going_away_and_posts_once_when_it_is_back(
    proxied_database, customer_client, customer, make_case, monkeypatch, when
):
    proxy, restore = proxied_database
    client = quietly(customer_client)
    case = make_case(customer)
    post_id = uuid.uuid4()
    if when == "before the request":
        proxy.stop()  # the first query, in the session layer, meets a dead connection
    else:
        real = views.message_post

        def cut_then_post(**kwargs):
            proxy.stop()
            return real(**kwargs)

        monkeypatch.setattr(views, "message_post", cut_then_post)
    assert_try_again(chat(client, case, post_id=post_id))

    restore()  # the server is back
    monkeypatch.undo()
    assert not Message.objects.exists()
    for _ in range(2):  # sent again, then once more by a double click
        assert chat(client, case, post_id=post_id).status_code == 302
    assert list(Message.objects.values_list("body", flat=True)) == [TYPED]


@pytest.mark.django_db(transaction=True)
def test_it_answers_try_again_while_sqlite_is_held_busy_and_posts_once_after(
    customer_client, customer, make_case
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's writer lock; PostgreSQL has row locks instead")
    client = quietly(customer_client)
    case = make_case(customer)
    post_id = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout = cursor.fetchone()[0]
        # SQLITE_BUSY_TIMEOUT, made short: how long a writer waits for the lock.
        cursor.execute("PRAGMA busy_timeout = 200")
    writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a long writer holds the lock
        response = chat(client, case, post_id=post_id)
        assert_try_again(response)
        writer.execute("ROLLBACK")
        assert not Message.objects.exists()
        assert Case.objects.get(pk=case.pk).status == case.status  # no half change
        for _ in range(2):
            assert chat(client, case, post_id=post_id).status_code == 302
        assert list(Message.objects.values_list("body", flat=True)) == [TYPED]
    finally:
        writer.close()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
