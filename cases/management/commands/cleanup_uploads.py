import logging
import time

from django.core.management.base import BaseCommand, CommandError

from cases import previews, uploads
from cases.models import Attachment

logger = logging.getLogger(__name__)

# Leftovers are the few files of uploads that died. When most stored files belong to no row,
# the storage is not this database's alone (a bucket or folder shared with another deployment,
# a database restored empty, a wrong DATABASE_URL): deleting them would wipe someone's files.
SAFE_SHARE = 0.5
SAFE_COUNT = 100


class Command(BaseCommand):
    help = (
        "Delete upload leftovers: partial files of interrupted uploads and files no attachment "
        "refers to (a worker killed mid-upload, a rolled-back transaction), on the filesystem "
        "or the object store. Refuses, deleting nothing, when the database has no attachments "
        f"or when more than {SAFE_COUNT} files and {SAFE_SHARE:.0%} of all would go (--force)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            help="only files older than this many seconds (uploads in progress are younger)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete even what looks like another deployment's files (check DATABASE_URL "
            "and STORAGE_URL first)",
        )

    def handle(self, *args, min_age, force, **options):
        storage = uploads.sweepable_storage()
        cutoff = time.time() - min_age
        rows, known = 0, set()
        for pk, name in Attachment.objects.values_list("pk", "stored_name").iterator():
            rows += 1
            try:
                known.add(uploads.key_of(name))
                known.update(previews.keys_of(name))  # made from the file, kept with it
            except ValueError:
                # store() never makes such a name, so no file can be this row's: the rest of
                # the sweep goes on, and the row is left for an operator to look at.
                logger.warning("attachment %s has a malformed stored name %r", pk, name)
        # Listed first, deleted after: a listing is not changed under its own iteration.
        whole, leftovers, orphans = 0, [], 0
        for name, written in storage.listing():
            partial = name.endswith(uploads.PARTIAL_SUFFIX)
            whole += not partial
            if written < cutoff and name not in known:
                leftovers.append(name)
                orphans += not partial
        # A partial file is never anyone's attachment: only whole ones can make it unsafe.
        unsafe = orphans and (rows == 0 or (orphans > SAFE_COUNT and orphans > SAFE_SHARE * whole))
        if unsafe and not force:
            message = (
                f"cleanup_uploads refused: {orphans} of the {whole} stored files belong to none "
                f"of the {rows} attachment rows. This storage may be shared with another "
                "deployment, or the database is not this storage's (check DATABASE_URL and "
                "STORAGE_URL); nothing was deleted. Run `manage.py cleanup_uploads --force` "
                "to delete them anyway."
            )
            logger.error(message)
            raise CommandError(message)
        for name in leftovers:
            storage.delete(name)
        aborted = storage.abort_stale_uploads(cutoff)
        self.stdout.write(
            f"removed {len(leftovers)} leftover file(s), aborted {aborted} unfinished upload(s)"
        )
