"""Who else has a case open: each operator's page says so when it opens and then every
PRESENCE_BEAT seconds (case.js); a row not refreshed for PRESENCE_WINDOW no longer counts."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cases.models import Case
from desk.models import CaseViewer

PRESENCE_BEAT = 20  # seconds
PRESENCE_WINDOW = dt.timedelta(minutes=1)


def seen(*, case: Case, operator: User, replying: bool) -> None:
    """Record that `operator` has the case open now. One upsert: no read first, no savepoint."""
    CaseViewer.objects.bulk_create(
        [CaseViewer(case=case, operator=operator, seen_at=timezone.now(), replying=replying)],
        update_conflicts=True,
        unique_fields=["case", "operator"],
        update_fields=["seen_at", "replying"],
    )


def others(*, case: Case, operator: User) -> list[CaseViewer]:
    """The other operators on the case within the last PRESENCE_WINDOW, writers first."""
    since = timezone.now() - PRESENCE_WINDOW
    return list(
        CaseViewer.objects.filter(case=case, seen_at__gte=since)
        .exclude(operator=operator)
        .select_related("operator")
        .only("case_id", "seen_at", "replying", "operator__full_name", "operator__email")
        .order_by("-replying", "operator__full_name", "operator_id")
    )
