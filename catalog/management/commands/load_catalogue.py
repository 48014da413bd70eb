from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.integrity import catalogue_problems
from catalog.models import Service

FIXTURES = ["catalog_services", "catalog_products", "catalog_topics"]


class Command(BaseCommand):
    help = (
        "Load the catalogue from catalog/fixtures/ (loading twice changes nothing) and refuse it, "
        "changing nothing, when its tree is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when a catalogue is already loaded, keeping operators' edits.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Service.objects.exists():
            self.stdout.write("Catalogue already loaded; left as it is.")
            self._load_holidays(options["verbosity"])
            return
        try:
            with transaction.atomic():
                paths = [str(settings.CATALOGUE_FIXTURES_DIR / f"{name}.yaml") for name in FIXTURES]
                call_command("loaddata", *paths, verbosity=0)
                problems = catalogue_problems()
                if problems:
                    raise CommandError(
                        "The catalogue is broken, nothing was loaded:\n  " + "\n  ".join(problems)
                    )
        except CommandError:
            raise
        except Exception as error:  # loaddata wraps every fixture fault in a few types
            raise CommandError(f"The catalogue fixtures were refused: {error}") from error
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Catalogue loaded."))
        self._load_holidays(options["verbosity"])

    def _load_holidays(self, verbosity: int) -> None:
        # The response clocks count business hours: a fresh site (make run, the test database)
        # has its national holidays with its catalogue. Idempotent, keeps operators' choices.
        try:
            call_command("load_holidays", verbosity=verbosity, stdout=self.stdout)
        except CommandError as error:
            # A country the library does not know: the catalogue is loaded all the same.
            self.stderr.write(f"Holidays not loaded: {error}")
