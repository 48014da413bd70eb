"""The bench's files into the object store of its shared run: `python -m bench.bucket` reads
case numbers as JSON on stdin ({"cases": [...]}), makes the bucket STORAGE_URL names and copies
those cases' files into it, from the filesystem where generate_data wrote them, through the
portal's own storage code (uploads.write). Prints the count, bytes and seconds as JSON.
"""

import json
import sys
import time
from typing import Any


def copy(numbers: list[str]) -> dict[str, Any]:
    from cases import uploads
    from cases.models import Attachment
    from cases.storage_s3 import AttachmentS3Storage

    store = uploads.attachment_storage()
    if not isinstance(store, AttachmentS3Storage):
        raise SystemExit("STORAGE_URL does not name an S3 bucket")
    started = time.perf_counter()
    store.connection.meta.client.create_bucket(Bucket=store.bucket_name)
    disk = uploads.AttachmentFileStorage()
    files = size = 0
    names = Attachment.objects.filter(case__number__in=numbers).values_list(
        "stored_name", flat=True
    )
    for stored_name in names.iterator():
        with disk.open(uploads.key_of(stored_name), "rb") as handle:
            content = handle.read()  # generated files are a few KB
        uploads.write(stored_name, content)
        files += 1
        size += len(content)
    return {"files": files, "bytes": size, "seconds": time.perf_counter() - started}


def main() -> None:
    import django

    given = json.load(sys.stdin)
    django.setup()
    json.dump(copy([str(number) for number in given["cases"]]), sys.stdout)


if __name__ == "__main__":
    main()
