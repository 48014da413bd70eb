"""What `manage.py welcome` prints in trainer mode: how to log in, never a write."""

from django.conf import settings
from django.urls import reverse

from trainer import seed
from trainer.classroom import classroom_key

MANAGE = "DEMO_MODE=1 DEBUG=1 .venv/bin/python manage.py"


def login_lines(base: str) -> list[str]:
    """The classroom link, the demo accounts the seed made and the demo commands; nothing
    outside trainer mode. Named by TrainerConfig.welcome_lines."""
    if not settings.DEMO_MODE:
        return []
    lines = [
        "  Trainer mode (demo data; codes appear on the sign-in page, no phone needed):",
        "  Classroom link (open it first; it shows the outbox and on-screen codes of",
        "  demo accounts only, to browsers that opened it):",
        f"                    {base}{reverse('trainer:join', args=[classroom_key()])}",
    ]
    if seed.demo_users().exists():
        lines += [
            f"  Operator:         {seed.DEMO_OPERATOR} / {seed.DEMO_PASSWORD}",
            f"  Customer:         {seed.DEMO_CUSTOMER} / {seed.DEMO_PASSWORD}",
        ]
    else:
        lines.append(f"  No demo data yet: {MANAGE} demo --reset")
    lines += [
        f"  Trainee accounts: {MANAGE} demo --trainees N [--csv]",
        "                    (one invitation link each, in a company of their own)",
        f"  Reset the demo:   {MANAGE} demo --reset",
    ]
    return lines
