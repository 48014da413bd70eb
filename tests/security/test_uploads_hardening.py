"""Uploads are refused before they reach the disk, and text files carry no markup at all."""

import pytest
from django.core.files import uploadedfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from accounts.models import User
from cases import uploads
from cases.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def temp_files(settings, tmp_path, monkeypatch):
    """Every temporary file Django opens for an upload, by name, in a folder of the test's own
    (the upload handler writes nowhere else)."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    opened = []
    real = uploadedfile.tempfile.NamedTemporaryFile

    def recording(*args, **kwargs):
        handle = real(*args, **kwargs)
        opened.append(handle.name)
        return handle

    monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", recording)
    return folder, opened


def stored_files(settings):
    return [p for p in (settings.UPLOAD_ROOT / "attachments").rglob("*") if p.is_file()]


def english(client):
    """The messages are checked in English; the personas read Japanese by default."""
    User.objects.update(language="en")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page_after(client, response):
    assert response.status_code == 302, response.status_code
    return client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_it_writes_nothing_for_an_anonymous_upload_with_a_made_up_csrf_cookie(
    customer, make_case, temp_files, settings
):
    folder, opened = temp_files
    case = make_case(customer)
    # The CSRF check passes (cookie and field agree); only the sign-in stands in the way.
    stranger = Client(enforce_csrf_checks=True)
    token = get_random_string(32)
    stranger.cookies["csrftoken"] = token
    response = stranger.post(
        reverse("cases:attachments_upload", args=[case.number]),
        {
            "csrfmiddlewaretoken": token,
            "files": [SimpleUploadedFile(f"big{n}.log", b"x" * (3 * 1024 * 1024)) for n in (1, 2)],
        },
    )
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert opened == []
    assert list(folder.iterdir()) == []
    assert not Attachment.objects.exists() and not stored_files(settings)


def test_it_refuses_one_file_over_the_count_before_writing_it(
    customer_client, customer, make_case, temp_files, settings
):
    folder, opened = temp_files
    case = make_case(customer)
    limit = settings.ATTACHMENT_MAX_FILES  # the configured default, with Django's backstop
    files = [SimpleUploadedFile(f"log{n}.txt", b"line\n") for n in range(limit + 1)]
    response = english(customer_client).post(
        reverse("cases:attachments_upload", args=[case.number]), {"files": files}
    )
    assert len(opened) == limit  # the extra file's first byte was never written
    assert f"Attach at most {limit} files at a time." in page_after(customer_client, response)
    assert not Attachment.objects.exists() and not stored_files(settings)
    assert list(folder.iterdir()) == []  # the temporary files went with the request


def test_it_refuses_too_many_files_in_the_admin_too(
    operator_client, customer, make_case, temp_files, settings
):
    _, opened = temp_files
    settings.ATTACHMENT_MAX_FILES = 2
    case = make_case(customer)
    files = [SimpleUploadedFile(f"log{n}.txt", b"line\n") for n in range(3)]
    response = english(operator_client).post(
        reverse("admin:cases_case_upload", args=[case.pk]), {"files": files}
    )
    assert len(opened) == 2
    assert "Attach at most 2 files at a time." in page_after(operator_client, response)
    assert not Attachment.objects.exists()


def test_it_accepts_exactly_the_size_limit_and_stops_writing_one_byte_over(
    customer_client, customer, make_case, temp_files, settings
):
    folder, _ = temp_files
    settings.ATTACHMENT_MAX_BYTES = limit = 1024 * 1024
    case = make_case(customer)
    url = reverse("cases:attachments_upload", args=[case.number])
    english(customer_client).post(url, {"files": [SimpleUploadedFile("exact.log", b"a" * limit)]})
    assert Attachment.objects.get().size == limit
    response = customer_client.post(
        url, {"files": [SimpleUploadedFile("over.log", b"a" * (limit + 1))]}
    )
    assert "Not uploaded, larger than 1 MB: over.log" in page_after(customer_client, response)
    assert Attachment.objects.count() == 1 and len(stored_files(settings)) == 1
    assert list(folder.iterdir()) == []


MARKUP = [
    b'<?xml-stylesheet type="text/xsl" href="evil.xsl"?><r/>',
    b"<img src=x onerror=alert(1)>",
    b'<a href="javascript:alert(1)">support</a>',
    b'<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    b"<style>body{background:url(https://evil.example/)}</style>",
    b"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    b"<!-- a comment a browser would hide -->",
    b"</title><SCRIPT>alert(1)</SCRIPT>",
    b"<Svg/onload=alert(1)>",
]


@pytest.mark.parametrize("payload", MARKUP)
def test_it_refuses_a_text_file_with_any_tag_in_it(
    customer_client, customer, make_case, settings, payload
):
    case = make_case(customer)
    content = b"2025-03-01 10:00:00 INFO scan finished\n" * 2000 + payload + b"\nend\n"
    response = english(customer_client).post(
        reverse("cases:attachments_upload", args=[case.number]),
        {"files": [SimpleUploadedFile("scan.log", content)]},
    )
    assert "scan.log is not an allowed type of file." in page_after(customer_client, response)
    assert not Attachment.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize("payload", [b"<img src=x onerror=alert(1)>", b"<?xml-stylesheet"])
def test_it_finds_a_tag_split_across_two_chunks(customer_client, customer, make_case, payload):
    case = make_case(customer)
    content = b"a" * (uploads.CHUNK - 1) + payload
    assert content.index(b"<") == uploads.CHUNK - 1  # "<" ends one chunk, the rest opens the next
    customer_client.post(
        reverse("cases:attachments_upload", args=[case.number]),
        {"files": [SimpleUploadedFile("long.txt", content)]},
    )
    assert not Attachment.objects.exists()


def test_it_accepts_plain_logs_with_comparisons_and_arrows(customer_client, customer, make_case):
    case = make_case(customer)
    content = (
        "if a < b then retry\nlatency<5ms ok\ncount <= 10 <- limit\n"
        "x<<1 shift, 3 < 4, 日本語 < テスト, <= and <>\n"
    ).encode() * 3000
    customer_client.post(
        reverse("cases:attachments_upload", args=[case.number]),
        {"files": [SimpleUploadedFile("compare.log", content)]},
    )
    attachment = Attachment.objects.get()
    assert attachment.kind == "text" and attachment.size == len(content)


def test_it_lets_a_registration_session_upload_but_never_a_password_alone(
    client, make_user, company, customer, make_case
):
    # Just registered, no second factor yet: the portal lets this session in, so do uploads.
    newcomer = make_user(company=company)
    client.force_login(newcomer)
    case = make_case(customer)
    client.post(
        reverse("cases:attachments_upload", args=[case.number]),
        {"files": [SimpleUploadedFile("first.log", b"hello\n")]},
    )
    assert Attachment.objects.get().uploaded_by == newcomer
    # A user who has a second factor but did not pass it is refused by the handler itself,
    # whatever the middleware order.
    assert uploads.may_upload(newcomer) and not uploads.may_upload(customer)


def test_it_refuses_a_body_larger_than_any_acceptable_upload_before_its_first_byte(
    customer_client, customer, make_case, temp_files, settings
):
    folder, opened = temp_files
    settings.ATTACHMENT_MAX_FILES = 2
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000  # at most 2 MB + 100 kB can be accepted
    case = make_case(customer)
    response = english(customer_client).post(
        reverse("cases:attachments_upload", args=[case.number]),
        {"files": [SimpleUploadedFile("dump.log", b"x" * (3 * 1024 * 1024))]},
    )
    assert opened == []  # not even the first megabyte
    page = page_after(customer_client, response)
    assert "Not uploaded: the files are larger than 2 MB in total." in page
    assert not Attachment.objects.exists() and list(folder.iterdir()) == []
