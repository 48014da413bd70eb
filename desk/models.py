"""The operators' desk: when it works (calendar, holidays), how each response measured up
against its target, saved replies, saved queue views, and who is on a case right now."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStatus
from catalog.models import Priority, Service


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("Enter a time zone such as Asia/Tokyo.")) from error


class SupportCalendar(models.Model):
    """When the desk works: the response clocks run in these hours only. One row (pk 1)."""

    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Tokyo", validators=[validate_time_zone]
    )
    opens_at = models.TimeField(_("opens at"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=dt.time(17, 30))
    monday = models.BooleanField(_("Monday"), default=True)
    tuesday = models.BooleanField(_("Tuesday"), default=True)
    wednesday = models.BooleanField(_("Wednesday"), default=True)
    thursday = models.BooleanField(_("Thursday"), default=True)
    friday = models.BooleanField(_("Friday"), default=True)
    saturday = models.BooleanField(_("Saturday"), default=False)
    sunday = models.BooleanField(_("Sunday"), default=False)
    holiday_country = models.CharField(
        _("national holidays of"),
        max_length=2,
        default="JP",
        help_text=_("Two-letter country code; its public holidays are loaded as closed days."),
    )

    WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

    class Meta:
        verbose_name = _("support calendar")
        verbose_name_plural = _("support calendar")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="desk_calendar_opens_before_closing",
                violation_error_message=_("The desk must open before it closes."),
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class Holiday(models.Model):
    """A day the desk is closed (is_closed) or, for a national holiday, open after all."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_national = models.BooleanField(_("national holiday"), default=False, editable=False)
    is_closed = models.BooleanField(
        _("desk closed"),
        default=True,
        help_text=_("Clear this to keep the desk open on a national holiday."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class ResponseKind(models.TextChoices):
    FIRST = "first", _("First response")
    NEXT = "next", _("Next response")


class ResponseRecord(models.Model):
    """One response that a clock was running for, and how it measured up: written when an
    operator answers (publicly) a case whose clock runs. The report reads these."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="responses", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ResponseKind.choices)
    # Copied from the case when answered: the report groups by them as they were.
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="+", verbose_name=_("priority")
    )
    target_minutes = models.PositiveIntegerField(_("target (business minutes)"))
    taken_minutes = models.PositiveIntegerField(_("taken (business minutes)"))
    due_at = models.DateTimeField(_("due"))
    responded_at = models.DateTimeField(_("answered"))
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("operator"),
    )

    class Meta:
        ordering = ["responded_at", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["responded_at"], name="desk_response_when")]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.responded_at:%Y-%m-%d %H:%M}"

    @property
    def met(self) -> bool:
        return self.taken_minutes <= self.target_minutes


class SavedReply(models.Model):
    """A saved text an operator inserts into a reply in one step (a macro). Placeholders:
    {customer_name}, {case_number}, {operator_name}."""

    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_ja = models.TextField(_("text (Japanese)"))
    body_en = models.TextField(_("text (English)"))
    sets_status = models.CharField(
        _("sets the status to"),
        max_length=20,
        choices=CaseStatus.choices,
        blank=True,
        help_text=_("Optional: posting this reply also moves the case to this status."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        if (get_language() or "").startswith("ja"):
            return self.title_ja or self.title_en
        return self.title_en or self.title_ja


class SavedView(models.Model):
    """An operator's own named filter of the queue (the query string of the case list)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("operator"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="desk_savedview_unique_name")
        ]

    def __str__(self):
        return self.name


class CaseViewer(models.Model):
    """An operator who has a case's page open, and whether they are writing a reply: the
    collision warning reads these (rows older than a minute no longer count)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="viewers", verbose_name=_("case")
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("operator"),
    )
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    replying = models.BooleanField(_("writing a reply"), default=False)

    class Meta:
        verbose_name = _("case viewer")
        verbose_name_plural = _("case viewers")
        constraints = [
            models.UniqueConstraint(fields=["case", "operator"], name="desk_caseviewer_unique")
        ]

    def __str__(self):
        return f"{self.case_id} {self.operator_id}"
