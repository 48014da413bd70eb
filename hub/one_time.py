"""One state machine for every one-time link: invitations, password resets, pairing phrases.

A link is pending until it is used or its time runs out; used wins over expired (a link used
in time stays "used" afterwards). The queryset, the status method and the claim below are the
only places that rule is written: the admin filters, the views and the error pages ask them.
"""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LinkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")


class OneTimeQuerySet(models.QuerySet):
    def pending(self, now: dt.datetime | None = None):
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())

    def used(self):
        return self.filter(used_at__isnull=False)

    def expired(self, now: dt.datetime | None = None):
        return self.filter(used_at__isnull=True, expires_at__lte=now or timezone.now())

    def unused(self):
        """Pending or expired: the rows a new link may replace."""
        return self.filter(used_at__isnull=True)

    def with_status(self, status: str, now: dt.datetime | None = None):
        """The rows in one LinkStatus (what a list filter asks)."""
        match status:
            case LinkStatus.PENDING:
                return self.pending(now)
            case LinkStatus.USED:
                return self.used()
            case LinkStatus.EXPIRED:
                return self.expired(now)
        raise ValueError(f"unknown link status {status!r}")


class OneTimeLink(models.Model):
    """Something usable once and only until `expires_at`."""

    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    objects = OneTimeQuerySet.as_manager()

    class Meta:
        abstract = True

    def status(self, now: dt.datetime | None = None) -> LinkStatus:
        if self.used_at is not None:
            return LinkStatus.USED
        if self.expires_at <= (now or timezone.now()):
            return LinkStatus.EXPIRED
        return LinkStatus.PENDING

    @property
    def is_used(self) -> bool:
        return self.status() == LinkStatus.USED

    @property
    def is_expired(self) -> bool:
        return self.status() == LinkStatus.EXPIRED

    def claim_guard(self) -> dict:
        """Fields that must still hold the values this row was read with for a claim to win:
        a link whose secret was renewed in between is not the link that was presented."""
        return {}

    def claim(self) -> bool:
        """Mark used if still pending; of racing callers exactly one wins (one conditional
        UPDATE, no read-then-write)."""
        now = timezone.now()
        rows = type(self)._default_manager.pending(now).filter(pk=self.pk, **self.claim_guard())
        won = rows.update(used_at=now)
        if won:
            self.used_at = now
        return bool(won)
