import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Background delivery starts right after commit; an email still untried after this long was
# lost by a process that stopped, and waits for the retry command.
UNTRIED_GRACE = dt.timedelta(minutes=15)


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    FAILING = "failing", _("Failing")
    SENT = "sent", _("Delivered")


class OutboundEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)

    def unclaimed(self, now: dt.datetime):
        """Rows no sender holds: never claimed, released, or left by a sender that died."""
        return self.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))

    def failing(self, now: dt.datetime):
        """Unsent mail not being sent now whose last attempt failed (or whose sender died),
        or that nobody tried for a while (the process that queued it stopped before sending).
        """
        return self.unsent().unclaimed(now).filter(_failed(now))

    def with_status(self, status: str, now: dt.datetime):
        match status:
            case EmailStatus.SENT:
                return self.filter(sent_at__isnull=False)
            case EmailStatus.SENDING:
                return self.unsent().filter(claimed_until__gt=now)
            case EmailStatus.FAILING:
                return self.failing(now)
            case EmailStatus.QUEUED:
                return self.unsent().unclaimed(now).exclude(_failed(now))
        return self


def _failed(now: dt.datetime) -> Q:
    return Q(attempts__gt=0) | Q(created_at__lt=now - UNTRIED_GRACE)


class OutboundEmail(models.Model):
    """Every email the portal sends, kept so a failed delivery is retried, never lost.

    A sender first claims the row with a lease (`claim`), so the background thread and the
    retry command never both send it; the lease expires, so a sender that died mid-send leaves
    the row to be retried rather than stuck.
    """

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # Set while one sender is delivering the row; nobody else sends it before this time.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Sent while trainer mode was on: the only mail the demo outbox shows.
    demo = models.BooleanField(_("sent in trainer mode"), default=False)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [models.Index(fields=["sent_at", "attempts"], name="hub_email_unsent")]

    def __str__(self):
        return f"{self.to}: {self.subject}"

    def status(self, now: dt.datetime) -> EmailStatus:
        """The same rules as `OutboundEmailQuerySet.with_status`, for one row in hand."""
        if self.sent_at is not None:
            return EmailStatus.SENT
        if self.claimed_until is not None and self.claimed_until > now:
            return EmailStatus.SENDING
        if self.attempts > 0 or self.created_at < now - UNTRIED_GRACE:
            return EmailStatus.FAILING
        return EmailStatus.QUEUED

    @classmethod
    def claim(cls, pk: int, *, lease: dt.timedelta) -> "OutboundEmail | None":
        """Take the unsent row `pk` for one delivery attempt; None when sent or held by another.

        One conditional UPDATE, so of two senders exactly one wins on SQLite and PostgreSQL
        alike (the database serialises the writes; the loser's WHERE no longer matches).
        """
        now = timezone.now()
        won = (
            cls.objects.unsent()
            .unclaimed(now)
            .filter(pk=pk)
            .update(
                claimed_until=now + lease,
                attempts=models.F("attempts") + 1,
                last_attempt_at=now,
            )
        )
        return cls.objects.filter(pk=pk).first() if won else None

    def mark_sent(self, *, keep_body: bool) -> None:
        changes = {"sent_at": timezone.now(), "claimed_until": None, "last_error": ""}
        if not keep_body:
            changes |= {"body_text": "", "body_html": ""}  # the links in them are secrets
        OutboundEmail.objects.filter(pk=self.pk).update(**changes)
        for field, value in changes.items():
            setattr(self, field, value)

    def mark_failed(self, error: str) -> None:
        # Released at once, so the next retry run need not wait for the lease; but only while
        # the claim is still ours (a slower-than-lease attempt must not free another's claim).
        changes = {"claimed_until": None, "last_error": error[:500]}
        OutboundEmail.objects.filter(pk=self.pk, claimed_until=self.claimed_until).update(**changes)
        for field, value in changes.items():
            setattr(self, field, value)
