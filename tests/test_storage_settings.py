"""STORAGE_URL, and the filesystem storage that attachments use without it."""

import pytest
from django.conf import settings as django_settings

from cases import uploads
from hub.env import SettingsError, storage_from_url
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
    ],
)
def test_it_refuses_a_storage_url_it_cannot_use(url, says):
    with pytest.raises(SettingsError, match=says):
        storage_from_url("STORAGE_URL", url)


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
