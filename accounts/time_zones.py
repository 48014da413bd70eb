"""The time zones offered on the profile page, named in the reader's language the way operating
systems name them: 「(UTC+09:00) 東京」, "(UTC+09:00) Tokyo". City names come from the Unicode
CLDR (through Babel), so every zone has a Japanese name without a table of our own to keep.

Only canonical zones are offered (Asia/Kolkata, not its old alias Asia/Calcutta); a stored alias
still shows as its canonical zone, and either is a valid choice."""

import datetime as dt
import functools
import zoneinfo
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location
from django.utils import timezone, translation
from django.utils.translation import gettext

UTC = "UTC"
# Legacy and POSIX-style zones (EST5EDT, Etc/GMT-9, US/Pacific…) name no place.
_PLACES = {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia"}
_PLACES |= {"Europe", "Indian", "Pacific"}


def _aliases() -> Mapping[str, str]:
    return get_global("zone_aliases")


def canonical(zone: str) -> str:
    """The zone an old name stands for today (Asia/Calcutta → Asia/Kolkata)."""
    return _aliases().get(zone, zone)


@functools.cache
def _offered() -> tuple[str, ...]:
    return tuple(
        sorted(
            zone
            for zone in zoneinfo.available_timezones()
            if zone.split("/", 1)[0] in _PLACES and zone not in _aliases()
        )
    )


def _offset(zone: str, at: dt.datetime) -> dt.timedelta:
    return at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta(0)


def _utc_label(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@functools.lru_cache(maxsize=16)
def _choices(language: str, day: dt.date) -> tuple[tuple[str, str], ...]:
    # Offsets as they are today: a zone on summer time shows its summer offset.
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    locale = _locale(language)
    named = [
        (
            _offset(zone, noon),
            get_timezone_location(zone, locale=locale, return_city=True),
            zone,
        )
        for zone in _offered()
    ]
    named.sort()
    with translation.override(language):
        utc_name = gettext("Coordinated Universal Time")
    utc = (UTC, f"(UTC) {utc_name}")
    return (utc, *((zone, f"({_utc_label(offset)}) {city}") for offset, city, zone in named))


def time_zone_choices() -> list[tuple[str, str]]:
    """(zone, label) pairs in the active language, by UTC offset and then by name."""
    language = translation.get_language() or "en"
    return list(_choices(language, timezone.now().date()))
