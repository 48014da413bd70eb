"""Cases' files: housekeeping run by Celery beat (CELERY_BEAT_SCHEDULE in settings), and the
previews of screenshots, queued after an upload."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from cases import previews
from cases.models import PreviewRefusal
from hub.outages import Unavailable
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


@shared_task(
    autoretry_for=(DatabaseError, Unavailable),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    # The worker interrupts a decode past the budget; the hard limit ends a stuck one.
    soft_time_limit=previews.TIME_BUDGET_SECONDS,
    time_limit=previews.TIME_BUDGET_SECONDS + 10,
)
def make_preview(attachment_id: int) -> str:
    """The thumbnail and preview of a screenshot (cases/previews.py), or why there is none."""
    try:
        return previews.make(attachment_id).value
    except SoftTimeLimitExceeded:
        return previews.refuse(attachment_id, PreviewRefusal.TOO_SLOW).value


@shared_task(autoretry_for=(DatabaseError, Unavailable), retry_backoff=True, max_retries=3)
def sweep_previews() -> str:
    """Previews that waited too long, made now (`manage.py make_previews`)."""
    return run_command("make_previews")
