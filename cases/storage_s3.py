"""Attachments on an S3 bucket (or any S3-compatible store), through django-storages."""

import contextlib
from collections.abc import Iterator
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name as s3_clean_name

from cases.uploads import CHUNK, PART
from hub.outages import Unavailable

# What S3 answers for a key it does not hold (get_object says NoSuchKey, head_object a bare 404).
NOT_FOUND = {"NoSuchKey", "404"}
# A store that is away costs a request seconds, not minutes: botocore's own defaults wait 60 s
# to connect and read, and try 5 times. Parts of 8 MiB are sent well within a read timeout.
TIMEOUTS = Config(
    connect_timeout=3, read_timeout=30, retries={"mode": "standard", "total_max_attempts": 3}
)


@contextlib.contextmanager
def store_errors(name: str) -> Iterator[None]:
    """The store's faults as the portal knows them: a missing object is FileNotFoundError (the
    download answers 404); the store unreachable, stalling, or refusing in any other way
    (AccessDenied, NoSuchBucket, 5xx), or no credentials to reach it with (an instance role's
    metadata service away, an expired profile), is hub.outages.Unavailable (503, "try
    again"). Only a request our code built wrong (ParamValidationError) stays a 500."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in NOT_FOUND:
            raise FileNotFoundError(name) from None
        raise Unavailable(f"object store refused {name}: {code}") from error
    except ParamValidationError:
        raise
    except BotoCoreError as error:
        raise Unavailable(f"object store unreachable: {error}") from error


class AttachmentS3Storage(S3Storage):
    """An S3 bucket (any S3-compatible store), under the prefix `location` ("attachments").

    Uploads stream: parts of PART bytes go up as a multipart upload, which S3 makes visible
    only when completed and which is aborted on any failure, so no partial object is ever
    readable. Every object is stored as an opaque download (octet-stream, attachment), in case
    a bucket policy ever exposed it. Downloads stream the object's body, never spooling it."""

    client_config: Config  # made by S3Storage from the options (untyped there)

    def __init__(self, **settings_: Any) -> None:
        settings_.setdefault("location", "attachments")
        settings_.setdefault("default_acl", None)
        super().__init__(**settings_)
        self.client_config = self.client_config.merge(TIMEOUTS)  # over what the options made

    def _key(self, name: str) -> str:
        return self._normalize_name(s3_clean_name(name))

    def _save(self, name: str, content: Any) -> str:
        where = {"Bucket": self.bucket_name, "Key": self._key(name)}
        opaque = {"ContentType": "application/octet-stream", "ContentDisposition": "attachment"}
        upload_id = None
        parts: list[dict[str, Any]] = []
        pending: list[bytes] = []
        held = 0
        with store_errors(name):
            client = self.connection.meta.client  # finds the credentials: may fail too
            try:
                for chunk in content.chunks(CHUNK):
                    pending.append(chunk)
                    held += len(chunk)
                    if held < PART:
                        continue
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
                    # A store that went away cannot be told; cleanup_uploads aborts it later.
                    with contextlib.suppress(BotoCoreError, ClientError):
                        client.abort_multipart_upload(**where, UploadId=upload_id)
                raise
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        """The object's body as a stream, read as the response is sent."""
        with store_errors(name):
            answer = self.connection.meta.client.get_object(
                Bucket=self.bucket_name, Key=self._key(name)
            )
        handle = File(answer["Body"], name)
        handle.size = answer["ContentLength"]
        return handle

    def delete(self, name: str) -> None:
        with store_errors(name):
            super().delete(name)

    def _prefix(self) -> str:
        return f"{self.location.strip('/')}/" if self.location else ""

    def listing(self) -> Iterator[tuple[str, float]]:
        """(name, time last written) of every object under the prefix."""
        prefix = self._prefix()
        pages = self.connection.meta.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                yield entry["Key"][len(prefix) :], entry["LastModified"].timestamp()

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
