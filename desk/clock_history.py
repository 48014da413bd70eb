"""A case's response clock replayed from its history: for cases made in bulk (generate_data,
the demo), which are written as rows rather than through the services, so that their clock
fields and response records agree with their threads as if the services had made them.

Pure: no database; the caller writes what comes back.
"""

import datetime as dt
from dataclasses import dataclass, field

from desk import clock
from desk.business_hours import Calendar

WAITING_FOR_CUSTOMER = "waiting_customer"
CLOSED = ("resolved", "invalid")


@dataclass
class Replayed:
    state: clock.ClockState
    due_at: dt.datetime | None
    first_response_at: dt.datetime | None
    last_customer_activity_at: dt.datetime
    # Each response a clock was awaiting: (answer, when, index of the post that answered).
    answers: list[tuple[clock.Answer, dt.datetime, int]] = field(default_factory=list)

    def fields(self) -> dict:
        """The Case fields, as Case.CLOCK_FIELDS names them."""
        return {
            "response_kind": self.state.kind,
            "response_target_minutes": self.state.target_minutes,
            "response_used_minutes": self.state.used_minutes,
            "response_running_since": self.state.running_since,
            "response_due_at": self.due_at,
            "first_response_at": self.first_response_at,
            "last_customer_activity_at": self.last_customer_activity_at,
        }


def replay(
    *,
    calendar: Calendar,
    targets: tuple[int, int] | None,
    filed_at: dt.datetime,
    posts: list[tuple[dt.datetime, bool]],
    status: str,
    status_changed_at: dt.datetime,
) -> Replayed:
    """The clock of a case filed at `filed_at` whose public `posts` ((when, by an operator),
    in order) came before it was moved to `status` at `status_changed_at`."""
    first, following = targets or (None, None)
    state = clock.start(clock.FIRST, first, filed_at) if first else clock.STOPPED
    replayed = Replayed(state, None, None, filed_at)
    for index, (at, by_operator) in enumerate(posts):
        if by_operator:
            if replayed.first_response_at is None:
                replayed.first_response_at = at
            state, answer = clock.answered(state, calendar, at)
            if answer is not None:
                replayed.answers.append((answer, at, index))
        else:
            replayed.last_customer_activity_at = at
            state = clock.customer_posted(state, calendar, at, following)
    # The status as an operator left it last (a post's own move changes no clock further).
    if status in CLOSED:
        state = clock.stop(state)
    elif status == WAITING_FOR_CUSTOMER:
        state = clock.pause(state, calendar, max(status_changed_at, filed_at))
    replayed.state = state
    replayed.due_at = clock.due_at(state, calendar)
    return replayed
