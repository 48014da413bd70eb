from django.core.management.base import BaseCommand, CommandError

from desk.services import holidays_load


class Command(BaseCommand):
    help = (
        "Load the support calendar's national holidays (last year, this year and the next two "
        "unless told) from the `holidays` library; loading twice changes nothing, and what "
        "operators chose (a holiday kept open, their own closed days) is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="Years to load, e.g. 2027 2028.")

    def handle(self, *args, years, **options):
        if any(not 1900 <= year <= 2200 for year in years):
            raise CommandError("Years from 1900 to 2200 only.")
        try:
            loaded = holidays_load(years=years or None)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Holidays of {loaded.country} {loaded.years[0]}–{loaded.years[-1]}: "
                    f"{loaded.added} added, {loaded.renamed} renamed, {loaded.removed} removed."
                )
            )
