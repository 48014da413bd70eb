"""Faults of the surroundings: the database locked, away or cut off mid-request, a full disk, a
crash between writing a file and committing its row. Each ends with a clear message, nothing
lost (the typed text comes back), nothing duplicated and nothing orphaned."""

import contextlib
import errno
import os
import socket
import sqlite3
import threading
import uuid
from pathlib import PosixPath

import pytest
from django.core.files import uploadedfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, connection
from django.urls import reverse

from accounts.models import User
from cases import uploads, views
from cases.models import Attachment, Case, Message
from tests import test_case_follow

pytestmark = pytest.mark.django_db
make_case = test_case_follow.make_case  # the cases' factory fixture

TYPED = "<b>ログが消えました</b>\n二行目: 再現手順"
SHOWN = "&lt;b&gt;ログが消えました&lt;/b&gt;"  # shown back as text, never as markup


def quietly(client):
    """A client that, like a browser, gets the response of a failed request (Django's test
    client would otherwise re-raise the exception that the server answered)."""
    client.raise_request_exception = False
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    User.objects.update(language="en")  # the personas read Japanese by default
    return client


def chat(client, case, body=TYPED, post_id=None):
    data = {"body": body, "post_id": str(post_id or uuid.uuid4()), "confirm": "yes"}
    return client.post(reverse("cases:chatter_post", args=[case.number]), data)


def assert_try_again(response, *, typed=True):
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "5"
    content = response.content.decode()
    assert 'data-testid="try-again"' in content
    if typed:
        assert SHOWN in content and "<b>ログ" not in content


def stored_files(settings):
    root = settings.UPLOAD_ROOT / "attachments"
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def temp_dir(settings, tmp_path):
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


# -- the database away ---------------------------------------------------------------------


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


# -- the disks full ------------------------------------------------------------------------


class _FullAfter:
    """A file on a disk with `room[0]` bytes left (shared by every file on that disk): the
    write that does not fit writes what fits, then fails with ENOSPC, as the OS does."""

    def __init__(self, handle, room):
        self._handle = handle
        self._room = room

    def write(self, data):
        if len(data) > self._room[0]:
            self._handle.write(data[: self._room[0]])
            self._handle.flush()
            self._room[0] = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room[0] -= len(data)
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


@pytest.fixture
def full_temp_disk(monkeypatch):
    """The temporary files of uploads are on a disk with 100 kB left."""
    real = uploadedfile.tempfile.NamedTemporaryFile
    room = [100_000]

    def on_full_disk(*args, **kwargs):
        handle = real(*args, **kwargs)
        handle.write = _FullAfter(handle.file, room).write
        return handle

    monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", on_full_disk)


@pytest.fixture
def full_upload_disk(monkeypatch):
    """UPLOAD_ROOT is on a disk with 100 kB left: the writes of uploads.store fail past that."""
    room = [100_000]

    class OnFullDisk(PosixPath):
        def open(self, mode="r", *args, **kwargs):
            handle = super().open(mode, *args, **kwargs)
            return _FullAfter(handle, room) if "w" in mode else handle

    monkeypatch.setattr(uploads, "Path", OnFullDisk)


def admin_upload(client, case, *files):
    return client.post(reverse("admin:cases_case_upload", args=[case.pk]), {"files": list(files)})


def portal_upload(client, case, *files):
    return client.post(
        reverse("cases:attachments_upload", args=[case.number]), {"files": list(files)}
    )


@pytest.mark.parametrize(
    ("who", "send"), [("customer_client", portal_upload), ("operator_client", admin_upload)]
)
def test_it_answers_try_again_when_the_temp_disk_fills_while_a_file_arrives(
    request, customer, make_case, temp_dir, full_temp_disk, settings, who, send
):
    client = quietly(request.getfixturevalue(who))
    case = make_case(customer)
    response = send(
        client,
        case,
        SimpleUploadedFile("small.log", b"fits\n"),
        SimpleUploadedFile("large.log", b"x" * 300_000),
    )
    assert_try_again(response, typed=False)
    assert list(temp_dir.iterdir()) == []  # the partial temporary file is gone at once
    assert not Attachment.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize(
    ("who", "send"), [("customer_client", portal_upload), ("operator_client", admin_upload)]
)
def test_it_reports_a_full_upload_disk_and_leaves_no_row_and_no_file(
    request, customer, make_case, temp_dir, full_upload_disk, settings, who, send
):
    client = quietly(request.getfixturevalue(who))
    case = make_case(customer)
    response = send(
        client,
        case,
        SimpleUploadedFile("first.log", b"a" * 60_000),
        SimpleUploadedFile("second.log", b"b" * 60_000),  # the disk fills during this one
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "The files could not be stored; nothing was saved. Try again later." in page
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []  # neither the first file nor the partial second
    assert list(temp_dir.iterdir()) == []


# -- a crash between the file and its row ---------------------------------------------------


def test_it_keeps_no_file_when_the_commit_fails_after_the_files_were_written(
    customer_client, customer, make_case, temp_dir, settings
):
    case = make_case(customer)
    seen = []

    def fail_at_the_end(execute, sql, params, many, context):
        # The last statement of attachments_add: the files are on disk, their rows inserted.
        if sql.startswith('UPDATE "cases_case"'):
            seen.append(len(stored_files(settings)))
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    client = quietly(customer_client)
    with connection.execute_wrapper(fail_at_the_end):
        response = portal_upload(
            client,
            case,
            SimpleUploadedFile("one.log", b"1\n"),
            SimpleUploadedFile("two.log", b"2\n"),
        )
    assert seen == [2]
    assert_try_again(response, typed=False)
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_file_when_the_commit_itself_fails(
    customer_client, customer, make_case, settings, monkeypatch
):
    client = quietly(customer_client)
    case = make_case(customer)
    failed = []

    def commit_fails():
        # COMMIT refused (the server went away at that very moment): Django rolls back.
        failed.append(len(stored_files(settings)))
        raise OperationalError("server closed the connection unexpectedly")

    real_commit = connection._commit
    monkeypatch.setattr(
        connection, "_commit", lambda: commit_fails() if stored_files(settings) else real_commit()
    )
    response = portal_upload(client, case, SimpleUploadedFile("one.log", b"1\n"))
    monkeypatch.undo()
    assert failed == [1]  # the file was on disk when the commit failed
    assert_try_again(response, typed=False)
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_it_sweeps_the_file_of_a_worker_killed_before_commit(
    customer_client, customer, make_case, settings, monkeypatch
):
    case = make_case(customer)
    portal_upload(customer_client, case, SimpleUploadedFile("kept.log", b"kept\n"))
    kept = Attachment.objects.get()

    class Killed(BaseException):
        """The worker dies: no `except Exception` handler, no clean-up of its own runs."""

    def killed_before_commit(**fields):
        raise Killed

    monkeypatch.setattr(uploads, "remove", lambda names: None)  # dead workers remove nothing
    monkeypatch.setattr(Attachment.objects, "create", killed_before_commit)
    with pytest.raises(Killed):
        portal_upload(customer_client, case, SimpleUploadedFile("lost.log", b"lost\n"))
    monkeypatch.undo()

    orphans = [p for p in stored_files(settings) if p.name != kept.stored_name]
    assert len(orphans) == 1 and Attachment.objects.count() == 1  # the file, but no row
    for path in stored_files(settings):
        os.utime(path, (0, 0))  # older than an upload still in progress could be
    call_command("cleanup_uploads", verbosity=0)
    assert stored_files(settings) == [uploads.path_of(kept.stored_name)]
