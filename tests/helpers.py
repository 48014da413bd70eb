"""Helpers shared by test modules (fixtures live in conftest.py)."""

from django.urls import reverse

from trainer.classroom import classroom_key


def classroom_url() -> str:
    """The trainer's classroom link, as `make run` prints it."""
    return reverse("trainer:join", args=[classroom_key()])
