from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse


class Command(BaseCommand):
    help = "Print where the portal is served and how to log in (used by make run and serve)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        base = url.rstrip("/")
        users = get_user_model().objects
        lines = [
            "",
            "Services HUB",
            f"  Portal:           {base}{reverse('home')}",
            f"  Log in:           {base}{reverse('accounts:login')}",
            f"  Operator console: {base}{reverse('admin:index')}",
        ]
        if settings.DEMO_MODE:
            from trainer import seed
            from trainer.classroom import classroom_key

            (trainee,) = seed.trainees(1)
            lines += [
                "",
                "  Trainer mode (demo data; codes appear on the sign-in page, no phone needed):",
                "  Classroom link (open it first; it shows the outbox and on-screen codes of",
                "  demo accounts only, to browsers that opened it):",
                f"                    {base}{reverse('trainer:join', args=[classroom_key()])}",
                f"  Operator:         support@eset.example / {seed.DEMO_PASSWORD}",
                f"  Customer:         yuki.sato@sample-shoji.example / {seed.DEMO_PASSWORD}",
                f"  New invitation:   {trainee['url']}",
                "  Reset the demo:   DEMO_MODE=1 DEBUG=1 .venv/bin/python manage.py demo --reset",
            ]
        elif not users.filter(is_staff=True).exists():
            lines += [
                "",
                "  No operator account exists yet. Create one with:",
                "    .venv/bin/python manage.py createsuperuser",
            ]
        self.stdout.write("\n".join(lines) + "\n")
