"""STORAGE_URL, and the filesystem storage that attachments use without it."""

import logging
import os
import re
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from cases import uploads
from cases.models import Attachment
from hub.env import SettingsError, storage_from_url
from tests.factories import create_attachment
from tests.test_storage_s3 import Generated


def test_it_keeps_attachments_on_the_filesystem_without_a_storage_url():
    assert storage_from_url("STORAGE_URL", "") == {"BACKEND": "cases.uploads.AttachmentFileStorage"}
    assert django_settings.STORAGES["attachments"]["BACKEND"].endswith("AttachmentFileStorage")


def test_it_reads_a_bucket_prefix_and_endpoint_from_the_storage_url():
    entry = storage_from_url(
        "STORAGE_URL", "s3://hub-files/portal?endpoint_url=http://127.0.0.1:9000&region_name=x"
    )
    assert entry == {
        "BACKEND": "cases.storage_s3.AttachmentS3Storage",
        "OPTIONS": {
            "bucket_name": "hub-files",
            "location": "portal",
            "endpoint_url": "http://127.0.0.1:9000",
            "region_name": "x",
        },
    }
    assert storage_from_url("STORAGE_URL", "s3://hub-files")["OPTIONS"]["location"] == (
        "attachments"
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://hub-files/", "s3://bucket"),
        ("s3:///prefix", "s3://bucket"),
        ("s3://key:secret@hub-files/", "AWS_ACCESS_KEY_ID"),
        ("s3://hub-files/?endpoint=http://x", "unknown options"),
        # A port belongs to the server (endpoint_url), never to a bucket: it would be dropped.
        ("s3://hub-files:99/portal", "no port"),
        ("s3://hub-files:/portal", "no port"),
        ("s3://:secret@hub-files/", "AWS_ACCESS_KEY_ID"),
        ("s3://hub-files/?endpoint_url=http://key:secret@127.0.0.1:9000", "AWS_ACCESS_KEY_ID"),
        ("s3://hub-files/?endpoint_url=http://key@127.0.0.1:9000", "AWS_ACCESS_KEY_ID"),
        ("s3://hub-files/?endpoint_url=127.0.0.1:9000", "https://host"),
        ("s3://hub-files/?endpoint_url=http://127.0.0.1:port", "not a valid URL"),
    ],
)
def test_it_refuses_a_storage_url_it_cannot_use(url, says):
    with pytest.raises(SettingsError, match=says) as refused:
        storage_from_url("STORAGE_URL", url)
    assert "secret" not in str(refused.value)


def test_it_names_the_extra_to_install_when_the_s3_packages_are_missing(monkeypatch):
    # As on a server installed without the s3 extra: neither package can be found.
    for module in [m for m in sys.modules if m.split(".")[0] in {"boto3", "storages"}]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "-packages" not in p])
    with pytest.raises(SettingsError, match=re.escape("pip install 'services-hub[s3]'")):
        storage_from_url("STORAGE_URL", "s3://hub-files")
    assert storage_from_url("STORAGE_URL", "")["BACKEND"].endswith("AttachmentFileStorage")


def test_it_never_shows_a_partial_file_under_its_name(settings):
    folder = settings.UPLOAD_ROOT / "attachments"
    seen = []

    class Watched(Generated):
        def chunks(self, chunk_size=None):
            for chunk in super().chunks(chunk_size):
                seen.append(sorted(p.name for p in folder.rglob("*") if p.is_file()))
                yield chunk

    stored_name, size, _ = uploads.store(Watched(3 * uploads.CHUNK))
    assert size == 3 * uploads.CHUNK
    assert all(names == [f"{stored_name}.part"] for names in seen[1:])
    assert uploads.path_of(stored_name).stat().st_size == size
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [stored_name]


def test_it_leaves_no_file_when_an_upload_to_disk_fails_midway(settings):
    with pytest.raises(OSError, match="went away"):
        uploads.store(Generated(4 * uploads.CHUNK, fail_after=2 * uploads.CHUNK))
    assert not any(p.is_file() for p in (settings.UPLOAD_ROOT / "attachments").rglob("*"))


@pytest.mark.django_db
def test_it_sweeps_on_past_an_attachment_with_a_malformed_stored_name(
    customer, make_case, settings, caplog
):
    case = make_case(customer)
    kept = create_attachment(case, customer, name="kept.log")
    malformed = create_attachment(case, customer, name="edited.log")
    # A row edited by hand or brought in by an import: no name store() would ever make.
    Attachment.objects.filter(pk=malformed.pk).update(stored_name="../../etc/passwd")
    orphan = settings.UPLOAD_ROOT / "attachments" / "ab" / ("ab" + "0" * 30)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a dead worker")
    hour_ago = time.time() - 3600
    for path in (orphan, uploads.path_of(kept.stored_name)):
        os.utime(path, (hour_ago, hour_ago))

    with caplog.at_level(logging.WARNING, logger="cases.management.commands.cleanup_uploads"):
        call_command("cleanup_uploads", "--min-age=60", verbosity=0)

    assert not orphan.exists()
    assert uploads.path_of(kept.stored_name).exists()
    assert f"attachment {malformed.pk} has a malformed stored name" in caplog.text
