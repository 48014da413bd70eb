"""cleanup_uploads never wipes files it cannot tell are its own: a bucket or folder shared with
another deployment, or judged against an empty (or the wrong) database. It refuses, deletes
nothing and says why, unless an operator insists (--force)."""

import logging
import os

import pytest
from django.core.management import CommandError, call_command

from cases import uploads
from cases.models import Attachment
from cases.tasks import cleanup_uploads
from tests.factories import create_attachment
from tests.test_storage_s3 import bucket, keys, s3_endpoint  # noqa: F401 - the S3 fixtures

pytestmark = pytest.mark.django_db
LOGGER = "cases.management.commands.cleanup_uploads"


def old_files(settings, count: int, *, suffix: str = "") -> list:
    """`count` files no attachment refers to, written long ago (another deployment's)."""
    made = []
    for number in range(count):
        name = f"{number:032x}"
        path = settings.UPLOAD_ROOT / "attachments" / name[:2] / (name + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"someone's file")
        os.utime(path, (0, 0))
        made.append(path)
    return made


def test_it_refuses_to_sweep_files_when_the_database_has_no_attachments(settings, caplog):
    files = old_files(settings, 2)

    with caplog.at_level(logging.ERROR, logger=LOGGER), pytest.raises(CommandError):
        call_command("cleanup_uploads", verbosity=0)

    assert all(path.exists() for path in files)
    assert "2 of the 2 stored files belong to none of the 0 attachment rows" in caplog.text
    call_command("cleanup_uploads", "--force", verbosity=0)
    assert not any(path.exists() for path in files)


def test_it_still_sweeps_partial_files_when_the_database_has_no_attachments(settings):
    (partial,) = old_files(settings, 1, suffix=uploads.PARTIAL_SUFFIX)
    call_command("cleanup_uploads", verbosity=0)  # half a file is nobody's attachment
    assert not partial.exists()


@pytest.mark.parametrize(("orphans", "refused"), [(101, True), (100, False)])
def test_it_refuses_when_most_stored_files_would_go(
    settings, customer, make_case, orphans, refused
):
    kept = create_attachment(make_case(customer), customer)
    os.utime(uploads.path_of(kept.stored_name), (0, 0))
    files = old_files(settings, orphans)

    if refused:  # more than 100, and more than half of the 1 + 101 stored
        with pytest.raises(CommandError, match="101 of the 102 stored files"):
            call_command("cleanup_uploads", verbosity=0)
    else:  # a few dead uploads of a small deployment are swept as always
        call_command("cleanup_uploads", verbosity=0)

    assert all(path.exists() for path in files) == refused
    assert uploads.path_of(kept.stored_name).exists()


def test_it_logs_the_refusal_as_an_error_from_the_housekeeping_task(settings, caplog):
    files = old_files(settings, 1)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        result = cleanup_uploads.apply()
    assert result.failed() and isinstance(result.result, CommandError)
    assert "cleanup_uploads refused" in caplog.text
    assert files[0].exists()


def test_it_refuses_to_sweep_a_bucket_against_a_database_without_attachments(bucket):  # noqa: F811
    for number in range(3):
        name = f"{number:032x}"
        bucket.put_object(Bucket=bucket.bucket, Key=f"files/{name[:2]}/{name}", Body=b"x")

    with pytest.raises(CommandError, match="3 of the 3 stored files"):
        call_command("cleanup_uploads", "--min-age=-60", verbosity=0)
    assert len(keys(bucket)) == 3 and not Attachment.objects.exists()

    call_command("cleanup_uploads", "--min-age=-60", "--force", verbosity=0)
    assert keys(bucket) == []
