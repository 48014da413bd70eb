"""The response clock as the services move it: filed, answered, the customer's next post,
waiting for the customer, resolved and reopened (cases/services.py, Case.clock_*)."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus
from cases.services import attachments_add, case_update, message_post
from desk.business_hours import add_business_minutes
from desk.calendars import support_calendar
from desk.models import ResponseRecord
from tests.helpers import guide_example

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
# Premium Support, normal priority: 24 business hours to the first response and to each next.
TARGET = 1440


@pytest.fixture
def at(monkeypatch):
    """Set the time the services read (timezone.now), in Tokyo's wall time."""

    def set_time(*args):
        moment = dt.datetime(*args, tzinfo=TOKYO)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_time


@pytest.fixture
def filed(at, customer_client, customer, lite_services):
    """The guide's case, filed through the portal, its clock then set back to a filing on
    Friday 4 December 2026 at 16:00 in Tokyo (the portal's sign-in lives in real time)."""
    response = customer_client.post(reverse("cases:create"), guide_example())
    assert response.status_code == 302
    case = Case.objects.get()
    friday = at(2026, 12, 4, 16)
    case.clock_filed(first_target=TARGET, calendar=support_calendar(), now=friday)
    case.save(update_fields=Case.CLOCK_FIELDS)
    return case


def say(case, author, body="…", internal=False):
    message_post(case=case, author=author, body=body, post_id=uuid.uuid4(), internal=internal)
    return Case.objects.get(pk=case.pk)


def test_it_starts_the_first_response_clock_when_a_case_is_filed(customer_client, lite_services):
    customer_client.post(reverse("cases:create"), guide_example())
    case = Case.objects.get()
    assert (case.response_kind, case.response_target_minutes) == ("first", TARGET)
    assert case.response_running_since == case.created_at.replace(second=0, microsecond=0)
    assert case.response_due_at == add_business_minutes(
        support_calendar(), case.response_running_since, TARGET
    )
    assert case.last_customer_activity_at == case.created_at


def test_its_clock_falls_due_in_business_hours(filed):
    assert filed.response_kind == "first"
    assert filed.response_target_minutes == TARGET
    assert filed.response_running_since == dt.datetime(2026, 12, 4, 16, tzinfo=TOKYO)
    # 1.5 hours on Friday, 8.5 on Monday and Tuesday, the last 5.5 on Wednesday.
    assert filed.response_due_at == dt.datetime(2026, 12, 9, 14, 30, tzinfo=TOKYO)
    assert filed.last_customer_activity_at == dt.datetime(2026, 12, 4, 16, tzinfo=TOKYO)
    assert filed.first_response_at is None


def test_an_operators_reply_answers_the_clock_and_is_recorded(filed, at, operator):
    answered_at = at(2026, 12, 7, 10)  # Monday
    case = say(filed, operator)
    assert (case.response_kind, case.response_due_at, case.response_running_since) == (
        "",
        None,
        None,
    )
    assert case.first_response_at == answered_at
    assert case.status == CaseStatus.WAITING_FOR_CUSTOMER
    record = ResponseRecord.objects.get()
    assert (record.kind, record.target_minutes, record.taken_minutes) == ("first", TARGET, 150)
    assert record.met and record.responder == operator and record.responded_at == answered_at
    assert record.due_at == dt.datetime(2026, 12, 9, 14, 30, tzinfo=TOKYO)
    assert (record.service_id, record.priority_id) == (case.service_id, case.priority_id)


def test_an_internal_note_answers_nothing(filed, at, operator):
    at(2026, 12, 7, 10)
    case = say(filed, operator, internal=True)
    assert case.response_kind == "first" and case.response_due_at == filed.response_due_at
    assert case.first_response_at is None
    assert not ResponseRecord.objects.exists()


def test_the_customers_next_post_starts_the_next_response_clock(filed, at, operator, customer):
    at(2026, 12, 7, 10)
    say(filed, operator)
    posted_at = at(2026, 12, 7, 11)
    case = say(filed, customer)
    assert (case.response_kind, case.response_target_minutes) == ("next", TARGET)
    assert case.response_running_since == posted_at
    assert case.response_due_at == dt.datetime(2026, 12, 10, 9, 30, tzinfo=TOKYO)
    assert case.last_customer_activity_at == posted_at
    # A second post while it runs changes nothing but the activity.
    later = at(2026, 12, 7, 12)
    again = say(case, customer)
    assert again.response_running_since == posted_at and again.last_customer_activity_at == later


def test_waiting_for_the_customer_pauses_the_clock_and_waiting_for_eset_resumes_it(
    filed, at, operator
):
    at(2026, 12, 7, 10)
    case_update(
        case=filed,
        operator=operator,
        status=CaseStatus.WAITING_FOR_CUSTOMER,
        stage=None,
        assigned_to=None,
    )
    paused = Case.objects.get()
    assert (paused.response_used_minutes, paused.response_running_since) == (150, None)
    assert paused.response_due_at is None and paused.response_kind == "first"
    at(2026, 12, 8, 9)  # Tuesday: 150 of 1440 used, 21.5 hours left
    case_update(
        case=paused,
        operator=operator,
        status=CaseStatus.WAITING_FOR_ESET,
        stage=None,
        assigned_to=None,
    )
    resumed = Case.objects.get()
    assert resumed.response_due_at == dt.datetime(2026, 12, 10, 13, 30, tzinfo=TOKYO)
    # Answered later: the paused time did not count.
    at(2026, 12, 8, 10)
    say(resumed, operator)
    assert ResponseRecord.objects.get().taken_minutes == 150 + 60


def test_a_customer_post_resumes_a_paused_clock(filed, at, operator, customer):
    at(2026, 12, 7, 10)
    case_update(
        case=filed,
        operator=operator,
        status=CaseStatus.WAITING_FOR_CUSTOMER,
        stage=None,
        assigned_to=None,
    )
    at(2026, 12, 8, 9)
    case = say(filed, customer)
    assert (case.response_kind, case.response_used_minutes) == ("first", 150)
    assert case.response_due_at == dt.datetime(2026, 12, 10, 13, 30, tzinfo=TOKYO)


def test_resolving_stops_the_clock_without_a_record_and_a_customer_post_reopens_it(
    filed, at, operator, customer
):
    at(2026, 12, 7, 10)
    case_update(
        case=filed, operator=operator, status=CaseStatus.RESOLVED, stage=None, assigned_to=None
    )
    resolved = Case.objects.get()
    assert (resolved.response_kind, resolved.response_due_at) == ("", None)
    assert not ResponseRecord.objects.exists()
    reopened_at = at(2026, 12, 8, 9)
    case = say(resolved, customer)
    assert case.status == CaseStatus.WAITING_FOR_ESET
    assert (case.response_kind, case.response_running_since) == ("next", reopened_at)
    assert case.response_due_at is not None


def test_a_customers_upload_is_customer_activity_and_an_operators_is_not(
    filed, at, operator, customer
):
    uploaded_at = at(2026, 12, 7, 10)
    attachments_add(case=filed, uploader=customer, files=[SimpleUploadedFile("log.txt", b"log")])
    assert Case.objects.get().last_customer_activity_at == uploaded_at
    at(2026, 12, 7, 11)
    attachments_add(case=filed, uploader=operator, files=[SimpleUploadedFile("fix.txt", b"fix")])
    assert Case.objects.get().last_customer_activity_at == uploaded_at
