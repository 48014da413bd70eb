"""Business hours (desk.business_hours): property tests across weekends, holidays, time zones
and daylight-saving changes, and worked examples with Japan's holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.business_hours import (
    Calendar,
    add_business_minutes,
    business_minutes_between,
    business_time_between,
    is_open,
    next_opening,
    opening_hours,
)

TOKYO = ZoneInfo("Asia/Tokyo")
# Spans are walked a day at a time: a slow example is a long span, not a hang.
relaxed = settings(deadline=None, max_examples=80)
ZONES = [
    "Asia/Tokyo",
    "UTC",
    "Europe/Bratislava",
    "America/New_York",
    "Australia/Lord_Howe",  # a half-hour daylight-saving change
    "Asia/Kolkata",
    "America/St_Johns",
]


def japan_calendar(*years: int) -> Calendar:
    national = holidays.country_holidays("JP", years=years or (2026, 2027))
    return Calendar(tz=TOKYO, closed_dates=frozenset(national))


@st.composite
def calendars(draw) -> Calendar:
    # At least half an hour a day: a one-minute day a week would take years to fill a target.
    opens = draw(st.integers(0, 23 * 60 - 30))
    closes = draw(st.integers(opens + 30, 24 * 60 - 1))
    return Calendar(
        tz=ZoneInfo(draw(st.sampled_from(ZONES))),
        opens=dt.time(*divmod(opens, 60)),
        closes=dt.time(*divmod(closes, 60)),
        weekdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        closed_dates=frozenset(
            draw(st.sets(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)), max_size=40))
        ),
    )


# Instants around daylight-saving changes are over-represented by the calendars' zones and a
# span across two years of them.
instants = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(dt.UTC),
)
minutes = st.integers(0, 60 * 24 * 5)


def closing_of(calendar: Calendar, instant: dt.datetime) -> bool:
    hours = opening_hours(calendar, instant.astimezone(calendar.tz).date())
    return hours is not None and hours[1] == instant


@relaxed
@given(calendars(), instants, minutes)
def test_it_counts_back_the_minutes_it_added(calendar, start, count):
    assert (
        business_minutes_between(calendar, start, add_business_minutes(calendar, start, count))
        == count
    )
    assert business_time_between(
        calendar, start, add_business_minutes(calendar, start, count)
    ) == dt.timedelta(minutes=count)


@relaxed
@given(calendars(), instants, minutes, minutes)
def test_it_adds_in_steps_as_at_once(calendar, start, first, second):
    step = add_business_minutes(calendar, start, first)
    assert add_business_minutes(calendar, step, second) == add_business_minutes(
        calendar, start, first + second
    )


@relaxed
@given(calendars(), instants, instants, minutes, minutes)
def test_it_is_monotonic(calendar, one, other, fewer, more):
    early, late = sorted((one, other))
    fewer, more = sorted((fewer, more))
    assert add_business_minutes(calendar, early, fewer) <= add_business_minutes(
        calendar, early, more
    )
    assert add_business_minutes(calendar, early, more) <= add_business_minutes(calendar, late, more)
    assert business_minutes_between(calendar, early, late) >= 0
    assert business_minutes_between(calendar, late, early) == 0


@relaxed
@given(calendars(), instants, instants, instants)
def test_it_splits_a_span_without_losing_time(calendar, one, two, three):
    a, b, c = sorted((one, two, three))
    assert business_time_between(calendar, a, b) + business_time_between(
        calendar, b, c
    ) == business_time_between(calendar, a, c)


@relaxed
@given(calendars(), instants, st.integers(1, 60 * 24 * 5))
def test_it_never_ends_in_closed_time_but_at_closing(calendar, start, count):
    due = add_business_minutes(calendar, start, count)
    assert is_open(calendar, due) or closing_of(calendar, due)
    assert is_open(calendar, next_opening(calendar, start))


@settings(deadline=None, max_examples=30)
@given(calendars(), instants.map(lambda t: t.replace(second=0, microsecond=0)))
def test_it_agrees_with_counting_minute_by_minute(calendar, start):
    end = start + dt.timedelta(days=2)
    counted, instant = 0, start
    while instant < end:
        counted += is_open(calendar, instant)
        instant += dt.timedelta(minutes=1)
    assert business_minutes_between(calendar, start, end) == counted


@relaxed
@given(calendars(), st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
def test_closed_days_contribute_nothing(calendar, day):
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=calendar.tz)
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=calendar.tz)
    total = business_minutes_between(calendar, midnight, next_midnight)
    if day.weekday() not in calendar.weekdays or day in calendar.closed_dates:
        assert total == 0
    else:
        hours = opening_hours(calendar, day)
        assert total == (0 if hours is None else (hours[1] - hours[0]) // dt.timedelta(minutes=1))


@pytest.mark.parametrize(
    ("zone", "day", "opens", "closes", "expected"),
    [
        # The clocks change outside opening hours: a full 8.5-hour day.
        ("America/New_York", dt.date(2026, 3, 8), dt.time(9), dt.time(17, 30), 510),
        ("America/New_York", dt.date(2026, 11, 1), dt.time(9), dt.time(17, 30), 510),
        ("Europe/Bratislava", dt.date(2026, 3, 29), dt.time(9), dt.time(17, 30), 510),
        ("Europe/Bratislava", dt.date(2026, 10, 25), dt.time(9), dt.time(17, 30), 510),
        # Inside opening hours: the minutes that really pass.
        ("America/New_York", dt.date(2026, 3, 8), dt.time(0, 30), dt.time(5), 270 - 60),
        ("America/New_York", dt.date(2026, 11, 1), dt.time(0, 30), dt.time(5), 270 + 60),
        ("Europe/Bratislava", dt.date(2026, 3, 29), dt.time(1), dt.time(4), 180 - 60),
        ("Europe/Bratislava", dt.date(2026, 10, 25), dt.time(1), dt.time(4), 180 + 60),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), dt.time(1), dt.time(3), 120 - 30),
    ],
)
def test_a_daylight_saving_day_counts_real_minutes_inside_opening_hours(
    zone, day, opens, closes, expected
):
    calendar = Calendar(tz=ZoneInfo(zone), opens=opens, closes=closes, weekdays=frozenset(range(7)))
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=calendar.tz)
    assert business_minutes_between(calendar, midnight, midnight + dt.timedelta(days=1)) == expected


def test_a_long_span_is_counted_by_days():
    calendar = japan_calendar(2026, 2027)
    start = dt.datetime(2026, 1, 5, 9, tzinfo=TOKYO)
    # 2026 in Japan: 245 working days of 8.5 hours (weekdays less 16 weekday holidays).
    end = dt.datetime(2027, 1, 1, tzinfo=TOKYO)
    working_days = sum(
        1
        for offset in range((end.date() - start.date()).days)
        if (day := start.date() + dt.timedelta(days=offset)).weekday() < 5
        and day not in calendar.closed_dates
    )
    assert business_minutes_between(calendar, start, end) == working_days * 510


@pytest.mark.parametrize(
    ("filed", "due"),
    [
        # Friday 16:00: 1.5 hours on Friday, 6.5 on Monday.
        (dt.datetime(2026, 12, 4, 16), dt.datetime(2026, 12, 7, 15, 30)),
        # New Year's Eve (Thursday), then New Year's Day (Friday) and the weekend.
        (dt.datetime(2026, 12, 31, 16), dt.datetime(2027, 1, 4, 15, 30)),
        # Before Coming of Age Day (Monday 11 January 2027).
        (dt.datetime(2027, 1, 8, 16), dt.datetime(2027, 1, 12, 15, 30)),
        # Golden Week 2027: Friday 30 April, then 3, 4 and 5 May are holidays.
        (dt.datetime(2027, 4, 30, 16), dt.datetime(2027, 5, 6, 15, 30)),
        # Filed on a Saturday evening: the clock starts on Monday morning.
        (dt.datetime(2026, 12, 5, 20), dt.datetime(2026, 12, 7, 17, 0)),
    ],
)
def test_an_eight_hour_target_in_japan(filed, due):
    calendar = japan_calendar(2026, 2027)
    result = add_business_minutes(calendar, filed.replace(tzinfo=TOKYO), 8 * 60)
    assert result == due.replace(tzinfo=TOKYO)
    assert business_minutes_between(calendar, filed.replace(tzinfo=TOKYO), result) == 480


def test_a_national_holiday_kept_open_is_a_working_day():
    national = holidays.country_holidays("JP", years=2027)
    kept_open = dt.date(2027, 5, 3)
    calendar = Calendar(
        tz=TOKYO,
        closed_dates=frozenset(national) - {kept_open},
        open_dates=frozenset({kept_open}),
    )
    filed = dt.datetime(2027, 4, 30, 16, tzinfo=TOKYO)
    assert add_business_minutes(calendar, filed, 480) == dt.datetime(
        2027, 5, 3, 15, 30, tzinfo=TOKYO
    )


def test_it_refuses_naive_times_and_empty_weeks():
    calendar = Calendar(tz=TOKYO)
    with pytest.raises(ValueError):
        add_business_minutes(calendar, dt.datetime(2026, 12, 1, 10), 10)
    with pytest.raises(ValueError):
        Calendar(tz=TOKYO, weekdays=frozenset())
    with pytest.raises(ValueError):
        Calendar(tz=TOKYO, opens=dt.time(18), closes=dt.time(9))
