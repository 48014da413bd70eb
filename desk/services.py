"""Writes of the desk app."""

import datetime as dt
import logging
from typing import NamedTuple

import holidays as holiday_library
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from desk import calendars
from desk.clock import Answer
from desk.models import Holiday, ResponseRecord

logger = logging.getLogger(__name__)


class HolidaysLoaded(NamedTuple):
    country: str
    years: list[int]
    added: int
    renamed: int
    removed: int


def default_holiday_years(today: dt.date | None = None) -> list[int]:
    """Last year, this year and the next two: enough for any clock running now and for the
    report's last year, loaded again each month (desk/tasks.py) so next year's are there."""
    year = (today or timezone.localdate()).year
    return list(range(year - 1, year + 3))


def holiday_names(country: str, years: list[int]) -> dict[dt.date, str]:
    """The country's public holidays, named in the site's language where the library has it.
    Raises ValueError for a country it does not know."""
    try:
        supported = holiday_library.country_holidays(country).supported_languages
    except NotImplementedError as error:
        raise ValueError(f"no public holidays known for {country!r}") from error
    language = settings.LANGUAGE_CODE.split("-")[0]
    chosen = language if language in supported else None
    return dict(holiday_library.country_holidays(country, years=years, language=chosen))


def holidays_load(*, years: list[int] | None = None) -> HolidaysLoaded:
    """Bring the calendar's national holidays of `years` up to date: new ones added (the desk
    closed on them), renamed ones renamed, ones the library no longer lists removed. What
    operators chose is kept: a national holiday they opened stays open, their own closed days
    (is_national false) are never touched, even on a date that becomes a holiday."""
    years = sorted(years or default_holiday_years())
    country = calendars.calendar_row().holiday_country.upper()
    names = holiday_names(country, years)
    added = renamed = removed = 0
    with transaction.atomic():
        existing = {
            holiday.date: holiday
            for holiday in Holiday.objects.select_for_update().filter(date__year__in=years)
        }
        new, changed = [], []
        for date, name in sorted(names.items()):
            holiday = existing.get(date)
            if holiday is None:
                new.append(Holiday(date=date, name=name[:200], is_national=True, is_closed=True))
            elif holiday.is_national and holiday.name != name[:200]:
                holiday.name = name[:200]
                changed.append(holiday)
        stale = [
            holiday.pk
            for date, holiday in existing.items()
            if holiday.is_national and date not in names
        ]
        Holiday.objects.bulk_create(new)
        Holiday.objects.bulk_update(changed, ["name"])
        Holiday.objects.filter(pk__in=stale).delete()
        added, renamed, removed = len(new), len(changed), len(stale)
        if new or changed:
            calendars.forget()  # bulk writes send no signal (a delete does)
        if new:
            calendar_changed()  # a new closed day may fall in a running clock's span
    return HolidaysLoaded(country, years, added, renamed, removed)


def response_record(
    *, case, answer: Answer, responded_at: dt.datetime, responder_id
) -> ResponseRecord:
    """The record of a response a clock was awaiting (unsaved: bulk makers insert many)."""
    return ResponseRecord(
        case_id=case.pk,
        kind=answer.kind,
        # As the case was then: the report groups by them.
        service_id=case.service_id,
        priority_id=case.priority_id,
        target_minutes=answer.target_minutes,
        taken_minutes=answer.taken_minutes,
        due_at=answer.due_at,
        responded_at=responded_at,
        responder_id=responder_id,
    )


# Cases whose due time one transaction recalculates (and locks) at a time.
DUE_BATCH = 500


def due_times_recalculate() -> int:
    """Every running clock's due time on the calendar as it is now, after an operator changed
    the hours, the working days or a holiday: the queue's due and overdue and the customer's
    estimate read the stored time. Each batch of cases is locked, as a post locks its case, so
    a clock that moves meanwhile is not overwritten. Returns how many were recalculated."""
    from cases.models import Case  # cases imports desk.clock; desk.services is imported later

    calendar = calendars.support_calendar()
    running = Case.objects.filter(response_running_since__isnull=False)
    ids = list(running.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), DUE_BATCH):
        with transaction.atomic():
            cases = list(running.select_for_update().filter(pk__in=ids[start : start + DUE_BATCH]))
            for case in cases:
                case.clock_recalculate(calendar)
            Case.objects.bulk_update(cases, ["response_due_at"])
    return len(ids)


def calendar_changed(**kwargs) -> None:
    """A save or delete of the calendar or a holiday: recalculate the running clocks once the
    change is committed — on a Celery worker when there is a broker, else here and now (a
    calendar changes a few times a year; ten thousand clocks take about a second)."""
    from desk import tasks

    def recalculate():
        if settings.CELERY_BROKER_URL:
            try:
                tasks.recalculate_due_times.delay()
                return
            except Exception:  # the broker is away: do it here rather than not at all
                logger.exception("recalculating due times not handed to the task queue")
        due_times_recalculate()

    transaction.on_commit(recalculate)
