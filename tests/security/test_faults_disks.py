"""A full disk, and a crash between writing a file and committing its row: a clear message,
no row without its file and no file without its row."""

import errno
import os
from pathlib import PosixPath

import pytest
from django.core.files import uploadedfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, connection
from django.urls import reverse

from cases import uploads
from cases.models import Attachment
from tests.security.faults import (
    assert_try_again,
    quietly,
    stored_files,
)

pytestmark = pytest.mark.django_db


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
