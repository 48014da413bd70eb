"""Templated email in the recipient's language and time zone, queued so delivery never breaks
the request that triggers it: a row is written with the business change, delivered after
commit (by a Celery worker when there is a broker, else on a thread of this process), and
retried by beat's `retry_pending_email` task or `manage.py send_queued_email` when the mail
server was away.

Every sender (the worker's task, the background thread, the retry task or command, the admin's
"Retry now") claims the row first (`OutboundEmail.claim`), so overlapping senders never send
one email twice.
"""

import dataclasses
import datetime as dt
import enum
import logging
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Min
from django.template.loader import render_to_string
from django.utils import timezone, translation

from hub import background
from hub.models import OutboundEmail

logger = logging.getLogger(__name__)
# The retry command gives up on an email after this many attempts; it then stays "failing" in
# the admin, `send_queued_email --check` and `/healthz?mail` until an operator retries it.
MAX_ATTEMPTS = 10
# The retry command stops after this many failures in a row: the server is away, and trying
# every queued email against it would make one run last (queued emails × EMAIL_TIMEOUT).
MAX_FAILURES_IN_A_ROW = 3


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def queue_email(
    *, to: str, template: str, context: dict, language: str, time_zone=None
) -> OutboundEmail:
    """Render templates/emails/<template>_subject.txt, .txt and .html and queue the message."""
    with translation.override(language), timezone.override(time_zone or settings.TIME_ZONE):
        full_context = {"PORTAL_NAME": settings.PORTAL_NAME, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", full_context)
        text = render_to_string(f"emails/{template}.txt", full_context)
        html = render_to_string(f"emails/{template}.html", full_context)
    email = OutboundEmail.objects.create(
        to=to,
        subject=" ".join(subject.split())[:300],
        body_text=text,
        body_html=html,
        language=language,
        demo=settings.DEMO_MODE,
    )
    if settings.EMAIL_DELIVERY == "immediate":
        deliver(email.pk)
    else:
        transaction.on_commit(lambda: deliver_after_commit(email.pk))
    return email


def deliver_after_commit(email_id: int) -> None:
    """Hand the email to a Celery worker when there is a broker (REDIS_URL), else send it on a
    thread of this process: the request never waits for the mail server either way."""
    from hub.tasks import deliver_email  # hub.tasks imports this module

    background.hand_off(deliver_email, email_id, inline=deliver, what=f"email {email_id}")


def claim_lease() -> dt.timedelta:
    """How long a claim holds: longer than any real send (EMAIL_CLAIM_LEASE_SECONDS), so only a
    sender that died leaves a claim to run out."""
    return dt.timedelta(seconds=settings.EMAIL_CLAIM_LEASE_SECONDS)


def claim_left(email_id: int) -> dt.timedelta | None:
    """How long another sender's claim on the unsent email still holds; None when the email is
    sent, gone, or free to claim now."""
    now = timezone.now()
    until = (
        OutboundEmail.objects.unsent()
        .filter(pk=email_id, claimed_until__gt=now)
        .values_list("claimed_until", flat=True)
        .first()
    )
    return None if until is None else until - now


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    BUSY = "busy"  # already sent, or another sender holds the claim


def deliver(email_id: int) -> Outcome:
    """Send one queued email unless it is sent or another sender holds it.

    A failure is recorded on the row (attempts, last error) and the claim released, so the
    retry command tries again.
    """
    email = OutboundEmail.claim(email_id, lease=claim_lease())
    if email is None:
        return Outcome.BUSY
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except Exception as error:  # any transport fault: keep the row, retry later
        logger.warning("email %s to %s not sent: %s", email.pk, email.to, error)
        email.mark_failed(f"{type(error).__name__}: {error}")
        return Outcome.FAILED
    email.mark_sent(keep_body=settings.OUTBOX_KEEP_BODIES)
    return Outcome.SENT


class Run(NamedTuple):
    sent: int
    failed: int
    left: int  # not tried this run: the server kept failing, or another sender holds them


def deliver_pending() -> Run:
    """Retry the unsent emails below the attempt limit, least-tried first."""
    now = timezone.now()
    pending = list(
        OutboundEmail.objects.unsent()
        .unclaimed(now)
        .filter(attempts__lt=MAX_ATTEMPTS)
        # Least-tried first, so emails that always fail cannot starve the others.
        .order_by("attempts", "id")
        .values_list("pk", flat=True)
    )
    sent = failed = in_a_row = 0
    for tried, email_id in enumerate(pending, start=1):
        match deliver(email_id):
            case Outcome.SENT:
                sent += 1
                in_a_row = 0
            case Outcome.FAILED:
                failed += 1
                in_a_row += 1
                if in_a_row >= MAX_FAILURES_IN_A_ROW:
                    return Run(sent, failed, len(pending) - tried)
    return Run(sent, failed, len(pending) - sent - failed)


@dataclasses.dataclass(frozen=True)
class Failing:
    count: int
    since: dt.datetime | None  # when the oldest of them was queued, None when there are none

    def __str__(self):
        if not self.count or self.since is None:
            return "mail: 0 failing"
        since = self.since.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"mail: {self.count} failing since {since}"


def failing_emails() -> Failing:
    """How many unsent emails have failed (or waited too long), in one indexed query."""
    found = OutboundEmail.objects.failing(timezone.now()).aggregate(
        count=Count("id"), since=Min("created_at")
    )
    return Failing(found["count"], found["since"])
