"""Attachments: the allow-list, file names, limits, downloads and leftovers."""

import errno
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases import services, uploads
from cases.models import Attachment
from cases.uploads import clean_name, path_of
from tests.helpers import detail, force_sign_in, upload

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_it_attaches_and_downloads_a_file_safely(customer_client, customer, make_case, colleague):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("画面.png", PNG, "image/png"))
    attachment = Attachment.objects.get()
    assert attachment.size == len(PNG) and len(attachment.sha256) == 64
    assert attachment.name == "画面.png" and attachment.stored_name != "画面.png"
    page = customer_client.get(detail(case, tab="attachments")).content.decode()
    assert attachment.sha256 in page and "画面.png" in page
    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])
    response = customer_client.get(url)
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%94%BB%E9%9D%A2.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Security-Policy"].startswith("sandbox")
    other = force_sign_in(Client(), colleague)
    assert other.get(url).status_code == 200, "colleagues see the company's files"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
        ("fake.png", b"<html><body>not a png</body></html>"),
        ("notes.txt", b"<script>alert(1)</script>"),
        ("empty.txt", b""),
        ("tool.exe", b"MZ\x90\x00"),
        ("binary.txt", b"\x00\x01\x02"),
    ],
)
def test_it_refuses_files_outside_the_allow_list_and_stores_nothing(
    customer_client, customer, make_case, settings, name, content
):
    case = make_case(customer)
    response = upload(customer_client, case, SimpleUploadedFile(name, content))
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    stored = settings.UPLOAD_ROOT / "attachments"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_it_accepts_a_png_html_polyglot_but_only_ever_as_a_download(
    customer_client, customer, make_case
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("poly.png", PNG + b"<script>x</script>"))
    attachment = Attachment.objects.get()
    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])
    response = customer_client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\evil\\log.txt", "log.txt"),
        ("x" * 300 + ".txt", "x" * 196 + ".txt"),
        ("CON.txt", "CON.txt"),
        ("invoice\u202etxt.exe.txt", "invoicetxt.exe.txt"),
    ],
)
def test_it_cleans_file_names(customer_client, customer, make_case, raw, clean):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile(raw, b"plain text log\n"))
    attachment = Attachment.objects.get()
    assert attachment.name == clean
    response = customer_client.get(
        reverse("cases:attachment_download", args=[case.number, attachment.pk])
    )
    assert (
        "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]
    )


def test_it_strips_line_breaks_from_file_names():
    assert clean_name("a\r\nSet-Cookie: x.txt") == "a__Set-Cookie_ x.txt"


def test_it_enforces_the_size_and_count_limits(customer_client, customer, make_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    settings.ATTACHMENT_MAX_FILES = 3
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("exact.txt", b"a" * 100))
    assert Attachment.objects.count() == 1
    response = upload(customer_client, case, SimpleUploadedFile("over.txt", b"a" * 101))
    assert Attachment.objects.count() == 1
    page = customer_client.get(response.url).content.decode()
    assert "over.txt" in page
    files = [SimpleUploadedFile(f"{n}.txt", b"log\n") for n in range(4)]
    upload(customer_client, case, *files)
    assert Attachment.objects.count() == 1
    files = [SimpleUploadedFile("dup.txt", b"log\n"), SimpleUploadedFile("dup.txt", b"log\n")]
    upload(customer_client, case, *files)
    assert Attachment.objects.filter(name="dup.txt").count() == 2


def test_it_keeps_no_file_when_the_database_write_fails(customer, make_case, settings, monkeypatch):
    case = make_case(customer)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.Attachment.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.attachments_add(
            case=case, uploader=customer, files=[SimpleUploadedFile("a.txt", b"log\n")]
        )
    stored = settings.UPLOAD_ROOT / "attachments"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_it_sweeps_upload_leftovers_but_keeps_attached_files(
    customer_client, customer, make_case, settings
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("keep.txt", b"log\n"))
    kept = Attachment.objects.get()
    folder = settings.UPLOAD_ROOT / "attachments" / "ab"
    folder.mkdir(parents=True, exist_ok=True)
    orphan = folder / ("ab" + "0" * 30)
    partial = folder / ("ab" + "1" * 30 + ".part")
    for leftover in (orphan, partial):
        leftover.write_bytes(b"x")
        os.utime(leftover, (0, 0))
    os.utime(path_of(kept.stored_name), (0, 0))
    call_command("cleanup_uploads", verbosity=0)
    assert not orphan.exists() and not partial.exists()
    assert path_of(kept.stored_name).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pad.txt", b"a" * 5000 + b"<html><script>alert(1)</script>"),
        ("x.xml", b'<x:html xmlns:x="http://www.w3.org/1999/xhtml"><x:script>1</x:script>'),
    ],
)
def test_it_looks_for_markup_in_the_whole_text_file(
    customer_client, customer, make_case, name, content
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile(name, content))
    assert not Attachment.objects.exists()


def test_it_reports_a_full_disk_and_keeps_no_row_or_file(
    customer_client, customer, make_case, settings, monkeypatch
):
    case = make_case(customer)
    real_store = uploads.store
    calls = []

    def full_disk(uploaded):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_store(uploaded)

    monkeypatch.setattr(uploads, "store", full_disk)
    response = upload(
        customer_client,
        case,
        SimpleUploadedFile("one.txt", b"log\n"),
        SimpleUploadedFile("two.txt", b"log\n"),
    )
    assert response.status_code == 302
    page = customer_client.get(response.url).content.decode()
    assert "保存できませんでした" in page
    assert not Attachment.objects.exists()
    stored = settings.UPLOAD_ROOT / "attachments"
    assert not any(p.is_file() for p in stored.rglob("*"))
