"""Cases and response records for the desk's report, made directly (the rows the clock writes
when operators answer), one at a time or ten thousand at once."""

import datetime as dt
import zoneinfo

from django.db.models import F

from cases.models import Case, CaseStatus
from catalog.models import Priority, Service
from desk.models import ResponseKind, ResponseRecord
from tests.factories import create_case

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def tokyo(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TOKYO)


def opened(customer, at, *, service="premium-support", priority="normal", resolved_at=None):
    """A case opened at `at` (and resolved at `resolved_at`)."""
    case = create_case(customer, service=service, priority=priority)
    fields: dict = {"created_at": at}
    if resolved_at:
        fields |= {"status": CaseStatus.RESOLVED, "closed_at": resolved_at}
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def answered(case, at, *, taken, target=60, kind=ResponseKind.FIRST) -> ResponseRecord:
    """A response to `case` at `at` that took `taken` business minutes against `target`."""
    return ResponseRecord.objects.create(
        case=case,
        kind=kind,
        service_id=case.service_id,
        priority_id=case.priority_id,
        target_minutes=target,
        taken_minutes=taken,
        due_at=at,
        responded_at=at,
    )


def many_cases(customer, count: int, *, since: dt.datetime, days: int) -> None:
    """`count` cases spread over `days` days from `since`, a third resolved, each with a
    first response and every other one with a next response: bulk inserts, a few seconds."""
    template = create_case(customer)
    services = list(Service.objects.order_by("pk")[:4])
    priorities = list(Priority.objects.all())
    step = dt.timedelta(days=days) / count
    cases = []
    for n in range(count):
        at = since + step * n
        resolved = n % 3 == 0
        cases.append(
            Case(
                company_id=template.company_id,
                created_by_id=template.created_by_id,
                subscription_id=template.subscription_id,
                service=services[n % len(services)],
                priority=priorities[n % len(priorities)],
                subject=f"ケース {n}",
                description="説明",
                status=CaseStatus.RESOLVED if resolved else CaseStatus.WAITING_FOR_ESET,
                closed_at=at + dt.timedelta(hours=5) if resolved else None,
                status_changed_at=at,
            )
        )
    made = Case.objects.bulk_create(cases, batch_size=500)
    # created_at is auto_now_add: set it afterwards, from the time each case was made for.
    Case.objects.filter(pk__gte=made[0].pk, pk__lte=made[-1].pk).update(
        created_at=F("status_changed_at")
    )
    records = []
    for n, case in enumerate(made):
        at = case.status_changed_at + dt.timedelta(hours=1)
        for kind in [ResponseKind.FIRST] + ([ResponseKind.NEXT] if n % 2 else []):
            records.append(
                ResponseRecord(
                    case=case,
                    kind=kind,
                    service_id=case.service_id,
                    priority_id=case.priority_id,
                    target_minutes=120,
                    taken_minutes=n % 240,
                    due_at=at,
                    responded_at=at,
                )
            )
    ResponseRecord.objects.bulk_create(records, batch_size=1000)
