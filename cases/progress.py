"""The case page's status and stage bars, and what a Chatter poll compares to redraw them.

The guide's portal shows five statuses on four steps: New, Waiting for ESET, Waiting for your
input, and an end that reads Resolved or Invalid. Both close a case by an operator's choice;
neither comes after the other, so an invalid case ends on Invalid, never on a Resolved it never
reached. A step is done only if the case has been there (Case.statuses_reached) and it lies
before the current one: a case resolved straight from New shows no waiting step as done, and a
reopened case does not show the Resolved it left as done.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise

from cases.models import CLOSED_STATUSES, Case, CaseStatus
from catalog.models import Stage
from catalog.selectors import stages_of

DONE = "done"
CURRENT = "current"
TODO = "todo"


@dataclass(frozen=True)
class Step:
    """One step of a bar: `key` the status code or stage id, `state` DONE, CURRENT or TODO."""

    key: str
    label: str | Promise
    state: str

    @property
    def is_current(self) -> bool:
        return self.state == CURRENT


def status_steps(reached: Iterable[str], current: str) -> list[Step]:
    """The status bar of a case in `current` that has been in each of `reached`."""
    end = current if current in CLOSED_STATUSES else CaseStatus.RESOLVED
    order = [
        CaseStatus.NEW,
        CaseStatus.WAITING_FOR_ESET,
        CaseStatus.WAITING_FOR_CUSTOMER,
        CaseStatus(end),
    ]
    here = order.index(CaseStatus(current))
    been = set(reached)
    return [
        Step(status.value, status.label, _state(index, here, status.value in been))
        for index, status in enumerate(order)
    ]


def stage_steps(stages: Sequence[Stage], stage_id: int | None) -> list[Step]:
    """The stage bar: the stages before the current one are done (a stage is set by hand,
    one after another; no case keeps which it went through). No current stage, or one no
    longer offered: every stage still to come."""
    ids = [stage.pk for stage in stages]
    here = ids.index(stage_id) if stage_id in ids else -1
    return [
        Step(str(stage.pk), stage.name, _state(index, here, here >= 0))
        for index, stage in enumerate(stages)
    ]


def _state(index: int, here: int, been: bool) -> str:
    if index == here:
        return CURRENT
    return DONE if index < here and been else TODO


@dataclass(frozen=True)
class CaseProgress:
    """The bars of a case page, and the state its poll sends back (`page_state`)."""

    status_steps: list[Step]
    stage_steps: list[Step]
    page_state: dict[str, str]


def case_progress(case: Case) -> CaseProgress:
    """The bars of `case`, from its own columns and the catalogue's kept stages (no query):
    a poll that loaded only Case.objects.for_poll draws them too."""
    return CaseProgress(
        status_steps=status_steps(case.statuses_reached, case.status),
        stage_steps=stage_steps(stages_of(case.service_id), case.stage_id),
        page_state=page_state(case),
    )


def page_state(case: Case) -> dict[str, str]:
    """What a case page shows that an operator may change while it is open: the page's poll
    sends it back (cases/_chatter_poll.html), and a poll that differs redraws those parts.
    `reached` counts the statuses the case has been in: a status that leaves and comes back
    between two polls, with no message, still changes the bar's done steps."""
    return {
        "status": case.status,
        "stage": str(case.stage_id or ""),
        "reached": str(len(case.statuses_reached)),
    }


def page_is_current(case: Case, query) -> bool:
    """Whether the page that polled with `query` shows `case` as it is now. A page of an
    older release that sends no stage is treated as showing none; one that sends no `reached`
    is judged by the rest (its next redraw sends it)."""
    state = page_state(case)
    if "reached" not in query:
        del state["reached"]
    return all(query.get(name, "") == value for name, value in state.items())
