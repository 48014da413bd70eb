"""The operator's case page and the response clocks from the attacker's side (review of issue
16): tampered reply forms, staff without the right to change a case, two operators answering
at once, markup in saved replies and names, and response targets too large for any calendar."""

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseStatus, Message
from catalog.models import ResponseTarget
from desk.models import CaseViewer, SavedReply
from tests.factories import create_message, with_authenticator
from tests.test_case_desk import change_url, presence_url, reply_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(make_user, signed_in_client):
    """Staff with the second factor who may view cases but not change them."""
    user = make_user(email="viewer@eset.example", full_name="Vera Viewer", is_staff=True)
    with_authenticator(user)
    user.user_permissions.add(Permission.objects.get(codename="view_case"))
    return signed_in_client(user)


@pytest.fixture
def saved(db):
    return SavedReply.objects.create(
        title_ja="<b>解決</b>",
        title_en="<b>Solved</b>",
        body_ja='{customer_name} 様 "><script>alert(1)</script>',
        body_en='{customer_name} "><script>alert(1)</script>',
        sets_status=CaseStatus.RESOLVED,
    )


@pytest.mark.parametrize(
    "query",
    [
        "?saved_reply=abc",
        "?saved_reply=%00",
        "?saved_reply=99999999999999999999999999",
        "?saved_reply=-1",
        "?before=%00",
        "?before=99999999999999999999999999",
    ],
)
def test_tampered_addresses_show_the_page(operator_client, customer, make_case, saved, query):
    case = make_case(customer)
    expected = 400 if "%00" in query else 200  # hub.middleware refuses a NUL anywhere
    assert operator_client.get(change_url(case, query)).status_code == expected


@pytest.mark.parametrize(
    "extra",
    [
        {"seen": "abc"},
        {"seen": "\x00"},
        {"seen": "-1"},
        {"seen": str(2**63)},
        {"seen": str(2**63 - 1)},
        {"saved_reply": "\x00", "insert": "1"},
        {"saved_reply": str(2**70), "insert": "1"},
        {"status_after": "\x00"},
        {"post_id": "not-a-uuid"},
        {"body": "a\x00b"},
        {"internal": "\x00", "confirm": "\x00"},
    ],
)
def test_tampered_reply_forms_are_answered_without_a_server_error(
    operator_client, customer, make_case, saved, extra
):
    case = make_case(customer)
    data = {"body": "hello", "post_id": str(uuid.uuid4())} | extra
    # 400: hub.middleware refuses a NUL anywhere in a request.
    assert operator_client.post(reply_url(case), data).status_code in (200, 302, 400)


def test_staff_who_may_only_view_cannot_post_insert_or_change_the_status(
    viewer, customer, make_case, saved
):
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    post_id = str(uuid.uuid4())
    for data in (
        {"body": "x", "post_id": post_id, "status_after": CaseStatus.RESOLVED},
        {"body": "x", "post_id": post_id, "saved_reply": str(saved.pk), "insert": "1"},
    ):
        assert viewer.post(reply_url(case), data).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_ESET
    assert not Message.objects.filter(body="x").exists()


def test_staff_who_may_only_view_is_never_announced_as_writing_a_reply(viewer, customer, make_case):
    """Someone who cannot answer must not hold colleagues back with "is writing a reply"."""
    case = make_case(customer)
    assert viewer.post(presence_url(case), {"replying": "1"}).status_code == 200
    assert CaseViewer.objects.get(case=case).replying is False


def test_markup_in_saved_replies_and_names_stays_text(
    operator_client, operator, customer, make_case, saved, make_user, signed_in_client
):
    customer.full_name = "<img src=x onerror=alert(2)>"
    customer.save()
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    seen = create_message(case, customer, "質問")
    other = make_user(
        email="o2@eset.example", full_name="<svg onload=alert(3)>", is_staff=True, is_superuser=True
    )
    with_authenticator(other)
    signed_in_client(other).post(presence_url(case), {"replying": "1"})
    create_message(case, other, "answer")
    page = operator_client.get(change_url(case)).content.decode()
    collided = operator_client.post(
        reply_url(case), {"body": "mine", "post_id": str(uuid.uuid4()), "seen": str(seen.pk)}
    ).content.decode()
    beat = operator_client.post(presence_url(case)).content.decode()
    for html in (page, collided, beat):
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "<svg onload" not in html
        assert "<b>Solved</b>" not in html and "<b>解決</b>" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_the_collision_check_and_the_post_happen_under_the_case_lock(
    operator_client, operator, customer, make_case
):
    """Two operators pressing Post at once: each looks for a newer answer and then posts. Unless
    the case is locked before the look, both find none and both answers go out."""
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    seen = create_message(case, customer, "質問")
    with CaptureQueriesContext(connection) as queries:
        response = operator_client.post(
            reply_url(case), {"body": "答え", "post_id": str(uuid.uuid4()), "seen": str(seen.pk)}
        )
    assert response.status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s and '"cases_case"' in s)
    look = next(i for i, s in enumerate(sql) if '"cases_message"."id" >' in s)
    assert lock < look
    # Held through the post: one transaction, no commit between the look and the insert.
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "cases_message"'))
    between = [s for s in sql[lock:insert] if s in ("COMMIT", "BEGIN")]
    assert not between


@pytest.mark.parametrize("field", ["minutes", "next_minutes"])
def test_a_response_target_too_large_for_any_calendar_is_refused(catalogue, field):
    """2,147,483,647 business minutes run past the year 9999: every case filed with that
    target would fail (after seconds of walking the calendar)."""
    target = ResponseTarget.objects.select_related("service", "priority").first()
    setattr(target, field, 2**31 - 1)
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert field in refused.value.message_dict
    setattr(target, field, ResponseTarget.MAX_MINUTES)
    target.full_clean()


def test_the_largest_target_is_reached_on_the_sparsest_calendar():
    from zoneinfo import ZoneInfo

    from desk.business_hours import Calendar, add_business_minutes

    one_minute_a_week = Calendar(
        tz=ZoneInfo("Pacific/Kiritimati"),
        opens=dt.time(0, 0),
        closes=dt.time(0, 1),
        weekdays=frozenset({6}),
    )
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    due = add_business_minutes(one_minute_a_week, start, ResponseTarget.MAX_MINUTES)
    assert due.year < 9000


def test_a_closed_day_added_while_a_clock_runs_moves_its_due_time(
    customer, make_case, django_capture_on_commit_callbacks
):
    """The queue's due and overdue and the customer's estimate read response_due_at, stored
    when the clock last moved: a holiday added on the due day leaves them on a closed day."""
    from django.utils import timezone

    from cases.models import Case
    from desk import clock
    from desk.calendars import support_calendar
    from desk.models import Holiday

    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    case.clock_filed(first_target=480, calendar=support_calendar(), now=timezone.now())
    case.save(update_fields=Case.CLOCK_FIELDS)
    due_day = timezone.localtime(case.response_due_at, support_calendar().tz).date()
    before = case.response_due_at
    with django_capture_on_commit_callbacks(execute=True):
        Holiday.objects.create(date=due_day, name="臨時休業", is_closed=True)
    case = Case.objects.get(pk=case.pk)
    assert case.response_due_at == clock.due_at(case.response_clock, support_calendar())
    assert case.response_due_at > before
    assert timezone.localtime(case.response_due_at, support_calendar().tz).date() != due_day
