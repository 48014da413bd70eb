import csv
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trainer import seed


class Command(BaseCommand):
    help = (
        "Trainer mode only: --reset restores the demo data (in one transaction); "
        "--trainees N makes one invitation per trainee and prints the links."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="restore the demo data")
        parser.add_argument(
            "--if-empty", action="store_true", help="with --reset: only when no demo data exists"
        )
        parser.add_argument("--trainees", type=int, default=0, help="invitations to make")
        parser.add_argument("--csv", action="store_true", help="print the trainees as CSV")

    def handle(self, *args, reset, if_empty, trainees, csv, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Trainer mode is off: set DEMO_MODE=1 to use demo data.")
        if not (reset or trainees):
            raise CommandError("Say what to do: --reset and/or --trainees N.")
        if trainees < 0 or trainees > 200:
            raise CommandError("--trainees takes a number from 1 to 200.")
        if reset and not (if_empty and seed.demo_users().exists()):
            entry = seed.reset()
            self.stdout.write(
                "Demo data restored.\n"
                f"  Operator login: {entry['operator']} / {entry['password']} "
                "(the code is shown on the sign-in page)\n"
                f"  Customers:      yuki.sato@sample-shoji.example / {entry['password']}\n"
                f"  Fresh invitation link: {entry['invitation_url']}"
            )
            if entry["left"]:
                self.stdout.write(
                    "Left in place (real accounts are never reset; move or remove them in the "
                    "admin, then reset again): " + "; ".join(entry["left"])
                )
        if trainees:
            rows = seed.trainees(trainees)
            if csv:
                self._csv(rows)
            else:
                for row in rows:
                    self.stdout.write(f"{row['name']}\t{row['email']}\t{row['url']}")

    def _csv(self, rows):
        writer = csv.DictWriter(sys.stdout, fieldnames=["name", "email", "url"])
        writer.writeheader()
        writer.writerows(rows)
