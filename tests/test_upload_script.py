"""Uploads sent by hub/uploads.js: JSON answers with status codes, the same checks as the form,
access from the attacker's side, and no temporary file left by a cancelled upload."""

import errno
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, RequestFactory, encode_multipart
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from cases import upload_script, uploads
from cases.models import Attachment
from tests.helpers import PASSWORD, detail, force_sign_in

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCRIPT = {"HTTP_X_HUB_UPLOAD": "1"}


@pytest.fixture
def temp_dir(settings, tmp_path):
    """Where Django writes uploads while they arrive: each test's own, to be found empty."""
    folder = tmp_path / "upload-temp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def send(client, case, *files, **headers):
    url = reverse("cases:attachments_upload", args=[case.number])
    return client.post(url, {"files": list(files)}, **{**SCRIPT, **headers})


def nothing_stored(settings) -> bool:
    stored = settings.UPLOAD_ROOT / "attachments"
    no_files = not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
    return no_files and not Attachment.objects.exists()


def test_it_answers_the_script_with_the_attached_file(customer_client, customer, make_case):
    case = make_case(customer)
    response = send(customer_client, case, SimpleUploadedFile("画面.png", PNG))
    assert response.status_code == 201 and response["Content-Type"] == "application/json"
    attachment = Attachment.objects.get()
    assert response.json() == {
        "errors": [],
        "attached": [{"id": attachment.pk, "name": "画面.png", "size": len(PNG)}],
    }
    assert response["Cache-Control"] == "no-store"
    # No message waits for the next page: the script said it already.
    page = customer_client.get(detail(case, tab="attachments")).content.decode()
    assert "添付しました" not in page and "画面.png" in page


@pytest.mark.parametrize(
    ("files", "status", "reason"),
    [
        ([("page.html", b"<html></html>")], 400, "許可されていない種類"),
        ([("empty.txt", b"")], 400, "空です"),
        ([("over.txt", b"a" * 101)], 413, "over.txt"),  # ATTACHMENT_MAX_BYTES below
        ([("a.txt", b"log\n"), ("b.txt", b"log\n")], 400, "1 個"),  # ATTACHMENT_MAX_FILES
        ([], 400, ""),
    ],
)
def test_it_refuses_with_the_translated_reason_and_a_status(
    customer_client, customer, make_case, settings, temp_dir, files, status, reason
):
    settings.ATTACHMENT_MAX_BYTES = 100
    settings.ATTACHMENT_MAX_FILES = 1
    case = make_case(customer)
    response = send(customer_client, case, *(SimpleUploadedFile(n, c) for n, c in files))
    assert response.status_code == status
    errors = response.json()["errors"]
    assert errors and reason in " ".join(errors), errors
    assert nothing_stored(settings) and list(temp_dir.iterdir()) == []


def test_it_speaks_the_users_language(customer_client, customer, make_case):
    User.objects.filter(pk=customer.pk).update(language="en")
    response = send(customer_client, make_case(customer), SimpleUploadedFile("x.exe", b"MZ"))
    assert response.json()["errors"] == ["x.exe is not an allowed type of file."]


def test_it_answers_503_when_the_disk_is_full(
    customer_client, customer, make_case, settings, monkeypatch
):
    def full_disk(uploaded):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads, "store", full_disk)
    response = send(customer_client, make_case(customer), SimpleUploadedFile("a.txt", b"log\n"))
    assert response.status_code == 503
    assert "保存できませんでした" in response.json()["errors"][0]
    assert nothing_stored(settings)


def test_it_keeps_the_plain_form_as_it_was(customer_client, customer, make_case):
    case = make_case(customer)
    url = reverse("cases:attachments_upload", args=[case.number])
    response = customer_client.post(url, {"files": [SimpleUploadedFile("a.txt", b"log\n")]})
    assert response.status_code == 302 and response.url.endswith("?tab=attachments")
    assert "1 個のファイルを添付しました" in customer_client.get(response.url).content.decode()


def test_it_needs_the_csrf_token_in_the_header(customer, make_case, settings, temp_dir):
    case = make_case(customer)
    client = force_sign_in(Client(enforce_csrf_checks=True), customer)
    page = client.get(detail(case, tab="attachments")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    refused = send(client, case, SimpleUploadedFile("a.txt", b"log\n"))
    assert refused.status_code == 403 and nothing_stored(settings)
    other = send(client, case, SimpleUploadedFile("a.txt", b"log\n"), HTTP_X_CSRFTOKEN="x" * 64)
    assert other.status_code == 403 and nothing_stored(settings)
    assert list(temp_dir.iterdir()) == []
    sent = send(client, case, SimpleUploadedFile("a.txt", b"log\n"), HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 201 and Attachment.objects.count() == 1


def test_it_gives_nothing_away_to_another_company(
    signed_in_client, customer, other_company_customer, make_case, settings, temp_dir
):
    case = make_case(customer)
    rival = signed_in_client(other_company_customer)
    response = send(rival, case, SimpleUploadedFile("a.txt", b"log\n"))
    assert response.status_code == 404
    missing = make_case(customer)
    missing.delete()
    assert send(rival, missing, SimpleUploadedFile("a.txt", b"log\n")).status_code == 404
    assert nothing_stored(settings) and list(temp_dir.iterdir()) == []


def test_it_stores_nothing_for_anonymous_or_half_signed_in_senders(
    customer, make_case, settings, temp_dir
):
    case = make_case(customer)
    anonymous = send(Client(), case, SimpleUploadedFile("a.txt", b"log\n"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    half = Client()
    half.post(reverse("accounts:login"), {"email": customer.email, "password": PASSWORD})
    response = send(half, case, SimpleUploadedFile("a.txt", b"log\n"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert nothing_stored(settings) and list(temp_dir.iterdir()) == []


def test_the_admin_answers_the_script_too(operator_client, signed_in_client, customer, make_case):
    case = make_case(customer)
    url = reverse("admin:cases_case_upload", args=[case.pk])
    response = operator_client.post(
        url, {"files": [SimpleUploadedFile("r.pdf", b"%PDF-1")]}, **SCRIPT
    )
    assert response.status_code == 201 and Attachment.objects.get().by_operator
    response = operator_client.post(
        url, {"files": [SimpleUploadedFile("x.svg", b"<svg/>")]}, **SCRIPT
    )
    assert response.status_code == 400 and response.json()["errors"]
    # A customer reaches no admin upload, script or not.
    customer_side = signed_in_client(customer)
    refused = customer_side.post(url, {"files": [SimpleUploadedFile("a.txt", b"log\n")]}, **SCRIPT)
    assert refused.status_code == 302 and Attachment.objects.count() == 1


def test_the_pages_carry_the_limits_and_texts_for_the_script(
    customer_client, operator_client, customer, make_case, settings
):
    settings.ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    case = make_case(customer)
    for client, url in (
        (customer_client, detail(case, tab="attachments")),
        (operator_client, reverse("admin:cases_case_change", args=[case.pk])),
    ):
        page = client.get(url).content.decode()
        data = re.search(
            r'<script id="hub-upload-config" type="application/json">(.*?)</script>', page
        )
        config = json.loads(data.group(1))
        assert config["maxBytes"] == 5 * 1024 * 1024 and config["maxFiles"] == 20
        assert config["texts"]["tooLarge"] == "5 MB を超えるため送信しません。"
        assert "{percent}" in config["texts"]["progressSeconds"]
        assert 'accept=".7z,.cfg,.conf,.csv' in page and "data-hub-upload " in page
        assert "hub/uploads.js" in page


def test_it_derives_the_accepted_extensions_from_the_content_checks():
    accepted = uploads.accepted_extensions()
    assert {".png", ".jpeg", ".evtx", ".pcapng", ".log", ".txt"} <= set(accepted)
    assert not {".html", ".svg", ".xml", ".exe"} & set(accepted)
    with translation.override("en"):
        assert upload_script.config()["extensions"] == accepted


# A cancelled or broken-off upload ------------------------------------------------------------


class Resetting(io.BytesIO):
    """A request body whose connection resets after `cut` bytes."""

    def __init__(self, data: bytes, cut: int) -> None:
        super().__init__(data)
        self.cut = cut

    def read(self, size=-1):
        if self.tell() >= self.cut:
            raise ConnectionResetError("connection reset by peer")
        if size is None or size < 0 or self.tell() + size > self.cut:
            size = self.cut - self.tell()
        return super().read(size)


def _cut_off(client, url, files, *, cut_at, reset):
    """POST `files` as a browser would, but the body stops `cut_at` bytes before its end: the
    connection closed (EOF) or reset (an error while reading)."""
    named = []
    for name, content in files:
        handle = io.BytesIO(content)
        handle.name = name
        named.append(handle)
    body = encode_multipart(BOUNDARY, {"files": named})
    cut = len(body) - cut_at
    environ = RequestFactory()._base_environ(
        PATH_INFO=url,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        HTTP_COOKIE=client.cookies.output(header="", sep="; "),
        HTTP_X_HUB_UPLOAD="1",
    )
    environ["wsgi.input"] = Resetting(body, cut) if reset else io.BytesIO(body[:cut])
    return client.handler(environ)


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
@pytest.mark.parametrize("portal", [True, False], ids=["portal", "admin"])
def test_a_broken_off_upload_leaves_no_row_no_file_and_no_temporary_file(
    customer, operator, make_case, settings, temp_dir, reset, portal
):
    import gc

    case = make_case(customer)
    client = force_sign_in(Client(), customer if portal else operator)
    if portal:
        url = reverse("cases:attachments_upload", args=[case.number])
    else:
        url = reverse("admin:cases_case_upload", args=[case.pk])
    # Larger than DATA_UPLOAD_MAX_MEMORY_SIZE, so it streams; a whole first file, then half
    # of the second. The collector stays off: the temporary files must go at once.
    big = b"log line\n" * 400_000
    gc.disable()
    try:
        response = _cut_off(
            client,
            url,
            [("whole.log", b"log\n"), ("half.log", big)],
            cut_at=len(big) // 2,
            reset=reset,
        )
        assert response.status_code == 400
        assert list(temp_dir.iterdir()) == []
    finally:
        gc.enable()
    assert nothing_stored(settings)
    if not reset:
        assert "中断" in json.loads(response.content)["errors"][0]
