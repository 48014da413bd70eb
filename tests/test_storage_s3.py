"""Attachments on an S3 bucket: a real S3 server (moto's server mode, started here as a process
of its own on a free port), reached over HTTP by the same boto3 code a deployment runs."""

import hashlib
import os
import shlex
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from urllib.request import urlopen

import boto3
import pytest
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases import uploads
from cases.models import Attachment
from hub.env import storage_from_url
from tests.helpers import force_sign_in, upload
from tests.security.faults import assert_try_again, quietly

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEYS = {"access_key": "testing", "secret_key": "testing"}  # moto accepts any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """http://127.0.0.1:<port> of a moto server living as long as this module's tests."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError as error:
        pytest.skip(f"moto's S3 server could not start ({error}): pip install 'moto[server]'")
    deadline = time.monotonic() + 20
    while True:
        try:
            urlopen(f"{endpoint}/moto-api/", timeout=1).close()  # noqa: S310 - our own server
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.skip(
                    "moto's S3 server did not answer (is moto[server] installed? "
                    f"exit status {server.poll()})"
                )
            time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh bucket, and STORAGES["attachments"] on it as STORAGE_URL would set it."""
    name = f"hub-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    url = f"s3://{name}/files?endpoint_url={s3_endpoint}&region_name=us-east-1"
    entry = storage_from_url("STORAGE_URL", url + "&addressing_style=path")
    entry["OPTIONS"] |= KEYS
    settings.STORAGES = {**settings.STORAGES, "attachments": entry}
    client.bucket = name  # type: ignore[attr-defined]
    return client


def keys(bucket) -> list[str]:
    listing = bucket.list_objects_v2(Bucket=bucket.bucket)
    return [entry["Key"] for entry in listing.get("Contents", ())]


def unfinished(bucket) -> list[dict]:
    return bucket.list_multipart_uploads(Bucket=bucket.bucket).get("Uploads", [])


class Generated(File):
    """`size` bytes made as they are read, never held whole; optionally failing midway."""

    def __init__(self, size: int, *, fail_after: int | None = None) -> None:
        super().__init__(None, "big.log")
        self.size, self.fail_after = size, fail_after

    def chunks(self, chunk_size=None):
        block = bytes(range(256)) * 256  # 64 KiB
        sent = 0
        while sent < self.size:
            if self.fail_after is not None and sent >= self.fail_after:
                raise OSError("the client went away")
            piece = block[: min(len(block), self.size - sent)]
            sent += len(piece)
            yield piece


def test_it_uploads_to_the_bucket_and_downloads_through_the_app(
    bucket, customer_client, customer, make_case, colleague
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("画面.png", PNG, "image/png"))
    attachment = Attachment.objects.get()
    key = f"files/{attachment.stored_name[:2]}/{attachment.stored_name}"
    assert keys(bucket) == [key]
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest() and attachment.size == len(PNG)
    head = bucket.head_object(Bucket=bucket.bucket, Key=key)
    # Opaque even if a bucket policy ever exposed it: never rendered by a browser.
    assert head["ContentType"] == "application/octet-stream"
    assert head["ContentDisposition"] == "attachment"

    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])
    response = customer_client.get(url)
    assert response.status_code == 200  # streamed by the app, not a redirect to the store
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Length"] == str(len(PNG))
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert force_sign_in(Client(), colleague).get(url).status_code == 200


def test_it_answers_not_found_when_the_object_is_gone(bucket, customer_client, customer, make_case):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("a.log", b"log\n"))
    attachment = Attachment.objects.get()
    uploads.remove([attachment.stored_name])
    assert keys(bucket) == []
    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])
    assert customer_client.get(url).status_code == 404


def test_it_leaves_nothing_in_the_bucket_when_an_upload_fails_midway(bucket):
    # Two parts went up before the failure: the multipart upload is aborted, not left behind.
    with pytest.raises(OSError, match="went away"):
        uploads.store(Generated(40 * 1024 * 1024, fail_after=2 * uploads.PART + 1))
    assert keys(bucket) == []
    assert unfinished(bucket) == []


def test_it_streams_a_big_file_both_ways_in_flat_memory(bucket):
    size = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        stored_name, stored_size, sha256 = uploads.store(Generated(size))
        upload_peak = tracemalloc.get_traced_memory()[1] - before
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        digest, read = hashlib.sha256(), 0
        with uploads.open_stored(stored_name) as handle:
            while block := handle.read(64 * 1024):
                digest.update(block)
                read += len(block)
        download_peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    expected = hashlib.sha256(b"".join(Generated(size).chunks())).hexdigest()
    assert (stored_size, sha256) == (size, expected)
    assert (read, digest.hexdigest()) == (size, expected)
    assert unfinished(bucket) == []
    # One part (and its joined copy) at a time, whatever the file's size.
    assert upload_peak < 3 * uploads.PART, upload_peak
    assert download_peak < 4 * 1024 * 1024, download_peak


def test_it_sweeps_orphan_objects_and_unfinished_uploads(
    bucket, customer_client, customer, make_case
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("keep.log", b"kept\n"))
    kept = Attachment.objects.get()
    orphan = f"files/ab/ab{'0' * 30}"
    bucket.put_object(Bucket=bucket.bucket, Key=orphan, Body=b"x")
    bucket.create_multipart_upload(Bucket=bucket.bucket, Key=f"files/cd/cd{'1' * 30}")
    # --min-age below zero: everything counts as old, as it would an hour later.
    call_command("cleanup_uploads", "--min-age=-60", verbosity=0)
    assert keys(bucket) == [f"files/{kept.stored_name[:2]}/{kept.stored_name}"]
    assert unfinished(bucket) == []


# -- a store that is away or refusing: "try again", never a 500 ------------------------------


def point_attachments_at(settings, url: str) -> None:
    entry = storage_from_url("STORAGE_URL", url)
    entry["OPTIONS"] |= KEYS
    settings.STORAGES = {**settings.STORAGES, "attachments": entry}


def unreachable(settings, bucket, s3_endpoint) -> None:
    """The bucket's storage, at an address where nothing listens any more."""
    point_attachments_at(
        settings,
        f"s3://{bucket.bucket}/files?endpoint_url=http://127.0.0.1:{free_port()}"
        "&region_name=us-east-1&addressing_style=path",
    )


def refusing(settings, bucket, s3_endpoint) -> None:
    """The store answers, but with an error that is not "no such key": the bucket is gone
    (NoSuchBucket, a 404 of another kind, as a deleted bucket or a wrong name gives)."""
    point_attachments_at(
        settings,
        f"s3://{bucket.bucket}-gone/files?endpoint_url={s3_endpoint}"
        "&region_name=us-east-1&addressing_style=path",
    )


@pytest.mark.parametrize("fault", [unreachable, refusing])
def test_it_answers_try_again_for_a_download_when_the_store_fails(
    bucket, s3_endpoint, customer_client, customer, make_case, settings, fault
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("a.log", b"log\n"))
    attachment = Attachment.objects.get()
    fault(settings, bucket, s3_endpoint)
    url = reverse("cases:attachment_download", args=[case.number, attachment.pk])

    response = quietly(customer_client).get(url)

    assert_try_again(response, typed=False)  # the file is not gone: not a 404 either
    assert keys(bucket) == [f"files/{attachment.stored_name[:2]}/{attachment.stored_name}"]


@pytest.mark.parametrize("fault", [unreachable, refusing])
def test_it_answers_try_again_for_an_upload_when_the_store_fails_and_keeps_nothing(
    bucket, s3_endpoint, customer_client, customer, make_case, settings, fault
):
    case = make_case(customer)
    fault(settings, bucket, s3_endpoint)

    response = upload(
        quietly(customer_client),
        case,
        SimpleUploadedFile("a.log", b"log\n"),
        SimpleUploadedFile("big.log", b"x" * (uploads.PART + 1)),  # a multipart upload
    )

    assert_try_again(response, typed=False)  # the upload form has no text to show back
    assert not Attachment.objects.exists()
    assert keys(bucket) == [] and unfinished(bucket) == []


@pytest.fixture(params=["none anywhere", "a failing credential_process"])
def credentials_gone(request, monkeypatch, tmp_path):
    """boto3 finds no credentials to sign with: none in the environment, the files or instance
    metadata (a role whose metadata service is away) — or a credential_process helper (an SSO
    or vault login that expired) that fails."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config, credentials = tmp_path / "aws-config", tmp_path / "aws-credentials"
    config.write_text("")
    credentials.write_text("")
    if request.param == "a failing credential_process":
        failing = shlex.join([sys.executable, "-c", "raise SystemExit(1)"])
        config.write_text(f"[default]\ncredential_process = {failing}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_it_answers_try_again_when_the_store_has_no_credentials(
    bucket, s3_endpoint, customer_client, customer, make_case, settings, credentials_gone
):
    case = make_case(customer)
    upload(customer_client, case, SimpleUploadedFile("a.log", b"log\n"))  # with the keys
    attachment = Attachment.objects.get()
    stored = keys(bucket)
    url = f"s3://{bucket.bucket}/files?endpoint_url={s3_endpoint}&region_name=us-east-1"
    entry = storage_from_url("STORAGE_URL", url + "&addressing_style=path")
    settings.STORAGES = {**settings.STORAGES, "attachments": entry}  # no keys of its own
    client = quietly(customer_client)

    download = client.get(reverse("cases:attachment_download", args=[case.number, attachment.pk]))
    second = upload(client, case, SimpleUploadedFile("b.log", b"log\n"))

    assert_try_again(download, typed=False)
    assert_try_again(second, typed=False)
    assert list(Attachment.objects.all()) == [attachment] and keys(bucket) == stored
