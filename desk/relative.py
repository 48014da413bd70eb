"""Times said relative to now, short enough for a queue column: 「あと 2 時間」 / "in 2 h",
「2 時間超過」 / "2 h overdue", 「3 日前」 / "3 d ago"."""

import datetime as dt

from django.utils.translation import gettext

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def span(delta: dt.timedelta) -> str:
    """A length of time in its largest sensible unit, rounded down (at least a minute):
    minutes below an hour, hours below two days, days beyond."""
    delta = abs(delta)
    if delta < HOUR:
        return gettext("%(count)d min") % {"count": max(delta // MINUTE, 1)}
    if delta < 2 * DAY:
        return gettext("%(count)d h") % {"count": delta // HOUR}
    return gettext("%(count)d d") % {"count": delta // DAY}


def due_text(due: dt.datetime, now: dt.datetime) -> str:
    if due >= now:
        return gettext("in %(span)s") % {"span": span(due - now)}
    return gettext("%(span)s overdue") % {"span": span(now - due)}


def ago_text(then: dt.datetime, now: dt.datetime) -> str:
    return gettext("%(span)s ago") % {"span": span(now - then)}
