"""The desk's calendar as the response clocks read it (desk.business_hours.Calendar), from the
SupportCalendar row and the Holiday rows.

Every case filed and every post asks for it, and operators change it a few times a year: it is
kept with the catalogue's copies (catalog/cache.py), which already solve what a kept copy needs
here too: forgotten by the process that saves a calendar or a holiday (desk/apps.py connects
both models' signals; bulk writes call `forget`), by every other process and server at once
through the shared version when there is one, and never outliving a rolled-back transaction.
Reading it costs two queries (the row, the closed dates) when not kept, none when kept.
"""

import datetime as dt
import zoneinfo

from catalog import cache
from desk.business_hours import WORKING_WEEK, Calendar
from desk.models import Holiday, SupportCalendar


def calendar_row() -> SupportCalendar:
    """The one SupportCalendar row, made with the defaults when missing."""
    row, _created = SupportCalendar.objects.get_or_create(pk=1)
    return row


def calendar_from(row: SupportCalendar, holidays) -> Calendar:
    closed: set[dt.date] = set()
    kept_open: set[dt.date] = set()
    for date, is_closed in holidays:
        (closed if is_closed else kept_open).add(date)
    weekdays = frozenset(
        number for number, name in enumerate(SupportCalendar.WEEKDAY_FIELDS) if getattr(row, name)
    )
    return Calendar(
        tz=zoneinfo.ZoneInfo(row.time_zone),
        opens=row.opens_at,
        closes=row.closes_at,
        # The admin refuses a week without a working day; a row written around it must not
        # stop every case from being filed.
        weekdays=weekdays or WORKING_WEEK,
        closed_dates=frozenset(closed),
        open_dates=frozenset(kept_open),
    )


def _load() -> Calendar:
    return calendar_from(calendar_row(), Holiday.objects.values_list("date", "is_closed"))


def support_calendar() -> Calendar:
    """The desk's calendar: working days and hours, its time zone, the days it is closed."""
    return cache.cached("support_calendar", _load)


def forget(**kwargs) -> None:
    """The calendar changed (a signal's receiver, or called after a bulk write)."""
    cache.forget()
