"""Templated email in the recipient's language and time zone, queued so delivery never breaks
the request that triggers it: a row is written with the business change, delivered after
commit, and retried by `manage.py send_queued_email` when the mail server was away.
"""

import logging
import threading

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from hub.models import OutboundEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


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
        transaction.on_commit(lambda: _deliver_in_background(email.pk))
    return email


def _deliver_in_background(email_id: int) -> None:
    threading.Thread(target=deliver, args=(email_id,), daemon=True).start()


def deliver(email_id: int) -> bool:
    """Send one queued email; on failure record the error for the retry command."""
    email = OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True).first()
    if email is None:
        return False
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
        OutboundEmail.objects.filter(pk=email.pk).update(
            attempts=email.attempts + 1, last_error=str(error)[:500]
        )
        return False
    sent = {"sent_at": timezone.now(), "attempts": email.attempts + 1, "last_error": ""}
    if not settings.OUTBOX_KEEP_BODIES:
        sent |= {"body_text": "", "body_html": ""}  # the links in them are secrets
    OutboundEmail.objects.filter(pk=email.pk).update(**sent)
    return True


def deliver_pending() -> tuple[int, int]:
    """Retry every unsent email below the attempt limit; returns (sent, still failing)."""
    sent = failed = 0
    pending = OutboundEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    for email_id in pending.order_by("id").values_list("pk", flat=True):
        if deliver(email_id):
            sent += 1
        else:
            failed += 1
    return sent, failed
