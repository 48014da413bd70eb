from django.core.management.base import BaseCommand

from hub.emails import deliver_pending


class Command(BaseCommand):
    help = "Send the emails that could not be delivered yet (run it every few minutes)."

    def handle(self, *args, **options):
        sent, failed = deliver_pending()
        self.stdout.write(f"sent {sent}, still failing {failed}")
