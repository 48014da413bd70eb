"""Previews of screenshots on an S3 bucket (moto's server, as tests/test_storage_s3.py): made,
made again, served and swept like the files they come from."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import previews
from cases.models import PreviewState
from cases.services import attachments_add
from tests import previews as samples
from tests import test_storage_s3

pytestmark = pytest.mark.django_db
# The S3 server and a fresh bucket per test, as the storage's own tests have them.
s3_endpoint = test_storage_s3.s3_endpoint
bucket = test_storage_s3.bucket


def test_it_keeps_previews_beside_the_file_in_the_bucket(
    bucket, customer_client, customer, make_case
):
    case = make_case(customer)
    (attachment,) = attachments_add(
        case=case,
        uploader=customer,
        files=[samples.upload_file("写真.jpg", samples.jpeg_with_gps())],
    )
    assert previews.make(attachment.pk) == PreviewState.READY
    # Made again (a task retried after its worker died): the same names, nothing beside them.
    type(attachment).objects.filter(pk=attachment.pk).update(preview_state="pending")
    assert previews.make(attachment.pk) == PreviewState.READY
    base = f"files/{attachment.stored_name[:2]}/{attachment.stored_name}"
    assert sorted(test_storage_s3.keys(bucket)) == [
        base,
        f"{base}.preview.jpg",
        f"{base}.thumbnail.jpg",
    ]

    response = customer_client.get(
        reverse("cases:attachment_thumbnail", args=[case.number, attachment.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert not samples.decoded(b"".join(response.streaming_content)).getexif()

    call_command("cleanup_uploads", "--min-age=0", stdout=io.StringIO())
    assert len(test_storage_s3.keys(bucket)) == 3, "previews are no leftovers"
