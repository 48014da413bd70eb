"""Response targets in words: stored as minutes (what operators edit), shown as a person says
them, 「初回回答の目標: 営業時間内で 24 時間以内」 rather than 1440 minutes, counted in the
support calendar's hours (desk.business_hours), and always as a target, never as a promise.
The case page and the admin both ask here."""

import datetime as dt
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from desk.business_hours import WORKING_WEEK

if TYPE_CHECKING:
    from desk.business_hours import Calendar

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR

# Shown beside every target the customer sees.
NOT_A_COMMITMENT = gettext_lazy("A target, not a guaranteed response time.")


def _minutes(count: int) -> str:
    return ngettext("%(count)s minute", "%(count)s minutes", count) % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)s hour", "%(count)s hours", count) % {"count": count}


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def duration_text(minutes: int) -> str:
    """The duration in the largest whole unit a person would use: 30 minutes, 8 hours, 24
    hours (a support target is said in hours up to a day), 2 days; 90 minutes stays minutes,
    150 is 2 hours 30 minutes."""
    if minutes >= 2 * MINUTES_PER_DAY and minutes % MINUTES_PER_DAY == 0:
        return _days(minutes // MINUTES_PER_DAY)
    if minutes % MINUTES_PER_HOUR == 0:
        return _hours(minutes // MINUTES_PER_HOUR)
    if minutes < 2 * MINUTES_PER_HOUR:
        return _minutes(minutes)
    hours, rest = divmod(minutes, MINUTES_PER_HOUR)
    return f"{_hours(hours)} {_minutes(rest)}"


def first_response_text(minutes: int, calendar: "Calendar | None" = None) -> str:
    """「初回回答の目標: 営業時間内で 8 時間以内」 / "Target for the first response: within 8
    hours, counted in business hours", followed by the calendar's hours when given."""
    text = _("Target for the first response: within %(duration)s, counted in business hours") % {
        "duration": duration_text(minutes)
    }
    return text + business_hours_text(calendar) if calendar else text


def next_response_text(minutes: int) -> str:
    """「次回以降の回答の目標: 営業時間内で 8 時間以内」: after each of the customer's posts."""
    return _("Target for each next response: within %(duration)s, counted in business hours") % {
        "duration": duration_text(minutes)
    }


def _clock(time: dt.time) -> str:
    return f"{time.hour}:{time.minute:02d}"


def _days_text(weekdays: frozenset[int]) -> str:
    if weekdays == WORKING_WEEK:
        return _("weekdays")
    if len(weekdays) == 7:
        return _("every day")
    return " ".join(str(WEEKDAYS_ABBR[day]) for day in sorted(weekdays))


def business_hours_text(calendar: "Calendar") -> str:
    """「（平日 9:00〜17:30、日本時間）」 / " (weekdays 9:00–17:30, Japan Time)": the zone's name
    from the CLDR in the reader's language."""
    language = (get_language() or "en").replace("-", "_")
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return _(" (%(days)s %(opens)s–%(closes)s, %(zone)s)") % {
        "days": _days_text(calendar.weekdays),
        "opens": _clock(calendar.opens),
        "closes": _clock(calendar.closes),
        "zone": get_timezone_location(calendar.tz.key, locale=locale),
    }
