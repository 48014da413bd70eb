from django.core.management.base import BaseCommand, CommandError

from hub.emails import deliver_pending, failing_emails


class Command(BaseCommand):
    help = (
        "Send the emails that could not be delivered yet (run it every few minutes). "
        "With --check, send nothing: exit 1 with one line when emails are failing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report: exit 1 naming how many emails are failing and since when.",
        )

    def handle(self, *args, check=False, **options):
        if check:
            failing = failing_emails()
            if failing.count:
                raise CommandError(str(failing), returncode=1)
            self.stdout.write(str(failing))
            return
        run = deliver_pending()
        self.stdout.write(f"sent {run.sent}, still failing {run.failed}, left {run.left}")
