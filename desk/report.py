"""How the desk is doing: cases opened and resolved per week, and how the responses measured up
against their targets, per service and priority and overall, over a period of dates.

A fixed number of queries whatever the period and however many cases: the counts are grouped
by week in SQL (TruncWeek in the support calendar's time zone, Monday start on both databases);
the response times come as one values_list and their percentiles are computed here, because
SQLite has no percentile_cont and the same numbers must come out on SQLite and PostgreSQL.
"""

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncWeek

from cases.models import Case, CaseStatus
from catalog.models import Priority, ResponseTarget, Service
from desk.calendars import support_calendar
from desk.models import ResponseKind, ResponseRecord

# A report over more than this many days is refused: two years of weeks is what the charts
# can still draw legibly, and what the query cost was measured for.
MAX_DAYS = 2 * 366
DEFAULT_WEEKS = 12


def report_time_zone() -> zoneinfo.ZoneInfo:
    """The support calendar's time zone: the desk's weeks start on its Mondays."""
    return support_calendar().tz


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last DEFAULT_WEEKS full weeks (Monday to Sunday) before the week of `today`."""
    end = monday_of(today) - dt.timedelta(days=1)
    return end - dt.timedelta(weeks=DEFAULT_WEEKS, days=-1), end


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The percentile by linear interpolation between the closest ranks of the sorted values:
    PostgreSQL's percentile_cont and Python's statistics.quantiles(method="inclusive") agree."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Responses:
    """The responses of one group (a week, a service and priority, everything)."""

    first_taken: list[int] = field(default_factory=list)
    first_met: int = 0
    next_count: int = 0
    next_met: int = 0

    def add(self, kind: str, taken: int, target: int) -> None:
        met = taken <= target
        if kind == ResponseKind.FIRST:
            self.first_taken.append(taken)
            self.first_met += met
        else:
            self.next_count += 1
            self.next_met += met

    @property
    def first_count(self) -> int:
        return len(self.first_taken)

    @property
    def first_median(self) -> float | None:
        return percentile(self.first_taken, 0.5)

    @property
    def first_p90(self) -> float | None:
        return percentile(self.first_taken, 0.9)

    @property
    def first_share_met(self) -> float | None:
        return share(self.first_met, self.first_count)

    @property
    def next_share_met(self) -> float | None:
        return share(self.next_met, self.next_count)


@dataclass
class Line:
    """One line of the report: a week, a service and priority, or the whole period."""

    opened: int = 0
    resolved: int = 0
    responses: Responses = field(default_factory=Responses)


@dataclass
class Week(Line):
    monday: dt.date = dt.date.min


@dataclass
class Group(Line):
    service: Service | None = None
    priority: Priority | None = None
    # The catalogue's first-response target now; each response was measured against the
    # target it had then (ResponseRecord.target_minutes).
    target_minutes: int | None = None


@dataclass
class Report:
    start: dt.date
    end: dt.date
    time_zone: zoneinfo.ZoneInfo
    weeks: list[Week]
    groups: list[Group]
    overall: Line

    @property
    def is_empty(self) -> bool:
        line = self.overall
        return not (line.opened or line.resolved or line.responses.first_count)


def _bounds(start: dt.date, end: dt.date, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `start` to the end of `end`, in the desk's time zone."""
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
    )


def _weekly_counts(cases, when: str, tz: zoneinfo.ZoneInfo) -> Iterable[tuple]:
    """(monday, service id, priority id, count) of `cases` by the week of their `when`."""
    rows = (
        cases.order_by()
        .values("service_id", "priority_id", week=TruncWeek(when, tzinfo=tz))
        .annotate(count=Count("id"))
        .values_list("week", "service_id", "priority_id", "count")
    )
    for week, service_id, priority_id, count in rows:
        yield week.astimezone(tz).date(), service_id, priority_id, count


def desk_report(
    *,
    start: dt.date,
    end: dt.date,
    services: Sequence[Service],
    priorities: Sequence[Priority],
    service_id: int | None = None,
    priority_id: int | None = None,
    tz: zoneinfo.ZoneInfo | None = None,
) -> Report:
    """The report from `start` to `end` (both included). `services` and `priorities` are the
    catalogue's (the caller has them for its form already); four queries, and the
    calendar's (none when kept) without `tz`."""
    tz = tz or report_time_zone()
    since, until = _bounds(start, end, tz)
    scope = {}
    if service_id is not None:
        scope["service_id"] = service_id
    if priority_id is not None:
        scope["priority_id"] = priority_id

    weeks = {}
    monday = monday_of(start)
    while monday <= end:
        weeks[monday] = Week(monday=monday)
        monday += dt.timedelta(weeks=1)
    groups: dict[tuple[int, int], Group] = defaultdict(Group)
    overall = Line()

    opened = Case.objects.filter(created_at__gte=since, created_at__lt=until, **scope)
    for monday, *key, count in _weekly_counts(opened, "created_at", tz):
        weeks[monday].opened += count
        groups[tuple(key)].opened += count
        overall.opened += count
    resolved = Case.objects.filter(
        status=CaseStatus.RESOLVED, closed_at__gte=since, closed_at__lt=until, **scope
    )
    for monday, *key, count in _weekly_counts(resolved, "closed_at", tz):
        weeks[monday].resolved += count
        groups[tuple(key)].resolved += count
        overall.resolved += count

    records = ResponseRecord.objects.filter(
        responded_at__gte=since, responded_at__lt=until, **scope
    ).values_list(
        "responded_at", "kind", "service_id", "priority_id", "taken_minutes", "target_minutes"
    )
    for responded_at, kind, svc, prio, taken, target in records:
        monday = monday_of(responded_at.astimezone(tz).date())
        for line in (weeks[monday], groups[svc, prio], overall):
            line.responses.add(kind, taken, target)

    targets = {
        (svc, prio): minutes
        for svc, prio, minutes in ResponseTarget.objects.order_by().values_list(
            "service_id", "priority_id", "minutes"
        )
    }
    by_service = {s.pk: s for s in services}
    by_priority = {p.pk: p for p in priorities}
    for (svc, prio), group in groups.items():
        group.service = by_service.get(svc)
        group.priority = by_priority.get(prio)
        group.target_minutes = targets.get((svc, prio))

    def position(group: Group) -> tuple:
        return (
            (group.service.position, group.service.pk) if group.service else (0, 0),
            (group.priority.position, group.priority.pk) if group.priority else (0, 0),
        )

    return Report(
        start=start,
        end=end,
        time_zone=tz,
        weeks=list(weeks.values()),
        groups=sorted(groups.values(), key=position),
        overall=overall,
    )
