from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils.module_loading import import_string


def _app_lines(base: str) -> list[str]:
    """Lines that installed apps add to the welcome (trainer mode's classroom link, say): an app
    config names a function `welcome_lines = "app.module.function"` that takes the base URL."""
    lines = []
    for config in apps.get_app_configs():
        path = getattr(config, "welcome_lines", None)
        if path:
            lines += import_string(path)(base)
    return lines


class Command(BaseCommand):
    help = (
        "Print where the portal is served and how to log in (used by make run and serve). "
        "Reads only: it never writes to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        base = url.rstrip("/")
        lines = [
            "",
            "Services HUB",
            f"  Portal:           {base}{reverse('home')}",
            f"  Log in:           {base}{reverse('accounts:login')}",
            f"  Operator console: {base}{reverse('admin:index')}",
        ]
        extra = _app_lines(base)
        if extra:
            lines += ["", *extra]
        elif not get_user_model().objects.filter(is_staff=True).exists():
            lines += [
                "",
                "  No operator account exists yet. Create one with:",
                "    .venv/bin/python manage.py createsuperuser",
            ]
        self.stdout.write("\n".join(lines) + "\n")
