import time

from django.core.management.base import BaseCommand

from cases import uploads
from cases.models import Attachment


class Command(BaseCommand):
    help = (
        "Delete upload leftovers: partial files of interrupted uploads and files no attachment "
        "refers to (a worker killed mid-upload, a rolled-back transaction), on the filesystem "
        "or the object store."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            help="only files older than this many seconds (uploads in progress are younger)",
        )

    def handle(self, *args, min_age, **options):
        storage = uploads.sweepable_storage()
        cutoff = time.time() - min_age
        known = {
            uploads.key_of(name)
            for name in Attachment.objects.values_list("stored_name", flat=True)
        }
        # Listed first, deleted after: a listing is not changed under its own iteration.
        leftovers = [name for name in storage.stale_names(cutoff) if name not in known]
        for name in leftovers:
            storage.delete(name)
        aborted = storage.abort_stale_uploads(cutoff)
        self.stdout.write(
            f"removed {len(leftovers)} leftover file(s), aborted {aborted} unfinished upload(s)"
        )
