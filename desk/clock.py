"""One case's response clock, as pure state: which response is awaited, its target in
business minutes, the minutes used so far and since when it runs.

- The first-response clock starts when the case is filed.
- An operator's public reply answers the clock (internal notes do not): it stops, and what was
  used is recorded (desk.models.ResponseRecord).
- The customer's next post starts the next-response clock, unless one is already running; a
  post that reopens a closed case does too.
- While the case waits for the customer without a reply (an operator set the status), the clock
  pauses and keeps the minutes used; it resumes when the case waits for ESET again.
- Resolving the case (or marking it invalid) stops the clock without a record.

The clock ticks in whole minutes: every instant it is given is cut to its minute, so pausing
and resuming neither lose nor gain a minute (the calendar's hours are whole minutes too).
"""

import datetime as dt
from dataclasses import dataclass, replace

from desk.business_hours import Calendar, add_business_minutes, business_minutes_between

FIRST = "first"
NEXT = "next"


@dataclass(frozen=True)
class ClockState:
    kind: str = ""  # FIRST, NEXT, or "" when no response is awaited
    target_minutes: int | None = None
    used_minutes: int = 0
    running_since: dt.datetime | None = None

    @property
    def is_running(self) -> bool:
        return bool(self.kind) and self.running_since is not None

    @property
    def is_paused(self) -> bool:
        return bool(self.kind) and self.running_since is None

    @property
    def is_stopped(self) -> bool:
        return not self.kind


STOPPED = ClockState()


@dataclass(frozen=True)
class Answer:
    """A response that a clock was awaiting: what it was, its target, the minutes it took."""

    kind: str
    target_minutes: int
    taken_minutes: int
    # When it fell due, or would have had it run on from the answer (a paused clock).
    due_at: dt.datetime

    @property
    def met(self) -> bool:
        return self.taken_minutes <= self.target_minutes


def _minute(instant: dt.datetime) -> dt.datetime:
    return instant.replace(second=0, microsecond=0)


def start(kind: str, target_minutes: int, now: dt.datetime) -> ClockState:
    if kind not in (FIRST, NEXT):
        raise ValueError(f"not a response kind: {kind!r}")
    if target_minutes <= 0:
        raise ValueError("a target is at least one minute")
    return ClockState(kind, target_minutes, 0, _minute(now))


def used(state: ClockState, calendar: Calendar, now: dt.datetime) -> int:
    """The business minutes used by `now`, counting the run in progress."""
    if not state.kind or state.running_since is None:
        return state.used_minutes
    return state.used_minutes + business_minutes_between(
        calendar, state.running_since, _minute(now)
    )


def pause(state: ClockState, calendar: Calendar, now: dt.datetime) -> ClockState:
    if not state.is_running:
        return state
    return replace(state, used_minutes=used(state, calendar, now), running_since=None)


def resume(state: ClockState, now: dt.datetime) -> ClockState:
    if not state.is_paused:
        return state
    return replace(state, running_since=_minute(now))


def answered(
    state: ClockState, calendar: Calendar, now: dt.datetime
) -> tuple[ClockState, Answer | None]:
    """The clock after a public reply: stopped, with the response it was awaiting (None if
    none was). A paused clock is answered too, with the minutes it had used."""
    if state.is_stopped or state.target_minutes is None:
        return STOPPED, None
    due = due_at(state, calendar) or add_business_minutes(
        calendar, _minute(now), max(state.target_minutes - state.used_minutes, 0)
    )
    return STOPPED, Answer(state.kind, state.target_minutes, used(state, calendar, now), due)


def stop(state: ClockState) -> ClockState:
    return STOPPED


def customer_posted(
    state: ClockState, calendar: Calendar, now: dt.datetime, next_target: int | None
) -> ClockState:
    """The clock after a public customer post: a paused clock resumes, a stopped one starts
    awaiting the next response (if the case has a target), a running one runs on."""
    if state.is_paused:
        return resume(state, now)
    if state.is_stopped and next_target:
        return start(NEXT, next_target, now)
    return state


def due_at(state: ClockState, calendar: Calendar) -> dt.datetime | None:
    """When the target is reached if the clock runs on; None unless it runs. A clock already
    over its target was due when it (re)started: past, in any case."""
    if not state.kind or state.running_since is None or state.target_minutes is None:
        return None
    remaining = max(state.target_minutes - state.used_minutes, 0)
    return add_business_minutes(calendar, state.running_since, remaining)
