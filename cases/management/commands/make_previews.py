import datetime as dt

from django.core.management.base import BaseCommand

from cases import previews


class Command(BaseCommand):
    help = (
        "Make the previews of screenshots still waiting for one: uploaded before previews "
        "existed, or whose task was lost. Beat runs it every ten minutes; without Redis, cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=int(previews.WAITING_TOO_LONG.total_seconds()),
            help="Only previews that have waited this many seconds (default: %(default)s).",
        )
        parser.add_argument("--limit", type=int, default=previews.SWEEP_LIMIT)

    def handle(self, *args, older_than, limit, **options):
        tried = previews.make_waiting(older_than=dt.timedelta(seconds=older_than), limit=limit)
        self.stdout.write(f"{tried} previews made or refused.")
