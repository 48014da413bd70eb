"""Attachments on an S3 bucket (or any S3-compatible store), through django-storages."""

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name as s3_clean_name

from cases.uploads import CHUNK, PART


class AttachmentS3Storage(S3Storage):
    """An S3 bucket (any S3-compatible store), under the prefix `location` ("attachments").

    Uploads stream: parts of PART bytes go up as a multipart upload, which S3 makes visible
    only when completed and which is aborted on any failure, so no partial object is ever
    readable. Every object is stored as an opaque download (octet-stream, attachment), in case
    a bucket policy ever exposed it. Downloads stream the object's body, never spooling it."""

    def __init__(self, **settings_: Any) -> None:
        settings_.setdefault("location", "attachments")
        settings_.setdefault("default_acl", None)
        super().__init__(**settings_)

    def _key(self, name: str) -> str:
        return self._normalize_name(s3_clean_name(name))

    def _save(self, name: str, content: Any) -> str:
        client, key = self.connection.meta.client, self._key(name)
        where = {"Bucket": self.bucket_name, "Key": key}
        opaque = {"ContentType": "application/octet-stream", "ContentDisposition": "attachment"}
        upload_id = None
        parts: list[dict[str, Any]] = []
        pending: list[bytes] = []
        held = 0
        try:
            for chunk in content.chunks(CHUNK):
                pending.append(chunk)
                held += len(chunk)
                if held >= PART:
                    if upload_id is None:
                        upload_id = client.create_multipart_upload(**where, **opaque)["UploadId"]
                    body, pending, held = b"".join(pending), [], 0
                    number = len(parts) + 1
                    answer = client.upload_part(
                        **where, UploadId=upload_id, PartNumber=number, Body=body
                    )
                    parts.append({"ETag": answer["ETag"], "PartNumber": number})
                    del body
            if upload_id is None:
                client.put_object(**where, **opaque, Body=b"".join(pending))
                return name
            if pending or not parts:
                number = len(parts) + 1
                answer = client.upload_part(
                    **where, UploadId=upload_id, PartNumber=number, Body=b"".join(pending)
                )
                parts.append({"ETag": answer["ETag"], "PartNumber": number})
            client.complete_multipart_upload(
                **where, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            if upload_id is not None:
                client.abort_multipart_upload(**where, UploadId=upload_id)
            raise
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        """The object's body as a stream, read as the response is sent."""
        try:
            answer = self.connection.meta.client.get_object(
                Bucket=self.bucket_name, Key=self._key(name)
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(name) from None
            raise
        handle = File(answer["Body"], name)
        handle.size = answer["ContentLength"]
        return handle

    def _prefix(self) -> str:
        return f"{self.location.strip('/')}/" if self.location else ""

    def stale_names(self, cutoff: float) -> Iterator[str]:
        prefix = self._prefix()
        pages = self.connection.meta.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                if entry["LastModified"].timestamp() < cutoff:
                    yield entry["Key"][len(prefix) :]

    def abort_stale_uploads(self, cutoff: float) -> int:
        """Abort the multipart uploads of workers that died mid-upload (their parts cost
        storage until aborted; a bucket lifecycle rule AbortIncompleteMultipartUpload does the
        same on the store's side)."""
        client, aborted = self.connection.meta.client, 0
        pages = client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket_name, Prefix=self._prefix()
        )
        for page in pages:
            for upload in page.get("Uploads", ()):
                if upload["Initiated"].timestamp() < cutoff:
                    client.abort_multipart_upload(
                        Bucket=self.bucket_name, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        return aborted
