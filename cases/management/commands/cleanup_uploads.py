import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.models import Attachment


class Command(BaseCommand):
    help = (
        "Delete upload leftovers: partial files of interrupted uploads and files no attachment "
        "refers to (a worker killed mid-upload, a rolled-back transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            help="only files older than this many seconds (uploads in progress are younger)",
        )

    def handle(self, *args, min_age, **options):
        root = Path(settings.UPLOAD_ROOT) / "attachments"
        if not root.exists():
            return
        cutoff = time.time() - min_age
        known = set(Attachment.objects.values_list("stored_name", flat=True))
        removed = 0
        for path in root.glob("*/*"):
            if path.is_file() and path.stat().st_mtime < cutoff and path.name not in known:
                path.unlink(missing_ok=True)
                removed += 1
        self.stdout.write(f"removed {removed} leftover file(s)")
