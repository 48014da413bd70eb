"""Business hours: when the desk works, and how many of its minutes lie between two instants.

Pure functions over a `Calendar`, no database. The desk's hours are local wall-clock hours in
the calendar's time zone (09:00–17:30 in Tokyo, or in New York across its daylight-saving
changes); each working day's opening is turned into two real instants, so a day whose clocks
change outside opening hours still has 8.5 hours, and a change inside them counts the minutes
that really pass. Spans are walked a day at a time, never a minute at a time.
"""

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

MINUTE = dt.timedelta(minutes=1)
WORKING_WEEK = frozenset(range(5))  # Monday..Friday, as date.weekday() counts them


@dataclass(frozen=True)
class Calendar:
    """The desk's week: open `opens`–`closes` (local time in `tz`) on `weekdays` (0 = Monday),
    except on `closed_dates` (holidays, the operators' own closed days). `open_dates` are the
    national holidays the desk keeps open: they close nothing, and are kept to say so."""

    tz: ZoneInfo
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(17, 30)
    weekdays: frozenset[int] = WORKING_WEEK
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)
    open_dates: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self):
        if not self.opens < self.closes:
            raise ValueError("the desk must open before it closes")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("the desk needs at least one working weekday (0-6)")


def _aware(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("business hours need aware datetimes")
    return instant.astimezone(dt.UTC)


def is_working_day(calendar: Calendar, day: dt.date) -> bool:
    return day.weekday() in calendar.weekdays and day not in calendar.closed_dates


# Generating 10,000 cases or filling a queue asks for the same few weeks again and again.
@functools.lru_cache(maxsize=4096)
def opening_hours(calendar: Calendar, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The instants (UTC) the desk opens and closes on `day`; None on a closed day, or on a
    day whose clocks skip the whole opening (its local times then name no real minute)."""
    if not is_working_day(calendar, day):
        return None
    # fold=0 reads a repeated wall time as its first occurrence and a skipped one with the
    # offset before the change: both ends the same way, so the real minutes between count.
    start = dt.datetime.combine(day, calendar.opens, tzinfo=calendar.tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day, calendar.closes, tzinfo=calendar.tz).astimezone(dt.UTC)
    return (start, end) if start < end else None


def _openings_from(calendar: Calendar, instant: dt.datetime) -> Iterator[tuple]:
    """Each opening that ends after `instant`, in order, from the local day `instant` is in."""
    day = instant.astimezone(calendar.tz).date()
    while True:
        hours = opening_hours(calendar, day)
        if hours is not None and hours[1] > instant:
            yield hours
        day += dt.timedelta(days=1)


def is_open(calendar: Calendar, instant: dt.datetime) -> bool:
    """Whether `instant` is inside opening hours (opening time included, closing not)."""
    instant = _aware(instant)
    hours = opening_hours(calendar, instant.astimezone(calendar.tz).date())
    return hours is not None and hours[0] <= instant < hours[1]


def next_opening(calendar: Calendar, instant: dt.datetime) -> dt.datetime:
    """`instant` itself if the desk is open then, else when it next opens."""
    instant = _aware(instant)
    start, _end = next(_openings_from(calendar, instant))
    return max(start, instant)


def add_business_minutes(calendar: Calendar, start: dt.datetime, minutes: int) -> dt.datetime:
    """The instant (UTC) at which `minutes` working minutes from `start` have passed: a closing
    time when they end exactly there, never a later opening; `start` itself for 0 minutes."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    cursor = _aware(start)
    remaining = minutes * MINUTE
    if not remaining:
        return cursor
    for opens, closes in _openings_from(calendar, cursor):
        begin = max(opens, cursor)
        if remaining <= closes - begin:
            return begin + remaining
        remaining -= closes - begin
    raise AssertionError("unreachable: a calendar always opens again")


def business_time_between(calendar: Calendar, start: dt.datetime, end: dt.datetime):
    """The working time in [start, end), exactly (a timedelta); zero if end <= start."""
    start, end = _aware(start), _aware(end)
    total = dt.timedelta(0)
    if end <= start:
        return total
    for opens, closes in _openings_from(calendar, start):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total


def business_minutes_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> int:
    """The whole working minutes in [start, end); 0 if end <= start."""
    return business_time_between(calendar, start, end) // MINUTE
