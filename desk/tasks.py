"""The desk's housekeeping, run by Celery beat (CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task
from django.db import DatabaseError

from hub.tasks import run_command


@shared_task(
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def load_holidays() -> str:
    """Next year's national holidays arrive long before the clocks need them
    (`manage.py load_holidays`)."""
    return run_command("load_holidays")


@shared_task(
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def recalculate_due_times() -> int:
    """Running clocks' due times on the calendar an operator just changed."""
    from desk.services import due_times_recalculate

    return due_times_recalculate()
