"""Celery tasks for mail and housekeeping (scheduled by CELERY_BEAT_SCHEDULE in settings).

Each is safe to run twice or at once on two workers: mail goes through the outbox row's claim
(`hub.emails.deliver`), so a message delivered again after a worker died sends nothing twice.
A database that is away is retried with exponential back-off.
"""

import io
import logging
import math

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError

from hub.emails import Outcome, claim_left, deliver, deliver_pending

logger = logging.getLogger(__name__)

# A refused email is tried again by its task after 1, 2, 4, 8 and 16 minutes (with jitter);
# after that it waits for `retry_pending_email`, which gives it up at emails.MAX_ATTEMPTS.
MAIL_RETRIES = 5
MAIL_BACKOFF_SECONDS = 60
# Set with the broker's visibility timeout, which must outlast it (hub/settings.py).
MAIL_BACKOFF_MAX_SECONDS = settings.MAIL_BACKOFF_MAX_SECONDS

_on_database_error = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(bind=True, **_on_database_error | {"max_retries": MAIL_RETRIES})
def deliver_email(self, email_id: int) -> str:
    """Send one queued email unless it is sent already or another sender holds it.

    Held by another sender's claim, the task comes back when that claim runs out: this message
    may be one delivered again because its worker died mid-send, and that worker's claim would
    otherwise leave the email to the next `retry_pending_email` run. Those returns and the
    retries of refused sends share one budget (MAIL_RETRIES).
    """
    outcome = deliver(email_id)
    if self.request.retries >= MAIL_RETRIES:
        return outcome.value
    if outcome is Outcome.FAILED:
        raise self.retry(countdown=mail_retry_countdown(self.request.retries))
    if outcome is Outcome.BUSY and (left := claim_left(email_id)) is not None:
        # A second past the claim's end: it has run out when the task comes back.
        raise self.retry(countdown=math.ceil(left.total_seconds()) + 1)
    return outcome.value


def mail_retry_countdown(retries: int) -> int:
    """Seconds before the next try: doubling from a minute, at random below that bound (full
    jitter), so the emails refused together during an outage do not all return at once."""
    return get_exponential_backoff_interval(
        MAIL_BACKOFF_SECONDS, retries, MAIL_BACKOFF_MAX_SECONDS, full_jitter=True
    )


@shared_task(**_on_database_error)
def retry_pending_email() -> dict[str, int]:
    """What `manage.py send_queued_email` does: retry unsent mail, least-tried first."""
    return deliver_pending()._asdict()


@shared_task(**_on_database_error)
def clear_expired_sessions() -> None:
    """Delete expired sessions from the database (Django's `clearsessions`)."""
    call_command("clearsessions")


def run_command(name: str, *args: str) -> str:
    """Run a management command, returning (and logging) the line it prints."""
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    line = out.getvalue().strip()
    logger.info("%s: %s", name, line)
    return line
