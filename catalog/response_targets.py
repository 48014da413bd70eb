"""Response targets in words: stored as minutes (what operators edit), shown as a person says
them, 「初回回答の目標: 24 時間以内」 rather than 1440 minutes, and always as a target, never as a
promise. The case page and the admin both ask here."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


def first_response_text(minutes: int) -> str:
    """「初回回答の目標: 24 時間以内」 / "Target for the first response: within 24 hours"."""
    return _("Target for the first response: within %(duration)s") % {
        "duration": duration_text(minutes)
    }
