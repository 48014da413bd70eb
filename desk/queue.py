"""The queue's views: which cases each shows, and how many each holds, all counted in one query.

A view is a query-string value (`?view=mine`), so that an operator can bookmark it, save it
(SavedView) and combine it with the admin's own filters and search."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import CLOSED_STATUSES, CaseStatus
from desk.calendars import support_calendar

VIEW_PARAM = "view"
DAYS_PARAM = "days"
# Waiting for the customer for more than this many days, unless the query says otherwise.
DEFAULT_DAYS, MIN_DAYS, MAX_DAYS = 7, 1, 365


@dataclass(frozen=True)
class QueueView:
    key: str
    label: Promise


VIEWS = (
    QueueView("open", _("All open")),
    QueueView("mine", _("Mine")),
    QueueView("unassigned", _("Unassigned")),
    QueueView("overdue", _("Overdue")),
    QueueView("today", _("Due today")),
    QueueView("waiting", _("Waiting for the customer")),
)
VIEW_KEYS = frozenset(view.key for view in VIEWS)


def days_from(text: str | None) -> int:
    """N of "waiting for the customer for more than N days": a whole number, held within
    MIN_DAYS..MAX_DAYS; anything else (missing, words, huge) gives DEFAULT_DAYS."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return DEFAULT_DAYS
    return min(max(int(text), MIN_DAYS), MAX_DAYS)


def view_from(text: str | None) -> str | None:
    """The view a query asks for; None (every case) for none or an unknown one."""
    return text if text in VIEW_KEYS else None


def support_time_zone() -> dt.tzinfo:
    """The support calendar's time zone: "today" in the queue is the desk's day. (Kept with
    the catalogue's copies: no query once a process has read it.)"""
    return support_calendar().tz


def end_of_today(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The coming midnight in `tz`, as an aware time."""
    tomorrow = now.astimezone(tz).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=tz)


@dataclass(frozen=True)
class Moment:
    """What the views are relative to: who asks, now, the desk's midnight, and N days."""

    user_id: int
    now: dt.datetime
    midnight: dt.datetime
    days: int

    @classmethod
    def of(cls, user, days: int = DEFAULT_DAYS, now: dt.datetime | None = None) -> "Moment":
        now = now or timezone.now()
        return cls(user.pk, now, end_of_today(now, support_time_zone()), days)


def conditions(moment: Moment) -> dict[str, Q]:
    """Each view's condition. Overdue and due today part at now: a case overdue is in one, not
    both. A due time exists only while the clock runs (desk.clock), that is, for open cases."""
    is_open = ~Q(status__in=CLOSED_STATUSES)
    return {
        "open": is_open,
        "mine": is_open & Q(assigned_to_id=moment.user_id),
        "unassigned": is_open & Q(assigned_to__isnull=True),
        "overdue": is_open & Q(response_due_at__lt=moment.now),
        "today": is_open & Q(response_due_at__gte=moment.now, response_due_at__lt=moment.midnight),
        "waiting": Q(
            status=CaseStatus.WAITING_FOR_CUSTOMER,
            status_changed_at__lt=moment.now - dt.timedelta(days=moment.days),
        ),
    }


def in_view(queryset: QuerySet, view: str | None, moment: Moment) -> QuerySet:
    if view is None:
        return queryset
    return queryset.filter(conditions(moment)[view])


def counts(queryset: QuerySet, moment: Moment) -> dict[str, int]:
    """How many cases each view holds, in one query (a conditional count per view)."""
    return queryset.aggregate(
        **{key: Count("pk", filter=condition) for key, condition in conditions(moment).items()}
    )
