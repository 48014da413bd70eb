import os
import secrets
import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make the local state folder (VAR_DIR) and its static folder, and, when SECRET_KEY is "
        "not set, a random secret key kept in VAR_DIR/secret_key. Safe to run again: it keeps "
        "what exists. make run and make serve call it first; importing settings writes nothing."
    )
    # Runs before anything else exists: there is nothing to check yet.
    requires_system_checks = []

    def handle(self, *args, **options):
        for folder in (settings.VAR_DIR, settings.STATIC_ROOT):
            folder.mkdir(parents=True, exist_ok=True)
        key_file = settings.SECRET_KEY_FILE
        if os.environ.get("SECRET_KEY") or (key_file.exists() and key_file.read_text().strip()):
            return
        # An empty key file (a full disk, a hand edit) is no key: replace it.
        settings.SECRET_KEY_FILE.unlink(missing_ok=True)
        if self._publish_key(settings.SECRET_KEY_FILE) and options["verbosity"]:
            self.stdout.write(f"Made a local secret key: {settings.SECRET_KEY_FILE}")

    def _publish_key(self, path) -> bool:
        """Write a new key beside `path` (owner-only from the first byte: mkstemp makes 0600),
        then link it into place, which fails if the file exists: processes started together (test
        workers, say) never write two keys, and none reads a half-written one."""
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50))
            os.link(draft, path)
        except FileExistsError:
            return False
        finally:
            os.unlink(draft)
        return True
