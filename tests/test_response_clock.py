"""One case's response clock (desk.clock): pausing and resuming neither lose nor gain minutes,
it never uses more than the business time that passed, and stopping ends it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk import clock, clock_history
from desk.business_hours import Calendar, business_minutes_between

TOKYO = ZoneInfo("Asia/Tokyo")
CALENDARS = [
    Calendar(tz=TOKYO),
    Calendar(tz=ZoneInfo("America/New_York"), opens=dt.time(0, 30), closes=dt.time(20)),
    Calendar(tz=ZoneInfo("Europe/Bratislava"), weekdays=frozenset(range(7))),
]
relaxed = settings(deadline=None, max_examples=80)

starts = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(dt.UTC),
)
# Gaps between events: seconds to weeks.
gaps = st.lists(st.timedeltas(dt.timedelta(seconds=1), dt.timedelta(days=9)), max_size=12)


def minute(instant):
    return instant.replace(second=0, microsecond=0)


@relaxed
@given(st.sampled_from(CALENDARS), starts, gaps, st.integers(1, 5000))
def test_pausing_and_resuming_neither_loses_nor_gains_minutes(calendar, filed, gaps, target):
    state = clock.start(clock.FIRST, target, filed)
    running_from, expected, now = minute(filed), 0, filed
    for gap in gaps:
        now += gap
        if state.is_running:
            state = clock.pause(state, calendar, now)
            expected += business_minutes_between(calendar, running_from, minute(now))
        else:
            state = clock.resume(state, now)
            running_from = minute(now)
        assert state.used_minutes == expected
    final = now + dt.timedelta(hours=5)
    if state.is_running:
        expected += business_minutes_between(calendar, running_from, minute(final))
    assert clock.used(state, calendar, final) == expected
    # Never more than the business time since it was filed.
    assert expected <= business_minutes_between(calendar, minute(filed), minute(final))
    _state, answer = clock.answered(state, calendar, final)
    assert answer is not None and answer.taken_minutes == expected


@relaxed
@given(st.sampled_from(CALENDARS), starts, st.timedeltas(dt.timedelta(0), dt.timedelta(days=30)))
def test_a_pause_resumed_at_once_changes_nothing(calendar, filed, later):
    state = clock.start(clock.NEXT, 480, filed)
    at = filed + later
    again = clock.resume(clock.pause(state, calendar, at), at)
    end = at + dt.timedelta(days=3)
    assert clock.used(again, calendar, end) == clock.used(state, calendar, end)
    due, due_again = clock.due_at(state, calendar), clock.due_at(again, calendar)
    if clock.used(state, calendar, at) < 480:
        assert due_again == due
    else:  # over the target when paused: due already, whenever exactly it was
        assert due is not None and due_again is not None
        assert due <= at and due_again <= at


@relaxed
@given(st.sampled_from(CALENDARS), starts, st.integers(1, 5000))
def test_it_falls_due_when_the_target_is_used(calendar, filed, target):
    state = clock.start(clock.FIRST, target, filed)
    due = clock.due_at(state, calendar)
    assert due is not None
    assert business_minutes_between(calendar, minute(filed), due) == target
    _stopped, answer = clock.answered(state, calendar, due)
    assert answer is not None and answer.met
    _stopped, late = clock.answered(state, calendar, due + dt.timedelta(days=7))
    assert late is not None and not late.met


@relaxed
@given(st.sampled_from(CALENDARS), starts, st.integers(1, 5000))
def test_stopping_ends_it(calendar, filed, target):
    state = clock.stop(clock.start(clock.FIRST, target, filed))
    later = filed + dt.timedelta(days=2)
    assert state.is_stopped
    assert clock.due_at(state, calendar) is None
    assert clock.used(state, calendar, later) == 0
    assert clock.answered(state, calendar, later) == (clock.STOPPED, None)
    assert clock.pause(state, calendar, later) == state
    assert clock.resume(state, later) == state


def test_a_paused_clock_has_no_due_time_and_resumes_where_it_stopped():
    calendar = CALENDARS[0]
    filed = dt.datetime(2026, 12, 1, 10, tzinfo=TOKYO)  # Tuesday
    state = clock.start(clock.FIRST, 480, filed)
    paused = clock.pause(state, calendar, filed + dt.timedelta(hours=2))
    assert paused.is_paused and paused.used_minutes == 120
    assert clock.due_at(paused, calendar) is None
    resumed = clock.resume(paused, dt.datetime(2026, 12, 2, 9, tzinfo=TOKYO))
    # Six hours left from Wednesday 09:00.
    assert clock.due_at(resumed, calendar) == dt.datetime(2026, 12, 2, 15, tzinfo=TOKYO)


def test_a_customer_post_starts_the_next_clock_only_if_none_runs():
    calendar = CALENDARS[0]
    now = dt.datetime(2026, 12, 1, 10, tzinfo=TOKYO)
    running = clock.start(clock.FIRST, 480, now)
    assert clock.customer_posted(running, calendar, now, 240) == running
    started = clock.customer_posted(clock.STOPPED, calendar, now, 240)
    assert (started.kind, started.target_minutes, started.is_running) == (clock.NEXT, 240, True)
    paused = clock.pause(running, calendar, now + dt.timedelta(hours=1))
    assert clock.customer_posted(paused, calendar, now, 240).kind == clock.FIRST
    assert clock.customer_posted(clock.STOPPED, calendar, now, None) == clock.STOPPED


def test_it_refuses_nonsense():
    now = dt.datetime(2026, 12, 1, 10, tzinfo=TOKYO)
    with pytest.raises(ValueError):
        clock.start("later", 10, now)
    with pytest.raises(ValueError):
        clock.start(clock.FIRST, 0, now)


@relaxed
@given(
    st.sampled_from(CALENDARS),
    starts,
    st.lists(
        st.tuples(st.timedeltas(dt.timedelta(minutes=1), dt.timedelta(days=5)), st.booleans()),
        max_size=8,
    ),
    st.sampled_from(["new", "waiting_eset", "waiting_customer", "resolved"]),
)
def test_a_replayed_history_runs_the_clock_as_the_services_do(calendar, filed, steps, status):
    """desk.clock_history (bulk-made cases) against the step-by-step calls the services make."""
    at, posts = filed, []
    for gap, by_operator in steps:
        at += gap
        posts.append((at, by_operator))
    end = at + dt.timedelta(hours=1)
    replayed = clock_history.replay(
        calendar=calendar,
        targets=(480, 240),
        filed_at=filed,
        posts=posts,
        status=status,
        status_changed_at=end,
    )
    state, answers = clock.start(clock.FIRST, 480, filed), []
    for when, by_operator in posts:
        if by_operator:
            state, answer = clock.answered(state, calendar, when)
            answers += [answer] if answer else []
        else:
            state = clock.customer_posted(state, calendar, when, 240)
    if status == "resolved":
        state = clock.stop(state)
    elif status == "waiting_customer":
        state = clock.pause(state, calendar, end)
    assert replayed.state == state
    assert replayed.due_at == clock.due_at(state, calendar)
    assert [answer for answer, _at, _index in replayed.answers] == answers
    assert replayed.first_response_at == next((w for w, op in posts if op), None)
