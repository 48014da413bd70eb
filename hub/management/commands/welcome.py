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
        if not users.filter(is_staff=True).exists():
            lines += [
                "",
                "  No operator account exists yet. Create one with:",
                "    .venv/bin/python manage.py createsuperuser",
            ]
        else:
            lines.append(f"  Accounts:         {users.count()} (log in with your email address)")
        self.stdout.write("\n".join(lines) + "\n")
