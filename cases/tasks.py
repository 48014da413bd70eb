"""Housekeeping of cases' files, run by Celery beat (CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task
from django.db import DatabaseError

from hub.tasks import run_command


@shared_task(
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def cleanup_uploads() -> str:
    """Delete leftovers of interrupted uploads (`manage.py cleanup_uploads`)."""
    return run_command("cleanup_uploads")
