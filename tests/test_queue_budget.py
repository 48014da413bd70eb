"""The operators' queue with 10,000 cases: every view, its counts and a search in a fixed number
of queries, the same as with a handful."""

import datetime as dt
import time
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Case, CaseStatus
from catalog.models import Priority

pytestmark = pytest.mark.django_db

QUEUE = "/admin/cases/case/"
# Session, operator, second factor; the views' counts; the operator's saved views; the
# service, priority and operator filters' lists; the filtered count; the page of cases. The
# support calendar (for "due today") is kept from the first request (desk.calendars).
QUEUE_QUERIES = 10
QUERIES = [
    "",
    "view=open",
    "view=mine",
    "view=unassigned",
    "view=overdue",
    "view=today",
    "view=waiting&days=3",
    "view=overdue&status=new&p=2",
    "q=%E3%82%B1",
    "o=3",
]
STATUSES = [CaseStatus.NEW, CaseStatus.WAITING_FOR_ESET, CaseStatus.WAITING_FOR_CUSTOMER]


def many_cases(first: Case, count: int, operator) -> None:
    """`count` copies of `first`, spread over statuses, due times, assignees and priorities.
    Written with one executemany of values prepared as Django prepares them: bulk_create spends
    most of its time preparing 30 values per row (10 s for 10,000 on a busy machine)."""
    now = timezone.now()
    priorities = list(Priority.objects.values_list("pk", flat=True))
    fields = {f.attname: f for f in Case._meta.concrete_fields if not f.primary_key}

    def prepared(name, value):
        return fields[name].get_db_prep_save(value, connection)

    template = {name: prepared(name, getattr(first, name)) for name in fields}
    rows = []
    for n in range(count):
        due = now + dt.timedelta(minutes=n % 997 - 300) if n % 4 else None
        row = template | {
            "number": f"{90_000_000 + n:08d}",
            "submission_id": prepared("submission_id", uuid.uuid4()),
            "status": STATUSES[n % 3].value,
            "status_changed_at": prepared("status_changed_at", now - dt.timedelta(hours=n % 500)),
            "response_due_at": prepared("response_due_at", due),
            "assigned_to_id": operator.pk if n % 5 == 0 else None,
            "priority_id": priorities[n % len(priorities)],
        }
        rows.append([row[name] for name in fields])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        # Column names from the model, values bound.
        cursor.executemany(f"INSERT INTO cases_case ({columns}) VALUES ({marks})", rows)  # noqa: S608


@pytest.mark.parametrize("count", [3, 10_000])
def test_it_shows_every_view_of_the_queue_in_a_fixed_number_of_queries(
    operator_client, operator, customer, make_case, django_assert_num_queries, count
):
    started = time.monotonic()
    many_cases(make_case(customer), count - 1, operator)
    made = time.monotonic() - started
    assert Case.objects.count() == count
    operator_client.get(QUEUE)  # what a first request caches
    for query in QUERIES:
        with django_assert_num_queries(QUEUE_QUERIES, info=query) as captured:
            response = operator_client.get(f"{QUEUE}?{query}")
        assert response.status_code == 200, query
        counting = [q for q in captured.captured_queries if q["sql"].count("COUNT(") >= 6]
        assert len(counting) == 1, query
    assert made < 30  # one executemany, not a factory call per case


def test_it_serves_the_busiest_views_from_the_index_with_many_cases(
    operator_client, operator, customer, make_case
):
    """With a real table (and statistics), the unfiltered queue and All open read a page in
    order from cases_case_queue_due instead of sorting every case."""
    many_cases(make_case(customer), 3000, operator)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE cases_case")
    for query in ("", "view=open"):
        cl = operator_client.get(f"{QUEUE}?{query}").context["cl"]
        plan = cl.queryset[: cl.list_per_page].explain()
        assert "cases_case_queue_due" in plan, (query, plan)
        assert "TEMP B-TREE" not in plan
        assert "Sort" not in plan.replace("Sort Key", "")
