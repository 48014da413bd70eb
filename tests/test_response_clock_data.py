"""Cases made in bulk (generate_data, the demo) get response clocks their threads agree with:
some overdue, some due later, paused or answered while they wait for the customer, stopped
once closed, and their answered responses as ResponseRecord rows for the report."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.generated import generated_companies
from cases.models import CLOSED_STATUSES, Case, CaseStatus, Message
from desk.models import ResponseRecord
from trainer import seed

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 2, 3, tzinfo=dt.UTC)  # a Monday, 12:00 in Tokyo


def check_consistent(cases, now):
    for case in cases:
        if case.is_closed:
            assert (case.response_kind, case.response_due_at) == ("", None), case
        elif case.response_due_at is not None:
            assert case.response_kind and case.response_running_since is not None
            assert case.response_running_since >= case.created_at.replace(second=0, microsecond=0)
        if case.status == CaseStatus.WAITING_FOR_CUSTOMER:
            assert case.response_due_at is None
        if case.status in (CaseStatus.NEW, CaseStatus.WAITING_FOR_ESET):
            assert case.response_due_at is not None, case
        assert case.last_customer_activity_at is not None
        public = case.messages.filter(is_internal=False)
        first_answer = public.filter(by_operator=True).order_by("created_at").first()
        assert case.first_response_at == (first_answer and first_answer.created_at)
    for record in ResponseRecord.objects.filter(case__in=cases):
        assert record.responded_at <= now
        assert record.kind in ("first", "next")
        assert record.responder is not None and record.responder.is_staff
    for case in cases.filter(responses__kind="first").distinct():
        assert case.responses.filter(kind="first").count() == 1


def test_generated_cases_have_clocks_their_threads_agree_with(tmp_path, settings):
    settings.BENCH_VIEWS = True
    options = {
        "companies": 3,
        "cases": 300,
        "big_company_cases": 100,
        "long_case_messages": 20,
        "long_case_attachments": 1,
        "now": NOW.replace(tzinfo=None).isoformat(),
    }
    args = [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    handles = tmp_path / "handles.json"
    call_command("generate_data", *args, f"--handles={handles}", stdout=io.StringIO())
    json.loads(handles.read_text())

    cases = Case.objects.filter(company__in=generated_companies())
    check_consistent(cases, NOW)
    assert cases.filter(response_due_at__lt=NOW).exists()  # overdue
    assert cases.filter(response_due_at__gte=NOW).exists()  # due later
    assert cases.filter(status=CaseStatus.WAITING_FOR_CUSTOMER).exists()
    assert ResponseRecord.objects.filter(case__in=cases, kind="first").exists()
    assert ResponseRecord.objects.filter(case__in=cases, kind="next").exists()


def test_the_demo_has_an_overdue_case_a_case_due_later_and_answered_ones(settings, catalogue):
    settings.DEMO_MODE = True
    seed.reset()
    now = timezone.now()
    cases = Case.objects.filter(created_by__is_demo=True)
    check_consistent(cases, now)
    overdue = cases.get(subject="駆除できないウイルスがあります")
    assert overdue.response_kind == "first" and overdue.response_due_at < now
    assert cases.get(subject="検出後も警告が繰り返し表示される").response_due_at > now
    answered = cases.get(subject="Scheduled scan does not start")
    assert answered.responses.get().kind == "first"
    assert answered.first_response_at < now and answered.response_due_at is None
    # The thread reads in the order the clock ran.
    times = list(answered.messages.order_by("id").values_list("created_at", flat=True))
    assert times == sorted(times) and times[0] > answered.created_at
    assert not cases.filter(status__in=CLOSED_STATUSES).exclude(response_kind="").exists()
    assert Message.objects.filter(case__in=cases).count() >= 5
