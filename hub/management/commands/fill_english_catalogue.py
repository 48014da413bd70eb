from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Fill hub/locale/en with the English source strings, so the English catalogue is complete "
        "and a later change of wording can be made there without touching the code."
    )

    def handle(self, *args, **options):
        for name in ("django.po", "djangojs.po"):
            path = Path(settings.BASE_DIR) / "hub" / "locale" / "en" / "LC_MESSAGES" / name
            if not path.exists():
                continue
            catalogue = polib.pofile(str(path))
            for entry in catalogue:
                # A fuzzy entry is msgmerge's guess from a similar string: never keep it.
                guessed = "fuzzy" in entry.flags
                if entry.msgid_plural:
                    entry.msgstr_plural = {
                        0: (not guessed and entry.msgstr_plural.get(0)) or entry.msgid,
                        1: (not guessed and entry.msgstr_plural.get(1)) or entry.msgid_plural,
                    }
                elif guessed or not entry.msgstr:
                    entry.msgstr = entry.msgid
                if guessed:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = None
            catalogue.save()
            self.stdout.write(f"filled {path.relative_to(settings.BASE_DIR)}")
